"""What a test needs from the machine: skipped on a developer's machine, a failure in CI.

.ci/run installs every such thing (Chromium, Virtuoso, Node.js packages) and sets
KZMIG_CI, so there a missing one is a broken set-up, never a silent skip.
"""

from __future__ import annotations

import os

import pytest

ON_CI = bool(os.environ.get("KZMIG_CI"))


def need(what: str) -> None:
    """Stop the test for want of ``what`` (a sentence saying how to get it)."""
    if ON_CI:
        pytest.fail(f"{what} (KZMIG_CI is set: .ci/run installs it)")
    pytest.skip(what)

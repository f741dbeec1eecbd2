"""Finding the W3C test suites: <repo>/../shared/w3c-rdf-tests, or $KZMIG_W3C_TESTS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.servers import ROOT


def _root() -> Path:
    return Path(os.environ.get("KZMIG_W3C_TESTS") or ROOT.parent / "shared" / "w3c-rdf-tests")


def available() -> bool:
    """Whether the suites are there (for collecting tests; w3c_root() skips or fails)."""
    return (_root() / "sparql").is_dir()


def w3c_root() -> Path:
    """The w3c-rdf-tests folder; skips (fails under KZMIG_CI=1) when it is missing."""
    root = _root()
    if not (root / "sparql").is_dir():
        message = f"the W3C test suites are not at {root} (set KZMIG_W3C_TESTS)"
        if os.environ.get("KZMIG_CI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return root


def sparql11() -> Path:
    return w3c_root() / "sparql" / "sparql11"

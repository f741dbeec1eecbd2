"""The graph and loaders packages never load the web stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_graph_and_loaders_does_not_load_flask() -> None:
    code = (
        "import sys, kzmig.graph, kzmig.graph.build, kzmig.loaders.sheets, kzmig.graph.store;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_nothing_named_server_or_graph_is_installed_top_level(tmp_path: Path) -> None:
    code = (
        "import importlib.util as u;"
        "print([n for n in ('server', 'graph', 'loaders') if u.find_spec(n)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert out.strip() == "[]"

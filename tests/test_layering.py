"""The graph and loaders packages never load the web stack."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path


def test_importing_graph_and_loaders_does_not_load_flask() -> None:
    code = (
        "import sys, kzmig.graph, kzmig.graph.build.pipeline, kzmig.loaders.sheets,"
        " kzmig.graph.release.store;"
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


def test_every_code_package_is_installed() -> None:
    """A wheel holds only the packages pyproject.toml lists: a new subpackage left out of
    the list works in an editable install and is missing from a real one."""
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("kzmig", *init.parent.relative_to(root).parts))
        for folder in ("graph", "loaders", "names", "server")
        for init in (root / folder).rglob("__init__.py")
    }
    assert found == listed

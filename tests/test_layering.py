"""The graph and loaders packages never load the web stack."""

from __future__ import annotations

import ast
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


# -- every module's imports (AST), lazy ones included -------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {
    "names": "kzmig.names",
    "loaders": "kzmig.loaders",
    "graph": "kzmig.graph",
    "server": "kzmig.server",
}
# What each part may import of kzmig (besides itself), lowest layer first. The design's
# map (notes: loaders -> graph -> server, the `kzmig` command on top): the server never
# imports the loaders, nothing below the command imports the server.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "kzmig.names": (),
    "kzmig.graph.settings": (),
    # what commands print (one message form, progress): used by the editor, build and push
    "kzmig.graph.console": ("kzmig.names", "kzmig.loaders"),
    "kzmig.loaders": ("kzmig.names",),
    "kzmig.graph.release": ("kzmig.names", "kzmig.loaders"),
    "kzmig.graph.semantics": ("kzmig.names", "kzmig.loaders"),  # loaders: errors, pure
    "kzmig.graph.build": (
        "kzmig.names",
        "kzmig.loaders",
        "kzmig.graph.semantics",
        "kzmig.graph.release",
    ),
    "kzmig.graph.remote": (
        "kzmig.names",
        "kzmig.graph.release",
        "kzmig.graph.settings",
        "kzmig.graph.console",
    ),
    "kzmig.graph.editor": (
        "kzmig.names",
        "kzmig.loaders",
        "kzmig.graph.build",
        "kzmig.graph.semantics",
        "kzmig.graph.release",
        "kzmig.graph.settings",
        "kzmig.graph.console",
    ),
    "kzmig.graph.cli": ("kzmig",),  # the top: everything, the server lazily
    "kzmig.graph": (),  # graph/__init__.py
    "kzmig.server": ("kzmig.names", "kzmig.graph"),
}
FORBIDDEN_FOR_SERVER = ("kzmig.graph.cli", "kzmig.loaders")
# Known exceptions, each with its reason; the test fails when one is no longer needed.
EXCEPTIONS = {
    # StoreSpec("remote") is opened by the query workers through graph.release.store
    # (server/executor.py, being changed by #14): the opener belongs in the server.
    ("kzmig.graph.release.store", "kzmig.graph.remote.store"),
    # The ontology page is rendered at request time by the editor's doc generator, which
    # reads the vocabulary files with the loaders' errors.
    ("kzmig.server.ontology", "kzmig.graph.editor.docs"),
    # The build refuses what `kzmig check` rejects (#17): check's error-level checks run as
    # a build stage. The checks engine belongs below both (graph/semantics or its own
    # package); moving it is a follow-up.
    ("kzmig.graph.build.pipeline", "kzmig.graph.editor.check"),
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    parts = [FOLDERS[rel.parts[0]], *rel.with_suffix("").parts[1:]]
    name = ".".join(parts)
    return name.removesuffix(".__init__")


def imports_of(path: Path, name: str) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import of kzmig in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # from . import x: x is a module (the package itself is not what is asked for)
            targets = [f"{module}.{a.name}" for a in node.names] if not node.module else [module]
        else:
            continue
        found += [(t, id(node) in top) for t in targets if t.split(".")[0] == "kzmig"]
    return found


def code_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for folder in FOLDERS
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "node_modules" not in p.parts
    }


def part_of(name: str) -> str:
    return max((p for p in MAY_IMPORT if name == p or name.startswith(p + ".")), key=len)


def test_every_module_imports_only_what_its_layer_may() -> None:
    modules = code_modules()
    wrong, used = [], set()
    for name, path in modules.items():
        part = part_of(name)
        for target, _ in imports_of(path, name):
            if target.startswith(part + ".") or target == part:
                continue
            if (name, target) in EXCEPTIONS:
                used.add((name, target))
                continue
            allowed = any(target == a or target.startswith(a + ".") for a in MAY_IMPORT[part])
            if part == "kzmig.server" and target.startswith(FORBIDDEN_FOR_SERVER):
                allowed = False
            if not allowed:
                wrong.append(f"{path.relative_to(ROOT)}: {name} imports {target}")
    assert not wrong, "\n".join(wrong)
    assert used == EXCEPTIONS, f"exceptions no longer needed: {EXCEPTIONS - used}"


def test_no_import_cycles() -> None:
    """Among module-level imports (those that run when a module is first imported)."""
    modules = code_modules()
    edges = {
        name: {t for t, top in imports_of(path, name) if top and t in modules and t != name}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(modules):
        if name not in state:
            visit(name)

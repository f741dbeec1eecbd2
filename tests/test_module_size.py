"""Small modules: every module is at most 500 lines, or its docstring says why not."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 500


def long_without_reason(folders: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n") + 1
            if lines <= LIMIT:
                continue
            doc = ast.get_docstring(ast.parse(text)) or ""
            if not any(line.startswith("Long because:") for line in doc.splitlines()):
                found.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return found


def test_every_module_is_short_or_says_why() -> None:
    wrong = long_without_reason(("names", "loaders", "graph", "server", "bench", "tests"))
    assert not wrong, (
        "over 500 lines with no docstring line starting 'Long because:' (split the module, "
        "or say why it is one):\n" + "\n".join(wrong)
    )

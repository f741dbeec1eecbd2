"""A copy of the repository's inputs (ontology/, shapes/, sources/, rules/) to edit in a test."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from tests.support.servers import ROOT

SHEET = Path("sources/migration-in-kazakhstan/claims.yaml")


def copy_inputs(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("ontology", "shapes", "sources", "rules"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, target / folder)
    for path in (target / "sources").rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


def first_claim(root: Path) -> dict[str, object]:
    data = yaml.safe_load((root / SHEET).read_text(encoding="utf-8"))
    return dict(data["claims"][0])


def append_claim(
    root: Path, claim_id: str, quote: str, triples: str, sheet: Path = SHEET, **extra: object
) -> int:
    """Append a claim to the sheet as an editor would; return the line it starts on."""
    path = root / sheet
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^( *)- id:", text, re.MULTILINE)
    assert match, "the claim sheet lists its claims as `  - id: ...`"
    pad = match.group(1)
    lines = [f"{pad}- id: {claim_id}", f"{pad}  quote: {json.dumps(quote, ensure_ascii=False)}"]
    lines += [f"{pad}  {k}: {json.dumps(v)}" for k, v in extra.items()]
    lines.append(f"{pad}  triples: |")
    lines += [f"{pad}    {line}" for line in triples.strip().splitlines()]
    if not text.endswith("\n"):
        text += "\n"
    start = text.count("\n") + 2
    path.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return start

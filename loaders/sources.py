"""Read a source folder: the text exactly as stored, and its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

REQUIRED = ("id", "title", "language", "licence", "attribution", "reference_year")


@dataclass(frozen=True)
class Reference:
    """A report the text cites or draws on: a web address, a declared report, or both.

    `id` names a report declared in ontology/ as `source:<id>`, so that a claim can point
    a figure at the report it comes from; `url` is where it can be read.
    """

    url: str
    title: str
    id: str = ""
    date: str = ""


@dataclass(frozen=True)
class SourceText:
    id: str
    folder: Path
    text: str
    sha256: str
    title: str
    language: str
    licence: str
    attribution: str
    reference_year: int
    reference_year_reason: str = ""
    form: str = ""
    url: str = ""
    references: tuple[Reference, ...] = ()
    run_in_headings: tuple[str, ...] = field(default=())

    @property
    def sheet_path(self) -> Path:
        return self.folder / "claims.yaml"


def read_source(folder: Path) -> SourceText:
    meta_path, text_path = folder / "source.yaml", folder / "text.txt"
    if not text_path.is_file():
        raise InputError([Problem(str(text_path), None, "missing: put the source text here")])
    try:
        meta: dict[str, Any] = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as e:
        raise InputError(
            [
                Problem(
                    str(meta_path),
                    None,
                    "missing: describe the text here (see docs/claim-sheets.md)",
                )
            ]
        ) from e
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        raise InputError(
            [
                Problem(
                    str(meta_path), line + 1 if line is not None else None, f"not valid YAML: {e}"
                )
            ]
        ) from e
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise InputError([Problem(str(meta_path), None, f"missing field(s): {', '.join(missing)}")])
    if meta["id"] != folder.name:
        raise InputError(
            [
                Problem(
                    str(meta_path),
                    None,
                    f"id {meta['id']!r} differs from the folder name {folder.name!r}",
                )
            ]
        )
    raw = text_path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError([Problem(str(text_path), None, f"not UTF-8 at byte {e.start}")]) from e
    return SourceText(
        id=meta["id"],
        folder=folder,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=meta["title"],
        language=meta["language"],
        licence=meta["licence"],
        attribution=" ".join(str(meta["attribution"]).split()),
        reference_year=int(meta["reference_year"]),
        reference_year_reason=" ".join(str(meta.get("reference_year_reason", "")).split()),
        form=meta.get("form", ""),
        url=meta.get("url", ""),
        references=_references(meta.get("references") or [], meta_path),
        run_in_headings=tuple(meta.get("run_in_headings", [])),
    )


def _references(entries: list[Any], meta_path: Path) -> tuple[Reference, ...]:
    """Each reference needs a `url` or an `id` (a report declared in ontology/ as source:<id>)."""
    refs, problems = [], []
    for n, r in enumerate(entries, 1):
        if not isinstance(r, dict) or not (r.get("url") or r.get("id")):
            problems.append(
                Problem(
                    str(meta_path),
                    None,
                    f"reference {n}: give its `url`, or its `id` (a report declared in "
                    "ontology/ as source:<id>), or both",
                )
            )
            continue
        refs.append(
            Reference(
                url=str(r.get("url", "")),
                title=str(r.get("title", "")),
                id=str(r.get("id", "")),
                date=str(r.get("date", "")),
            )
        )
    if problems:
        raise InputError(problems)
    return tuple(refs)


def discover(sources_dir: Path) -> list[Path]:
    """Source folders, in a stable order: each has a text.txt."""
    return sorted(p.parent for p in sources_dir.glob("*/text.txt"))

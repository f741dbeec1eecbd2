"""A published release in the data directory, and how releases are laid out.

    <data>/releases/<version>/store/          Oxigraph store (read-only once published)
    <data>/releases/<version>/dumps/          dump files
    <data>/releases/<version>/sources/        the source texts, as built
    <data>/releases/<version>/search.sqlite   full-text index (SQLite FTS5; search_index.py)
    <data>/releases/<version>/manifest.json   written last: a release without it is incomplete
    <data>/current -> releases/<version>      swapped atomically when a build succeeds

A build writes into ``<data>/staging/`` and moves the finished release into
``releases/`` before it swaps ``current``; whatever dies half-way leaves only
staging debris, which readers never look at.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

MANIFEST = "manifest.json"


class NoRelease(RuntimeError):
    """No complete release in the data directory."""


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: an explicit one, else $KZMIG_DATA_DIR, else ./var."""
    return Path(explicit or os.environ.get("KZMIG_DATA_DIR") or "var").resolve()


def is_complete(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("complete")) and (folder / "store").is_dir()


def current_folder(data: Path) -> Path:
    """The folder of the release being served.

    ``current`` if it points at a complete release; otherwise the newest
    complete release (a half-written one is ignored); otherwise NoRelease.
    """
    link = data / "current"
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if is_complete(target):
            return target
    releases = data / "releases"
    candidates = (
        sorted(
            (p for p in releases.iterdir() if is_complete(p)), key=lambda p: p.name, reverse=True
        )
        if releases.is_dir()
        else []
    )
    if not candidates:
        raise NoRelease(f"no complete release in {data}: run `kzmig build` first")
    return candidates[0]


@dataclass
class Release:
    """A complete release, opened read-only."""

    folder: Path
    manifest: dict[str, Any] = field(repr=False)

    @classmethod
    def open(cls, folder: Path) -> Release:
        if not is_complete(folder):
            raise NoRelease(f"{folder} is not a complete release")
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return cls(folder, manifest)

    @classmethod
    def current(cls, data: Path) -> Release:
        return cls.open(current_folder(data))

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @cached_property
    def store(self) -> ox.Store:
        return ox.Store.read_only(str(self.folder / "store"))

    def source_text(self, source_id: str) -> str | None:
        path = self.folder / "sources" / f"{source_id}.txt"
        if "/" in source_id or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    def dump_path(self, name: str) -> Path | None:
        folder = self.folder / "dumps"
        path = folder / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return None
        return path

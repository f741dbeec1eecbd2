"""Dump files of a release: TriG and N-Quads of everything, Turtle of parts.

Each file is also gzip-compressed, and described (size, triples, SHA-256) so
that consumers can check what they downloaded.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES


@dataclass(frozen=True)
class DumpFile:
    name: str
    media_type: str
    description: str
    size: int
    sha256: str
    triples: int
    gzip_name: str
    gzip_size: int
    gzip_sha256: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


MEDIA_TYPES = {
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".ttl": "text/turtle",
}


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _describe(path: Path, description: str, triples: int) -> DumpFile:
    gz = path.with_name(path.name + ".gz")
    with path.open("rb") as src, gzip.GzipFile(gz, "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return DumpFile(
        name=path.name,
        media_type=MEDIA_TYPES[path.suffix],
        description=description,
        size=path.stat().st_size,
        sha256=_digest(path),
        triples=triples,
        gzip_name=gz.name,
        gzip_size=gz.stat().st_size,
        gzip_sha256=_digest(gz),
    )


def write_dumps(
    store: ox.Store,
    folder: Path,
    version: str,
    *,
    parts: dict[str, tuple[str, Iterable[ox.Triple]]],
) -> list[DumpFile]:
    """Write the dumps of ``store`` into ``folder``; ``parts`` names Turtle extracts.

    ``parts`` maps a file stem (e.g. "claims") to a description and its triples.
    """
    folder.mkdir(parents=True, exist_ok=True)
    total = len(store)
    files = []
    for suffix, fmt, what in (
        (
            ".trig",
            ox.RdfFormat.TRIG,
            "Every named graph (claims, provenance, text, ontology, shapes, inferred), TriG",
        ),
        (".nq", ox.RdfFormat.N_QUADS, "Every named graph, N-Quads"),
    ):
        path = folder / f"kzmig-{version}{suffix}"
        store.dump(str(path), format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TRIG else None)
        files.append(_describe(path, what, total))
    for stem, (what, triples) in parts.items():
        unique = sorted(set(triples), key=str)
        path = folder / f"kzmig-{version}-{stem}.ttl"
        ox.serialize(unique, str(path), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        files.append(_describe(path, what, len(unique)))
    return files

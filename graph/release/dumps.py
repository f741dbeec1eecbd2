"""Dump files of a release: TriG and N-Quads of everything, Turtle of parts.

Each file is also gzip-compressed, and described (size, triples, SHA-256) so
that consumers can check what they downloaded.

Speed: pyoxigraph streams each dump from the store to disk (memory flat in the
size of the dump); each file is then read once, hashing and compressing in the
same pass (level 6, gzip's default), and the big files are compressed in
parallel threads (zlib and hashlib release the GIL).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from kzmig.names import PREFIXES


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


GZIP_LEVEL = 6
_BLOCK = 1 << 20


class _HashingWriter:
    """A binary file that hashes what is written to it."""

    def __init__(self, path: Path):
        self.file = path.open("wb")
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _describe(path: Path, description: str, triples: int) -> DumpFile:
    """Compress ``path`` next to itself; hash both, reading the file once."""
    gz = path.with_name(path.name + ".gz")
    sha = hashlib.sha256()
    out = _HashingWriter(gz)
    try:
        with (
            path.open("rb") as src,
            gzip.GzipFile(
                filename=path.name, mode="wb", fileobj=out, compresslevel=GZIP_LEVEL, mtime=0
            ) as dst,
        ):
            for block in iter(lambda: src.read(_BLOCK), b""):
                sha.update(block)
                dst.write(block)
    finally:
        out.close()
    return DumpFile(
        name=path.name,
        media_type=MEDIA_TYPES[path.suffix],
        description=description,
        size=path.stat().st_size,
        sha256=sha.hexdigest(),
        triples=triples,
        gzip_name=gz.name,
        gzip_size=gz.stat().st_size,
        gzip_sha256=out.sha.hexdigest(),
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
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = []
        for suffix, fmt, what in (
            (
                ".trig",
                ox.RdfFormat.TRIG,
                "Every named graph (claims, provenance, text, ontology, shapes, inferred), TriG",
            ),
            (".nq", ox.RdfFormat.N_QUADS, "Every named graph, N-Quads"),
        ):
            path = folder / f"kzmig-{version}{suffix}"
            prefixes = PREFIXES if fmt == ox.RdfFormat.TRIG else None
            store.dump(str(path), format=fmt, prefixes=prefixes)
            pending.append(pool.submit(_describe, path, what, total))
        for stem, (what, triples) in parts.items():
            unique = sorted(set(triples), key=str)
            path = folder / f"kzmig-{version}-{stem}.ttl"
            ox.serialize(unique, str(path), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            pending.append(pool.submit(_describe, path, what, len(unique)))
        return [f.result() for f in pending]

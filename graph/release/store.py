"""The store the server queries: one small interface, embedded implementations.

The interface (``QueryStore``) is what the SPARQL endpoint needs and no more:

- ``query(sparql, *, default_graph, named_graphs, union_default, base_iri, timeout)``
  returns pyoxigraph results (``QuerySolutions``, ``QueryBoolean``, or an iterable of
  ``Triple`` for CONSTRUCT/DESCRIBE); raises ``SyntaxError`` for a bad query.
- ``update(sparql, *, base_iri, timeout)`` applies a SPARQL Update, all or nothing.
- ``version``: a string that changes whenever the data may have changed (caches key on it).
- ``writable``: whether ``update`` can succeed.

``timeout`` is a hint for stores that can honour it (a remote store passes it on as
its HTTP timeout); the embedded stores cannot be interrupted, so the server runs
them in worker processes it kills (kzmig.server.executor).

Implementations here:

- ``ReleaseStore``: the current release of a data directory, read-only, reopened when
  a build swaps ``current``.
- ``DiskStore``: an Oxigraph store in a folder that one process at a time may write
  (``kzmig serve --data FILE...`` loads the files into a temporary one, so that query
  processes and the update process share it). Readers and writers take a shared /
  exclusive ``flock`` on ``<folder>.lock`` around each operation, and readers reopen
  after a write, because RocksDB cannot be opened read-only while a writer has it open.
- ``MemoryStore``: files loaded into memory, for one process (scripts and tests).

``open_store(spec)`` opens a store from a picklable ``StoreSpec``, which is how
worker processes open the same store as the app.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from .layout import Release, current_folder

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple]

FORMATS_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


@runtime_checkable
class QueryStore(Protocol):
    """What the server needs from a store (see the module docstring)."""

    @property
    def version(self) -> str: ...

    @property
    def writable(self) -> bool: ...

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default: bool = True,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> Result: ...

    def update(
        self, sparql: str, *, base_iri: str | None = None, timeout: float | None = None
    ) -> None: ...


@dataclass(frozen=True)
class StoreSpec:
    """How to open a store in another process: ``kind`` is "release", "disk", "memory" or
    "remote" (``path`` is then the store's URL, and ``data`` the data directory holding
    the pushed release's files)."""

    kind: str
    path: str = ""
    files: tuple[str, ...] = ()
    writable: bool = False
    data: str = ""


def open_store(spec: StoreSpec) -> QueryStore:
    if spec.kind == "release":
        return ReleaseStore(Path(spec.path))
    if spec.kind == "disk":
        return DiskStore(Path(spec.path), writable=spec.writable)
    if spec.kind == "memory":
        return MemoryStore([Path(f) for f in spec.files])
    if spec.kind == "remote":
        from kzmig.graph.remote.store import (
            RemoteStore,  # a SPARQL store elsewhere (kzmig push --store)
        )

        return RemoteStore(spec.path, data=Path(spec.data) if spec.data else None)  # type: ignore[return-value]
    raise ValueError(f"unknown store kind {spec.kind!r}")


def _query(
    store: ox.Store,
    sparql: str,
    default_graph: Sequence[str],
    named_graphs: Sequence[str],
    union_default: bool,
    base_iri: str | None,
) -> Result:
    if default_graph or named_graphs:
        # A protocol-given dataset replaces both the union default and any FROM.
        return store.query(
            sparql,
            base_iri=base_iri,
            default_graph=[ox.NamedNode(g) for g in default_graph] or [],
            named_graphs=[ox.NamedNode(g) for g in named_graphs],
        )
    return store.query(sparql, base_iri=base_iri, use_default_graph_as_union=union_default)


class ReleaseStore:
    """The current release of a data directory, reopened when ``current`` changes."""

    writable = False

    def __init__(self, data: Path):
        self.data = data
        # joined once: read on every request (a readlink of a str, 2.4 us, not 7.7 with the join)
        self._current = str(data / "current")
        self._lock = threading.Lock()
        self._release = Release.current(data)
        self._link = self._read_link()

    def _read_link(self) -> str | None:
        try:
            return os.readlink(self._current)
        except OSError:
            return None

    @property
    def release(self) -> Release:
        link = self._read_link()
        if link is not None and link == self._link:
            return self._release  # the common case: one readlink, no file reads
        try:
            folder = current_folder(self.data)
        except Exception:
            return self._release
        if folder != self._release.folder:
            with self._lock:
                if folder != self._release.folder:
                    self._release = Release.open(folder)
        self._link = link
        return self._release

    @property
    def version(self) -> str:
        return self.release.version

    def oxigraph(self) -> ox.Store:
        return self.release.store

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default: bool = True,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        return _query(self.oxigraph(), sparql, default_graph, named_graphs, union_default, base_iri)

    def update(
        self, sparql: str, *, base_iri: str | None = None, timeout: float | None = None
    ) -> None:
        raise PermissionError("a published release is read-only (serve files with --data)")


def load_files(files: Sequence[Path], folder: Path) -> None:
    """Bulk-load RDF files into a new Oxigraph store in ``folder`` (for ``DiskStore``)."""
    store = ox.Store(str(folder))
    for path in files:
        store.bulk_load(path=str(path), format=_format_of(path), base_iri=path.resolve().as_uri())
    store.flush()
    del store
    (folder.parent / f"{folder.name}.version").write_text("0", encoding="utf-8")


def _format_of(path: Path) -> ox.RdfFormat:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"{path}: unknown RDF format (use one of {', '.join(sorted(FORMATS_BY_SUFFIX))})"
        )
    return fmt


class DiskStore:
    """An on-disk Oxigraph store shared by processes: many readers or one writer at a time.

    The version is a counter in ``<folder>.version``, bumped by each update; a reader
    reopens its read-only handle when it changes. Queries must be consumed while the
    shared lock is held, so ``query`` returns results read into memory.

    An update given a ``ticket`` notes ``begin TICKET`` in ``<folder>.journal`` before it
    writes and ``done TICKET`` once the write is flushed to disk (both fsynced, under the
    exclusive lock), so that when the process running it dies or is killed, the server
    can tell with :meth:`outcome` whether it was applied rather than guess.
    """

    APPLIED, NOT_APPLIED, UNKNOWN = "applied", "not applied", "unknown"

    def __init__(self, folder: Path, *, writable: bool = False):
        self.folder = folder
        self.writable = writable
        self._lockfile = folder.parent / f"{folder.name}.lock"
        self._versionfile = folder.parent / f"{folder.name}.version"
        self._journal = folder.parent / f"{folder.name}.journal"
        self._store: ox.Store | None = None
        self._store_version: str | None = None
        self._mutex = threading.Lock()

    @property
    def version(self) -> str:
        try:
            return "data-" + self._versionfile.read_text(encoding="utf-8").strip()
        except OSError:
            return "data-0"

    @contextlib.contextmanager
    def _flock(self, mode: int) -> Iterator[None]:
        with open(self._lockfile, "a+") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _reader(self) -> ox.Store:
        version = self.version
        if self._store is None or self._store_version != version:
            self._store = None  # close the stale handle before opening again
            self._store = ox.Store.read_only(str(self.folder))
            self._store_version = version
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default: bool = True,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        with self._mutex, self._flock(fcntl.LOCK_SH):
            result = _query(
                self._reader(), sparql, default_graph, named_graphs, union_default, base_iri
            )
            return _materialize(result)

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any) -> Iterator[ox.Quad]:
        """A pattern's quads (the fragments interface), read under the shared lock."""
        with self._mutex, self._flock(fcntl.LOCK_SH):
            return iter(list(self._reader().quads_for_pattern(s, p, o, g)))

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        timeout: float | None = None,
        ticket: str | None = None,
    ) -> None:
        if not self.writable:
            raise PermissionError("this store was opened read-only")
        with self._mutex, self._flock(fcntl.LOCK_EX):
            if ticket:
                self._note(f"begin {ticket}")
            self._store = None  # RocksDB: no read-only handle while a writer is open
            writer = ox.Store(str(self.folder))
            try:
                writer.update(sparql, base_iri=base_iri)  # one transaction: all or nothing
                writer.flush()
            finally:
                del writer
            number = int(self.version.removeprefix("data-") or 0) + 1
            tmp = self._versionfile.with_suffix(".tmp")
            tmp.write_text(str(number), encoding="utf-8")
            tmp.replace(self._versionfile)
            if ticket:
                self._note(f"done {ticket}")

    def _note(self, line: str) -> None:
        with open(self._journal, "a", encoding="utf-8") as journal:
            journal.write(line + "\n")
            journal.flush()
            os.fsync(journal.fileno())

    def outcome(self, ticket: str) -> str:
        """Whether the update with ``ticket`` was applied: APPLIED, NOT_APPLIED or UNKNOWN.

        Waits for the exclusive lock to be free first: a writer killed mid-update
        releases it when it dies (flock), so what the journal says is then final.
        UNKNOWN means the writer died between starting and finishing; RocksDB commits a
        transaction whole or not at all, but only the data can say which.
        """
        with self._flock(fcntl.LOCK_SH):
            try:
                lines = set(self._journal.read_text(encoding="utf-8").splitlines())
            except FileNotFoundError:
                lines = set()
        if f"done {ticket}" in lines:
            return self.APPLIED
        if f"begin {ticket}" in lines:
            return self.UNKNOWN
        return self.NOT_APPLIED


class _Solutions:
    """SELECT results read into memory, with the same surface as ``ox.QuerySolutions``."""

    def __init__(self, variables: list[ox.Variable], rows: list[ox.QuerySolution]):
        self.variables = variables
        self._rows = rows

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return iter(self._rows)


def _materialize(result: Result) -> Result:
    if isinstance(result, ox.QueryBoolean):
        return result
    if isinstance(result, ox.QuerySolutions):
        return _Solutions(list(result.variables), list(result))  # type: ignore[return-value]
    return list(result)


class MemoryStore:
    """RDF files loaded into memory, for one process; the default graph is the union."""

    writable = True

    def __init__(self, files: Sequence[Path], *, union_default: bool = True):
        self._store = ox.Store()
        self.union_default = union_default
        for path in files:
            self._store.load(
                path=str(path), format=_format_of(path), base_iri=path.resolve().as_uri()
            )
        self._version = 0

    @property
    def version(self) -> str:
        return f"memory-{self._version}"

    def oxigraph(self) -> ox.Store:
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default: bool = True,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        return _query(
            self._store,
            sparql,
            default_graph,
            named_graphs,
            union_default and self.union_default,
            base_iri,
        )

    def update(
        self, sparql: str, *, base_iri: str | None = None, timeout: float | None = None
    ) -> None:
        self._store.update(sparql, base_iri=base_iri)
        self._version += 1

"""The store the server queries: one small interface, embedded implementations.

``ReleaseStore`` serves the current release of a data directory (read-only,
reopened when a build swaps ``current``); ``MemoryStore`` serves RDF files
given on the command line, in memory, and accepts updates.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .release import Release, current_folder

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

FORMATS_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class QueryStore(Protocol):
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
    ) -> Result: ...

    def update(self, sparql: str) -> None: ...

    def oxigraph(self) -> ox.Store: ...


def _query(
    store: ox.Store,
    sparql: str,
    default_graph: Sequence[str],
    named_graphs: Sequence[str],
    union_default: bool,
) -> Result:
    if default_graph or named_graphs:
        return store.query(
            sparql,
            default_graph=[ox.NamedNode(g) for g in default_graph] or ox.DefaultGraph(),
            named_graphs=[ox.NamedNode(g) for g in named_graphs] or None,
        )
    return store.query(sparql, use_default_graph_as_union=union_default)


class ReleaseStore:
    """The current release of a data directory, reopened when ``current`` changes."""

    writable = False

    def __init__(self, data: Path):
        self.data = data
        self._lock = threading.Lock()
        self._release = Release.current(data)

    @property
    def release(self) -> Release:
        try:
            folder = current_folder(self.data)
        except Exception:
            return self._release
        if folder != self._release.folder:
            with self._lock:
                if folder != self._release.folder:
                    self._release = Release.open(folder)
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
    ) -> Result:
        return _query(self.oxigraph(), sparql, default_graph, named_graphs, union_default)

    def update(self, sparql: str) -> None:
        raise PermissionError("a published release is read-only")


class MemoryStore:
    """RDF files loaded into memory; the default graph is the union of all graphs."""

    writable = True

    def __init__(self, files: Sequence[Path], *, union_default: bool = True):
        self._store = ox.Store()
        self.union_default = union_default
        for path in files:
            fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
            if fmt is None:
                raise ValueError(
                    f"{path}: unknown RDF format (use one of "
                    f"{', '.join(sorted(FORMATS_BY_SUFFIX))})"
                )
            self._store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        self._version = "memory"

    @property
    def version(self) -> str:
        return self._version

    def oxigraph(self) -> ox.Store:
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default: bool = True,
    ) -> Result:
        return _query(
            self._store, sparql, default_graph, named_graphs, union_default and self.union_default
        )

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

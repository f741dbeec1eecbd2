"""What differs between SPARQL stores, kept out of the remote store itself.

A remote store speaks the SPARQL 1.1 Protocol (queries, updates) and the Graph
Store HTTP Protocol (loading graphs, reading them back). Every store puts
those at its own paths, takes a timeout (or not) its own way, and has a few
habits of its own; an :class:`Adapter` says how, for one kind of store.

Kinds: ``oxigraph`` (Oxigraph server), ``virtuoso`` (Virtuoso 7) and
``sparql`` (any other SPARQL 1.1 store: the URL is the query endpoint, and the
update and graph store endpoints are given as ``update=`` / ``store=`` URL
parameters). The quirks of each are documented in their modules and in
docs/remote-stores.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
import requests

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple]


class StoreError(RuntimeError):
    """The store refused or failed an operation; the message says which and why."""


class StoreUnavailable(StoreError):
    """The store could not be reached, or failed on its side (5xx): worth retrying later."""


class StoreTimeout(StoreError, TimeoutError):
    """The store did not answer in time, or answered only in part."""


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str | None
    graph_store: str | None


class Adapter:
    """The SPARQL 1.1 defaults; subclasses override what their store does differently."""

    kind = "sparql"
    #: the media type asked for SELECT / ASK results
    results_media = "application/sparql-results+json"
    #: the media type asked for CONSTRUCT / DESCRIBE results
    graph_media = "application/n-triples"
    #: the URL parameter naming the target graph in the Graph Store Protocol
    graph_param = "graph"
    #: how many operations one update request may hold (None: no limit)
    max_update_operations: int | None = None
    #: the HTTP authentication the store's update endpoints expect with a user and password
    auth_scheme = "basic"

    def __init__(self, base: str, params: Mapping[str, str] | None = None):
        self.base = base.rstrip("/")
        self.params = dict(params or {})

    def endpoints(self) -> Endpoints:
        return Endpoints(
            query=self.base,
            update=self.params.get("update"),
            graph_store=self.params.get("store"),
        )

    def timeout_params(self, seconds: float) -> dict[str, str]:
        """URL parameters forwarding a query timeout; none when the store has no such thing."""
        return {}

    def check_response(self, response: requests.Response) -> None:
        """Raise when a 200 answer is not a whole answer (e.g. cut short by a store timeout)."""

    def prepare(
        self, sparql: str, dataset: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]]]:
        """The query text and protocol parameters that ask the store for ``dataset``."""
        return sparql, dataset

    def also_named(self, sparql: str, graphs: Sequence[str]) -> list[str]:
        """Graphs to add to ``named-graph-uri`` beyond the release's (a store's bug fix)."""
        return []

    def error_message(self, text: str) -> str:
        """The part of the store's error message that helps the person who sent the query."""
        return text

    def fix_body(self, body: bytes) -> bytes:
        """Undo the store's deviations in a results document before it is parsed."""
        return body

    def fix_result(self, result: Result) -> Result:
        """Undo the store's deviations from the standard result (e.g. ASK as a table)."""
        return result

    def stage(
        self,
        session: requests.Session,
        graphs: Sequence[tuple[str, bytes]],
        *,
        quads: bytes,
        timeout: float,
        midway: Callable[[], None] = lambda: None,
    ) -> None:
        """Load each graph (its N-Triples) under its given name, replacing what was there.

        ``quads`` holds the same data as one N-Quads document, for stores that
        load a whole dataset in one request. ``midway`` is called half-way
        through (tests kill the pusher there).
        """
        store = self.endpoints().graph_store
        if store is None:
            raise StoreError(
                f"{self.base}: no Graph Store Protocol endpoint; give one as ?store=URL"
            )
        for i, (name, body) in enumerate(graphs):
            if i == len(graphs) // 2:
                midway()
            response = session.put(
                store,
                params={self.graph_param: name},
                data=body,
                headers={"Content-Type": "application/n-triples"},
                timeout=timeout,
            )
            raise_for(response, f"loading graph <{name}>")

    def graph_url(self, name: str) -> tuple[str, dict[str, str]]:
        store = self.endpoints().graph_store
        if store is None:
            raise StoreError(
                f"{self.base}: no Graph Store Protocol endpoint; give one as ?store=URL"
            )
        return store, {self.graph_param: name}


def raise_for(response: requests.Response, doing: str) -> None:
    if response.status_code >= 400:
        raise StoreError(
            f"{doing}: the store answered {response.status_code}: {response.text.strip()[:500]}"
        )

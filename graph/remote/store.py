"""A remote SPARQL store holding a pushed release: the ``QueryStore`` of graph/release/store.py.

The store is reached over the SPARQL 1.1 Protocol (queries, updates) and the
Graph Store HTTP Protocol (loading, dumping), with its own authentication
(basic, digest or bearer). What differs between stores lives in
``kzmig.graph.remote.adapter``.

A store may hold other data next to ours, and the staging graphs of a push
under way. What kzmig serves from it is named by a small *pointer graph*
(:data:`POINTER`): the version of the current release and the names of its
graphs. Every query that does not name its own dataset is sent with those
graphs as ``default-graph-uri`` (their union is the default graph, as in the
embedded store) and as ``named-graph-uri`` (what ``GRAPH ?g`` ranges over), so
its answers are those of the embedded store, and nothing else in the store
shows. ``kzmig push`` (graph/remote/push.py) rewrites the pointer last.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from kzmig.graph.release.layout import NoRelease, Release, is_complete

from .adapter import (
    Adapter,
    Result,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
)
from .kinds import adapter_for, detect, split_kind
from .lexer import names_its_dataset, query_form
from .names import P_GRAPH, P_VERSION, POINTER

RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
#: Seconds past a query's timeout before this store gives up on its own: the endpoint
#: stops the worker running the query at the timeout, and answers 503.
GRACE = 1.0
DUMP_FORMATS = {"nq": "application/n-quads", "nt": "application/n-triples"}


class Auth(requests.auth.AuthBase):
    """A bearer token on every request."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def make_auth(
    url: str, adapter: Adapter, env: Mapping[str, str] | None = None
) -> requests.auth.AuthBase | None:
    """Credentials from the URL's ``user:password@`` or the environment.

    ``KZMIG_STORE_TOKEN`` (bearer), or ``KZMIG_STORE_USER`` and
    ``KZMIG_STORE_PASSWORD``, sent as ``KZMIG_STORE_AUTH`` says (basic or
    digest; by default what the store expects: digest for Virtuoso).
    """
    env = os.environ if env is None else env
    if env.get("KZMIG_STORE_TOKEN"):
        return Auth(env["KZMIG_STORE_TOKEN"])
    parts = urlsplit(url.split("+", 1)[1] if "+" in url.split(":", 1)[0] else url)
    user = parts.username or env.get("KZMIG_STORE_USER")
    password = parts.password or env.get("KZMIG_STORE_PASSWORD") or ""
    if not user:
        return None
    scheme = env.get("KZMIG_STORE_AUTH", adapter.auth_scheme).lower()
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password)
    if scheme == "basic":
        return requests.auth.HTTPBasicAuth(user, password)
    raise ValueError(f"KZMIG_STORE_AUTH={scheme!r}: use basic or digest (or KZMIG_STORE_TOKEN)")


class RemoteStore:
    """The release pushed to a remote SPARQL store, read-only.

    ``url`` is the store's base URL, optionally prefixed by its kind
    (``oxigraph+http://127.0.0.1:7878``, ``virtuoso+http://127.0.0.1:8890``);
    without one the kind is told by the store's ``Server`` header. ``timeout``
    is the default query timeout in seconds; ``refresh`` how long the pointer
    is trusted before it is read again (a push shows within that time).
    """

    writable = False

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        refresh: float = 2.0,
        data: Path | None = None,
        env: Mapping[str, str] | None = None,
    ):
        self.url = url
        self.data = data
        kind, base, params = split_kind(url)
        self.session = requests.Session()
        try:
            self.kind = kind or detect(base, self.session)
        except StoreError as e:
            raise NoRelease(f"{e}; check the URL and that the store is running") from e
        self.adapter = adapter_for(self.kind, base, params)
        self.session.auth = make_auth(url, self.adapter, env)
        self.endpoints = self.adapter.endpoints()
        self.timeout = timeout
        self.refresh = refresh
        self._lock = threading.Lock()
        self._state: tuple[str, tuple[str, ...]] | None = None
        self._read_at = 0.0
        self._releases: dict[str, Release | None] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes open their own connections.
        return {
            "url": self.url,
            "timeout": self.timeout,
            "refresh": self.refresh,
            "data": self.data,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["url"], timeout=state["timeout"], refresh=state["refresh"], data=state["data"]
        )

    @property
    def release(self) -> Release | None:
        """The local copy of the release the store serves, when ``data`` holds it.

        Its files (dumps, source texts, manifest) are those of the version in the
        store: `kzmig push` sends the graphs, and the files stay where they were built.
        """
        if self.data is None:
            return None
        version = self.version
        if version not in self._releases:
            folder = self.data / "releases" / version
            self._releases[version] = Release.open(folder) if is_complete(folder) else None
        return self._releases[version]

    # -- the pointer ----------------------------------------------------------------------

    def pointer(self) -> tuple[str, tuple[str, ...]] | None:
        """(version, graphs) of the current release, read from the store; None if none."""
        rows = self._select(
            f"SELECT ?v ?g WHERE {{ GRAPH <{POINTER}> {{ "
            f"<{POINTER}> <{P_VERSION}> ?v . OPTIONAL {{ <{POINTER}> <{P_GRAPH}> ?g }} }} }}",
            [("named-graph-uri", POINTER)],
        )
        if not rows:
            return None
        versions = {str(r["v"].value) for r in rows}
        if len(versions) != 1:
            raise StoreError(f"the pointer graph <{POINTER}> names several versions: {versions}")
        graphs = sorted({str(r["g"].value) for r in rows if r["g"] is not None})
        return versions.pop(), tuple(graphs)

    def _current(self) -> tuple[str, tuple[str, ...]]:
        now = time.monotonic()
        if self._state is None or now - self._read_at > self.refresh:
            with self._lock:
                if self._state is None or now - self._read_at > self.refresh:
                    try:
                        state = self.pointer()
                    except StoreError:
                        if self._state is None:
                            raise
                        state = self._state  # the store hiccuped: keep what it last said
                    if state is None:
                        raise NoRelease(
                            f"no release in the store at {self.adapter.base}: "
                            f"run `kzmig push --store {self.adapter.base}` first"
                        )
                    self._state, self._read_at = state, time.monotonic()
        assert self._state is not None
        return self._state

    @property
    def version(self) -> str:
        return self._current()[0]

    def graphs(self) -> tuple[str, ...]:
        """The named graphs of the current release."""
        return self._current()[1]

    # -- queries -------------------------------------------------------------------------

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
        """Run a query on the store; raises SyntaxError for a query the store rejects.

        Past ``timeout`` seconds (default: the store's) it raises StoreTimeout,
        whether the store stopped (where it takes a timeout) or not.
        """
        params: list[tuple[str, str]] = []
        if default_graph or named_graphs:
            params += [("default-graph-uri", g) for g in default_graph]
            params += [("named-graph-uri", g) for g in named_graphs]
        elif not names_its_dataset(sparql):
            graphs = self.graphs()
            if union_default:
                params += [("default-graph-uri", g) for g in graphs]
            params += [("named-graph-uri", g) for g in graphs]
            params += [("named-graph-uri", g) for g in self.adapter.also_named(sparql, graphs)]
        if base_iri:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        # GRACE: the endpoint's own deadline (its worker kill, answered 503) fires first.
        return self._query(sparql, params, (self.timeout if timeout is None else timeout) + GRACE)

    def _query(self, sparql: str, params: list[tuple[str, str]], timeout: float) -> Result:
        deadline = time.monotonic() + timeout
        sparql, params = self.adapter.prepare(sparql, params)
        body = [("query", sparql), *params]
        body += list(self.adapter.timeout_params(timeout).items())
        try:
            response = self.session.post(
                self.endpoints.query,
                data=body,
                headers={
                    "Accept": self.adapter.graph_media
                    if query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
                    else self.adapter.results_media
                },
                timeout=(min(timeout, 10.0), timeout),
                stream=True,
            )
            content = _read_until(response, deadline)
        except requests.Timeout as e:
            raise StoreTimeout(f"the store did not answer within {timeout:g} s") from e
        except requests.RequestException as e:
            raise StoreUnavailable(f"the store at {self.adapter.base} is unreachable: {e}") from e
        if response.status_code == 400:
            raise SyntaxError(self.adapter.error_message(_message(content)))
        if response.status_code >= 400:
            text = self.adapter.error_message(_message(content))
            if "timeout" in text.lower() or "cancel" in text.lower():
                raise StoreTimeout(f"the store stopped the query: {text}")
            if response.status_code >= 500:
                raise StoreUnavailable(f"the store failed ({response.status_code}): {text}")
            raise StoreError(f"the store answered {response.status_code}: {text}")
        self.adapter.check_response(response)
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media in RESULTS_FORMATS:
            content = self.adapter.fix_body(content)
            result = ox.parse_query_results(content, format=RESULTS_FORMATS[media])
            return self.adapter.fix_result(result)
        if media in GRAPH_FORMATS:
            return [
                q.triple for q in ox.parse(content, format=GRAPH_FORMATS[media], base_iri=POINTER)
            ]
        raise StoreError(f"the store answered with an unexpected type {media!r}")

    def _select(self, sparql: str, params: list[tuple[str, str]]) -> list[ox.QuerySolution]:
        result = self._query(sparql, params, self.timeout)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(f"expected a table from {sparql[:60]!r}")
        return list(result)

    def update(
        self, sparql: str, *, base_iri: str | None = None, timeout: float | None = None
    ) -> None:
        raise PermissionError("a release pushed to a remote store is read-only here")

    # -- writing (used by push) ----------------------------------------------------------

    def run_update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Send one SPARQL Update request (push only: the server never writes)."""
        if self.endpoints.update is None:
            raise StoreError(f"{self.adapter.base}: no update endpoint; give one as ?update=URL")
        try:
            response = self.session.post(
                self.endpoints.update,
                data=sparql.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
                timeout=timeout or max(self.timeout, 600.0),
            )
        except requests.RequestException as e:
            raise StoreError(f"update failed: {e}") from e
        if response.status_code >= 400:
            raise StoreError(
                f"update refused ({response.status_code}): {response.text.strip()[:500]}"
            )

    def load_dataset(
        self,
        quads: Sequence[ox.Quad],
        *,
        rename: Mapping[str, str],
        midway: Callable[[], None] = lambda: None,
    ) -> int:
        """Load ``quads``, each graph under the name ``rename`` gives it; the bytes sent."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError("a release holds named graphs only; found a default-graph quad")
            by_graph.setdefault(rename[q.graph_name.value], []).append(q.triple)
        renamed = (
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(rename[q.graph_name.value]))
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode)
        )
        nquads = ox.serialize(list(renamed), format=ox.RdfFormat.N_QUADS) or b""
        graphs = [
            (name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
            for name, triples in by_graph.items()
        ]
        try:
            self.adapter.stage(
                self.session,
                graphs,
                quads=nquads,
                timeout=max(self.timeout, 600.0),
                midway=midway,
            )
        except requests.RequestException as e:
            raise StoreError(f"loading failed: {e}") from e
        return len(nquads) if nquads else sum(len(body) for _, body in graphs)

    def graph_names(self, prefix: str) -> list[str]:
        """Every graph in the store whose name starts with ``prefix`` (staging debris)."""
        rows = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
            [],
        )
        return [str(r["g"].value) for r in rows]

    def count(self, graphs: Sequence[str]) -> int:
        """How many quads the named graphs hold."""
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            [("named-graph-uri", g) for g in graphs],
        )
        return int(rows[0]["n"].value) if rows else 0

    # -- dumps ---------------------------------------------------------------------------

    def dump(self, format: str = "nq") -> Iterator[bytes]:
        """Stream the current release as N-Quads (``nq``) or N-Triples of its union (``nt``)."""
        if format not in DUMP_FORMATS:
            raise ValueError(f"dump format {format!r}: use one of {', '.join(DUMP_FORMATS)}")
        for graph in self.graphs():
            url, params = self.adapter.graph_url(graph)
            response = self.session.get(
                url,
                params=params,
                headers={"Accept": self.adapter.graph_media},
                timeout=(10.0, self.timeout),
            )
            if response.status_code >= 400:
                raise StoreError(
                    f"reading graph <{graph}>: the store answered {response.status_code}"
                )
            media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            fmt = GRAPH_FORMATS.get(media, ox.RdfFormat.N_TRIPLES)
            name = ox.NamedNode(graph)
            batch: list[ox.Quad | ox.Triple] = []
            for q in ox.parse(response.content, format=fmt, base_iri=graph):
                batch.append(
                    ox.Quad(q.subject, q.predicate, q.object, name) if format == "nq" else q.triple
                )
                if len(batch) >= 10_000:
                    yield _serialize(batch, format)
                    batch = []
            if batch:
                yield _serialize(batch, format)


def _serialize(items: list[Any], format: str) -> bytes:
    fmt = ox.RdfFormat.N_QUADS if format == "nq" else ox.RdfFormat.N_TRIPLES
    return ox.serialize(items, format=fmt) or b""


def _read_until(response: requests.Response, deadline: float) -> bytes:
    """The whole body, or StoreTimeout once ``deadline`` passes (closing the connection)."""
    chunks = []
    try:
        for chunk in response.iter_content(1 << 16):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise StoreTimeout("the store's answer took longer than the timeout")
    finally:
        response.close()
    return b"".join(chunks)


def _message(content: bytes) -> str:
    return content.decode("utf-8", errors="replace").strip()[:4000]

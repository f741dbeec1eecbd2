"""What a worker process does with one job: run it on the store and write the answer.

A job is a plain dict (pickled over a pipe), so is the reply: ``status``, ``media``,
``body``, ``rows``, ``truncated``, ``version`` and an optional ``message``. Nothing
here imports Flask; everything here may be killed half-way.
"""

from __future__ import annotations

import functools
from typing import Any

import pyoxigraph as ox
from kzmig.graph.release.store import DiskStore, QueryStore
from kzmig.graph.remote.adapter import StoreUnavailable

from . import conneg, guard, jsonld, results

NO_NETWORK = (
    " (query processes here have no network: SERVICE, LOAD and remote graphs can't be reached)"
)


def _error(status: int, message: str, version: str = "") -> dict[str, Any]:
    return {"status": status, "message": message, "body": b"", "media": None, "version": version}


# format= names that mean a graph format when the answer is a graph (SPARQLWrapper
# sends format=json / format=xml / format=n3 whatever the query form)
GRAPH_ALIASES = {
    "json": "application/ld+json",
    "xml": "application/rdf+xml",
    "n3": "text/turtle",
    "rdf+xml": "application/rdf+xml",
}


def _choose(job: dict[str, Any], offered: list[str], what: str) -> str | None:
    fmt = job.get("format")
    if fmt:  # a comma-separated list: the first offered name wins
        return conneg.first_offered(fmt, offered, GRAPH_ALIASES)
    return conneg.negotiate(job.get("accept"), offered)


def _not_acceptable(job: dict[str, Any], offered: list[str], what: str, version: str) -> dict:
    asked = f"format={job['format']!r}" if job.get("format") else "the Accept header"
    return _error(
        406,
        f"{what} can't be written in any type that {asked} allows; offered: " + ", ".join(offered),
        version,
    )


def _syntax(kind: str, error: SyntaxError) -> str:
    return f"{kind} syntax error: {error}"


def run(store: QueryStore, job: dict[str, Any]) -> dict[str, Any]:
    op = job["op"]
    try:
        if op == "query":
            return run_query(store, job)
        if op == "update":
            return run_update(store, job)
        if op == "gsp":
            return run_gsp(store, job)
        if op == "ping":
            return {"status": 200, "body": b"", "media": None, "version": store.version}
    except guard.Refused as e:
        return _error(400, str(e))
    except PermissionError as e:
        return _error(403, str(e))
    except StoreUnavailable as e:  # anywhere in the job (the version, a graph check...)
        return _error(503, f"the store could not answer: {e}")
    return _error(500, f"unknown job {op!r}")


def run_query(store: QueryStore, job: dict[str, Any]) -> dict[str, Any]:
    text: str = job["query"]
    version = store.version
    clauses = _screen(text, job.get("base"))
    if not job.get("default") and not job.get("named"):
        for kind, iri in clauses:
            if not _graph_exists(store, iri):
                raise guard.Refused(
                    f"{kind} <{iri}>: no graph of that name in this dataset, and this server "
                    "never fetches graphs from the Web. List the graphs it holds with "
                    "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
                )
    try:
        result = store.query(
            text,
            default_graph=job.get("default") or (),
            named_graphs=job.get("named") or (),
            union_default=job.get("union", True),
            base_iri=job.get("base"),
            timeout=job.get("timeout"),
        )
        return write(result, job, version, store)
    except SyntaxError as e:
        return _error(400, _syntax("query", e), version)
    except (TimeoutError, StoreUnavailable) as e:  # before OSError: TimeoutError is one
        return _error(503, f"the store could not answer: {e}", version)
    except OSError as e:  # e.g. a SERVICE the guard did not see, refused by the sandbox
        return _error(400, f"query failed: {e}{NO_NETWORK}", version)
    except (ValueError, RuntimeError) as e:
        return _error(400, f"query failed: {e}", version)


@functools.lru_cache(maxsize=512)
def _screen(text: str, base: str | None) -> tuple[tuple[str, str], ...]:
    """Refuse outbound requests; the FROM / FROM NAMED graphs (memoized: lookups repeat)."""
    toks = guard.tokens(text, limit=guard.MAX_TOKENS)
    guard.check_depth(text, toks)
    guard.check_size(text, toks)
    guard.check_no_outbound(text, toks)
    return tuple(guard.dataset_clauses(text, base, toks))


def _graph_exists(store: QueryStore, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return bool(store.query(f"ASK {{ GRAPH {node} {{ ?s ?p ?o }} }}", union_default=False))


def write(
    result: Any, job: dict[str, Any], version: str, store: QueryStore | None = None
) -> dict[str, Any]:
    """Serialize a result in the negotiated type, at most ``max_rows`` rows."""
    max_rows = int(job.get("max_rows") or 10_000)
    if isinstance(result, ox.QueryBoolean | bool):
        media = _choose(job, results.BOOLEAN_TYPES, "an ASK answer")
        if media is None:
            return _not_acceptable(job, results.BOOLEAN_TYPES, "an ASK answer", version)
        body = results.write_boolean(bool(result), media)
        return _ok(media, body, 1, False, version)
    variables = getattr(result, "variables", None)
    if variables is not None:
        media = _choose(job, results.TABLE_TYPES, "SELECT results")
        if media is None:
            return _not_acceptable(job, results.TABLE_TYPES, "SELECT results", version)
        rows, truncated = results.capped(result, max_rows)
        names = [v.value for v in variables]
        body = results.write_solutions(names, rows, media)
        return _ok(media, body, len(rows), truncated, version)
    media = _choose(job, results.GRAPH_TYPES, "a graph")
    if media is None:
        return _not_acceptable(job, results.GRAPH_TYPES, "a graph", version)
    # DESCRIBE over the union default graph repeats a triple once per graph asserting it
    triples, truncated = results.capped(results.distinct(result), max_rows)
    if media == "application/ld+json" and store is not None:
        return _ok(media, _jsonld(triples, job, store), len(triples), truncated, version)
    return _ok(media, results.write_graph(triples, media), len(triples), truncated, version)


def _jsonld(triples: list[ox.Triple], job: dict[str, Any], store: QueryStore) -> bytes:
    """A graph as JSON-LD: compacted with the published context unless a profile says not."""
    profile = jsonld.profile_of(job.get("accept"))
    return jsonld.write(triples, jsonld.context_for(store), profile)


def _ok(media: str, body: bytes, rows: int, truncated: bool, version: str) -> dict[str, Any]:
    return {
        "status": 200,
        "media": media,
        "body": body,
        "rows": rows,
        "truncated": truncated,
        "version": version,
    }


def run_update(store: QueryStore, job: dict[str, Any]) -> dict[str, Any]:
    text: str = job["update"]
    toks = guard.tokens(text)
    guard.check_depth(text, toks)
    guard.check_size(text, toks, query=False)
    guard.check_no_outbound(text, toks)
    text = guard.add_using(text, job.get("using") or [], job.get("using_named") or [])
    try:
        _write(store, job, text, base_iri=job.get("base"), timeout=job.get("timeout"))
    except SyntaxError as e:
        return _error(400, _syntax("update", e))
    except OSError as e:
        return _error(400, f"update failed: {e}{NO_NETWORK}")
    except (ValueError, RuntimeError) as e:
        return _error(400, f"update failed: {e}")
    return {"status": 204, "body": b"", "media": None, "version": store.version}


def _write(store: QueryStore, job: dict[str, Any], text: str, **options: Any) -> None:
    """Apply an update; on a DiskStore, journalled under the job's ticket (see outcome)."""
    if isinstance(store, DiskStore):
        store.update(text, ticket=job.get("ticket"), **options)
    else:
        store.update(text, **options)


GSP_INPUT = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def run_gsp(store: QueryStore, job: dict[str, Any]) -> dict[str, Any]:
    """The Graph Store HTTP Protocol, written as SPARQL so that any QueryStore serves it."""
    method: str = job["method"]
    graph: str | None = job.get("graph")
    target = f"GRAPH {ox.NamedNode(graph)}" if graph else "DEFAULT"
    exists = True if graph is None else _graph_exists(store, graph)
    if method in ("GET", "HEAD"):
        if not exists:
            return _error(404, f"no graph <{graph}> in this dataset")
        if graph:
            query = (
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
            )
        else:
            query = "CONSTRUCT WHERE { ?s ?p ?o }"
        result = store.query(query, union_default=False)
        return write(result, {**job, "max_rows": job.get("max_rows") or 10**9}, store.version)
    if method == "DELETE":
        if not exists:
            return _error(404, f"no graph <{graph}> in this dataset")
        _write(store, job, f"DROP SILENT {target}")
        return {"status": 204, "body": b"", "media": None, "version": store.version}
    fmt = GSP_INPUT.get(job.get("media") or "")
    if fmt is None:
        return _error(
            415,
            f"can't read a graph sent as {job.get('media')!r}; send one of " + ", ".join(GSP_INPUT),
        )
    try:
        triples = list(ox.parse(job["body"], format=fmt, base_iri=job.get("base")))
    except SyntaxError as e:
        return _error(400, f"the graph sent does not parse: {e}")
    data = ox.serialize(
        [t.triple if isinstance(t, ox.Quad) else t for t in triples],
        format=ox.RdfFormat.N_TRIPLES,
    )
    inner = (data or b"").decode("utf-8")
    body = f"GRAPH {ox.NamedNode(graph)} {{ {inner} }}" if graph else inner
    steps = []
    if method == "PUT":
        steps.append(f"DROP SILENT {target}")
    steps.append(f"INSERT DATA {{ {body} }}")
    _write(store, job, " ;\n".join(steps))
    status = 201 if not exists else 204
    return {"status": status, "body": b"", "media": None, "version": store.version}

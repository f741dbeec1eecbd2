"""The SPARQL 1.1 Protocol on /sparql: query by GET, form POST or direct POST."""

from __future__ import annotations

import time
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from . import conneg
from .errors import ProtocolError

bp = Blueprint("sparql", __name__)

SELECT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
]
GRAPH_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
    "text/plain",
]


def _params() -> tuple[str, list[str], list[str]]:
    """The query and its dataset, from GET, form POST or direct POST."""
    if request.method == "GET":
        args = request.args
        queries = args.getlist("query")
    else:
        ctype = (request.mimetype or "").lower()
        args = request.args
        if ctype == "application/x-www-form-urlencoded":
            queries = request.form.getlist("query") + request.args.getlist("query")
            args = request.form
        elif ctype == "application/sparql-query":
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError as e:
                raise ProtocolError(400, f"the query is not UTF-8 (byte {e.start})") from e
            if request.args.getlist("query"):
                raise ProtocolError(400, "a direct POST carries the query in the body only")
        else:
            raise ProtocolError(
                400,
                f"POST needs Content-Type application/x-www-form-urlencoded or "
                f"application/sparql-query, not {ctype or 'none'!r}",
            )
    if not queries:
        raise ProtocolError(400, "missing the `query` parameter")
    if len(queries) > 1:
        raise ProtocolError(400, "the `query` parameter is given more than once")
    default = args.getlist("default-graph-uri") + (
        request.args.getlist("default-graph-uri") if args is not request.args else []
    )
    named = args.getlist("named-graph-uri") + (
        request.args.getlist("named-graph-uri") if args is not request.args else []
    )
    return queries[0], default, named


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and not request.args:
        from .service import service_description

        return service_description()
    query, default, named = _params()
    store = current_app.extensions["kzmig.store"]
    started = time.perf_counter()
    try:
        result = store.query(query, default_graph=default, named_graphs=named)
    except SyntaxError as e:
        raise ProtocolError(400, f"query syntax error: {e}") from e
    except (ValueError, OSError) as e:
        raise ProtocolError(400, f"query failed: {e}") from e
    response = _serialize(result)
    response.headers["X-Query-Time"] = f"{time.perf_counter() - started:.4f}"
    return response


def _wanted(offered: list[str]) -> str:
    fmt = request.values.get("format")
    if fmt:
        media = conneg.SHORT_NAMES.get(fmt.lower(), fmt.lower())
        if media in offered:
            return media
        raise ProtocolError(
            406, f"format={fmt!r} is not offered here; offered: {', '.join(offered)}"
        )
    chosen = conneg.negotiate(request.headers.get("Accept"), offered)
    if chosen is None:
        raise ProtocolError(
            406, f"none of the types in Accept is offered; offered: {', '.join(offered)}"
        )
    return chosen


def _serialize(result: Any) -> Response:
    if isinstance(result, ox.QueryTriples):
        media = _wanted(GRAPH_TYPES)
        body = result.serialize(format=conneg.GRAPH_FORMATS[media])
    else:
        media = _wanted(SELECT_TYPES)
        body = result.serialize(format=conneg.RESULTS_FORMATS[media])
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    response = Response(body, content_type=media + charset)
    response.headers["Vary"] = "Accept"
    return response

"""The ontology at /ontology: HTML documentation for people, RDF for programs.

Term IRIs are ``https://w3id.org/kzmig/ontology#Term``: dereferencing one asks
for /ontology, and a browser lands on the term's entry by its fragment. The
page is rendered (by kzmig.graph.docs, the code behind ``kzmig docs``) from the
ontology and shapes graphs of the release being served, so it always matches
the data; it is cached per release. ``?format=ttl|jsonld|rdfxml|nt|html``
overrides the Accept header.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from kzmig.graph.docs import render_html
from kzmig.graph.namespaces import (
    GRAPH_ONTOLOGY,
    GRAPH_SHAPES,
    KZO,
    MINTED_BY_CLAIMS,
    PREFIXES,
    VOCABULARIES,
)
from rdflib import Graph

from .conneg import GRAPH_FORMATS, SHORT_NAMES, negotiate
from .errors import ProtocolError

bp = Blueprint("ontology", __name__)

OFFERED = [
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
]
_cache: dict[tuple[int, str], str] = {}
_lock = threading.Lock()


def _triples(graph: str) -> list[ox.Triple]:
    store = current_app.extensions["kzmig.store"]
    result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return list(result)


def _rdflib(triples: list[ox.Triple]) -> Graph:
    g = Graph()
    if triples:
        g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return g


def _html() -> str:
    store = current_app.extensions["kzmig.store"]
    key = (id(current_app), store.version)
    if not store.writable and key in _cache:
        return _cache[key]
    page = render_html(
        _rdflib(_triples(str(GRAPH_ONTOLOGY))),
        _rdflib(_triples(str(GRAPH_SHAPES))),
        source=f"the ontology and shapes of release {store.version}",
        examples=_minted_examples(),
    )
    if not store.writable:
        with _lock:
            _cache[key] = page
    return page


def _minted_examples() -> dict[str, str]:
    """One IRI of each kind that claims mint (a flow, a statistic...), from the data served."""
    store = current_app.extensions["kzmig.store"]
    out = {}
    for prefix, kind in MINTED_BY_CLAIMS.items():
        base = PREFIXES[prefix]
        rows = store.query(
            f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a <{KZO}{kind}> }} "
            f'FILTER(STRSTARTS(STR(?s), "{base}")) }} ORDER BY ?s LIMIT 1'
        )
        for row in rows:
            out[prefix] = row["s"].value
    return out


def _media_type() -> str:
    asked = request.args.get("format")
    if asked:
        media = SHORT_NAMES.get(asked.lower(), asked.lower())
        if media not in OFFERED:
            raise ProtocolError(
                400,
                f"format={asked!r} is not offered here; use one of html, ttl, jsonld, rdfxml, nt",
            )
        return media
    chosen = negotiate(request.headers.get("Accept"), OFFERED)
    if chosen is None:
        raise ProtocolError(
            406, "none of the accepted types is offered; /ontology offers " + ", ".join(OFFERED)
        )
    return chosen


@bp.route("/ontology")
def ontology() -> Response:
    media = _media_type()
    if media == "text/html":
        response = Response(_html(), content_type="text/html; charset=utf-8")
    else:
        body = ox.serialize(
            _triples(str(GRAPH_ONTOLOGY)),
            format=GRAPH_FORMATS[media],
            prefixes=VOCABULARIES if media == "text/turtle" else None,
        )
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        response = Response(body, content_type=media + charset)
    response.headers["Vary"] = "Accept"
    return response

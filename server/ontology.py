"""The ontology at /ontology: HTML documentation for people, RDF for programs.

Term IRIs are ``https://w3id.org/kzmig/ontology#Term``: dereferencing one asks
for /ontology, and a browser lands on the term's entry by its fragment. The
page is drawn from what kzmig.graph.editor.docs (the code behind ``kzmig docs``) gathers
from the ontology and shapes graphs of the release being served, so it always
matches the data; it is shown in the site's frame, in the reader's language
(labels and the page's words), and kept per release and language.
``?format=ttl|jsonld|rdfxml|nt|html`` overrides the Accept header.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from kzmig.graph.editor.docs import GENERATED, document, resource_namespaces
from kzmig.names import (
    GRAPH_ONTOLOGY,
    GRAPH_SHAPES,
    KZO,
    MINTED_BY_CLAIMS,
    PREFIXES,
    VOCABULARIES,
)
from markupsafe import Markup
from rdflib import Graph

from . import i18n, messages
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
_cache: dict[tuple[int, str, str], tuple[str, str]] = {}
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
    """The page in the reader's language, in the site's frame. Its title and body (the
    costly part) are kept per release and language; the frame (links to this very URL,
    whatever its query) is drawn anew."""
    store = current_app.extensions["kzmig.store"]
    lang = i18n.current()
    key = (id(current_app), store.version, lang)
    kept = _cache.get(key) if not store.writable else None
    if kept is None:
        ontology = _rdflib(_triples(str(GRAPH_ONTOLOGY)))
        doc = document(ontology, _rdflib(_triples(str(GRAPH_SHAPES))), [lang])
        doc.resources = resource_namespaces(ontology, _minted_examples())
        body = render_template(
            "_ontology_body.html", doc=doc, version=store.version, plural=messages.PLURALS
        )
        kept = (doc.title, body)
        if not store.writable:
            with _lock:
                _cache[key] = kept
    title, body = kept
    return GENERATED + "\n" + render_template("ontology.html", title=title, body=Markup(body))


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
    response.headers["Vary"] = "Accept"  # and Accept-Language for the page (i18n.py)
    return response

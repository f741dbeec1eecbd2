"""Dereferencing: every IRI under ``<base>resource/`` answers at ``/resource/...``.

Served directly (200 OK, never a 303 redirect): the response is a description
of the thing the IRI names; ``Content-Location`` names the document actually
sent (``/resource/x.ttl``), ``Link: rel=alternate`` lists the other forms, and
``Vary: Accept`` tells caches that the form depends on the request.

What a client gets:
- ``text/html``: the resource page (or, for a source text, the text with its
  evidence highlighted);
- ``text/turtle``, ``application/n-triples``, ``application/ld+json``,
  ``application/rdf+xml``: the statements about the IRI (outgoing, incoming,
  and the nodes it owns, such as a claim's evidence), each once;
- ``application/ld+json`` (and ``application/json``, the same document):
  compacted with the published context ``/context.jsonld``, ``@type`` for
  ``rdf:type``; ``profile=`` in Accept picks expanded or flattened (jsonld.py);
- ``application/trig``, ``application/n-quads``: a linked-data document that
  both kinds of reader understand: the statements in the default graph (so a
  client reading triples, e.g. Comunica on ``SELECT ?p ?o { <iri> ?p ?o }``,
  finds them), and again in the named graphs that assert them (so each
  triple's claim is kept), plus, for a named graph (a claim, the provenance
  graph, ...), the graph's own content.

A suffix (``/resource/x.ttl``) or ``?format=ttl`` picks the form outright.

A release never changes, so each answer is kept (per HTTP worker, LRU, bounded
in bytes) under the store's version, the request's URL and the page's language
(``?lang=`` or ``Accept-Language``, server/i18n.py): a source page takes ~100 ms
to render and a few microseconds to send again.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request
from kzmig.names import PREFIXES

from . import charts, conneg, describe, errorpages, i18n, iris, jsonld, replay, sources, view

bp = Blueprint("resources", __name__)

HTML = "text/html"
OFFERED = [
    HTML,
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
    "application/json",  # the JSON-LD document, for clients that ask for plain JSON
]
JSON_TYPES = {"application/ld+json", "application/json"}
# The forms a document links as rel="alternate": each once (application/json is the
# JSON-LD document again, under another name)
ALTERNATES = [m for m in OFFERED if m != "application/json"]
SUFFIXES = {
    ".html": HTML,
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
}
EXTENSION = {media: ext for ext, media in SUFFIXES.items()} | {"application/json": ".jsonld"}
QUAD_TYPES = {"application/trig", "application/n-quads"}
PREFIXED = {"text/turtle", "application/trig", "application/rdf+xml"}


def _store() -> Any:
    return current_app.extensions["kzmig.store"]


def _resolve(path: str) -> tuple[str, str | None]:
    """(the IRI asked about, the media type its suffix names, if any)."""
    store = _store()
    iri = iris.iri_for_path(path)
    try:
        known = describe.exists(store, iri)
    except ValueError:
        known = False
    if known:
        return iri, None
    for ext, media in SUFFIXES.items():
        if path.endswith(ext) and len(path) > len(ext):
            stem = iris.iri_for_path(path[: -len(ext)])
            try:
                if describe.exists(store, stem):
                    return stem, media
            except ValueError:
                break
    raise errorpages.UnknownResource(iri)  # plain text, or a page for a browser


def _choose(suffix_media: str | None) -> str:
    fmt = request.args.get("format")
    if fmt:
        media = conneg.first_offered(fmt, OFFERED) or fmt
        if media not in OFFERED:
            abort(
                Response(
                    f"406 Not Acceptable: format={fmt!r} is not offered; offered: "
                    f"{', '.join(OFFERED)} (or ttl, nt, jsonld, rdf, trig, nq, html)\n",
                    status=406,
                    content_type="text/plain; charset=utf-8",
                )
            )
        return media
    if suffix_media:
        return suffix_media
    chosen = conneg.negotiate(request.headers.get("Accept"), OFFERED)
    if chosen is None:
        abort(
            Response(
                f"406 Not Acceptable: none of the types in Accept is offered here; "
                f"offered: {', '.join(OFFERED)}\n",
                status=406,
                content_type="text/plain; charset=utf-8",
                headers={"Vary": "Accept"},
            )
        )
    return chosen


def serialize(d: describe.Description, media: str, profile: str = jsonld.COMPACTED) -> bytes:
    if media in JSON_TYPES:
        ctx = jsonld.context_for(_store())
        return jsonld.write(d.triples(), ctx, profile)
    fmt = conneg.GRAPH_FORMATS[media]
    data: list[Any] = d.triples()
    if media in QUAD_TYPES:  # the triples in the default graph, then in their claim graphs
        default = ox.DefaultGraph()
        data = [ox.Quad(t.subject, t.predicate, t.object, default) for t in data] + d.quads()
    prefixes = describe.prefixes_used(data, PREFIXES) if media in PREFIXED else None
    return ox.serialize(data, format=fmt, prefixes=prefixes) or b""


@bp.route("/resource/<path:path>")
def resource(path: str) -> Response:
    store = _store()
    iri, suffix_media = _resolve(path)
    media = _choose(suffix_media)
    local = iris.local_path(iri) or request.path
    version = str(store.version)
    # the page's language, and whether its links carry ?lang= (they do when it was asked for)
    languages = f"{i18n.current()}:{i18n.explicit() or ''}" if media == HTML else ""
    profile = jsonld.profile_of(request.headers.get("Accept")) if media in JSON_TYPES else ""
    tag = hashlib.sha256(
        "\0".join([version, iri, media, languages, request.args.get("char", ""), profile]).encode()
    ).hexdigest()[:32]
    charset = "; charset=utf-8" if media == HTML or media.startswith("text/") else ""
    if tag in request.if_none_match:
        response = Response(status=304)
    else:
        if media == HTML:
            body = page(store, iri).encode()
        else:
            body = serialize(describe.describe(store, iri), media, profile)
        replay.mark(version)  # kept by the one cache (replay.py) for this version
        ctype = jsonld.content_type(profile, media) if profile else media + charset
        response = Response(body, content_type=ctype)
    response.set_etag(tag)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Location"] = local + EXTENSION[media]
    if media not in JSON_TYPES:  # pyld's document loader fails on several rel=alternate links
        response.headers["Link"] = ", ".join(
            f'<{local}{EXTENSION[m]}>; rel="alternate"; type="{m}"' for m in ALTERNATES
        )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def page(store: Any, iri: str) -> str:
    """The HTML page of one IRI."""
    d = describe.describe(store, iri)
    model = view.resource_model(store, iri, d, [i18n.current()])
    source = sources.source_model(store, iri, request.args.get("char"))
    local = iris.local_path(iri) or request.path
    alternates = [(m, local + EXTENSION[m]) for m in ALTERNATES if m != HTML]
    return render_template(
        "resource.html",
        r=model,
        source=source,
        alternates=alternates,
        iri=iri,
        neighbours_json=charts.script_json(model["neighbours"]) if model["neighbours"] else "",
        echarts=(charts.echarts_dir() / "echarts.min.js").is_file(),
    )

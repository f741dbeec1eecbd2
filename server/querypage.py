"""The query page without JavaScript, and the terms the editor completes.

- ``/query?query=…``: the query run exactly as ``/sparql`` runs it (the same
  query workers, time limit and row cap, via ``sparql.run_job``), its answer shown
  as an HTML table: every IRI links to its page here (ontology terms included) and
  is shortened with the site's prefixes. A bad query is a 400 page with the
  parser's message.
- ``/terms``: JSON ``{"classes": [...], "properties": [...]}``, the IRIs of the
  classes and properties the graph uses or the ontology declares, from fixed
  queries; YASGUI's class and property completion reads it (static/home.js).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from kzmig.names import PREFIXES, VOCABULARIES

from . import iris, runtime, sparql
from .errors import ProtocolError

bp = Blueprint("querypage", __name__)

MAX_ROWS = 1000  # a page for people; the full answer is one click away in CSV
RESOURCE_PREFIXES_EXTRA = ("claim", "graph", "agent", "file", "run")
OWL = VOCABULARIES["owl"]
RDF = VOCABULARIES["rdf"]
RDFS = VOCABULARIES["rdfs"]
_terms: dict[tuple[int, str], dict[str, list[str]]] = {}
_lock = threading.Lock()


def display_prefixes() -> dict[str, str]:
    """Prefixes for showing IRIs, longest namespace first (a reader takes the first that
    fits): the site's own, plus one per kind of resource (``claim:``, ``graph:``, ...)."""
    ns = iris.resource_ns()
    found = {**PREFIXES, **{p: f"{ns}{p}/" for p in RESOURCE_PREFIXES_EXTRA}}
    return dict(sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def show(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(term: dict[str, Any] | None, prefixes: dict[str, str]) -> dict[str, Any] | None:
    """A SPARQL JSON binding as a cell: text, link, language, datatype."""
    if term is None:
        return None
    kind, value = term.get("type"), str(term.get("value", ""))
    if kind == "uri":
        return {"text": show(value, prefixes), "href": iris.href(value), "title": value}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    dt = term.get("datatype")
    return {
        "text": value,
        "lang": term.get("xml:lang", ""),
        "datatype": show(dt, prefixes) if dt and not dt.endswith("#string") else "",
    }


def _table(reply: dict[str, Any], prefixes: dict[str, str]) -> dict[str, Any]:
    body = reply.get("body") or b""
    media = reply.get("media") or ""
    if media == "application/sparql-results+json":
        data = json.loads(body)
        if "boolean" in data:
            return {"boolean": bool(data["boolean"])}
        names = list(data["head"].get("vars", []))
        rows = [[_cell(b.get(n), prefixes) for n in names] for b in data["results"]["bindings"]]
        return {"columns": names, "rows": rows}
    triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    rows = []
    for t in triples:
        rows.append(
            [
                _cell(_binding(t.subject), prefixes),
                _cell(_binding(t.predicate), prefixes),
                _cell(_binding(t.object), prefixes),
            ]
        )
    return {"columns": ["subject", "predicate", "object"], "rows": rows}


def _binding(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = term.datatype.value
    return out


@bp.route("/query", methods=["GET"])
def query_page() -> Response:
    rt = runtime.get(current_app)
    text = request.args.get("query", "")
    status, error, table = 200, None, None
    if len(text.encode()) > rt.limits.max_query_bytes:
        status, error = 413, "the query is longer than this server accepts"
    elif text.strip():
        job: dict[str, Any] = {
            "op": "query",
            "query": text,
            "default": [],
            "named": [],
            "base": iris.base_iri(),
            "accept": "application/sparql-results+json, application/n-triples;q=0.9",
            "format": None,
            "max_rows": min(MAX_ROWS, rt.limits.max_rows),
            "timeout": rt.limits.request_timeout(None),
        }
        try:
            reply = sparql.run_job(job, job["timeout"])
        except ProtocolError as e:
            status, error = e.status, e.message
        else:
            if int(reply["status"]) >= 400:
                status, error = int(reply["status"]), reply.get("message") or "the query failed"
            else:
                table = _table(reply, display_prefixes())
                table["truncated"] = bool(reply.get("truncated"))
                table["max_rows"] = job["max_rows"]
    page = render_template("query.html", query=text, table=table, error=error, status=status)
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def terms() -> dict[str, list[str]]:
    """The classes and properties of the graph, kept per process and data version."""
    store = current_app.extensions["kzmig.store"]
    key = (id(current_app), str(store.version))
    found = _terms.get(key)
    if found is None:
        declared_classes = f"<{OWL}Class> <{RDFS}Class>"
        declared_props = (
            f"<{OWL}ObjectProperty> <{OWL}DatatypeProperty> <{OWL}AnnotationProperty> "
            f"<{RDF}Property>"
        )
        classes = {
            r["c"].value
            for r in store.query(
                f"SELECT DISTINCT ?c WHERE {{ {{ ?s <{RDF}type> ?c }} UNION "
                f"{{ VALUES ?k {{ {declared_classes} }} ?c <{RDF}type> ?k }} FILTER(isIRI(?c)) }}"
            )
        }
        properties = {
            r["p"].value
            for r in store.query(
                f"SELECT DISTINCT ?p WHERE {{ {{ ?s ?p ?o }} UNION "
                f"{{ VALUES ?k {{ {declared_props} }} ?p <{RDF}type> ?k }} FILTER(isIRI(?p)) }}"
            )
        }
        found = {"classes": sorted(classes), "properties": sorted(properties)}
        with _lock:
            _terms[key] = found
    return found


@bp.route("/terms")
def terms_json() -> Response:
    response = jsonify(terms())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

"""The SPARQL 1.1 Service Description, answered on GET /sparql without a query."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, current_app, render_template, request, url_for

from . import conneg, jsonld, rdfview, urls
from .errors import ProtocolError
from .publish import limits_note

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_W3 = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SD_TYPES = [
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/trig",
    "application/n-quads",
]


def _sd_triples(endpoint: str, root: str, update: bool) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.NamedNode(endpoint + "#dataset")
    default = ox.BlankNode("default")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    def lit(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        # the default graph is the union of all named graphs
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode(RDFS + "comment"), lit(NOTE)),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, rdf_type, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(root + ".well-known/void")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
        ox.Triple(
            default,
            ox.NamedNode(RDFS + "comment"),
            lit(
                "The union of all named graphs of the dataset (claims, provenance, text, "
                "ontology, shapes, inferred); use GRAPH to reach one."
            ),
        ),
    ]
    if update:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "TriG",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_W3 + name)))
    if update:  # what /store and /update read; a read-only server reads nothing
        for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
            triples.append(ox.Triple(service, sd("inputFormat"), ox.NamedNode(FORMATS_W3 + name)))
    return triples


NOTE = (
    "Read-only unless started with --allow-update. Queries time out after the server's "
    "limit (lower it with timeout=), results are capped (header X-SPARQL-MaxRows), and "
    "SERVICE, LOAD and FROM of graphs outside the dataset are refused: this server "
    "never fetches from elsewhere."
)


def service_description() -> Response:
    endpoint = urls.external("sparql.sparql")
    media = conneg.negotiate(request.headers.get("Accept"), [*SD_TYPES, "text/html"])
    if media is None:
        raise ProtocolError(406, f"the service description is offered as {', '.join(SD_TYPES)}")
    update = bool(current_app.config.get("ALLOW_UPDATE"))
    triples = _sd_triples(endpoint, urls.local("/"), update)
    triples.append(  # the row cap, and the path without one
        ox.Triple(
            ox.NamedNode(endpoint + "#service"),
            ox.NamedNode(RDFS + "comment"),
            ox.Literal(limits_note(), language="en"),
        )
    )
    prefixes = {"sd": SD, "formats": FORMATS_W3, "void": VOID, "rdfs": RDFS}
    if media == "text/html":  # a browser: the description as tables (server/rdfview.py)
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        page = render_template(
            "rdf.html",
            title="SPARQL service description",
            turtle=turtle.decode() if turtle else "",
            formats=[],
            tables=rdfview.tables(triples),
        )
        response = Response(page, content_type="text/html; charset=utf-8")
    elif media == "application/ld+json":
        profile = jsonld.profile_of(request.headers.get("Accept"))
        store = current_app.extensions["kzmig.store"]
        body = jsonld.write(triples, jsonld.context_for(store), profile)
        response = Response(body, content_type=jsonld.content_type(profile))
    else:
        body = ox.serialize(triples, format=conneg.GRAPH_FORMATS[media], prefixes=prefixes) or b""
        response = Response(body, content_type=media)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = f'<{url_for("publish.void")}>; rel="describedby"'
    return response

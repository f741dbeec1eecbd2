"""The SPARQL 1.1 Service Description, answered on GET /sparql without a query."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request, url_for

from . import conneg
from .errors import ProtocolError

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_W3 = "http://www.w3.org/ns/formats/"
SD_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


def _sd_triples(endpoint: str) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_W3 + name)))
    return triples


def service_description() -> Response:
    endpoint = url_for("sparql.sparql", _external=True)
    media = conneg.negotiate(request.headers.get("Accept"), [*SD_TYPES, "text/html"])
    if media is None:
        raise ProtocolError(406, f"the service description is offered as {', '.join(SD_TYPES)}")
    if media == "text/html":
        media = "text/turtle"
    body = ox.serialize(
        _sd_triples(endpoint),
        format=conneg.GRAPH_FORMATS[media],
        prefixes={"sd": SD, "formats": FORMATS_W3},
    )
    response = Response(body, content_type=media)
    response.headers["Vary"] = "Accept"
    return response

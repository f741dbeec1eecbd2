"""Media types and content negotiation (RFC 9110 Accept with q-values, by werkzeug)."""

from __future__ import annotations

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/x-turtle": ox.RdfFormat.TURTLE,
}
# Short names for ?format= (links typed into a browser).
SHORT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "html": "text/html",
}


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most (q-values, then the more specific range,
    then the order offered); None when nothing is acceptable. No header accepts anything.

    A header that is exactly one offered type, or none, is answered without parsing: what
    werkzeug's matching gives for it, at 1 us instead of 26 (most clients send one type;
    tests/test_conneg.py checks the two agree)."""
    if not header:
        return offered[0] if offered else None
    if header in offered:
        return header
    return parsed_match(header, offered)


def parsed_match(header: str | None, offered: list[str]) -> str | None:
    """``negotiate`` by parsing the header, whatever it is (werkzeug's matching)."""
    ranges = parse_accept_header(header or "*/*")  # values keep their parameters here
    # werkzeug matches media-type parameters exactly, so ``application/ld+json;profile="…"``
    # would never match the offered ``application/ld+json``: match on the type alone (the
    # profile is read apart, by jsonld.profile_of)
    accept = MIMEAccept([(media.split(";", 1)[0].strip(), q) for media, q in ranges])
    return accept.best_match(offered)


def first_offered(
    fmt: str, offered: list[str], aliases: dict[str, str] | None = None
) -> str | None:
    """``format=a,b,...``: the first name (short or a media type) that is offered, or None.

    SPARQLWrapper asks for JSON-LD as ``format=application/ld+json,application/x-json+ld``.
    """
    for raw in fmt.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        for media in (SHORT_NAMES.get(name), (aliases or {}).get(name), name):
            if media in offered:
                return media
    return None

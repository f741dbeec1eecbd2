"""Media types and content negotiation (RFC 9110 Accept with q-values)."""

from __future__ import annotations

import pyoxigraph as ox

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


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """'text/turtle;q=0.5, */*;q=0.1' -> [('text/turtle', 0.5), ('*/*', 0.1)], best first."""
    if not header:
        return [("*/*", 1.0)]
    out = []
    for order, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q, -order))
    out.sort(key=lambda x: (x[1], _specificity(x[0]), x[2]), reverse=True)
    return [(m, q) for m, q, _ in out]


def _specificity(media: str) -> int:
    if media == "*/*":
        return 0
    return 1 if media.endswith("/*") else 2


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most; None when nothing is acceptable."""
    ranges = parse_accept(header)
    best: tuple[float, int, int, str] | None = None
    for position, media in enumerate(offered):
        q = _quality(media, ranges)
        if q <= 0:
            continue
        key = (q, -position, 0, media)
        if best is None or key > best:
            best = key
    return best[3] if best else None


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range that matches ``media``."""
    kind = media.split("/", 1)[0]
    matches = [(r, q) for r, q in ranges if r == media or r == f"{kind}/*" or r == "*/*"]
    if not matches:
        return 0.0
    matches.sort(key=lambda x: _specificity(x[0]), reverse=True)
    return matches[0][1]


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

"""The researcher mix: six queries a reader of the graph asks, bound to the data at hand.

Each is SPARQL 1.1 over the union default graph (kzmig, Oxigraph with
--union-default-graph, rdflib's default_union, Virtuoso's default), with
DISTINCT where a triple asserted by several claims would repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

PREFIXES = """PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
PROVENANCE = "https://w3id.org/kzmig/resource/graph/provenance"


@dataclass(frozen=True)
class Anchors:
    """Concrete IRIs the queries start from, picked from the data (the same for every system)."""

    subject: str  # a thing some claim states something about
    claim: str  # a claim graph with evidence
    cls: str  # the class with the most asserted instances in claim graphs


def anchors(store: ox.Store) -> Anchors:
    def one(q: str) -> str:
        rows = list(store.query(PREFIXES + q, use_default_graph_as_union=True))  # type: ignore[union-attr]
        if not rows:
            raise LookupError(f"no anchor for the query mix: {q}")
        return str(rows[0][0].value)

    claim = one(
        "SELECT ?c WHERE { GRAPH <" + PROVENANCE + "> { ?c a kzo:Claim ; kzo:evidence ?e } } "
        "ORDER BY ?c LIMIT 1"
    )
    subject = one("SELECT ?s WHERE { GRAPH <" + claim + "> { ?s ?p ?o } } ORDER BY ?s LIMIT 1")
    cls = one(
        "SELECT ?k WHERE { GRAPH ?g { ?s a ?k } FILTER(STRSTARTS(STR(?g), "
        '"https://w3id.org/kzmig/resource/claim/")) } GROUP BY ?k ORDER BY DESC(COUNT(?s)) ?k '
        "LIMIT 1"
    )
    return Anchors(subject, claim, cls)


def mix(a: Anchors) -> dict[str, str]:
    """name -> query text."""
    return {
        "point": f"SELECT ?p ?o WHERE {{ <{a.subject}> ?p ?o }}",
        "type_label": PREFIXES
        + f"SELECT DISTINCT ?s ?label WHERE {{ ?s a <{a.cls}> ; rdfs:label ?label . "
        'FILTER(LANG(?label) = "en" && CONTAINS(LCASE(STR(?label)), "a")) } LIMIT 100',
        "join_3hop": PREFIXES
        + f"SELECT DISTINCT ?sentence ?section ?title WHERE {{ <{a.claim}> kzo:evidence ?ev . "
        "?ev kzo:inSentence ?sentence . ?sentence kzo:inSection ?section . "
        "?section rdfs:label ?title }",
        "group_by": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } "
        "GROUP BY ?class ORDER BY DESC(?n) ?class",
        "optional_filter": PREFIXES
        + "SELECT ?claim ?source WHERE { ?claim a kzo:Claim ; prov:wasDerivedFrom ?source . "
        "OPTIONAL { ?claim prov:hadPrimarySource ?who } FILTER(!BOUND(?who)) } "
        "ORDER BY ?claim LIMIT 100",
        "provenance": PREFIXES
        + f"SELECT DISTINCT ?claim ?quote WHERE {{ GRAPH ?claim {{ <{a.subject}> ?p ?o }} "
        f"GRAPH <{PROVENANCE}> {{ ?claim kzo:evidence/oa:hasSelector/oa:exact ?quote }} }}",
    }

"""IRIs and prefixes, in one place.

Terms live under one hash namespace (the ontology is one document); things
live under slash IRIs ``https://w3id.org/kzmig/resource/<type>/<slug>`` so that
each dereferences on its own. These are public interfaces: change them only on
purpose, and say so in CHANGELOG.md.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

ONTOLOGY_IRI = "https://w3id.org/kzmig/ontology"
KZO = Namespace(ONTOLOGY_IRI + "#")
RESOURCE = "https://w3id.org/kzmig/resource/"
KZR = Namespace(RESOURCE)

PROV = Namespace("http://www.w3.org/ns/prov#")
PAV = Namespace("http://purl.org/pav/")
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
VANN = Namespace("http://purl.org/vocab/vann/")

VOCABULARIES: dict[str, str] = {
    "kzo": str(KZO),
    "kzr": RESOURCE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": str(PROV),
    "pav": str(PAV),
    "oa": str(OA),
    "qb": str(QB),
    "org": str(ORG),
    "time": str(TIME),
    "schema": str(SCHEMA),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sd": str(SD),
    "eli": str(ELI),
    "nif": str(NIF),
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": str(VANN),
}

# prefix -> type path: what a claim sheet may write as `program:enbek`.
RESOURCE_TYPES: dict[str, str] = {
    "agency": "agency",
    "concept": "concept",
    "document": "document",
    "ethnic": "ethnic-group",
    "event": "event",
    "flow": "flow",
    "group": "group",
    "measure": "measure",
    "organization": "organization",
    "period": "period",
    "person": "person",
    "place": "place",
    "program": "program",
    "sector": "sector",
    "source": "source",
    "stat": "statistic",
    "trend": "trend",
}

# The kinds of thing that claim sheets mint (typed and labelled by the claim that
# introduces them, never declared in ontology/): prefix -> the class of ours they take.
MINTED_BY_CLAIMS: dict[str, str] = {
    "flow": "MigrationFlow",
    "measure": "PolicyMeasure",
    "stat": "Statistic",
    "trend": "Trend",
}

PREFIXES: dict[str, str] = {
    **VOCABULARIES,
    **{prefix: f"{RESOURCE}{path}/" for prefix, path in RESOURCE_TYPES.items()},
}

GRAPH_ONTOLOGY = KZR["graph/ontology"]
GRAPH_SHAPES = KZR["graph/shapes"]
GRAPH_PROVENANCE = KZR["graph/provenance"]
GRAPH_INFERRED = KZR["graph/inferred"]


def text_graph(source_id: str) -> URIRef:
    """The graph holding a text's structure (sections, sentences) and mentions."""
    return KZR[f"graph/text/{source_id}"]


def source_iri(source_id: str) -> URIRef:
    return KZR[f"source/{source_id}"]


def claim_iri(source_id: str, claim_id: str) -> URIRef:
    return KZR[f"claim/{source_id}/{claim_id}"]


def sentence_iri(source_id: str, number: int) -> URIRef:
    return KZR[f"source/{source_id}/sentence/{number}"]


def section_iri(source_id: str, number: int) -> URIRef:
    return KZR[f"source/{source_id}/section/{number}"]


def paragraph_iri(source_id: str, number: int) -> URIRef:
    return KZR[f"source/{source_id}/paragraph/{number}"]


def file_iri(relative_path: str) -> URIRef:
    """An input file of the build, by its path relative to the project root."""
    return KZR[f"file/{relative_path}"]


def run_iri(version: str) -> URIRef:
    return KZR[f"run/{version}"]


def software_agent_iri(software_version: str) -> URIRef:
    return KZR[f"agent/kzmig-{software_version}"]

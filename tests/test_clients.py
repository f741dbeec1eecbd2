"""Real clients against a live `kzmig serve`: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, TSV, XML, SPARQLWrapper

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
SELECT = f"SELECT DISTINCT ?p ?o WHERE {{ <{ENBEK}> ?p ?o }} ORDER BY ?p ?o"
CONSTRUCT = f"CONSTRUCT {{ <{ENBEK}> ?p ?o }} WHERE {{ <{ENBEK}> ?p ?o }}"
POLICY = "https://w3id.org/kzmig/ontology#PolicyInstrument"


def test_sparqlwrapper_select_in_each_format(live_server: str) -> None:
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setQuery(SELECT)
    wrapper.setReturnFormat(JSON)
    bindings = wrapper.query().convert()["results"]["bindings"]  # type: ignore[index]
    objects = {b["o"]["value"] for b in bindings}
    assert POLICY in objects
    wrapper.setReturnFormat(XML)
    document = wrapper.query().convert()
    values = {n.firstChild.data for n in document.getElementsByTagName("uri")}  # type: ignore[union-attr]
    assert POLICY in values
    wrapper.setReturnFormat(CSV)
    rows = list(csv.DictReader(io.StringIO(wrapper.query().convert().decode())))  # type: ignore[union-attr]
    assert {r["o"] for r in rows} == objects
    wrapper.setReturnFormat(TSV)
    lines = wrapper.query().convert().decode().splitlines()  # type: ignore[union-attr]
    assert len(lines) == len(rows) + 1


def test_sparqlwrapper_post_ask_and_construct(live_server: str) -> None:
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setMethod("POST")
    wrapper.setQuery(f"ASK {{ <{ENBEK}> a <{POLICY}> }}")
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["boolean"] is True  # type: ignore[index]
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(N3)
    graph = rdflib.Graph()
    graph.parse(data=wrapper.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert (rdflib.URIRef(ENBEK), rdflib.RDF.type, rdflib.URIRef(POLICY)) in graph


def test_rdflib_sparqlstore(live_server: str) -> None:
    store = SPARQLStore(live_server + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(SELECT))
    assert any(str(row.o) == POLICY for row in rows)  # type: ignore[union-attr]
    assert (rdflib.URIRef(ENBEK), rdflib.RDF.type, rdflib.URIRef(POLICY)) in graph
    types = set(graph.objects(rdflib.URIRef(ENBEK), rdflib.RDF.type))
    assert rdflib.URIRef(POLICY) in types
    assert graph.query(f"ASK {{ <{ENBEK}> ?p ?o }}").askAnswer is True


CURL_CASES = [
    ("application/sparql-results+json", SELECT),
    ("application/sparql-results+xml", SELECT),
    ("text/csv", SELECT),
    ("text/tab-separated-values", SELECT),
    ("text/turtle", CONSTRUCT),
    ("application/n-triples", CONSTRUCT),
    ("application/n-quads", CONSTRUCT),
    ("application/trig", CONSTRUCT),
    ("application/ld+json", CONSTRUCT),
    ("application/rdf+xml", CONSTRUCT),
]


@pytest.mark.parametrize(("accept", "query"), CURL_CASES, ids=[c[0] for c in CURL_CASES])
def test_curl_reads_each_format(live_server: str, accept: str, query: str) -> None:
    """A non-Python client: curl, as the README shows it."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(
        [
            curl,
            "-sS",
            "--fail-with-body",
            "-D",
            "-",
            f"{live_server}/sparql",
            "-H",
            f"Accept: {accept}",
            "--data-urlencode",
            f"query={query}",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in head.decode().splitlines()[1:])
    }
    assert headers["content-type"].split(";")[0] == accept
    if query is SELECT:
        values = _select_values(body, accept)
        assert POLICY in values
    else:
        fmt = {
            "text/turtle": ox.RdfFormat.TURTLE,
            "application/n-triples": ox.RdfFormat.N_TRIPLES,
            "application/n-quads": ox.RdfFormat.N_QUADS,
            "application/trig": ox.RdfFormat.TRIG,
            "application/ld+json": ox.RdfFormat.JSON_LD,
            "application/rdf+xml": ox.RdfFormat.RDF_XML,
        }[accept]
        objects = {str(q.object) for q in ox.parse(body, format=fmt)}
        assert f"<{POLICY}>" in objects


def _select_values(body: bytes, accept: str) -> set[str]:
    if accept.endswith("json"):
        return {b["o"]["value"] for b in json.loads(body)["results"]["bindings"]}
    if accept.endswith("xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return {u.text or "" for u in ElementTree.fromstring(body).iter(ns + "uri")}
    if accept == "text/csv":
        return {r["o"] for r in csv.DictReader(io.StringIO(body.decode()))}
    return {line.split("\t")[1].strip("<>") for line in body.decode().splitlines()[1:]}

"""The HTTP process's point lookups (server/lookup.py): a strict grammar, the engine's answers.

Anything that is not exactly a one-pattern lookup written with full IRIs and variables
goes to a worker, including every spelling the old lexer-based fast path misread
(issue #14). What a lookup answers equals what the engine answers for the same text.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from kzmig.graph.release.store import ReleaseStore
from kzmig.server import lookup

from tests.test_redteam_limits import DISGUISED_RUNAWAY

ENBEK = "<https://w3id.org/kzmig/resource/program/enbek>"
LOOKUPS = [
    f"SELECT ?p ?o WHERE {{ {ENBEK} ?p ?o }}",
    f"select ?o where {{ {ENBEK} ?p ?o . }} limit 3",
    f"SELECT DISTINCT ?p WHERE {{ {ENBEK} ?p ?o }}",
    f"SELECT * {{ ?s ?p {ENBEK} }}",
    "SELECT ?s WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/kzmig/ontology#Program> }",
    f"\n  SELECT ?o\nWHERE {{\n {ENBEK}\t<http://www.w3.org/2000/01/rdf-schema#label> ?o\n}}\n",
    "SELECT ?p ?o WHERE { <urn:nothing:here> ?p ?o } LIMIT 10",
]
NOT_LOOKUPS = [
    DISGUISED_RUNAWAY,
    "PREFIX ex: <http://e/>\nSELECT ?o WHERE { <urn:x> ex:p ?o }",
    f"SELECT ?o WHERE {{ {ENBEK} ?p ?o }} # a comment",
    f"# a comment\nSELECT ?o WHERE {{ {ENBEK} ?p ?o }}",
    "SELECT ?o WHERE { <urn:x\\u003E ?p ?o }",
    "BASE <http://e/> SELECT ?o WHERE { <x> ?p ?o }",
    "SELECT ?o WHERE { <x> ?p ?o }",  # relative: resolved against the request's URL
    "SELECT ?o WHERE { ?o ?p ?o }",
    "SELECT ?o WHERE { <urn:x> ?o ?o }",
    "SELECT ?z WHERE { <urn:x> ?p ?o }",
    "SELECT ?o ?o WHERE { <urn:x> ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s <urn:p> ?o }",
    "SELECT ?o WHERE { <urn:x> ?p ?o . ?o ?q ?r }",
    "SELECT ?o WHERE { <urn:x> <urn:p>* ?o }",
    "SELECT ?o WHERE { <urn:x> a ?o }",
    "SELECT ?o WHERE { <urn:x> ?p ?o } ORDER BY ?o",
    "SELECT ?o WHERE { <urn:x> ?p ?o } LIMIT 5 OFFSET 1",
    "SELECT ?o WHERE { <urn:x> ?p ?o FILTER(?o) }",
    "SELECT ?o WHERE { GRAPH ?g { <urn:x> ?p ?o } }",
    "SELECT ?o FROM <urn:g> WHERE { <urn:x> ?p ?o }",
    "SELECT ?o WHERE { <urn:x> ?p ?o } VALUES ?o { 1 }",
    "SELECT ?o WHERE { <urn:x> ?p 'a' }",
    "SELECT (COUNT(*) AS ?n) WHERE { <urn:x> ?p ?o }",
    "ASK { <urn:x> ?p ?o }",
    "SELECT ?o WHERE { SERVICE <http://127.0.0.1:1/> { <urn:x> ?p ?o } }",
]


@pytest.mark.parametrize("query", LOOKUPS)
def test_lookups_are_recognised(query: str) -> None:
    assert lookup.parse(query) is not None


@pytest.mark.parametrize("query", NOT_LOOKUPS)
def test_anything_else_goes_to_a_worker(query: str) -> None:
    assert lookup.parse(query) is None


def _bindings(body: bytes) -> Counter[str]:
    data = json.loads(body)
    return Counter(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])


@pytest.mark.parametrize("query", LOOKUPS)
def test_a_lookup_answers_what_the_engine_answers(data_dir: Path, query: str) -> None:
    from kzmig.server import jobs

    store = ReleaseStore(data_dir)
    job = {"accept": "application/sparql-results+json", "max_rows": 10_000}
    fast = lookup.answer(store.oxigraph(), lookup.parse(query), job, store.version)
    engine = jobs.write(store.query(query), job, store.version)
    assert fast["status"] == engine["status"] == 200
    found = _bindings(fast["body"])
    if "LIMIT" in query.upper():  # any 3 of them: a subset of the whole answer
        whole = _bindings(jobs.write(store.query(query.rsplit("limit", 1)[0]), job, "")["body"])
        assert sum(found.values()) == sum(_bindings(engine["body"]).values())
        assert not found - whole
    else:
        assert found == _bindings(engine["body"])
    assert "nothing" in query or found, "the lookup must find something"


def test_the_row_cap_holds(data_dir: Path) -> None:
    store = ReleaseStore(data_dir)
    query = "SELECT ?s ?p WHERE { ?s ?p <https://w3id.org/kzmig/ontology#Program> }"
    job = {"accept": "text/csv", "max_rows": 1}
    reply = lookup.answer(store.oxigraph(), lookup.parse(query), job, store.version)
    assert reply["rows"] == 1


@pytest.mark.parametrize("iri", ["https:\x7f//w3id.org/x", "https:\u0081//w3id.org/x", "no scheme"])
def test_an_iri_the_store_refuses_is_left_to_a_worker(iri: str) -> None:
    """Found by the fuzzer: such a lookup was answered here, and the NamedNode raised (500)."""
    assert lookup.parse(f"SELECT ?o WHERE {{ <{iri}> ?p ?o }}") is None

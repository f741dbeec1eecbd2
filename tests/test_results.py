"""Writing SELECT results: the JSON writer gives the document SPARQL 1.1 Query Results
JSON asks for, on the terms that need care (escapes, languages, datatypes, blank
nodes, quoted triples, unbound variables)."""

from __future__ import annotations

import json

import pyoxigraph as ox
from kzmig.server import results

XSD = "http://www.w3.org/2001/XMLSchema#"


def _store() -> ox.Store:
    a, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:p")
    store = ox.Store()
    for o in (
        ox.Literal('say "hi"\n\tback\\slash \u0430\u049b \U0001f30d \x01', language="kk"),
        ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("plain"),
        ox.NamedNode("urn:o?x=%221%22&y=\u00e9"),
        ox.Triple(a, p, ox.Literal("quoted")),
    ):
        store.add(ox.Quad(a, p, o))
    store.add(ox.Quad(ox.BlankNode("b1"), p, ox.NamedNode("urn:o")))
    return store


def test_json_results_are_the_standard_document() -> None:
    names = ["s", "o", "never"]
    rows = list(
        _store().query("SELECT ?s ?o ?never WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?never } }")
    )
    written = json.loads(results.write_solutions(names, rows, "application/sparql-results+json"))
    assert written["head"] == {"vars": names}
    bindings = written["results"]["bindings"]
    assert len(bindings) == 6 and all("never" not in b for b in bindings)
    objects = [b["o"] for b in bindings]
    assert {
        "type": "literal",
        "value": 'say "hi"\n\tback\\slash \u0430\u049b \U0001f30d \x01',
        "xml:lang": "kk",
    } in objects
    assert {"type": "literal", "value": "3", "datatype": XSD + "integer"} in objects
    assert {"type": "literal", "value": "plain"} in objects  # xsd:string is left implicit
    assert {"type": "uri", "value": "urn:o?x=%221%22&y=\u00e9"} in objects
    assert {
        "type": "triple",
        "value": {
            "subject": {"type": "uri", "value": "urn:a"},
            "predicate": {"type": "uri", "value": "urn:p"},
            "object": {"type": "literal", "value": "quoted"},
        },
    } in objects
    assert {"type": "bnode", "value": "b1"} in [b["s"] for b in bindings]
    # the same as building the document as dicts and letting json write it
    assert written == {
        "head": {"vars": names},
        "results": {
            "bindings": [
                {n: results._json_term(row[n]) for n in names if row[n] is not None} for row in rows
            ]
        },
    }


def test_no_rows_and_no_variables() -> None:
    assert json.loads(results.write_solutions([], [], "application/sparql-results+json")) == {
        "head": {"vars": []},
        "results": {"bindings": []},
    }

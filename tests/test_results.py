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


# -- XML, CSV and TSV: read back by independent parsers -----------------------------------

NAMES = ["s", "o", "never"]
QUERY = "SELECT ?s ?o ?never WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?never } }"


def _rows(store: ox.Store) -> list[ox.QuerySolution]:
    return list(store.query(QUERY))  # type: ignore[arg-type]


def _without_control_characters() -> ox.Store:
    """XML 1.0 can't carry U+0001 at all: the XML test leaves that literal out."""
    store = _store()
    for quad in list(store):
        if isinstance(quad.object, ox.Literal) and "\x01" in quad.object.value:
            store.remove(quad)
            store.add(ox.Quad(quad.subject, quad.predicate, ox.Literal("x<&>y", language="kk")))
    return store


def _as_read(rows: list[ox.QuerySolution]) -> list[dict[str, object]]:
    return sorted(
        ({n: r[n] for n in NAMES if r[n] is not None} for r in rows), key=lambda d: repr(d)
    )


def test_xml_results_read_back_by_pyoxigraph_and_elementtree() -> None:
    import xml.etree.ElementTree as ET

    rows = _rows(_without_control_characters())
    written = results.write_solutions(NAMES, rows, "application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    doc = ET.fromstring(written)
    assert [v.get("name") for v in doc.iter(ns + "variable")] == NAMES
    assert len(list(doc.iter(ns + "result"))) == 6
    assert not [b for b in doc.iter(ns + "binding") if b.get("name") == "never"]
    langs = [e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in doc.iter(ns + "literal")]
    assert "kk" in langs
    read = ox.parse_query_results(written, format=ox.QueryResultsFormat.XML)
    assert [v.value for v in read.variables] == NAMES  # type: ignore[union-attr]
    assert _as_read(list(read)) == _as_read(rows)  # type: ignore[arg-type]


def test_tsv_results_read_back_by_pyoxigraph() -> None:
    rows = _rows(_store())
    written = results.write_solutions(NAMES, rows, "text/tab-separated-values")
    assert written.split(b"\n", 1)[0] == b"?s\t?o\t?never"
    read = ox.parse_query_results(written, format=ox.QueryResultsFormat.TSV)
    assert _as_read(list(read)) == _as_read(rows)  # type: ignore[arg-type]
    assert b'<<( <urn:a> <urn:p> "quoted" )>>' in written  # a triple term, as RDF 1.2


def test_csv_results_read_back_by_the_csv_module() -> None:
    import csv
    import io

    rows = _rows(_store())
    written = results.write_solutions(NAMES, rows, "text/csv").decode()
    assert "\r\n" in written  # CSV records end with CRLF (RFC 4180)
    table = list(csv.reader(io.StringIO(written, newline="")))
    assert table[0] == NAMES
    expected = []
    for row in rows:
        cells = []
        for n in NAMES:
            term = row[n]
            if term is None:
                cells.append("")
            elif isinstance(term, ox.BlankNode):
                cells.append("_:" + term.value)
            elif isinstance(term, ox.Triple):
                cells.append(str(term))
            else:
                cells.append(term.value)  # IRIs and literals: the bare text, no datatype
        expected.append(cells)
    assert sorted(table[1:]) == sorted(expected)
    assert any("\n" in cell and '"' in cell for line in table for cell in line)


def test_booleans_in_json_and_xml() -> None:
    import xml.etree.ElementTree as ET

    for value in (True, False):
        doc = ET.fromstring(results.write_boolean(value, "application/sparql-results+xml"))
        [b] = list(doc.iter("{http://www.w3.org/2005/sparql-results#}boolean"))
        assert b.text == str(value).lower()
        written = results.write_boolean(value, "application/sparql-results+json")
        assert json.loads(written) == {"head": {}, "boolean": value}

"""`kzmig docs` and /ontology: every term documented; RDF by content negotiation."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.graph.editor.docs import GENERATED, anchor, docs_command, write_docs
from kzmig.graph.release.layout import Release
from kzmig.names import GRAPH_ONTOLOGY, KZO, RESOURCE
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from tests.support import miniproject
from tests.support.servers import ROOT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def to_rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)  # rdflib reads "x" as a plain literal
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def ids(page: str) -> set[str]:
    return {html.unescape(m) for m in re.findall(r'id="([^"]+)"', page)}


def test_the_page_documents_every_term_of_the_ontology(tmp_path: Path) -> None:
    page = write_docs(ROOT, tmp_path / "docs").read_text(encoding="utf-8")
    assert page.splitlines()[0] == GENERATED
    ontology = read_turtle(turtle_files(ROOT / "ontology"), ROOT)
    terms = {
        s
        for s, o in ontology.subject_objects(RDF.type)
        if isinstance(s, URIRef) and str(s).startswith((str(KZO), RESOURCE))
    }
    assert terms
    anchors = ids(page)
    missing = sorted(str(t) for t in terms if anchor(str(t)) not in anchors)
    assert missing == []
    text = html.unescape(page)
    for s, label in ontology.subject_objects(RDFS.label):
        if s in terms and isinstance(label, Literal):
            assert str(label) in text, (s, label)


def test_an_entry_shows_hierarchy_domain_range_labels_and_shapes(tmp_path: Path) -> None:
    project = miniproject.write(tmp_path / "project")
    page = write_docs(project, tmp_path / "out").read_text(encoding="utf-8")

    def entry(name: str) -> str:
        start = page.index(f'id="{name}"')
        return page[start : page.index("</section>", start)]

    country = entry("Country")
    assert 'href="#Place"' in country  # subclass of, linked
    assert "Ел" in country and "Страна" in country and "@kk" in country and "@ru" in country
    assert "kzs:PlaceShape" in country and "applies through" in country  # inherited shape
    person = entry("Person")
    assert "kzs:PersonShape" in person and "A person is born in a place." in person
    born = entry("bornIn")
    assert re.search(r"<dt>Domain</dt><dd><a href=\"#Person\"", born)
    assert re.search(r"<dt>Range</dt><dd><a href=\"#Place\"", born)
    tree = page[page.index('id="hierarchy"') : page.index('id="classes"')]
    assert re.search(r'href="#Place">Place</a><ul><li><a href="#Country"', tree)
    assert 'id="place/kazakhstan"' in page


def test_the_command_writes_into_the_data_directory(tmp_path: Path) -> None:
    project = miniproject.write(tmp_path / "project")
    result = CliRunner().invoke(
        docs_command, ["--root", str(project), "--data-dir", str(tmp_path / "var")]
    )
    assert result.exit_code == 0, result.output
    page = tmp_path / "var" / "docs" / "index.html"
    assert page.is_file() and page.read_text(encoding="utf-8").startswith(GENERATED)


def test_a_browser_gets_the_documentation(client: FlaskClient) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Vary"] == "Accept, Accept-Language"  # the reader's language too
    page = response.get_data(as_text=True)
    assert page.startswith(GENERATED) and 'id="classes"' in page


@pytest.mark.parametrize(
    ("accept", "fmt", "rdflib_format"),
    [
        ("text/turtle", "ttl", "turtle"),
        ("application/ld+json", "jsonld", "json-ld"),
        ("application/rdf+xml", "rdfxml", "xml"),
        ("application/n-triples", "nt", "nt"),
    ],
)
def test_programs_get_the_ontology_graph(
    client: FlaskClient, data_dir: Path, accept: str, fmt: str, rdflib_format: str
) -> None:
    release = Release.current(data_dir)
    expected = Graph()
    for q in release.store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPH_ONTOLOGY))):
        expected.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    assert len(expected) > 0
    by_accept = client.get("/ontology", headers={"Accept": accept})
    by_param = client.get(f"/ontology?format={fmt}", headers={"Accept": BROWSER})
    for response in (by_accept, by_param):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == accept
        g = Graph().parse(data=response.get_data(), format=rdflib_format)
        assert isomorphic(g, expected)


def test_unacceptable_types_and_formats_are_refused(client: FlaskClient) -> None:
    refused = client.get("/ontology", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.get_data(as_text=True)
    bad = client.get("/ontology?format=pdf")
    assert bad.status_code == 400 and "format" in bad.get_data(as_text=True)

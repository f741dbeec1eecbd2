"""The build reads ontology/ and shapes/ with pyoxigraph's parser into the very terms
rdflib's parser gives (#18): the same graph, literal for literal, on the repository and on
the forms where the two parsers' terms could differ."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.graph.semantics.quads import to_ox
from kzmig.loaders.errors import InputError
from rdflib import BNode, Graph
from rdflib.compare import to_isomorphic

REPO = Path(__file__).resolve().parents[1]

FORMS = """\
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://example.org/base/> .
ex:a ex:int "01"^^xsd:integer , 007 , -0 ; ex:dec 1.50 , "+5"^^xsd:decimal ;
    ex:dbl 1e0 , "1E3"^^xsd:double ; ex:bool true , "1"^^xsd:boolean ;
    ex:bad "abc"^^xsd:int ; ex:date "2020-01-01"^^xsd:date ;
    ex:plain "x" , 'y' , \"\"\"long
text\"\"\" ; ex:lang "x"@kk , "y"@en-gb ;
    ex:rel <relative> , <#frag> ; ex:list ( 1 "two" ex:three ) ;
    ex:node [ ex:p ex:q ; ex:r [ ex:s "t" ] ] .
_:b1 ex:p _:b2 .
"""
RDFLIB_ONLY = [
    '@prefix ex: <https://example.org/> .\nex:a ex:p "Label"@EN-GB .\n',
    "@prefix ex: <https://example.org/> .\n"
    '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\nex:a ex:p "x"^^xsd:string .\n',
]


def _rdflib(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _canonical(graph: Graph) -> set[str]:
    """The graph with its blank nodes named canonically (pyoxigraph's RDFC-1.0): rdflib's
    own isomorphism test takes ~50 s on the shapes' blank nodes."""
    dataset = ox.Dataset(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


def _terms(graph: Graph) -> set[tuple[str, str, str, str]]:
    """Every object as its kind, lexical form, datatype and language: what isomorphism hides."""
    return {
        (
            type(o).__name__,
            "" if isinstance(o, BNode) else str(o),
            str(getattr(o, "datatype", "")),
            str(getattr(o, "language", "")),
        )
        for o in graph.objects()
    }


@pytest.mark.parametrize("folder", ["ontology", "shapes"])
def test_the_repositorys_vocabulary_reads_as_rdflib_reads_it(folder: str) -> None:
    paths = turtle_files(REPO / folder)
    ours, theirs = read_turtle(paths, REPO), _rdflib(paths)
    assert len(ours) == len(theirs) > 1000
    assert _canonical(ours) == _canonical(theirs)
    assert _terms(ours) == _terms(theirs)


@pytest.mark.parametrize("text", [FORMS, *RDFLIB_ONLY], ids=["forms", "capitals", "xsd:string"])
def test_literals_relative_iris_and_blank_nodes_read_as_rdflib_reads_them(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "forms.ttl"
    path.write_text(text, encoding="utf-8")
    ours, theirs = read_turtle([path], tmp_path), _rdflib([path])
    assert to_isomorphic(ours) == to_isomorphic(theirs)
    assert _terms(ours) == _terms(theirs)


def test_pyoxigraph_reads_a_file_without_the_forms_only_rdflib_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The repository's files take the fast path: rdflib's parser is not called."""
    called: list[object] = []
    monkeypatch.setattr(Graph, "parse", lambda *a, **k: called.append(a))
    read_turtle(turtle_files(REPO / "ontology"), REPO)
    assert called == []


def test_a_file_that_does_not_parse_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <https://example.org/> .\n\nex:a ex:p .\n", "utf-8")
    with pytest.raises(InputError) as caught:
        read_turtle([path], tmp_path)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("broken.ttl", 3)

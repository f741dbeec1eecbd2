"""`kzmig fmt`: canonical, stable, comment-keeping Turtle; `--check` fails on a stray layout."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kzmig.graph.editor.fmt import FormatError, files_of, fmt_command, format_text
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from tests.support.servers import ROOT

HEADER = """# A hand-edited file.
#
# It says what it holds.
"""

MESSY = (
    HEADER
    + """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
@prefix unused: <http://example.org/unused#> .

# --- Places ---

# Countries are places.
kzo:Country rdfs:label "Country"@en, "Страна"@ru , "Ел"@kk ;  # three languages
   skos:definition "A state." ; rdfs:subClassOf kzo:Place ; a owl:Class .

kzo:City a owl:Class ; rdfs:subClassOf <https://w3id.org/kzmig/ontology#Place> .
kzo:City rdfs:label "City"@en .

# --- People ---

kzo:Person a owl:Class ;
    # the label people search for
    rdfs:label "Person"@en .
kzo:bornIn a owl:ObjectProperty ; rdfs:range kzo:Place ; rdfs:domain kzo:Person . # where
[] a owl:AllDisjointClasses ; owl:members ( kzo:Person kzo:Place ) .

# trailing remark
"""
)

CANONICAL = (
    HEADER
    + """
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix unused: <http://example.org/unused#> .

# --- Places ---

kzo:City
    a owl:Class ;
    rdfs:subClassOf kzo:Place ;
    rdfs:label "City"@en .

# Countries are places.
kzo:Country
    a owl:Class ;
    rdfs:subClassOf kzo:Place ;
    # three languages
    rdfs:label "Country"@en ,
        "Ел"@kk ,
        "Страна"@ru ;
    skos:definition "A state." .


# --- People ---

kzo:Person
    a owl:Class ;
    # the label people search for
    rdfs:label "Person"@en .

# where
kzo:bornIn
    a owl:ObjectProperty ;
    rdfs:domain kzo:Person ;
    rdfs:range kzo:Place .

[] a owl:AllDisjointClasses ;
    owl:members ( kzo:Person kzo:Place ) .


# trailing remark
"""
)


def graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_the_layout_is_canonical_and_keeps_every_comment_in_place() -> None:
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert isomorphic(graph(MESSY), graph(CANONICAL))


def test_sections_are_sorted_within_but_never_merged_across() -> None:
    text = """@prefix kzo: <https://w3id.org/kzmig/ontology#> .

# --- B section ---

kzo:Zeta kzo:p 1 .
kzo:Alpha kzo:p 2 .

# --- A section ---

kzo:Zeta kzo:q 3 .
"""
    out = format_text(text)
    assert out.index("# --- B section ---") < out.index("kzo:Alpha") < out.index("kzo:Zeta")
    assert out.index("kzo:Zeta") < out.index("# --- A section ---")
    assert out.count("kzo:Zeta") == 2  # the statement in the second section stays there


def test_lists_keep_their_order_and_literals_their_form() -> None:
    text = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s ex:list ( ex:c ex:a ex:b ) ; ex:n 42 , 3.14 , 1.0e3 , true , "7"^^xsd:gYear , "x"^^xsd:string ;
  ex:text \"\"\"two
lines with "quotes" and a \\\\ backslash\"\"\" ; ex:iri <http://example.org/a%20b> .
"""
    out = format_text(text)
    assert "( ex:c ex:a ex:b )" in out
    for literal in ("42", "3.14", "1.0e3", "true", '"7"^^xsd:gYear', '"x"^^xsd:string'):
        assert literal in out
    assert isomorphic(graph(text), graph(out))


def test_the_same_input_gives_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    digests = set()
    for seed in ("0", "1", "4242"):
        copy = tmp_path / f"seed-{seed}"
        shutil.copytree(ROOT / "ontology", copy / "ontology")
        shutil.copytree(ROOT / "shapes", copy / "shapes")
        (copy / "ontology" / "messy.ttl").write_text(MESSY, encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "kzmig.graph.cli", "fmt", "--root", str(copy)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        h = hashlib.sha256()
        for path in files_of(copy):
            h.update(str(path.relative_to(copy)).encode() + b"\0" + path.read_bytes())
        digests.add(h.hexdigest())
    assert len(digests) == 1


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_the_repository_files_format_to_the_same_graph_and_stay_put(tmp_path: Path) -> None:
    """On copies: formatting keeps each graph and every comment, and is idempotent."""
    paths = files_of(ROOT)
    assert paths, "ontology/ and shapes/ hold Turtle files"
    for path in paths:
        text = path.read_text(encoding="utf-8")
        once = format_text(text, str(path))
        assert format_text(once, str(path)) == once, path
        assert isomorphic(graph(text), graph(once)), path


def test_check_fails_on_a_non_canonical_file_and_fmt_fixes_it(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "shapes").mkdir()
    target = tmp_path / "ontology" / "x.ttl"
    target.write_text(MESSY, encoding="utf-8")
    runner = CliRunner()
    failed = runner.invoke(fmt_command, ["--root", str(tmp_path), "--check"])
    assert failed.exit_code == 1
    assert "ontology/x.ttl:5: error [not-canonical] not in canonical form" in failed.output
    assert target.read_text(encoding="utf-8") == MESSY  # --check changes nothing
    assert runner.invoke(fmt_command, ["--root", str(tmp_path)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == CANONICAL
    assert runner.invoke(fmt_command, ["--root", str(tmp_path), "--check"]).exit_code == 0


def test_invalid_turtle_is_refused_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    good = tmp_path / "ontology" / "a.ttl"
    bad = tmp_path / "ontology" / "b.ttl"
    good.write_text(MESSY, encoding="utf-8")
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c\nex:d ex:e ex:f .\n")
    result = CliRunner().invoke(fmt_command, ["--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "ontology/b.ttl:4" in result.output and "not valid Turtle" in result.output
    assert good.read_text(encoding="utf-8") == MESSY  # all or nothing
    with pytest.raises(FormatError):
        format_text("ex:a ex:b ex:c .")  # undefined prefix


def _w3c_turtle_files() -> list[Path]:
    base = Path(os.environ.get("KZMIG_W3C_TESTS") or ROOT.parent / "shared" / "w3c-rdf-tests")
    return sorted(base.rglob("*.ttl")) if base.is_dir() else []


@pytest.mark.slow
@pytest.mark.skipif(not _w3c_turtle_files(), reason="the W3C test suites are not beside the repo")
def test_every_turtle_file_of_the_w3c_suites_formats_to_the_same_graph() -> None:
    for path in _w3c_turtle_files():
        text = path.read_text(encoding="utf-8")
        try:
            before = Graph().parse(data=text, format="turtle", publicID=path.as_uri())
        except Exception:
            continue  # a negative syntax test
        out = format_text(text, str(path))
        assert format_text(out, str(path)) == out, path
        assert isomorphic(before, Graph().parse(data=out, format="turtle", publicID=path.as_uri()))


EX = Namespace("http://example.org/")
iris = st.sampled_from([EX[n] for n in ("a", "b", "c", "Zed", "with-dash", "x.y")])
literals = st.one_of(
    st.builds(Literal, st.text(max_size=12)),
    st.builds(Literal, st.text(max_size=8), lang=st.sampled_from(["en", "kk", "ru"])),
    st.builds(Literal, st.integers(-1000, 1000)),
    st.builds(Literal, st.booleans()),
)
triples = st.lists(
    st.tuples(
        st.one_of(iris, st.sampled_from([BNode("b1"), BNode("b2")])),
        iris,
        st.one_of(iris, literals, st.sampled_from([BNode("b1"), BNode("b2")])),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples)
def test_any_graph_survives_formatting(data: list[tuple[URIRef, URIRef, object]]) -> None:
    g = Graph()
    g.bind("ex", EX)
    for t in data:
        g.add(t)  # type: ignore[arg-type]
    text = g.serialize(format="turtle")
    out = format_text(text)
    assert format_text(out) == out
    assert isomorphic(g, graph(out))


NEW_CLASS = """
kzo:AgriculturalSettlerGroup
    a owl:Class ;
    rdfs:subClassOf kzo:SettlerGroup ;
    rdfs:label "Agricultural settlers"@en ;
    skos:definition "Settlers brought to a territory to farm it."@en .
"""
NEW_SHAPE = """
kzs:AgriculturalSettlerGroupShape
    a sh:NodeShape ;
    sh:targetClass kzo:AgriculturalSettlerGroup ;
    sh:property [
        sh:path rdfs:label ;
        sh:minCount 1 ;
        sh:message "Agricultural settlers need a name (rdfs:label)."@en
    ] .
"""
LIKE_THE_LAST = """
kzs:StatisticNoteShape
    a sh:NodeShape ;
    sh:targetClass kzo:Statistic ;
    sh:property [
        sh:path rdfs:comment ;
        sh:maxCount 1 ;
        sh:message "A Statistic has at most one rdfs:comment."@en
    ] .
"""


def _section_of(text: str, needle: str) -> str:
    """The heading of the section (`# --- ... ---`) that holds ``needle``."""
    before = text[: text.index(needle)]
    return re.findall(r"^# --- (.+) ---$", before, re.MULTILINE)[-1]


def test_fmt_moves_statements_appended_at_the_end_into_their_section(tmp_path: Path) -> None:
    from tests.support.repocopy import copy_inputs

    root = copy_inputs(tmp_path / "repo")
    ontology, shapes = root / "ontology" / "kzmig.ttl", root / "shapes" / "structure.ttl"
    with ontology.open("a", encoding="utf-8") as f:
        f.write(NEW_CLASS)
    with shapes.open("a", encoding="utf-8") as f:
        f.write(NEW_SHAPE + LIKE_THE_LAST)
    text = shapes.read_text(encoding="utf-8")
    assert _section_of(text, "kzs:AgriculturalSettlerGroupShape") == "Statistics"

    runner = CliRunner()
    result = runner.invoke(fmt_command, ["--root", str(root)])
    assert result.exit_code == 0, result.output
    text = shapes.read_text(encoding="utf-8")
    # the shape goes where the shape of its class's parent (kzo:SettlerGroup) is
    assert _section_of(text, "kzs:AgriculturalSettlerGroupShape") == "Groups of people"
    assert _section_of(text, "kzs:SettlerGroupShape") == "Groups of people"
    # a shape like the last section's own stays there
    assert _section_of(text, "kzs:StatisticNoteShape") == "Statistics"
    assert _section_of(text, "kzs:StatisticShape") == "Statistics"
    # the class goes to the section of its rdfs:subClassOf siblings
    otext = ontology.read_text(encoding="utf-8")
    assert _section_of(otext, "\nkzo:AgriculturalSettlerGroup\n") == _section_of(
        otext, "\nkzo:SettlerGroup\n"
    )
    # formatting the result changes nothing
    assert runner.invoke(fmt_command, ["--root", str(root), "--check"]).exit_code == 0

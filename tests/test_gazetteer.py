"""The gazetteer: mentions of known entities, by the ontology's labels in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.loaders.gazetteer import Gazetteer
from kzmig.loaders.sources import read_source
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

R = "https://w3id.org/kzmig/resource/"
ONTOLOGY = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
kzo:Country a owl:Class ; rdfs:label "Country"@en .
<{R}place/kazakhstan> a kzo:Country ;
    rdfs:label "Kazakhstan"@en , "Қазақстан"@kk ;
    skos:altLabel "Republic of Kazakhstan"@en , "Казахстан"@ru .
<{R}agency/ministry-of-labor> rdfs:label "Ministry of Labor of the Republic of Kazakhstan"@en .
<{R}ethnic-group/kazakhs> rdfs:label "Kazakhs"@en ; skos:altLabel "Kazakh"@en .
<{R}program/enbek> skos:prefLabel "Enbek"@en .
<{R}place/united-states> rdfs:label "United States"@en ; skos:altLabel "US"@en .
<{R}concept/labour-migration> rdfs:label "labour migration"@en .
<{R}person/tokayev> rdfs:label "Kassym-Jomart Tokayev"@en .
<{R}document/concept> skos:altLabel "the Concept"@en .
<{R}document/other-concept> skos:altLabel "the Concept"@en .
<https://example.org/elsewhere> rdfs:label "Almaty"@en .
"""


@pytest.fixture
def ontology() -> Graph:
    return Graph().parse(data=ONTOLOGY, format="turtle")


def found(gazetteer: Gazetteer, text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], str(m.entity)[len(R) :]) for m in gazetteer.find(text)]


def test_labels_in_every_language_are_found(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    text = "Kazakhstan, Қазақстан and Казахстан are one country."
    assert found(g, text) == [
        ("Kazakhstan", "place/kazakhstan"),
        ("Қазақстан", "place/kazakhstan"),
        ("Казахстан", "place/kazakhstan"),
    ]


def test_adding_an_alt_label_is_enough_to_find_new_mentions(ontology: Graph) -> None:
    text = "Officials will help the Kandases find work."
    assert found(Gazetteer.from_graph(ontology), text) == []
    ontology.add((URIRef(R + "group/kandas"), SKOS.altLabel, Literal("Kandases", lang="en")))
    assert found(Gazetteer.from_graph(ontology), text) == [("Kandases", "group/kandas")]


def test_longest_match_wins(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    text = "The Ministry of Labor of the Republic of Kazakhstan, the Republic of Kazakhstan"
    assert found(g, text) == [
        ("Ministry of Labor of the Republic of Kazakhstan", "agency/ministry-of-labor"),
        ("Republic of Kazakhstan", "place/kazakhstan"),
    ]


def test_whole_words_only(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    # "Kazakh" is not inside "Kazakhstan"; a possessive still names the country.
    assert found(g, "Kazakhstan's Kazakh families") == [
        ("Kazakhstan", "place/kazakhstan"),
        ("Kazakh", "ethnic-group/kazakhs"),
    ]
    assert found(g, "Kazakhstani citizens") == []


def test_capitals_in_a_label_are_significant_small_letters_are_not(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    assert found(g, "the enbek electronic labor exchange") == []  # a common word
    assert found(g, "the program Enbek") == [("Enbek", "program/enbek")]
    assert found(g, "let us go to the US") == [("US", "place/united-states")]
    assert found(g, "LABOUR MIGRATION and Labour migration") == [
        ("LABOUR MIGRATION", "concept/labour-migration"),
        ("Labour migration", "concept/labour-migration"),
    ]
    assert found(g, "The Concept says") == [
        ("The Concept", "document/concept"),
        ("The Concept", "document/other-concept"),
    ]


def test_dashes_and_white_space_between_words(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    text = "President Kassym—Jomart Tokayev and the United\n   States"
    assert found(g, text) == [
        ("Kassym—Jomart Tokayev", "person/tokayev"),
        ("United\n   States", "place/united-states"),
    ]
    assert found(g, "Kassym Jomart Tokayev") == []  # a space is not a dash


def test_a_label_two_entities_share_gives_one_mention_each(ontology: Graph) -> None:
    mentions = Gazetteer.from_graph(ontology).find("as the Concept says")
    assert [(str(m.entity)[len(R) :], m.ambiguity) for m in mentions] == [
        ("document/concept", 2),
        ("document/other-concept", 2),
    ]


def test_only_things_of_the_resource_namespace_and_offsets_shift(ontology: Graph) -> None:
    g = Gazetteer.from_graph(ontology)
    assert found(g, "Almaty, a Country") == []  # an outside IRI and a class
    [m] = g.find("in Kazakhstan", offset=100)
    assert (m.start, m.end) == (103, 113)
    assert g.types[URIRef(R + "place/kazakhstan")] == (
        URIRef("https://w3id.org/kzmig/ontology#Country"),
    )


def test_every_label_of_the_ontology_that_the_seed_states_is_found(root: Path) -> None:
    """Over the real inputs: each label written in the text, as cased there, is found,
    or loses to a match at least as long that overlaps it (longest match wins)."""
    ontology = read_turtle(turtle_files(root / "ontology"), root)
    text = read_source(root / "sources/migration-in-kazakhstan").text
    g = Gazetteer.from_graph(ontology)
    mentions = g.find(text)
    checked = 0
    for entity, label in (
        (e, str(lab))
        for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
        for e, lab in ontology.subject_objects(p)
        if str(e).startswith(R)
    ):
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, label.split())) + r"(?!\w)"
        for hit in re.finditer(pattern, text):
            checked += 1
            a, b = hit.span()
            assert any(
                (m.start, m.end, m.entity) == (a, b, entity)
                or (
                    m.start < b
                    and a < m.end
                    and m.end - m.start >= b - a
                    and (m.start, m.end) != (a, b)
                )
                for m in mentions
            ), f"{label!r} of <{entity}> at {a} not found"
    assert checked > 0

"""The drafting assistant's rules, one at a time, on sentences written for these tests."""

from __future__ import annotations

import pytest
from kzmig.loaders import draft, figures, names
from kzmig.loaders.gazetteer import Gazetteer
from kzmig.loaders.text import segment
from rdflib import Graph

R = "https://w3id.org/kzmig/resource/"
Q = " of the Republic of Kazakhstan"  # a qualifier the text leaves out
ONTOLOGY = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
<{R}agency/ministry-of-labor> a kzo:Agency ;
    rdfs:label "Ministry of Labor and Social Protection of the Population{Q}"@en .
<{R}agency/government-of-kazakhstan> a kzo:Agency ; rdfs:label "Gov Kz"@en .
<{R}organization/unesco> a kzo:InternationalOrganization ; rdfs:label "UNESCO"@en .
<{R}place/china> a kzo:Country ; rdfs:label "China"@en .
<{R}place/astana> a kzo:City ; rdfs:label "Astana"@en , "Nursultan"@en .
"""


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_graph(Graph().parse(data=ONTOLOGY, format="turtle"))


def entries(text: str, g: Gazetteer, year: int | None = 2024) -> list[draft.Entry]:
    return draft.draft(text, segment(text), g, reference_year=year)


def values(text: str, year: int | None = 2024) -> list[tuple[str, tuple[str, ...], str, str]]:
    return [
        (f.quoted, tuple(v for _, v in f.values), f.bound, f.role or f.unit)
        for f in figures.read(text, 0, len(text), reference_year=year)
    ]


def test_full_values_fractions_and_qualifiers() -> None:
    assert values("Some 87.7 million people, nearly one fifth of them young.") == [
        ("87.7 million", ("87700000",), "approximate", "concept:persons"),
        ("one fifth", ("20",), "approximate", "concept:percent"),
    ]
    assert values("Fewer than one in ten left; more than 780 thousand people move per year.") == [
        ("one in ten", ("10",), "upper", "concept:percent"),
        ("780 thousand", ("780000",), "lower", "concept:persons-per-year"),
    ]


def test_open_periods_that_end() -> None:
    text = "The quota held in 2005. By then 40,000 families had come; it lasted until 2011."
    para = (0, len(text))
    second = text.index("By then")
    got = [
        (f.quoted, f.values[0][1], f.until, f.resolved)
        for f in figures.read(text, second, len(text), context=para)
        if f.kind == "year"
    ]
    assert got == [("By then", "2005", True, True), ("2011", "2011", True, False)]


def test_families_per_year() -> None:
    [(_, vals, _, unit)] = values("The quota would rise to 15,000 families a year.")
    assert (vals, unit) == (("15000",), "concept:families-per-year")


def test_what_is_not_a_figure() -> None:
    text = (
        "The two countries signed decree No. 1126 under the five-year plan "
        "over the previous twelve years, paid in tenge."
    )
    assert values(text) == []


def test_dates_statement_reference_and_open_periods() -> None:
    text = "In November 2011 officials said that 300,000 families had come since 1991."
    got = {quoted: (vals, role) for quoted, vals, _, role in values(text)}
    assert got["November 2011"] == (("2011-11", "2011"), "statement")  # a month gives its year
    assert got["since 1991"] == (("1991",), "reference")
    assert values("On 26 June 1992 the law passed.")[0][:2] == (
        "26 June 1992",
        ("1992-06-26", "1992"),
    )
    assert values("the late 1920s and early 1930s")[0][:2] == (
        "1920s and early 1930s",
        ("1920", "1939"),
    )
    assert values("in the 1950s and 1960s")[0][:2] == ("1950s and 1960s", ("1950", "1969"))
    assert values("by the end of 2022")[0][:2] == ("end of 2022", ("2022",))


def test_attributions_found_and_carried(gazetteer: Gazetteer) -> None:
    text = (
        "According to UNESCO, 89 thousand students study abroad. 80% of them study in China. "
        "The quota rose.\n\n"
        "The Ministry of Labor and Social Protection of the Population put the number at "
        "14,500 people. It was a record.\n\n"
        "Emigration fell sharply after the first years of independence. "
        "It rose again later. (Gov Kz)"
    )
    got = [
        (e.quote[:20], e.attribution.curie if e.attribution else "")
        for e in entries(text, gazetteer)
    ]
    assert got == [
        ("According to UNESCO,", "organization:unesco"),
        ("80% of them study in", "organization:unesco"),  # "of them": carried
        ("The quota rose.", ""),  # no cue, no anaphor: not carried
        ("The Ministry of Labo", "agency:ministry-of-labor"),
        ("It was a record.", ""),  # a pronoun, but no speech verb and no "of them"
        ("Emigration fell shar", "agency:government-of-kazakhstan"),  # the paragraph's close
        ("It rose again later.", "agency:government-of-kazakhstan"),
    ]


def test_new_names_and_their_classes(gazetteer: Gazetteer) -> None:
    text = (
        'On 26 June 1992 the Supreme Council passed the Law "On Immigration". '
        "The state program Nurly Kosh was approved by the government in 2008. "
        "President Nursultan Nazarbayev said that many lived in Turkmenistan and the Omsk region. "
        "Zhazbek Abdiyev, chairman of the committee, spoke at the World Kurultai."
    )
    got = {(p.text, p.cls) for e in entries(text, gazetteer) for p in e.new}
    assert got == {
        ("Supreme Council", "kzo:Agency"),
        ('Law "On Immigration"', "kzo:Law"),
        ("Nurly Kosh", "kzo:Program"),
        ("Nursultan Nazarbayev", "kzo:Person"),
        ("Turkmenistan", "kzo:Country"),
        ("Omsk region", "kzo:Region"),
        ("Zhazbek Abdiyev", "kzo:Person"),
        ("World Kurultai", "kzo:Event"),
    }
    decree = "It was approved by Government decree No. 1126 of 2 December 2008."
    assert [(p.text, p.cls) for p in names.propose(decree, 0, len(decree), [])] == [
        ("Government decree No. 1126", "kzo:PolicyDocument")
    ]
    [nazarbayev] = [e for e in entries(text, gazetteer) if "Nazarbayev" in e.quote]
    assert "place:astana" not in nazarbayev.things  # "Nursultan" is the man's name here
    assert nazarbayev.attribution and nazarbayev.attribution.curie == (
        "person:nursultan-nazarbayev"
    )


def test_skeletons_name_the_proposal(gazetteer: Gazetteer) -> None:
    [p] = names.propose("President Aigerim Sultan said so.", 0, 33, [])
    assert p.turtle().startswith("person:aigerim-sultan\n    a kzo:Person ,")
    [e] = entries("According to UNESCO, 89 thousand students study abroad.", gazetteer)
    assert "kzo:value 89000" in e.triples
    assert "kzo:attributedTo organization:unesco ." in e.triples

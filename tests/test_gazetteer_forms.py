"""The gazetteer finds names in their inflected forms and other wordings, in every language.

The Russian fixture (tests/fixtures/texts/ru-kandas-news/) names countries and
ethnic groups in the cases a sentence puts them in («в Казахстане», «из Китая»,
«казахов»), lower-case common nouns included; the ontology has only their
dictionary forms as labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.loaders.gazetteer import Gazetteer
from kzmig.loaders.inflection import stem_length
from rdflib import Graph

R = "https://w3id.org/kzmig/resource/"
FIXTURE = Path(__file__).parent / "fixtures/texts/ru-kandas-news/text.txt"


@pytest.fixture(scope="module")
def gazetteer(root: Path) -> Gazetteer:
    return Gazetteer.from_graph(read_turtle(turtle_files(root / "ontology"), root))


def found(g: Gazetteer, text: str) -> set[tuple[str, str]]:
    return {(text[m.start : m.end], str(m.entity)[len(R) :]) for m in g.find(text)}


def test_the_russian_text_names_its_countries_and_groups_in_their_case_forms(
    gazetteer: Gazetteer,
) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    expected = {
        ("Казахстан", "place/kazakhstan"),  # в Казахстан (accusative = nominative)
        ("Казахстане", "place/kazakhstan"),  # prepositional
        ("Казахстана", "place/kazakhstan"),  # genitive
        ("Китая", "place/china"),
        ("Узбекистана", "place/uzbekistan"),
        ("Монголии", "place/mongolia"),
        ("России", "place/russia"),
        ("Россию", "place/russia"),
        ("Германию", "place/germany"),
        ("Таджикистана", "place/tajikistan"),
        ("Туркменистана", "place/turkmenistan"),  # labelled since the second text
        ("Кыргызстана", "place/kyrgyzstan"),
        ("Турции", "place/turkey"),
        ("Соединённых Штатах Америки", "place/united-states"),
        ("СССР", "place/soviet-union"),
        ("Алматы", "place/almaty"),
        ("Астане", "place/astana"),
        # ethnic groups and migrant groups: common nouns, written in small letters
        ("этнических казахов", "ethnic-group/kazakhs"),
        ("русские", "ethnic-group/russians"),
        ("немцы", "ethnic-group/germans"),
        ("чеченцев", "ethnic-group/chechens"),
        ("крымских татар", "ethnic-group/crimean-tatars"),
        ("кандасов", "group/oralmans"),
        ("Кандасы", "group/oralmans"),
        ("Трудовые мигранты", "group/labour-migrants"),
    }
    got = found(gazetteer, text)
    assert expected <= got, sorted(expected - got)
    # Karaganda has no label in ontology/: it is not invented
    assert not any(words.startswith("Караганд") for words, _ in got)


def test_proper_names_keep_their_capitals_common_nouns_do_not(gazetteer: Gazetteer) -> None:
    assert found(gazetteer, "в казахстане") == set()  # a name written in small letters
    assert ("Казахов", "ethnic-group/kazakhs") in found(gazetteer, "Казахов стало больше")
    assert ("казахов", "ethnic-group/kazakhs") in found(gazetteer, "число казахов")


def test_wordings_of_the_ministry_in_english(gazetteer: Gazetteer) -> None:
    text = "the Ministry of Labour and Social Protection of the Population reported"
    assert found(gazetteer, text) == {
        (
            "Ministry of Labour and Social Protection of the Population",
            "agency/ministry-of-labor",
        )
    }
    assert ("Министерства труда и социальной защиты населения", "agency/ministry-of-labor") in (
        found(gazetteer, "данные Министерства труда и социальной защиты населения")
    )


def test_kazakh_case_suffixes() -> None:
    g = Gazetteer.from_graph(
        Graph().parse(
            data=f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            <{R}place/china> rdfs:label "Қытай"@kk .
            <{R}place/kazakhstan> rdfs:label "Қазақстан"@kk .
            <{R}ethnic-group/kazakhs> rdfs:label "Қазақтар"@kk .""",
            format="turtle",
        )
    )
    text = "Қытайдан Қазақстанға келген қазақтардың саны"
    assert found(g, text) == {
        ("Қытайдан", "place/china"),
        ("Қазақстанға", "place/kazakhstan"),
        ("қазақтардың", "ethnic-group/kazakhs"),
    }


@pytest.mark.parametrize(
    ("label", "word", "language", "same"),
    [
        ("Kazakh", "Kazakhs", "en", True),
        ("ministry", "ministries", "en", True),
        ("Labor", "Labour", "en", True),
        ("programme", "program", "en", True),
        ("Kazakh", "Kazakhstan", "en", False),
        ("Russia", "Russian", "en", False),
        ("German", "Germany", "en", False),
        ("Казахи", "Казахстан", "ru", False),
        ("Казахстан", "казахстанский", "ru", False),
        ("Китай", "Китаю", "ru", True),
        ("США", "США", "ru", True),
        ("Қазақ", "Қазақстан", "kk", False),
    ],
)
def test_word_forms(label: str, word: str, language: str, same: bool) -> None:
    assert (stem_length(label, word, language) is not None) is same


def test_kazakh_case_forms_with_the_ontologys_labels(gazetteer: Gazetteer) -> None:
    text = (
        "Соңғы жылдары Қытайдан және Өзбекстаннан Қазақстанға көптеген қандастар оралды. "
        "Еңбек министрлігінің деректері бойынша қазақтардың үлесі өсті."
    )
    assert {
        ("Қытайдан", "place/china"),
        ("Өзбекстаннан", "place/uzbekistan"),
        ("Қазақстанға", "place/kazakhstan"),
        ("қандастар", "group/oralmans"),
        ("Еңбек министрлігінің", "agency/ministry-of-labor"),
        ("қазақтардың", "ethnic-group/kazakhs"),
    } <= found(gazetteer, text)

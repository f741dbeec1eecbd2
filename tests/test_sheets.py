"""Reading claim sheets fast changes nothing: pyoxigraph's Turtle and libyaml's YAML give
the same claims as rdflib's parser and PyYAML's safe_load, on every sheet we have."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kzmig.loaders import sheets
from rdflib import Literal, URIRef

ROOT = Path(__file__).resolve().parents[1]
SHEETS = sorted([*ROOT.glob("sources/*/claims.yaml"), *ROOT.glob("tests/fixtures/**/claims.yaml")])


def test_there_are_sheets_to_compare() -> None:
    assert len(SHEETS) >= 2


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_claim_parses_to_what_rdflib_gives(path: Path) -> None:
    claims = yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    compared = 0
    for claim in claims:
        turtle = str(claim.get("triples") or "")
        try:
            reference = tuple(sheets.parse_triples_rdflib(turtle))
        except Exception:
            with pytest.raises(Exception):  # noqa: B017 - bad Turtle is refused both ways
                sheets.parse_triples(turtle)
            continue
        if not reference:
            continue
        assert sheets.parse_triples(turtle) == reference, claim.get("id")
        compared += 1
    assert compared > 0


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_field_reads_as_safe_load_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = yaml.safe_load(text)["claims"]
    root = yaml.compose(text, Loader=sheets._LOADER)
    entries = dict((k.value, v) for k, v in root.value)["claims"].value
    assert [{k: v for k, (v, _) in sheets._mapping(e).items()} for e in entries] == expected


@pytest.mark.parametrize(
    "turtle",
    [
        'stat:x rdfs:label "a"@kk-Cyrl, "b"@EN, "c"@ru .',  # rdflib keeps a tag's capitals
        'stat:x kzo:personCount "+05"^^xsd:integer, 1e3, 1.50, true, "s" .',
        'stat:x kzo:label "t"^^xsd:string, "u" .',  # rdflib keeps an explicit xsd:string
        "stat:x kzo:personCount 32000 ; kzo:source <https://example.org/a?b=c> .",
    ],
)
def test_tricky_literals_come_out_as_rdflib_makes_them(turtle: str) -> None:
    got = sheets.parse_triples(turtle)
    assert got == tuple(sheets.parse_triples_rdflib(turtle))
    assert all(isinstance(t[1], URIRef) for t in got)
    assert any(isinstance(t[2], Literal) for t in got)


@pytest.mark.parametrize(
    ("turtle", "message"),
    [
        ("stat:x kzo:personCount 32000 ] .", ""),
        ("stat:x kzo:p [ kzo:q 1 ] .", "blank nodes are not allowed"),
        ("", "states nothing"),
    ],
)
def test_bad_triples_are_refused(turtle: str, message: str) -> None:
    with pytest.raises(Exception, match=message or None):
        sheets.parse_triples(turtle)

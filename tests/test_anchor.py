"""Anchoring quotes: exact, repeated passage, not found, ambiguous."""

from __future__ import annotations

from pathlib import Path

import pytest
from kzmig.loaders.anchor import AnchorError, anchor
from kzmig.loaders.errors import InputError
from kzmig.loaders.sheets import read_sheet
from kzmig.loaders.sources import SourceText
from kzmig.loaders.text import segment

TEXT = (
    "Heading\n\n"
    "The program moved 32 thousand people north. It helped nine thousand find work.\n\n"
    "Another section\n\n"
    "The program moved 32 thousand people north. It helped nine thousand find work.\n\n"
    "The program was small. The program was small in the north too.\n"
)


def source(tmp_path: Path, text: str = TEXT) -> SourceText:
    return SourceText(
        id="t",
        folder=tmp_path,
        text=text,
        sha256="",
        title="T",
        language="en",
        licence="x",
        attribution="x",
        reference_year=2022,
    )


def test_exact_match_gives_the_span() -> None:
    seg = segment(TEXT)
    found = anchor(seg, "It helped nine thousand\n   find work.")  # wrapped: whitespace folds
    assert len(found.spans) == 2  # the passage is repeated: see the next test
    a = anchor(seg, "The program was small in the north")
    assert len(a.spans) == 1
    assert TEXT[a.spans[0].start : a.spans[0].end] == "The program was small in the north"


def test_repeated_passage_gives_one_claim_with_two_pieces_of_evidence() -> None:
    seg = segment(TEXT)
    found = anchor(seg, "moved 32 thousand people north")
    assert found.repeated
    starts = [s.start for s in found.spans]
    assert starts == [i for i in range(len(TEXT)) if TEXT.startswith("moved 32 thousand", i)]


def test_not_found_names_the_closest_passage() -> None:
    seg = segment(TEXT)
    with pytest.raises(AnchorError, match="does not occur") as info:
        anchor(seg, "The program moved 23 thousand people north")
    assert "The program moved 32 thousand people north" in str(info.value)


def test_ambiguous_quote_is_refused_unless_an_occurrence_is_given() -> None:
    seg = segment(TEXT)
    with pytest.raises(AnchorError, match=r"occurs 2 times \(line 9, line 9\)"):
        anchor(seg, "The program was small")
    second = anchor(seg, "The program was small", occurrence=2)
    assert TEXT[second.spans[0].start :].startswith("The program was small in the north")


def test_sheet_errors_name_file_and_line(tmp_path: Path) -> None:
    sheet = tmp_path / "claims.yaml"
    sheet.write_text(
        "claims:\n"
        "  - id: ok\n"
        "    quote: It helped nine thousand find work.\n"
        "    triples: 'program:p <https://w3id.org/kzmig/ontology#employed> 9000 .'\n"
        "  - id: missing\n"
        "    quote: It helped ten thousand find work.\n"
        "    triples: 'program:p <https://w3id.org/kzmig/ontology#employed> 10000 .'\n"
        "  - id: ambiguous\n"
        "    quote: The program was small\n"
        "    triples: 'program:p a <https://w3id.org/kzmig/ontology#Program> .'\n"
        "  - id: wrong-figure\n"
        "    quote: It helped nine thousand find work.\n"
        "    triples: 'program:p <https://w3id.org/kzmig/ontology#employed> 8000 .'\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_sheet(sheet, source(tmp_path), segment(TEXT))
    lines = [(p.line, p.message) for p in info.value.problems]
    assert [line for line, _ in lines] == [5, 8, 11]
    assert str(info.value.problems[0]).startswith(f"{sheet}:5: claim 'missing'")
    assert "Closest passage" in lines[0][1] and "nine thousand" in lines[0][1]
    assert "occurrence: N" in lines[1][1]
    assert '"8000"^^xsd:integer' in lines[2][1]


def test_good_sheet_yields_claims_with_resolved_figures(tmp_path: Path) -> None:
    text = "The Government approved the program five years ago. It moved 32 thousand people."
    sheet = tmp_path / "claims.yaml"
    sheet.write_text(
        "claims:\n"
        "  - id: approved\n"
        "    quote: approved the program five years ago\n"
        "    attribution: agency:government\n"
        "    triples: |\n"
        '      program:p <https://w3id.org/kzmig/ontology#startYear> "2017"^^xsd:gYear .\n',
        encoding="utf-8",
    )
    [claim] = read_sheet(sheet, source(tmp_path, text), segment(text))
    assert str(claim.iri) == "https://w3id.org/kzmig/resource/claim/t/approved"
    assert str(claim.attribution) == "https://w3id.org/kzmig/resource/agency/government"
    [figure] = claim.figures
    assert (figure.lexical, figure.resolved) == ("2017", True)
    assert text[figure.span.start : figure.span.end] == "five years ago"

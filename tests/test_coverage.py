"""`kzmig report coverage`: which sentences carry a claim, which state nothing, and why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from kzmig.graph.cli.main import main
from kzmig.graph.editor.coverage import project_coverage, text_coverage
from kzmig.loaders.errors import InputError
from kzmig.loaders.sheets import read_sheet
from kzmig.loaders.sources import read_source
from kzmig.loaders.text import segment

TEXT = (
    "Overview\n\n"
    "The program moved 32 thousand people north. It helped nine thousand find work. "
    "What does that tell us?\n\n"
    "Results\n\n"
    "The program was small in the north.\n"
)
SOURCE = """id: t
title: T
language: en
licence: https://creativecommons.org/publicdomain/zero/1.0/
attribution: test
reference_year: 2022
"""
SHEET = """claims:
  - id: moved
    quote: moved 32 thousand people north
    triples: |
      program:p kzo:moved "32000"^^xsd:integer .
  - id: small
    quote: The program was small in the north.
    triples: |
      program:p kzo:size "small" .
"""
NO_FACT = """no-fact:
  - quote: What does that tell us?
    reason: a rhetorical question
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "sources" / "t"
    folder.mkdir(parents=True)
    (folder / "text.txt").write_text(TEXT, encoding="utf-8")
    (folder / "source.yaml").write_text(SOURCE, encoding="utf-8")
    (folder / "claims.yaml").write_text(SHEET, encoding="utf-8")
    (folder / "coverage.yaml").write_text(NO_FACT, encoding="utf-8")
    return tmp_path


def test_each_sentence_is_covered_states_nothing_or_is_uncovered(project: Path) -> None:
    result = text_coverage(project / "sources" / "t")
    statuses = [
        (u.kind, u.text, u.status, u.claims, u.reason) for s in result.sections for u in s.units
    ]
    assert statuses == [
        ("heading", "Overview", "no-fact", (), "heading"),
        ("sentence", "The program moved 32 thousand people north.", "covered", ("moved",), ""),
        ("sentence", "It helped nine thousand find work.", "uncovered", (), ""),
        ("sentence", "What does that tell us?", "no-fact", (), "a rhetorical question"),
        ("heading", "Results", "no-fact", (), "heading"),
        ("sentence", "The program was small in the north.", "covered", ("small",), ""),
    ]
    assert (result.covered, result.factual, result.total) == (2, 3, 4)
    # the share of the sentence's non-space characters that the claims quote
    moved = result.sections[0].units[1]
    quote, sentence = "moved 32 thousand people north", moved.text
    assert moved.quoted == round(len(quote.replace(" ", "")) / len(sentence.replace(" ", "")), 3)
    assert result.sections[1].units[1].quoted == 1.0
    assert [u.text for u in result.uncovered()] == ["It helped nine thousand find work."]
    assert result.warnings == []


def test_an_entry_for_a_sentence_a_claim_covers_is_flagged(project: Path) -> None:
    (project / "sources/t/coverage.yaml").write_text(
        NO_FACT + "  - quote: The program was small in the north.\n    reason: nothing\n",
        encoding="utf-8",
    )
    result = text_coverage(project / "sources" / "t")
    [warning] = result.warnings
    assert "sentence 4" in warning and "small" in warning and "Remove the entry" in warning
    assert result.covered == 2  # the claim wins: it is covered and counts as factual


def test_bad_entries_are_refused_with_file_line_and_closest_passage(project: Path) -> None:
    (project / "sources/t/coverage.yaml").write_text(
        "no-fact:\n"
        "  - quote: What does this tell us?\n"
        "    reason: a rhetorical question\n"
        "  - quote: The program\n"
        "    reason: ambiguous\n"
        "  - quote: It helped nine thousand find work.\n"
        "  - quote: Overview\n"
        "    reason: heading\n"
        "    why: extra\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        project_coverage(project)
    problems = [(p.path.rsplit("/", 1)[-1], p.line, p.message) for p in info.value.problems]
    assert [line for _, line, _ in problems] == [2, 4, 6, 7]
    assert all(path == "coverage.yaml" for path, _, _ in problems)
    assert "What does that tell us?" in problems[0][2]  # the closest passage
    assert "occurrence: N" in problems[1][2]
    assert "missing `reason`" in problems[2][2]
    assert "unknown key(s) ['why']" in problems[3][2]


def test_the_command_prints_sections_and_totals_and_strict_fails(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", "coverage", "--root", str(project)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("§1 Overview") < out.index("UNCOVERED") < out.index("§2 Results")
    assert "UNCOVERED    s2 It helped nine thousand find work." in out
    assert "no fact      s3 What does that tell us?  [a rhetorical question]" in out
    assert "covered      s1 The program moved 32 thousand people north.  [moved; 70% quoted]" in out
    assert "total t: 2 covered / 3 factual / 4 sentences" in out

    strict = runner.invoke(main, ["report", "coverage", "--root", str(project), "--strict"])
    assert strict.exit_code == 1
    assert "1 factual sentence(s) carry no claim" in strict.output

    (project / "sources/t/coverage.yaml").write_text(
        NO_FACT + "  - quote: It helped nine thousand\n    reason: for the test\n", encoding="utf-8"
    )
    assert (
        runner.invoke(main, ["report", "coverage", "--root", str(project), "--strict"]).exit_code
        == 0
    )


def test_the_command_reports_unreadable_inputs(project: Path) -> None:
    (project / "sources/t/coverage.yaml").write_text("no-fact: [", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", "report", "coverage", "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "coverage.yaml:1: not valid YAML" in result.stderr


def test_the_seed_text_report_agrees_with_its_inputs(root: Path) -> None:
    """Over the real inputs: every sentence is counted once, and every sentence a
    claim's evidence touches is reported covered by that claim."""
    folder = root / "sources/migration-in-kazakhstan"
    source = read_source(folder)
    seg = segment(source.text, run_in_headings=source.run_in_headings)
    claims = read_sheet(source.sheet_path, source, seg)
    [result] = [r for r in project_coverage(root) if r.source_id == source.id]
    assert result.total == len(seg.sentences)
    units = {u.number: u for u in result.sentences()}
    assert sorted(units) == [s.number for s in seg.sentences]
    for claim in claims:
        for span in claim.evidence:
            for sentence in seg.sentences_in(span.start, span.end):
                assert claim.id in units[sentence.number].claims
    assert result.covered + len(result.uncovered()) == result.factual
    assert result.warnings == []
    # the references line states nothing, and says why
    last = units[seg.sentences[-1].number]
    assert last.text.startswith("https://") and last.status == "no-fact" and last.reason


def test_the_json_report_carries_the_same_counts(project: Path) -> None:
    result = CliRunner().invoke(main, ["report", "coverage", "--root", str(project), "--json"])
    assert result.exit_code == 0, result.output
    [text] = json.loads(result.output)
    assert (text["source"], text["covered"], text["factual"], text["total"]) == ("t", 2, 3, 4)
    units = [u for s in text["sections"] for u in s["units"] if u["kind"] == "sentence"]
    assert [u["status"] for u in units] == ["covered", "uncovered", "no-fact", "covered"]
    source = (project / "sources/t/text.txt").read_text(encoding="utf-8")
    assert all(source[u["start"] : u["end"]] == u["text"] for u in units)

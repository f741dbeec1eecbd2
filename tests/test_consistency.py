"""A member of owl:Nothing and a disjointness violation: `kzmig check` and `kzmig build` fail.

On a copy of the repository's inputs, two claims are planted, each reusing the
quote of the sheet's first claim (so that they anchor): one types a thing as
owl:Nothing, one puts a thing in two classes the ontology declares disjoint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kzmig.graph.build.pipeline import BuildError, build
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.graph.editor.check import check, check_command
from rdflib import URIRef
from rdflib.namespace import OWL

from tests.support.repocopy import SHEET, append_claim, copy_inputs, first_claim

NOTHING = "https://w3id.org/kzmig/resource/person/planted-nothing"
BOTH = "https://w3id.org/kzmig/resource/person/planted-in-two-disjoint-classes"


def a_disjoint_pair(root: Path) -> tuple[str, str]:
    """Two named classes that the copied ontology declares disjoint."""
    ontology = read_turtle(turtle_files(root / "ontology"), root)
    pairs = sorted(
        (str(a), str(b))
        for a, b in ontology.subject_objects(OWL.disjointWith)
        if isinstance(a, URIRef) and isinstance(b, URIRef)
    )
    assert pairs, "the ontology declares disjoint classes (issue 3: a Person is no Organization)"
    return pairs[0]


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, int, int]:
    root = copy_inputs(tmp_path / "repo")
    a, b = a_disjoint_pair(root)
    claim = first_claim(root)
    extra = {"occurrence": claim["occurrence"]} if "occurrence" in claim else {}
    quote = str(claim["quote"])
    line_nothing = append_claim(
        root, "planted-nothing", quote, f"<{NOTHING}> a owl:Nothing .", **extra
    )
    line_both = append_claim(
        root, "planted-disjoint", quote, f"<{BOTH}> a <{a}> , <{b}> .", **extra
    )
    return root, line_nothing, line_both


def test_the_pristine_copy_is_consistent(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    assert [f for f in check(root).findings if f.check == "inconsistent"] == []


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_check_reports_both_inconsistencies_at_their_claims(planted: tuple[Path, int, int]) -> None:
    root, line_nothing, line_both = planted
    result = CliRunner().invoke(check_command, ["--root", str(root)])
    assert result.exit_code == 1
    found = [f for f in check(root).findings if f.check == "inconsistent"]
    messages = " | ".join(f.message for f in found)
    assert any(NOTHING in f.message and "owl:Nothing" in f.message for f in found), messages
    assert any(BOTH in f.message and "disjoint" in f.message for f in found), messages
    assert {f.path for f in found} == {str(SHEET)}
    # each finding points at the `triples:` line of its planted claim
    lines = {f.line for f in found}
    assert any(line_nothing < n <= line_nothing + 3 for n in lines), (lines, line_nothing)
    assert any(line_both < n <= line_both + 3 for n in lines), (lines, line_both)
    assert f"{SHEET}:" in result.output and "[inconsistent]" in result.output


def test_build_refuses_the_inconsistent_graph(
    planted: tuple[Path, int, int], tmp_path: Path
) -> None:
    root, _, _ = planted
    data = tmp_path / "data"
    with pytest.raises(BuildError) as failure:
        build(root, data)
    assert failure.value.stage == "reason"
    text = str(failure.value)
    assert NOTHING in text and "owl:Nothing" in text
    assert BOTH in text and "disjoint" in text
    assert not (data / "current").exists()  # nothing was published

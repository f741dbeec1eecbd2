"""The build refuses what `kzmig check` rejects, at the ontology line, before SHACL.

On a copy of the repository's inputs, two mistakes an ontology editor makes are planted
in ontology/kzmig.ttl: a second English label on a class, and an rdfs:subClassOf to a
class nobody declares. Before the check became a stage, the first was published and the
second failed only at SHACL, with messages pointing at claim sheet lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kzmig.graph.build.pipeline import BuildError, build

from tests.support.repocopy import copy_inputs

ONTOLOGY = "ontology/kzmig.ttl"


def plant(root: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ontology/kzmig.ttl; return the line ``new`` starts on."""
    path = root / ONTOLOGY
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def block_line(root: Path, subject: str) -> int:
    """The line a subject's block starts on, where `kzmig check` reports it."""
    lines = (root / ONTOLOGY).read_text(encoding="utf-8").splitlines()
    return lines.index(subject) + 1


def refused(root: Path, data: Path) -> BuildError:
    with pytest.raises(BuildError) as caught:
        build(root, data)
    return caught.value


@pytest.mark.slow
def test_a_second_english_label_is_refused_at_its_ontology_line(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    plant(root, '"Statistic"@en ,', '"Statistic"@en ,\n        "Statistical observation"@en ,')
    error = refused(root, tmp_path / "var")
    assert error.stage == "check", error
    where = f"{ONTOLOGY}:{block_line(root, 'kzo:Statistic')}"
    [problem] = [p for p in error.problems if "multiple-labels" in p]
    assert problem.startswith(where), (where, problem)
    assert "To fix:" in problem
    assert not _has_current(tmp_path / "var"), "nothing was published"


@pytest.mark.slow
def test_a_subclass_of_an_undeclared_class_is_refused_before_shacl(tmp_path: Path) -> None:
    root = copy_inputs(tmp_path / "repo")
    line = plant(root, "rdfs:subClassOf qb:Observation ;", "rdfs:subClassOf kzo:Observaton ;")
    error = refused(root, tmp_path / "var")
    assert error.stage == "check", error  # not 'validate' (SHACL)
    assert any(p.startswith(f"{ONTOLOGY}:{line}:") and "Observaton" in p for p in error.problems), (
        line,
        error.problems,
    )
    assert not any("claims.yaml" in p for p in error.problems), "at the ontology, not the claims"
    assert not _has_current(tmp_path / "var")


@pytest.mark.slow
def test_warnings_do_not_stop_the_build(tmp_path: Path) -> None:
    """An individual without a definition is a warning of `kzmig check`: the build goes on."""
    root = copy_inputs(tmp_path / "repo")
    text = (root / "ontology/places.ttl").read_text(encoding="utf-8")
    dropped, count = re.subn(
        r' ;\n    skos:definition "A country in Central Asia, south-west of Kazakhstan\."@en',
        "",
        text,
    )
    assert count == 1
    (root / "ontology/places.ttl").write_text(dropped, encoding="utf-8")
    outcome = build(root, tmp_path / "var")
    assert outcome.built and "check" in outcome.report["timings"]


def _has_current(data: Path) -> bool:
    return (data / "current").exists()

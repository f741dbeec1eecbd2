"""A build reuses what an earlier one computed only while every input of it is the same.

graph/build/reuse.py keeps each text's validation report, the reasoning's and the rules'
results in <data-dir>/cache/. These tests count the engines' calls (pyshacl passes,
reasoner runs) to prove what was reused and what recomputed: nothing for unchanged
inputs; one text for one changed text; everything for a changed ontology term or shape.
And whatever is reused, the release is the one a build without the cache makes.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from kzmig.graph.build import pipeline
from kzmig.graph.semantics import parts, reason

SOURCES = ("migration-in-kazakhstan", "return-of-ethnic-kazakhs")


@pytest.fixture
def project(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    for folder in ("ontology", "shapes", "rules", "sources"):
        shutil.copytree(root / folder, copy / folder)
    return copy


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The engines' calls in this process (validation kept in-process to count them)."""
    seen: Counter[str] = Counter()
    monkeypatch.setattr(parts.os, "cpu_count", lambda: 1)
    shacl, closure = parts._pyshacl, reason.closure

    def counted_shacl(*a, **k):  # type: ignore[no-untyped-def]
        seen["pyshacl"] += 1
        return shacl(*a, **k)

    def counted_closure(*a, **k):  # type: ignore[no-untyped-def]
        seen["reasoner"] += 1
        return closure(*a, **k)

    monkeypatch.setattr(parts, "_pyshacl", counted_shacl)
    monkeypatch.setattr(reason, "closure", counted_closure)
    return seen


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _built(project: Path, data: Path, calls: Counter[str]) -> tuple[dict, Counter[str]]:
    calls.clear()
    outcome = pipeline.build(project, data)
    return outcome.report["counts"], Counter(calls)


def _release_graph(folder: Path) -> tuple[set[str], int]:
    """The release's quads less those naming the run (its IRI and times change) or a blank
    node (the shapes' and ontology's, named anew by every parse); and how many there are."""
    [nq] = sorted((folder / "dumps").glob("*.nq"))
    lines = nq.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if "/run/" not in line and "_:" not in line}, len(lines)


@pytest.mark.slow
def test_unchanged_inputs_reuse_everything(project: Path, tmp_path: Path, calls) -> None:
    data = tmp_path / "data"
    first, engines = _built(project, data, calls)
    # one pass per text and the remainder; one reasoner run
    assert engines == Counter({"pyshacl": len(SOURCES) + 1, "reasoner": 1})
    assert first["reused"] == []
    second, engines = _built(project, data, calls)
    assert engines == Counter({"pyshacl": 1, "reasoner": 0}), "only the remainder pass runs again"
    assert second["reused"] == sorted(
        ["reason:reasoning", "rules:rules", *(f"validate:{s}" for s in SOURCES)]
    )
    assert second["computed"] == []


@pytest.mark.slow
def test_a_changed_text_recomputes_only_that_text(project: Path, tmp_path: Path, calls) -> None:
    data = tmp_path / "data"
    _built(project, data, calls)
    changed, kept = SOURCES
    _edit(project / "sources" / changed / "source.yaml", 'title: "', 'title: "Edited: ')
    counts, engines = _built(project, data, calls)
    assert engines == Counter({"pyshacl": 2, "reasoner": 1})  # the changed text, the remainder
    assert f"validate:{changed}" in counts["computed"]
    assert counts["reused"] == [f"validate:{kept}"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "folder,old,new",
    [
        ("ontology", 'skos:definition "', 'skos:definition "Edited. '),
        ("shapes", 'sh:message "', 'sh:message "Edited. '),
    ],
)
def test_a_changed_ontology_term_or_shape_recomputes_everything(
    project: Path, tmp_path: Path, calls, folder: str, old: str, new: str
) -> None:
    data = tmp_path / "data"
    _built(project, data, calls)
    path = next(p for p in sorted((project / folder).glob("*.ttl")) if old in p.read_text())
    _edit(path, old, new)
    counts, engines = _built(project, data, calls)
    assert counts["reused"] == []
    assert engines == Counter({"pyshacl": len(SOURCES) + 1, "reasoner": 1})


@pytest.mark.slow
def test_a_reused_build_publishes_what_a_fresh_one_does(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    pipeline.build(project, data)
    _edit(project / "sources" / SOURCES[0] / "source.yaml", 'title: "', 'title: "Edited: ')
    reused = pipeline.build(project, data)
    assert reused.report["counts"]["reused"], "something was reused"
    fresh = pipeline.build(project, tmp_path / "fresh", reuse_results=False)
    assert _release_graph(reused.release.folder) == _release_graph(fresh.release.folder)
    assert reused.report["validation"] == fresh.report["validation"]


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_the_cache_lives_beside_the_releases_and_prunes_what_it_no_longer_uses(
    project: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    pipeline.build(project, data)
    entries = set((data / "cache").rglob("*.nt"))
    assert len(entries) == len(SOURCES) + 2
    assert not any((data / "releases").rglob("*.nt"))
    _edit(project / "sources" / SOURCES[0] / "source.yaml", 'title: "', 'title: "Edited: ')
    pipeline.build(project, data)
    now = set((data / "cache").rglob("*.nt"))
    assert len(now) == len(SOURCES) + 2 and len(now - entries) == 3  # text, reasoning, rules

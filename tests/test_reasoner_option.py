"""`kzmig build --reasoner owlrl`: the reference reasoner builds the same release."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kzmig.graph.build.pipeline import build
from kzmig.graph.release.layout import Release
from kzmig.names import RESOURCE

INFERRED = """SELECT ?s ?p ?o WHERE {
  GRAPH <https://w3id.org/kzmig/resource/graph/inferred> { ?s ?p ?o } }"""
ENGINE = """PREFIX kzo: <https://w3id.org/kzmig/ontology#>
SELECT ?e WHERE { GRAPH ?g { ?a kzo:reasoner ?e } }"""


def rows(release: Release, query: str) -> set[tuple[str, ...]]:
    return {tuple(v.value for v in row) for row in release.store.query(query)}  # type: ignore


@pytest.mark.slow  # owlrl over the repository's graph: some 5-10 s
def test_owlrl_builds_the_same_inferred_graph(root: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in ("ontology", "shapes", "sources"):
        shutil.copytree(root / folder, project / folder)
    data = tmp_path / "data"
    default = build(project, data).release
    args = ["build", "--root", str(project), "--data-dir", str(data), "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", *args, "--reasoner", "owlrl", "--if-changed"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"], "a new release, not 'unchanged inputs'"
    reference = Release.current(data)
    assert reference.version != default.version
    assert reference.manifest["reasoner"] == "owlrl"
    assert rows(default, ENGINE) == {("reasonable (OWL 2 RL)",)}
    assert rows(reference, ENGINE) == {("owlrl (OWL 2 RL, reference)",)}
    # about our things (the schema's own closure differs between reasoners: scm-* rules)
    inferred, expected = (
        {t for t in rows(r, INFERRED) if t[0].startswith(RESOURCE)} for r in (reference, default)
    )
    assert len(expected) > 100
    assert inferred == expected

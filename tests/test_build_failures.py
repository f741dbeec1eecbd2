"""A failed build says what and where, and leaves the served release as it was."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kzmig.graph.build.pipeline import BuildError, build
from kzmig.graph.release.layout import Release
from kzmig.graph.release.store import ReleaseStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def project(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    for folder in ("ontology", "shapes", "sources"):
        shutil.copytree(root / folder, copy / folder)
    return copy


def count(store: ReleaseStore) -> int:
    [row] = list(store.query(COUNT))  # type: ignore[arg-type]
    return int(row["n"].value)


def kzmig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_broken_sheet_fails_readably_and_keeps_the_release(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = build(project, data).release
    served = ReleaseStore(data)
    before = count(served)

    sheet = project / "sources/migration-in-kazakhstan/claims.yaml"
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if "32 thousand" in line)
    lines[target] = lines[target].replace("32 thousand", "33 thousand")
    sheet.write_text("".join(lines), encoding="utf-8")

    result = kzmig("build", "--root", str(project), "--data-dir", str(data))
    assert result.returncode == 1
    claim_line = max(i for i in range(target + 1) if lines[i].lstrip().startswith("- id:")) + 1
    assert f"claims.yaml:{claim_line}:" in result.stderr
    assert "does not occur in the text" in result.stderr
    assert "32 thousand" in result.stderr  # the closest passage, to fix it by
    assert "current release is unchanged" in result.stderr

    assert Release.current(data).version == first.version
    assert count(served) == before
    assert count(ReleaseStore(data)) == before


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_malformed_turtle_names_file_and_line(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = build(project, data).release
    bad = project / "ontology/zz-broken.ttl"
    bad.write_text(
        "@prefix kzo: <https://w3id.org/kzmig/ontology#> .\n\nkzo:X a kzo:Y kzo:Z .\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as info:
        build(project, data)
    assert info.value.stage == "vocabulary"
    assert "ontology/zz-broken.ttl:3" in str(info.value)
    assert Release.current(data).version == first.version


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_unchanged_inputs_are_not_rebuilt(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = build(project, data)
    again = build(project, data, if_changed=True)
    assert not again.built and again.release.version == first.release.version
    (project / "shapes/zz-extra.ttl").write_text("# a comment changes the inputs\n")
    third = build(project, data, if_changed=True)
    assert third.built and third.release.version != first.release.version


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_half_written_release_is_ignored(project: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = build(project, data).release
    debris = data / "releases" / "99999999T999999Z"
    (debris / "store").mkdir(parents=True)  # no manifest: a build died here
    (data / "current").unlink()
    (data / "current").symlink_to(Path("releases") / debris.name)
    assert Release.current(data).version == first.version

"""The walk-through of docs/editing.md, step by step, on a copy of the repository.

The Turtle, YAML and query are read from docs/editing.md itself, so the walk-through
and this test cannot drift apart: add a subclass (first without its Kazakh
label, which `kzmig check` must report), a shape, a claim; check, format,
build, serve for real; find the claim in query results and the class in the
documentation at /ontology.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from kzmig.graph.build.pipeline import build
from kzmig.graph.editor.check import check
from kzmig.graph.editor.fmt import fmt_command

from tests.support.repocopy import SHEET, copy_inputs
from tests.support.servers import ROOT, kzmig_serve

CLASS = "https://w3id.org/kzmig/ontology#AgriculturalSettlerGroup"


def walkthrough_blocks() -> list[tuple[str, str]]:
    readme = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    start = readme.index("## Walk-through")
    end = readme.find("\n## ", start)
    section = readme[start : end if end > 0 else None]
    blocks = re.findall(r"^( *)```(\w+)\n(.*?)^\1```", section, re.MULTILINE | re.DOTALL)
    return [(lang, textwrap.dedent(body)) for _, lang, body in blocks]


def insert_class(path: Path, block: str) -> None:
    """Into the section of kzo:SettlerGroup (before it), as the README says."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^kzo:SettlerGroup\b", text, re.MULTILINE)
    if m is None:
        text += "\n" + block
    else:
        text = text[: m.start()] + block + "\n" + text[m.start() :]
    path.write_text(text, encoding="utf-8")


def about_new_terms(findings: list[object]) -> list[str]:
    return [str(f) for f in findings if "AgriculturalSettlerGroup" in str(f)]


def errors_without_lines(root: Path) -> set[tuple[str, str, str]]:
    return {(f.path, f.check, f.message) for f in check(root).errors}


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_the_readme_walkthrough(tmp_path: Path) -> None:
    blocks = walkthrough_blocks()
    assert [lang for lang, _ in blocks] == ["turtle", "turtle", "yaml", "sh"], blocks
    (_, cls), (_, shape), (_, claim), (_, shell) = blocks
    root = copy_inputs(tmp_path / "repo")
    before = errors_without_lines(root)

    # 1. the class, first without its Kazakh label and definition: check says what is
    # missing, and where
    ontology = root / "ontology" / "kzmig.ttl"
    original = ontology.read_text(encoding="utf-8")
    without_kk = "\n".join(line for line in cls.splitlines() if "@kk" not in line) + "\n"
    insert_class(ontology, without_kk)
    line = 1 + ontology.read_text(encoding="utf-8").splitlines().index(
        "kzo:AgriculturalSettlerGroup"
    )
    found = about_new_terms(check(root).findings)
    assert found == [
        f"ontology/kzmig.ttl:{line}: error [class-definition-language] "
        "kzo:AgriculturalSettlerGroup: has no skos:definition in @kk",
        f"ontology/kzmig.ttl:{line}: error [class-label-language] kzo:AgriculturalSettlerGroup: "
        "has no rdfs:label in @kk",
    ]
    ontology.write_text(original, encoding="utf-8")
    insert_class(ontology, cls)
    assert about_new_terms(check(root).findings) == []

    # 2. the shape; 3. the claim
    with (root / "shapes" / "structure.ttl").open("a", encoding="utf-8") as f:
        f.write("\n" + shape)
    sheet = root / SHEET
    text = sheet.read_text(encoding="utf-8")
    pad = re.search(r"^( *)- id:", text, re.MULTILINE)
    assert pad is not None
    claim_lines = textwrap.dedent(claim).splitlines()
    sheet.write_text(
        text.rstrip("\n") + "\n\n" + "\n".join(pad.group(1) + x for x in claim_lines) + "\n",
        encoding="utf-8",
    )

    # 4. check: nothing about the new terms, no new error; fmt; check again
    assert about_new_terms(check(root).findings) == []
    assert errors_without_lines(root) <= before
    runner = CliRunner()
    assert runner.invoke(fmt_command, ["--root", str(root)]).exit_code == 0
    assert runner.invoke(fmt_command, ["--root", str(root), "--check"]).exit_code == 0
    assert about_new_terms(check(root).findings) == []
    # the shape, appended at the end of the file, now sits in the section the README names
    shapes = (root / "shapes" / "structure.ttl").read_text(encoding="utf-8")
    before_shape = shapes[: shapes.index("kzs:AgriculturalSettlerGroupShape\n")]
    assert re.findall(r"^# --- (.+) ---$", before_shape, re.MULTILINE)[-1] == "Groups of people"

    # `make run`: build, then serve for real
    data = tmp_path / "data"
    outcome = build(root, data)
    assert outcome.built
    query = re.search(r"query='(.*)'", shell, re.DOTALL)
    assert query is not None
    quote = " ".join(re.search(r"quote: >-\n(.*?)\n *triples:", claim, re.DOTALL).group(1).split())  # type: ignore[union-attr]
    with kzmig_serve(["--data-dir", str(data)]) as base:
        # 5. in query results, with the words that support the claim
        response = requests.post(
            base + "/sparql",
            data={"query": query.group(1)},
            headers={"Accept": "text/csv"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["group"], " ".join(r["quote"].split())) for r in rows] == [
            ("https://w3id.org/kzmig/resource/group/virgin-lands-settlers", quote)
        ]
        inferred = requests.post(
            base + "/sparql",
            data={
                "query": "ASK { <https://w3id.org/kzmig/resource/group/virgin-lands-settlers> a "
                "<https://w3id.org/kzmig/ontology#MigrantGroup> }"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert inferred.json()["boolean"] is True

        # 6. in the docs, and in the ontology served as Turtle
        page = requests.get(base + "/ontology", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        start = page.text.index('id="AgriculturalSettlerGroup"')
        entry = page.text[start : page.text.index("</section>", start)]
        for label in re.findall(r'"([^"]+)"@(?:en|kk|ru)', cls):
            assert label in entry
        assert "kzs:AgriculturalSettlerGroupShape" in entry
        assert 'href="#SettlerGroup"' in entry
        turtle = requests.get(base + "/ontology", headers={"Accept": "text/turtle"}, timeout=30)
        assert turtle.headers["Content-Type"].startswith("text/turtle")
        assert "AgriculturalSettlerGroup" in turtle.text

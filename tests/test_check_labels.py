"""The label problems of issue #21, planted in a copy of the repository, are each caught.

The real ontology passes `kzmig check` without errors and without any label finding; then
the forms the review replaced are put back, one per term, and each must be reported in the
file it was planted in, between the term's statement and the planted line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kzmig.graph.editor.check import Finding, check
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from tests.support import repocopy
from tests.support.servers import ROOT

KZO = Namespace("https://w3id.org/kzmig/ontology#")
LABEL_CHECKS = {
    "property-label-language",
    "class-definition-language",
    "label-latin-letters",
    "label-kk-same-as-ru",
    "label-capitalisation",
    "label-avoided-form",
}

# (file, text now, the text planted instead, the check that must report it)
PLANTED = [
    (
        "vocabularies",
        '"Значительный"@ru',
        '"Значительный (considerable)"@ru',
        "label-latin-letters",
    ),
    ("places", '"Казахстан"@ru ;', '"Кaзахстан"@ru ;', "label-latin-letters"),  # a Latin a
    ("programs", '        "Еңбек"@ru ;', '        "Енбек"@ru ;', "label-avoided-form"),
    (
        "places",
        '"Городская местность Казахстана"@ru',
        '"Городские районы Казахстана"@ru',
        "label-avoided-form",
    ),
    ("places", '        "Кыргызстан"@ru ;', '        "Киргизия"@ru ;', "label-avoided-form"),
    ("periods", '"1990-жылдар"@kk', '"1990 жылдар"@kk', "label-avoided-form"),
    (
        "provenance",
        '"Қолмен тексерілген тұжырымдар кестесі"@kk',
        '"Қолмен тексерілген мәлімдемелер кестесі"@kk',
        "label-avoided-form",
    ),
    ("vocabularies", '"Реализуемый"@ru', '"Реализуется"@ru', "label-avoided-form"),
    ("kzmig", '"Программный документ"@ru', '"Документ политики"@ru', "label-avoided-form"),
    (
        "places",
        '"Қазақстанның қалалық аймақтары"@kk',
        '"Городские районы Казахстана"@kk',  # the same as the ru planted above
        "label-kk-same-as-ru",
    ),
    ("kzmig", '"Migration flow"@en', '"Migration Flow"@en', "label-capitalisation"),
    ("provenance", '"Figure support"@en', '"figure support"@en', "label-capitalisation"),
    ("kzmig", '        "көші-қон түрі"@kk ,\n', "", "property-label-language"),
    ("kzmig", '"Ұйым"@kk', '"Организация"@kk', "label-kk-same-as-ru"),
]


def _only(text: str, old: str) -> None:
    assert text.count(old) == 1, f"expected exactly one {old!r}"


@pytest.mark.slow
def test_the_repository_passes_with_no_label_finding() -> None:
    report = check(ROOT)
    assert report.errors == [], [str(f) for f in report.errors]
    assert [str(f) for f in report.findings if f.check in LABEL_CHECKS] == []


@pytest.mark.slow
def test_each_planted_label_problem_is_caught(tmp_path: Path) -> None:
    root = repocopy.copy_inputs(tmp_path / "repo")
    where: list[tuple[str, int, int, str]] = []  # file, statement line, planted line, check
    for name, old, new, check_name in PLANTED:
        path = root / "ontology" / f"{name}.ttl"
        text = path.read_text(encoding="utf-8")
        _only(text, old)
        at = text.index(old)
        text = text[:at] + new + text[at + len(old) :]
        path.write_text(text, encoding="utf-8")
        lines = text[: at + 1].splitlines()
        planted = len(lines)
        statement = max(n for n, line in enumerate(lines, start=1) if line and line[0] not in " #@")
        where.append((f"ontology/{name}.ttl", statement, planted, check_name))
    findings = check(root).findings

    def caught(file: str, first: int, last: int, check_name: str) -> list[Finding]:
        return [
            f
            for f in findings
            if f.check == check_name and f.path == file and first <= f.line <= last
        ]

    missed = [w for w in where if not caught(*w)]
    assert missed == [], [str(f) for f in findings if f.check in LABEL_CHECKS]


# Kinds of things whose names are official forms: each says where its form comes from.
OFFICIAL = ("Agency", "Organization", "Program", "PolicyDocument", "Country", "Region", "City")


def _blocks(text: str) -> dict[str, str]:
    """Each statement of a Turtle file by its subject as written (``place:kazakhstan``)."""
    out: dict[str, str] = {}
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        if lines and not lines[0].startswith(("@", " ")):
            out[lines[0].strip()] = block
    return out


def test_every_official_name_says_where_its_form_comes_from() -> None:
    """A `# Names:` comment in the statement names the source, or says UNVERIFIED or descriptive."""
    graph = Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        graph.parse(path, format="turtle")
    graph.bind("kzo", KZO)
    kinds = {KZO[k] for k in OFFICIAL}
    official = set()
    for kind in kinds:
        for cls in graph.transitive_subjects(RDFS.subClassOf, kind):
            official |= set(graph.subjects(RDF.type, cls))
    assert len(official) > 40  # the query found the agencies, programs, documents and places
    missing = []
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        prefixes = dict(re.findall(r"^@prefix (\w*): <([^>]+)> \.$", text, re.MULTILINE))
        for subject, block in _blocks(text).items():
            prefix, _, local = subject.partition(":")
            if prefix in prefixes and URIRef(prefixes[prefix] + local) in official:
                official.discard(URIRef(prefixes[prefix] + local))
                if "    # Names:" not in block:
                    missing.append(f"{path.name}: {subject}")
    assert missing == []
    assert official == set()  # every one was found in a file

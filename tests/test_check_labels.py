"""The label problems of issue #21, planted in a copy of the repository, are each caught.

The real ontology passes `kzmig check` without errors and without any label finding; then
the forms the review replaced are put back, one per term, and each must be reported in the
file it was planted in, between the term's statement and the planted line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kzmig.graph.check import Finding, check

from tests.support import repocopy
from tests.support.servers import ROOT

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

"""`kzmig check`: a clean tiny project passes; each planted problem is reported where it is.

Long because: one planted problem per check, each a few lines over one shared tiny
project; splitting by check would repeat the project fixture in every file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from kzmig.graph.editor.check import BUILT_IN, CHECKS, Check, check, check_command, load_checks

from tests.support import miniproject


@dataclass(frozen=True)
class Case:
    name: str
    check: str
    level: str
    file: str  # where the finding must point
    needle: str  # text on the line it must point at
    edit: Callable[[Path], None]


def replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append(relative: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with (root / relative).open("a", encoding="utf-8") as f:
            f.write(text)

    return edit


ONT, SHP, CLM = "ontology/core.ttl", "shapes/structure.ttl", "sources/demo/claims.yaml"
NEW_CLASS = """
kzo:Region
    a owl:Class ;
    rdfs:subClassOf kzo:Place ;
    rdfs:label "Region"@en , "Өңір"@kk , "Регион"@ru ;
    skos:definition "A part of a country."@en .
"""

CASES = [
    Case(
        "no English label",
        "missing-label",
        "error",
        ONT,
        "kzo:Region",
        append(ONT, NEW_CLASS.replace('"Region"@en , ', "")),
    ),
    Case(
        "no definition",
        "missing-definition",
        "error",
        ONT,
        "kzo:bornIn",
        replace(
            ONT, '    skos:definition "Where a person was born."@en .', '    rdfs:comment "x" .'
        ),
    ),
    Case(
        "individual without definition",
        "individual-definition",
        "warning",
        ONT,
        "resource/place/kazakhstan",
        replace(ONT, ' ;\n    skos:definition "The Republic of Kazakhstan."@en .', " ."),
    ),
    Case(
        "duplicate label",
        "duplicate-label",
        "error",
        ONT,
        "kzo:Region",
        append(ONT, NEW_CLASS.replace('"Region"@en', '"Country"@en')),
    ),
    Case(
        "two English labels",
        "multiple-labels",
        "error",
        ONT,
        "kzo:Place",
        replace(ONT, '"Place"@en ,', '"Place"@en , "Location"@en ,'),
    ),
    Case(
        "class without kk label",
        "class-label-language",
        "error",
        ONT,
        "kzo:Person",
        replace(ONT, '"Тұлға"@kk , ', ""),
    ),
    Case(
        "individual without ru label",
        "individual-label-language",
        "warning",
        ONT,
        "resource/place/kazakhstan",
        replace(ONT, ' , "Казахстан"@ru', ""),
    ),
    Case(
        "property without kk label",
        "property-label-language",
        "error",
        ONT,
        "kzo:bornIn",
        replace(ONT, '"туған жері"@kk , ', ""),
    ),
    Case(
        "class without ru definition",
        "class-definition-language",
        "error",
        ONT,
        "kzo:Person",
        replace(ONT, '"Адам."@kk , "Человек."@ru ,', '"Адам."@kk ,'),
    ),
    Case(
        "English word inside a Russian label",
        "label-latin-letters",
        "error",
        ONT,
        '    rdfs:label "Country"@en',
        replace(ONT, '"Страна"@ru', '"Страна (country)"@ru'),
    ),
    Case(
        "Latin look-alike letter in a Kazakh label",
        "label-latin-letters",
        "error",
        ONT,
        '    rdfs:label "Kazakhstan"@en',
        replace(ONT, '"Қазақстан"@kk', '"Kазақстан"@kk'),  # a Latin K
    ),
    Case(
        "Kazakh label copied from the Russian one",
        "label-kk-same-as-ru",
        "warning",
        ONT,
        '    rdfs:label "Country"@en',
        replace(ONT, '"Ел"@kk', '"Страна"@kk'),
    ),
    Case(
        "class label in small letters",
        "label-capitalisation",
        "warning",
        ONT,
        '    rdfs:label "Person"@en',
        replace(ONT, '"Тұлға"@kk', '"тұлға"@kk'),
    ),
    Case(
        "property label with a capital",
        "label-capitalisation",
        "warning",
        ONT,
        '    rdfs:label "born in"@en',
        replace(ONT, '"место рождения"@ru', '"Место рождения"@ru'),
    ),
    Case(
        "class label in Title Case",
        "label-capitalisation",
        "warning",
        ONT,
        '    rdfs:label "Country"@en',
        replace(ONT, '"Страна"@ru', '"Суверенная Страна"@ru'),
    ),
    Case(
        "a label form the review replaced",
        "label-avoided-form",
        "error",
        ONT,
        '    rdfs:label "Place"@en',
        replace(ONT, '"Мекен"@kk', '"Орын"@kk'),
    ),
    Case(
        "the other Kazakh word for claim in a definition",
        "label-avoided-form",
        "error",
        ONT,
        '    skos:definition "Мәлімдемеде',
        replace(ONT, '"Адам."@kk', '"Мәлімдемеде аталған адам."@kk'),
    ),
    Case(
        "checks' data file that does not parse",
        "check-data",
        "error",
        "checks/broken.ttl",
        "check:labels",
        lambda root: write_file(
            root / "checks" / "broken.ttl",
            '@prefix check: <urn:kzmig:check:> .\ncheck:labels check:latinAllowed "X" ;; ,, .\n',
        ),
    ),
    Case(
        "typo in a shape",
        "undeclared-term",
        "error",
        SHP,
        "kzo:Plase",
        replace(SHP, "sh:class kzo:Place", "sh:class kzo:Plase"),
    ),
    Case(
        "typo in a claim",
        "undeclared-term",
        "error",
        CLM,
        "triples:",
        replace(CLM, "kzo:bornIn place:kazakhstan", "kzo:bornAt place:kazakhstan"),
    ),
    Case(
        "a shape names a resource nobody describes",
        "undeclared-resource",
        "error",
        SHP,
        "kazakstan",
        replace(
            SHP,
            "sh:class kzo:Place ;",
            "sh:class kzo:Place ;\n"
            "        sh:in ( <https://w3id.org/kzmig/resource/place/kazakstan> ) ;",
        ),
    ),
    Case(
        "deprecated term still used",
        "deprecated-in-use",
        "error",
        SHP,
        "kzs:PersonShape",
        replace(
            ONT,
            '    rdfs:label "born in"@en ;',
            "    owl:deprecated true ;\n    dcterms:isReplacedBy kzo:Place ;\n"
            '    rdfs:label "born in"@en ;',
        ),
    ),
    Case(
        "deprecated without replacement",
        "deprecated-without-replacement",
        "warning",
        ONT,
        "kzo:Country",
        replace(
            ONT,
            '    rdfs:label "Country"@en',
            '    owl:deprecated true ;\n    rdfs:label "Country"@en',
        ),
    ),
    Case(
        "class without shape",
        "class-without-shape",
        "error",
        ONT,
        "kzo:Animal",
        append(
            ONT,
            '\nkzo:Animal a owl:Class ; rdfs:label "Animal"@en , "Жануар"@kk , "Животное"@ru ;\n'
            '    skos:definition "A living being."@en .\n',
        ),
    ),
    Case(
        "property shape without message",
        "shape-message",
        "error",
        SHP,
        "kzs:PlaceShape",
        replace(SHP, ' ;\n        sh:message "A place needs a label."@en', ""),
    ),
    Case(
        "property without range",
        "missing-domain-range",
        "warning",
        ONT,
        "kzo:bornIn",
        replace(ONT, "    rdfs:range kzo:Place ;\n", ""),
    ),
    Case(
        "ontology header without version",
        "ontology-header",
        "error",
        ONT,
        "<https://w3id.org/kzmig/ontology>",
        replace(ONT, '    owl:versionInfo "0.0.1" ;\n', ""),
    ),
    Case(
        "class under two disjoint classes",
        "unsatisfiable-class",
        "error",
        ONT,
        "kzo:Region",
        append(
            ONT,
            NEW_CLASS.replace(
                "rdfs:subClassOf kzo:Place", "rdfs:subClassOf kzo:Place , kzo:Person"
            ),
        ),
    ),
    Case(
        "someValuesFrom as a superclass",
        "rl-superclass",
        "error",
        ONT,
        "    rdfs:subClassOf [ a owl:Restriction",
        replace(
            ONT,
            "    owl:disjointWith kzo:Place ;",
            "    owl:disjointWith kzo:Place ;\n    rdfs:subClassOf [ a owl:Restriction ; "
            "owl:onProperty kzo:bornIn ; owl:someValuesFrom kzo:Place ] ;",
        ),
    ),
    Case(
        "owl:Thing as a domain",
        "rl-superclass",
        "error",
        ONT,
        "    rdfs:domain owl:Thing",
        replace(ONT, "    rdfs:domain kzo:Person ;", "    rdfs:domain owl:Thing ;"),
    ),
    Case(
        "owl:Thing as a subclass",
        "rl-subclass",
        "error",
        ONT,
        "kzo:Place",
        append(ONT, "\nowl:Thing rdfs:subClassOf kzo:Place .\n"),
    ),
    Case(
        "no ontology header at all",
        "ontology-header",
        "error",
        "",
        "",
        replace(ONT, "    a owl:Ontology ;", "    a owl:Thing ;"),
    ),
    Case(
        "allValuesFrom as a subclass",
        "rl-subclass",
        "error",
        ONT,
        "kzo:Country",
        append(
            ONT,
            "\n[ a owl:Restriction ; owl:onProperty kzo:bornIn ; owl:allValuesFrom kzo:Place ]\n"
            "    rdfs:subClassOf kzo:Country .\n",
        ),
    ),
    Case(
        "unionOf in an equivalence",
        "rl-equivalent",
        "error",
        ONT,
        "    owl:equivalentClass",
        replace(
            ONT,
            "    rdfs:subClassOf kzo:Place ;",
            "    rdfs:subClassOf kzo:Place ;\n"
            "    owl:equivalentClass [ owl:unionOf ( kzo:Place kzo:Person ) ] ;",
        ),
    ),
    Case(
        "a reflexive property",
        "rl-axiom",
        "error",
        ONT,
        "    a owl:ObjectProperty , owl:ReflexiveProperty",
        replace(
            ONT, "    a owl:ObjectProperty ;", "    a owl:ObjectProperty , owl:ReflexiveProperty ;"
        ),
    ),
    Case(
        "xsd:gYear range",
        "rl-datatype",
        "error",
        ONT,
        "    rdfs:range xsd:gYear",
        append(
            ONT,
            "\nkzo:bornYear a owl:DatatypeProperty ; rdfs:domain kzo:Person ;\n"
            "    rdfs:range xsd:gYear ;\n"
            '    rdfs:label "born year"@en ; skos:definition "The year of birth."@en .\n',
        ),
    ),
    Case(
        "misspelt SKOS term",
        "unknown-external-term",
        "warning",
        ONT,
        "skos:defnition",
        replace(
            ONT,
            'skos:definition "Жер бетіндегі мекен."@kk',
            'skos:defnition "Жер бетіндегі мекен."@kk',
        ),
    ),
    Case(
        "label with a trailing space",
        "label-whitespace",
        "warning",
        ONT,
        '    rdfs:label "Place "@en',
        replace(ONT, '"Place"@en', '"Place "@en'),
    ),
    Case(
        "undefined prefix",
        "undefined-prefix",
        "error",
        ONT,
        "geo:Thing",
        replace(
            ONT, "    rdfs:subClassOf kzo:Place ;", "    rdfs:subClassOf kzo:Place , geo:Thing ;"
        ),
    ),
    Case(
        "syntax error",
        "syntax",
        "error",
        ONT,
        "kzo:Place",  # the parser notices the missing "." where the next statement starts
        replace(ONT, '"A human being."@en .', '"A human being."@en'),
    ),
    Case(
        "well-known prefix bound elsewhere",
        "prefix-iri",
        "warning",
        ONT,
        "@prefix skos:",
        replace(ONT, "<http://www.w3.org/2004/02/skos/core#>", "<http://www.w3.org/2008/05/skos#>"),
    ),
    Case(
        "claim triples that do not parse",
        "claim-sheet",
        "error",
        CLM,
        "- id: someone-born-in-kazakhstan",
        replace(CLM, "kzo:bornIn place:kazakhstan .", "kzo:bornIn place:kazakhstan"),
    ),
    Case(
        "a claim puts someone in two disjoint classes",
        "inconsistent",
        "error",
        CLM,
        "triples:",
        replace(
            CLM, "person:someone a kzo:Person ;", "person:someone a kzo:Person , kzo:Country ;"
        ),
    ),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return miniproject.write(tmp_path / "project")


def test_the_clean_project_has_no_findings(project: Path) -> None:
    report = check(project)
    assert report.findings == []
    assert set(report.checks) >= set(BUILT_IN)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_planted_problem_is_found_where_it_is(project: Path, case: Case) -> None:
    case.edit(project)
    extra = [project / "checks"] if (project / "checks").is_dir() else []  # the checks' data
    report = check(project, extra=extra)
    expected_line = miniproject.line_of(project / case.file, case.needle) if case.file else 0
    hits = [f for f in report.findings if f.check == case.check]
    assert hits, f"{case.check} not reported; got {[str(f) for f in report.findings]}"
    assert all(f.level == case.level for f in hits)
    assert (case.file, expected_line) in {(f.path, f.line) for f in hits}, [str(f) for f in hits]


def test_every_check_has_a_case_that_trips_it() -> None:
    names = {c.name for c in load_checks([CHECKS])} | set(BUILT_IN)
    assert names == {c.check for c in CASES}


def test_every_check_file_says_what_it_checks_and_its_level() -> None:
    for path in sorted(CHECKS.glob("*.rq")):
        assert path.name.endswith("-violation.rq"), path
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 15, path
        c = Check.load(path)
        assert c.level in ("error", "warning")


def test_an_editor_adds_a_check_by_adding_a_file(project: Path, tmp_path: Path) -> None:
    extra = tmp_path / "checks"
    extra.mkdir()
    (extra / "no-person-class-violation.rq").write_text(
        "# There must be no class called Person (a test check).\n# level: warning\n"
        "SELECT ?entity WHERE { GRAPH <urn:kzmig:ontology> { ?entity a owl:Class } "
        "FILTER(?entity = kzo:Person) }\n",
        encoding="utf-8",
    )
    report = check(project, extra=[extra])
    assert [(f.check, f.level, f.path) for f in report.findings] == [
        ("no-person-class", "warning", "ontology/core.ttl")
    ]
    (extra / "broken-violation.rq").write_text("# No level line.\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="level"):
        check(project, extra=[extra])


def test_the_command_prints_file_line_and_fails_on_errors_only(project: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(check_command, ["--root", str(project)])
    assert ok.exit_code == 0, ok.output
    replace(ONT, '"Казахстан"@ru', '"Казахстан"@ru , "Kazakhstan "@en')(
        project
    )  # a warning + error
    bad = runner.invoke(check_command, ["--root", str(project)])
    assert bad.exit_code == 1
    line = miniproject.line_of(project / ONT, "resource/place/kazakhstan")
    assert f"ontology/core.ttl:{line}: error [multiple-labels]" in bad.output
    label_line = miniproject.line_of(project / ONT, '"Kazakhstan "@en')
    assert f"ontology/core.ttl:{label_line}: warning [label-whitespace]" in bad.output
    as_json = json.loads(runner.invoke(check_command, ["--root", str(project), "--json"]).stdout)
    assert (as_json["errors"], as_json["warnings"]) == (1, 1)
    assert {(f["check"], f["line"]) for f in as_json["findings"]} == {
        ("multiple-labels", line),
        ("label-whitespace", label_line),
    }
    quiet = runner.invoke(check_command, ["--root", str(project), "-q"])
    assert "warning [" not in quiet.output and "error [" in quiet.output
    warn_only = miniproject.write(project.parent / "warn")
    replace(ONT, '"Place"@en', '"Place "@en')(warn_only)
    assert runner.invoke(check_command, ["--root", str(warn_only)]).exit_code == 0


def test_allow_listed_names_pass_the_label_checks(project: Path) -> None:
    """Brand names in Latin letters and words the same in kk and ru pass; anything more does not."""
    replace(ONT, '"Страна"@ru', '"Биржа Enbek.kz"@ru')(project)
    replace(ONT, '"Қазақстан"@kk , "Казахстан"@ru', '"Алматы"@kk , "Алматы"@ru')(project)
    names = {f.check for f in check(project).findings}
    assert not names & {"label-latin-letters", "label-kk-same-as-ru"}, names
    replace(ONT, '"Биржа Enbek.kz"@ru', '"Биржа Enbek.kz exchange"@ru')(project)
    latin = [f for f in check(project).findings if f.check == "label-latin-letters"]
    assert len(latin) == 1 and "exchange" in latin[0].message

"""`kzmig check` parses each file once (#18), and finds what it found before.

The checks' store was filled from rdflib's parse of every Turtle file, and turtle.py
parsed every file again for lines; the build then had the check read every file a third
and a fourth time. Now pyoxigraph parses each file once, turtle.py only when a finding
needs a line, and the build hands the check its own graphs and claims.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from kzmig.graph.build import pipeline
from kzmig.graph.editor import check as c
from kzmig.graph.editor import inputs as read
from kzmig.graph.editor import turtle
from kzmig.graph.semantics.quads import to_ox
from kzmig.loaders.sheets import parse_triples
from rdflib import Graph

from tests.support import miniproject
from tests.test_check import CASES, ONT, Case, replace

REPO = Path(__file__).resolve().parents[1]
# the cases whose files the build reads without failing before its check stage
BUILDABLE = [
    case for case in CASES if case.check not in ("syntax", "undefined-prefix", "claim-sheet")
]


class _Claim:
    """What Inputs.of_build reads of a kzmig.loaders.sheets.Claim: its triples."""

    def __init__(self, triples: tuple[object, ...]):
        self.triples = triples


def _builds_reading(root: Path) -> tuple[Graph, Graph, dict[str, list[_Claim]]]:
    """What `kzmig build` has read when its check stage runs: vocabulary and claims."""
    ontology, shapes = pipeline.read_vocabulary(root)
    claims: dict[str, list[_Claim]] = {}
    for sheet in sorted((root / "sources").glob("*/claims.yaml")):
        node = read._compose(sheet.read_text(encoding="utf-8"))
        for entry in node.value[0][1].value:  # type: ignore[union-attr]
            fields = {k.value: v for k, v in entry.value}
            triples = parse_triples(fields["triples"].value)
            claims.setdefault(sheet.parent.name, []).append(_Claim(triples))
    return ontology, shapes, claims


def _build_inputs(root: Path) -> read.Inputs:
    """The inputs as `kzmig build` hands them to its check stage."""
    ontology, shapes, claims = _builds_reading(root)
    return read.Inputs.of_build(root, ontology, shapes, [c for cs in claims.values() for c in cs])


def _rdflib_store(root: Path) -> set[str]:
    """The checks' store as it was filled before: rdflib's parse of each file, converted."""
    quads = set()
    for folder, graph in (("ontology", read.G_ONTOLOGY), ("shapes", read.G_SHAPES)):
        for path in sorted((root / folder).rglob("*.ttl")):
            g = Graph()
            g.parse(data=path.read_text(encoding="utf-8"), format="turtle", publicID=path.as_uri())
            for s, p, o in g:
                quads.add(str(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(graph))))
    return quads


def _blank(quad: ox.Quad) -> str:
    return str(quad) if not any(isinstance(t, ox.BlankNode) for t in quad) else ""


def test_pyoxigraph_fills_the_store_as_rdflib_did_on_the_repository() -> None:
    ours = {
        _blank(q) for q in read.read_inputs(REPO).quads() if q.graph_name.value != read.G_CLAIMS
    }
    before = {q for q in _rdflib_store(REPO) if "_:" not in q}
    assert ours - {""} == before
    assert len(before) > 5000


@pytest.mark.parametrize("case", BUILDABLE, ids=[case.name for case in BUILDABLE])
def test_the_builds_reading_finds_what_reading_the_files_finds(tmp_path: Path, case: Case) -> None:
    root = miniproject.write(tmp_path / "project")
    case.edit(root)
    extra = [root / "checks"] if (root / "checks").is_dir() else []
    files = c.check(root, extra=extra, levels=("error",), consistency=False)
    built = c.check(
        root, extra=extra, levels=("error",), consistency=False, inputs=_build_inputs(root)
    )
    assert built.errors == files.errors  # the build reports errors (prefix-iri warns)
    assert built.files == files.files


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts the Turtle parses of each kind: pyoxigraph's, rdflib's, turtle.py's."""
    counts: Counter[str] = Counter()
    real_ox, real_rdflib, real_turtle = ox.parse, Graph.parse, turtle.parse

    def ox_parse(*args: object, **kwargs: object) -> object:
        counts["pyoxigraph"] += 1
        return real_ox(*args, **kwargs)  # type: ignore[arg-type]

    def rdflib_parse(self: Graph, *args: object, **kwargs: object) -> object:
        counts["rdflib"] += 1
        return real_rdflib(self, *args, **kwargs)  # type: ignore[arg-type]

    def turtle_parse(*args: object, **kwargs: object) -> object:
        counts["turtle.py"] += 1
        return real_turtle(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(read.ox, "parse", ox_parse)
    monkeypatch.setattr(Graph, "parse", rdflib_parse)
    monkeypatch.setattr(turtle, "parse", turtle_parse)
    yield counts


def test_check_parses_each_file_once_and_lines_only_when_asked(
    tmp_path: Path, parses: Counter[str]
) -> None:
    root = miniproject.write(tmp_path / "project")
    report = c.check(root)
    assert report.findings == []
    # one pyoxigraph parse per Turtle file (2), per claim (the sheets' parser), per data
    # file of the checks (allow-lists); no other parse
    data = len(list(c.CHECKS.glob("*.ttl")))
    assert parses == Counter({"pyoxigraph": 2 + report.files["claims"] + data})


def test_a_finding_reads_the_lines_of_the_files_it_needs(
    tmp_path: Path, parses: Counter[str]
) -> None:
    root = miniproject.write(tmp_path / "project")
    replace(ONT, '"Страна"@ru', '"Страна (country)"@ru')(root)
    report = c.check(root)
    assert [f.check for f in report.findings] == ["label-latin-letters"]
    assert report.findings[0].line > 0
    assert parses["turtle.py"] == 1  # the ontology file, to place the finding
    assert parses["rdflib"] == 0


SKOS = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
WRONG = "@prefix skos: <http://example.org/skos#> .\n"


@pytest.mark.parametrize(
    "written",
    [WRONG, WRONG + SKOS, WRONG.replace(" <", " # the IRI below\n    <")],
    ids=["bound once", "bound again after", "a comment inside the directive"],
)
def test_a_prefix_bound_elsewhere_is_found_at_its_line(tmp_path: Path, written: str) -> None:
    """Also when a later directive binds it right (pyoxigraph keeps only the last binding),
    or when the directive is written in a form the quick look at the text does not read."""
    root = miniproject.write(tmp_path / "project")
    replace(ONT, SKOS, written)(root)
    findings = [f for f in c.check(root).findings if f.check == "prefix-iri"]
    line = miniproject.line_of(root / ONT, "@prefix skos:")
    assert [(f.path, f.line, f.level) for f in findings] == [(ONT, line, "warning")]


def test_the_builds_check_stage_parses_no_file(tmp_path: Path, parses: Counter[str]) -> None:
    root = miniproject.write(tmp_path / "project")
    ontology, shapes, claims = _builds_reading(root)
    parses.clear()
    pipeline.check_inputs(root, ontology, shapes, claims)  # type: ignore[arg-type]
    # nothing of the project: only the checks' own data files (allow-lists)
    assert parses == Counter({"pyoxigraph": len(list(c.CHECKS.glob("*.ttl")))})

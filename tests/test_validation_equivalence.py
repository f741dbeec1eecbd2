"""Our validation gives plain pyshacl's results, to the result, on the repository's shapes.

kzmig.graph.semantics.validate feeds pyshacl only the triples the shapes can read, and
on a big graph splits the shapes over forked processes. Both must give exactly what
plain pyshacl gives on the whole data graph (``validate_reference``). The data is the
repository's own, and a copy broken on purpose in several ways so that there are many
results to compare.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kzmig.graph.build import provenance as prov
from kzmig.graph.build.pipeline import assemble, inputs_of, read_claims, read_texts, read_vocabulary
from kzmig.graph.semantics import validate as v
from kzmig.names import GRAPH_INFERRED, GRAPH_SHAPES, RESOURCE
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def repo() -> tuple[list[tuple], Graph]:
    if not any((ROOT / "shapes").glob("*.ttl")):
        pytest.skip("no shapes in shapes/ yet")
    ontology, shapes = read_vocabulary(ROOT)
    texts = read_texts(ROOT)
    claims = read_claims(texts, ROOT)
    run = prov.Run("test", "0", datetime(2026, 1, 1, tzinfo=UTC))
    q = assemble(texts, claims, ontology, shapes, run, inputs_of(ROOT))
    data = [(s, p, o) for s, p, o, g in q if g not in (GRAPH_SHAPES, GRAPH_INFERRED)]
    return data, shapes


def broken(data: list[tuple]) -> list[tuple]:
    """The data with types dropped, numbers made negative, values doubled: many violations."""
    out = []
    for n, (s, p, o) in enumerate(data):
        if p == RDF.type and str(s).startswith(RESOURCE) and n % 5 == 0:
            continue  # a missing type: sh:class and targetClass results change
        if isinstance(o, Literal) and o.datatype == XSD.nonNegativeInteger and n % 3 == 0:
            o = Literal(f"-{o}", datatype=XSD.integer)
        out.append((s, p, o))
        if isinstance(o, Literal) and n % 11 == 0:
            if o.datatype is None:
                out.append((s, p, Literal(f"{o} (again)", lang=o.language)))
            elif str(o).isdigit():
                out.append((s, p, Literal(str(int(o) + 1), datatype=o.datatype)))
    return out


def outcome(result: v.Validation) -> Counter[tuple[str, ...]]:
    """Results as a multiset; a blank-node shape has a fresh id in every parse, so it is
    named by what it says (message and path) rather than by its id."""
    return Counter(
        (r.severity, r.focus, r.path, r.message, r.shape if r.shape.startswith("http") else "_")
        for r in result.results
    )


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_the_repository_data_validates_the_same(repo: tuple[list[tuple], Graph]) -> None:
    data, shapes = repo
    ours, reference = v.validate(data, shapes, workers=1), v.validate_reference(data, shapes)
    assert ours.conforms == reference.conforms
    assert outcome(ours) == outcome(reference)


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_broken_data_gives_the_same_results(repo: tuple[list[tuple], Graph]) -> None:
    data, shapes = repo
    bad = broken(data)
    reference = v.validate_reference(bad, shapes)
    assert len(reference.results) > 50, "the breakage should produce many results"
    assert not reference.conforms
    ours = v.validate(bad, shapes, workers=1)
    assert ours.conforms == reference.conforms
    assert outcome(ours) == outcome(reference)
    components = {str(o) for o in ours.report.objects(None, v.SH.sourceConstraintComponent)}
    assert len(components) >= 5, components


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_the_parallel_split_gives_the_same_results(
    repo: tuple[list[tuple], Graph], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, shapes = repo
    bad = broken(data)
    monkeypatch.setattr(v, "PARALLEL_FROM", 0)
    assert v._shape_parts(shapes, 2), "the repository's shapes can be split"
    ours = v.validate(bad, shapes, workers=2)
    reference = v.validate_reference(bad, shapes)
    assert outcome(ours) == outcome(reference)
    # one report node, conforming only if every part conformed
    heads = list(ours.report.subjects(RDF.type, URIRef(str(v.SH) + "ValidationReport")))
    assert len(heads) == 1
    assert ours.report.value(heads[0], v.SH.conforms) == Literal(False)


def test_only_predicates_the_shapes_name_are_dropped(repo: tuple[list[tuple], Graph]) -> None:
    data, shapes = repo
    keep = v.readable_predicates(shapes)
    assert keep is not None and RDF.type in keep
    dropped = {p for _, p, _ in data} - keep
    shape_iris = {t for triple in shapes for t in triple}
    assert not dropped & shape_iris


def test_shapes_that_can_read_anything_get_all_the_data() -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ;
             sh:property [ sh:path ex:p ] .""",
        format="turtle",
    )
    assert v.readable_predicates(shapes) is None
    x, c, p, q = (URIRef(f"urn:ex:{n}") for n in ("x", "C", "p", "q"))
    data = [(x, RDF.type, c), (x, p, Literal(1)), (x, q, Literal(2))]
    ours = v.validate(data, shapes, workers=1)
    assert not ours.conforms, "ex:q is not allowed by the closed shape: it must be seen"
    assert outcome(ours) == outcome(v.validate_reference(data, shapes))


# -- split by source text (graph/semantics/parts.py) -------------------------------------------


def by_source(root: Path) -> tuple[dict[str, list[tuple]], list[tuple], list[tuple], Graph, list]:
    """The build's triples of ``root`` as validation splits them: per text, common, ontology."""
    from kzmig.graph.build.pipeline import BySource
    from kzmig.names import GRAPH_ONTOLOGY

    ontology, shapes = read_vocabulary(root)
    texts = read_texts(root)
    claims = read_claims(texts, root)
    run = prov.Run("test", "0", datetime(2026, 1, 1, tzinfo=UTC))
    split = BySource()
    q = assemble(texts, claims, ontology, shapes, run, inputs_of(root), split)
    parts = {sid: [(s, p, o) for s, p, o, _ in part] for sid, part in split.parts.items()}
    whole = [(s, p, o) for s, p, o, g in q if g not in (GRAPH_SHAPES, GRAPH_INFERRED)]
    return parts, split.common(q), q.graph(GRAPH_ONTOLOGY), shapes, whole


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three copies of each repository text: things shared between texts (bench/scale.py)."""
    from bench.scale import grow

    if not any((ROOT / "shapes").glob("*.ttl")):
        pytest.skip("no shapes in shapes/ yet")
    return grow(ROOT, tmp_path_factory.mktemp("grown") / "project", 3)


def _broken_parts(parts: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {sid: broken(triples) for sid, triples in parts.items()}


@pytest.mark.slow
@pytest.mark.parametrize("breakage", ["as is", "broken"])
@pytest.mark.parametrize("where", ["repository", "grown"])
def test_validation_by_source_gives_the_whole_graphs_results(
    where: str, breakage: str, grown: Path
) -> None:
    from kzmig.graph.semantics import parts as split

    parts, common, ontology, shapes, _ = by_source(ROOT if where == "repository" else grown)
    assert split.splittable(shapes)
    if breakage == "broken":
        parts = _broken_parts(parts)
    whole = [t for ts in parts.values() for t in ts] + common + ontology
    reference = v.validate_reference(whole, shapes)
    ours = split.validate_parts(parts, common, ontology, shapes, workers=1)
    assert outcome(ours.validation) == outcome(reference)
    assert ours.validation.conforms == reference.conforms
    if breakage == "broken":
        assert len(reference.results) > 50
    cut = split.split(parts, common, ontology)
    assert all(cut.clean.values()), "every text validates most of its own nodes alone"
    if where == "grown":
        assert cut.others, "things shared between texts go to the remainder pass"


def test_a_node_described_by_two_texts_is_validated_on_the_whole() -> None:
    """A shape that needs a value from each of two texts: neither text alone conforms."""
    from kzmig.graph.semantics import parts as split

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ] , [ sh:path ex:q ; sh:minCount 1 ] ;
             sh:property [ sh:path ex:link ; sh:class ex:D ] .""",
        format="turtle",
    )
    ex = lambda n: URIRef(f"urn:ex:{n}")  # noqa: E731
    parts = {
        "a": [(ex("x"), RDF.type, ex("C")), (ex("x"), ex("p"), Literal(1))],
        "b": [
            (ex("x"), ex("q"), Literal(2)),
            (ex("y"), RDF.type, ex("C")),
            (ex("y"), ex("p"), Literal(1)),
            (ex("y"), ex("q"), Literal(1)),
            (ex("y"), ex("link"), ex("z")),
        ],
        "c": [(ex("z"), RDF.type, ex("D"))],
    }
    whole = [t for ts in parts.values() for t in ts]
    reference = v.validate_reference(whole, shapes)
    assert reference.conforms, "together they conform"
    ours = split.validate_parts(parts, [], [], shapes, workers=1)
    assert outcome(ours.validation) == outcome(reference)
    cut = split.split(parts, [], [])
    assert {ex("x"), ex("y")} <= cut.others
    # and when the shared value goes, the whole graph's violation is found
    parts["c"] = []
    reference = v.validate_reference([t for ts in parts.values() for t in ts], shapes)
    ours = split.validate_parts(parts, [], [], shapes, workers=1)
    assert not reference.conforms and outcome(ours.validation) == outcome(reference)


def test_shapes_that_read_incoming_edges_are_not_split() -> None:
    from kzmig.graph.semantics import parts as split

    inverse = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
             sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .""",
        format="turtle",
    )
    objects = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:nodeKind sh:IRI .""",
        format="turtle",
    )
    assert not split.splittable(inverse)
    assert not split.splittable(objects)

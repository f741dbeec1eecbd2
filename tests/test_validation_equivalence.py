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


def test_the_repository_data_validates_the_same(repo: tuple[list[tuple], Graph]) -> None:
    data, shapes = repo
    ours, reference = v.validate(data, shapes, workers=1), v.validate_reference(data, shapes)
    assert ours.conforms == reference.conforms
    assert outcome(ours) == outcome(reference)


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

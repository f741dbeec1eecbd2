"""The OWL 2 RL closure we publish equals owlrl's full closure, on instance triples.

Instance triples are those about our things (``…/resource/…``); the schema's own
closure (scm-* rules: every class a subclass of itself...) is not compared.
kzmig reasons with ``reasonable`` (Rust; kzmig.graph.semantics.reason); owlrl (pure
Python, the reference implementation of OWL 2 RL, and ``kzmig build --reasoner owlrl``)
is the yardstick. On the test data every inferred triple about our things must be the
same (less what neither should publish: owl:Thing / NamedIndividual types, reflexive
sameAs). reasonable skips some OWL 2 RL rules (property chains, keys, max-cardinality,
eq-diff): a test fails as soon as the ontology uses one of those constructs, so the gap
can't open silently. The consistency checks (cax-dw, cax-adc, cls-nothing2...) must
still report what owlrl reports as an error, whichever reasoner ran.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from kzmig.graph.build.pipeline import assemble, asserted_triples, read_claims, read_texts
from kzmig.graph.build.vocabulary import read_turtle, turtle_files
from kzmig.graph.semantics.reason import REASONERS, closure
from kzmig.names import RESOURCE
from rdflib import Graph, Literal
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = RESOURCE  # instance triples: about our things (the schema closure differs: scm-*)

PREFIXES = """
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
@prefix r: <https://w3id.org/kzmig/resource/test/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Every OWL 2 RL construct reasonable implements that an ontology like ours uses.
RULES = (
    PREFIXES
    + """
kzo:Place a owl:Class . kzo:Country a owl:Class ; rdfs:subClassOf kzo:Place .
kzo:Region a owl:Class ; rdfs:subClassOf kzo:Place .
kzo:Land a owl:Class ; owl:equivalentClass kzo:Country .
kzo:Flow a owl:Class . kzo:Emigration a owl:Class ; rdfs:subClassOf kzo:Flow .
kzo:Agent a owl:Class . kzo:Body a owl:Class ; rdfs:subClassOf kzo:Agent .
kzo:PlaceOrAgent a owl:Class ; owl:unionOf ( kzo:Place kzo:Agent ) .
kzo:SourceFlow a owl:Class ;
    owl:intersectionOf ( kzo:Flow [ a owl:Restriction ; owl:onProperty kzo:fromPlace ;
                                    owl:someValuesFrom kzo:Country ] ) .
kzo:KzFlow a owl:Class ; owl:equivalentClass [ a owl:Restriction ;
    owl:onProperty kzo:toPlace ; owl:hasValue r:kazakhstan ] .
kzo:OnlyRegions a owl:Class ; rdfs:subClassOf [ a owl:Restriction ;
    owl:onProperty kzo:via ; owl:allValuesFrom kzo:Region ] .
kzo:fromPlace a owl:ObjectProperty ; rdfs:domain kzo:Flow ; rdfs:range kzo:Place .
kzo:toPlace a owl:ObjectProperty ; rdfs:range kzo:Place .
kzo:via a owl:ObjectProperty .
kzo:locatedIn a owl:ObjectProperty , owl:TransitiveProperty ; rdfs:range kzo:Place .
kzo:contains a owl:ObjectProperty ; owl:inverseOf kzo:locatedIn .
kzo:relatedTo a owl:ObjectProperty , owl:SymmetricProperty .
kzo:runBy a owl:ObjectProperty ; rdfs:subPropertyOf kzo:involves ; rdfs:range kzo:Body .
kzo:involves a owl:ObjectProperty .
kzo:operatedBy owl:equivalentProperty kzo:runBy .
kzo:count a owl:DatatypeProperty ; rdfs:domain kzo:Flow .

r:almaty kzo:locatedIn r:south .
r:south kzo:locatedIn r:kazakhstan .
r:kazakhstan a kzo:Land ; kzo:locatedIn r:central-asia .
r:f1 kzo:fromPlace r:kazakhstan ; kzo:toPlace r:russia ; kzo:count 5 ; kzo:relatedTo r:f2 .
r:f2 a kzo:Emigration ; kzo:toPlace r:kazakhstan .
r:f3 a kzo:OnlyRegions ; kzo:via r:north .
r:p1 kzo:operatedBy r:ministry .
r:p2 kzo:runBy r:agency .
r:x a kzo:PlaceOrAgent .
"""
)

# What the compiled rules cover, as the repository's ontology uses it: no class expressions.
COMMON = (
    PREFIXES
    + """
kzo:Place a owl:Class . kzo:Country a owl:Class ; rdfs:subClassOf kzo:Place .
kzo:Region a owl:Class ; rdfs:subClassOf kzo:Place .
kzo:Land a owl:Class ; owl:equivalentClass kzo:Country .
kzo:Flow a owl:Class . kzo:Emigration a owl:Class ; rdfs:subClassOf kzo:Flow .
kzo:Agent a owl:Class . kzo:Body a owl:Class ; rdfs:subClassOf kzo:Agent .
[] a owl:AllDisjointClasses ; owl:members ( kzo:Place kzo:Flow kzo:Agent ) .
kzo:fromPlace a owl:ObjectProperty ; rdfs:domain kzo:Flow ; rdfs:range kzo:Place .
kzo:originOf a owl:ObjectProperty ; owl:inverseOf kzo:fromPlace .
kzo:toPlace a owl:ObjectProperty ; rdfs:range kzo:Place .
kzo:locatedIn a owl:ObjectProperty , owl:TransitiveProperty ; rdfs:range kzo:Region .
kzo:contains a owl:ObjectProperty ; owl:inverseOf kzo:locatedIn .
kzo:relatedTo a owl:ObjectProperty , owl:SymmetricProperty .
kzo:runBy a owl:ObjectProperty ; rdfs:subPropertyOf kzo:involves ; rdfs:range kzo:Body .
kzo:involves a owl:ObjectProperty .
kzo:operatedBy owl:equivalentProperty kzo:runBy .
kzo:count a owl:DatatypeProperty ; rdfs:domain kzo:Flow .
kzo:name a owl:AnnotationProperty ; rdfs:subPropertyOf rdfs:label .

r:almaty kzo:locatedIn r:south .
r:south kzo:locatedIn r:kazakhstan .
r:kazakhstan a kzo:Land ; kzo:locatedIn r:central-asia ; kzo:name "Kazakhstan"@en .
r:f1 kzo:fromPlace r:kazakhstan ; kzo:toPlace r:russia ; kzo:count 5 ; kzo:relatedTo r:f2 .
r:f2 a kzo:Emigration ; kzo:toPlace r:kazakhstan .
r:p1 kzo:operatedBy r:ministry .
r:p2 kzo:runBy r:agency .
"""
)

# Each is inconsistent in one way; (rule we report, words owlrl's error uses).
INCONSISTENT = {
    "cax-dw": PREFIXES
    + """kzo:Place a owl:Class ; owl:disjointWith kzo:Agent .
         kzo:City rdfs:subClassOf kzo:Place .
         r:x a kzo:City , kzo:Agent .""",
    "cax-adc": PREFIXES
    + """[] a owl:AllDisjointClasses ; owl:members ( kzo:A kzo:B kzo:C ) .
         kzo:D rdfs:subClassOf kzo:C .
         r:x a kzo:A , kzo:D .""",
    "cls-nothing2": PREFIXES
    + """kzo:Impossible rdfs:subClassOf owl:Nothing .
         r:x a kzo:Impossible .""",
}

SKIPPED_BY_REASONABLE = {
    OWL.propertyChainAxiom: "property chains (prp-spo2)",
    OWL.hasKey: "keys (prp-key)",
    OWL.maxCardinality: "max-cardinality (cls-maxc1/2)",
    OWL.maxQualifiedCardinality: "max-qualified-cardinality (cls-maxqc1-4)",
    OWL.AllDifferent: "owl:AllDifferent (eq-diff2/3)",
    OWL.differentFrom: "owl:differentFrom (eq-diff1, checked as an inconsistency only)",
}


def parse(turtle: str) -> list[tuple]:
    return list(Graph().parse(data=turtle, format="turtle"))


def owlrl_inferred(triples: list[tuple]) -> tuple[set[tuple], list[str]]:
    """owlrl's full closure: the new triples we would publish, and its error messages."""
    g = Graph()
    for t in triples:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(o) for o in g.objects(None, owlrl.Namespaces.ERRNS.error)]
    asserted = set(triples)
    new = {
        t
        for t in g
        if t not in asserted
        and not isinstance(t[0], Literal)
        and str(t[0]).startswith(INSTANCES)
        and not (t[1] == OWL.sameAs and t[0] == t[2])
        and t[2] not in (OWL.Thing, OWL.NamedIndividual)
        and "ErrorMessage" not in str(t[2])
    }
    return new, errors


def assert_same(triples: list[tuple]) -> None:
    """reasonable's published closure is owlrl's, and so is `--reasoner owlrl`'s."""
    theirs, errors = owlrl_inferred(triples)
    assert not errors, errors
    for reasoner in REASONERS:
        ours = closure(triples, reasoner)
        assert ours.engine == REASONERS[reasoner]
        mine = {t for t in ours.inferred if str(t[0]).startswith(INSTANCES)}
        assert mine == theirs, (
            f"{reasoner}: only owlrl: {sorted(theirs - mine)[:10]}\n"
            f"only ours: {sorted(mine - theirs)[:10]}"
        )


def test_rules_used_by_an_ontology_like_ours_give_owlrls_closure() -> None:
    triples = parse(RULES)
    assert_same(triples)
    # and the closure is not trivially empty: each rule above fired
    inferred = {
        (str(s).rsplit("/", 1)[-1], str(p).rsplit("#", 1)[-1], str(o).rsplit("/", 1)[-1])
        for s, p, o in closure(triples).inferred
    }
    for expected in [
        ("almaty", "locatedIn", "kazakhstan"),  # transitive
        ("kazakhstan", "contains", "south"),  # inverse
        ("f2", "relatedTo", "f1"),  # symmetric
        ("kazakhstan", "type", "kzmig/ontology#Country"),  # equivalent class
        ("f1", "type", "kzmig/ontology#SourceFlow"),  # intersection + someValuesFrom
        ("f2", "type", "kzmig/ontology#KzFlow"),  # hasValue
        ("north", "type", "kzmig/ontology#Region"),  # allValuesFrom
        ("p1", "involves", "ministry"),  # equivalent + sub property
        ("ministry", "type", "kzmig/ontology#Body"),  # range
        ("central-asia", "type", "kzmig/ontology#Place"),  # range of a transitive property
    ]:
        s, p, o = expected
        assert any(
            i[0] == s and i[1] == p and i[2].endswith(o.rsplit("/", 1)[-1]) for i in inferred
        ), f"not inferred: {expected}"


def test_the_common_rules_give_owlrls_closure() -> None:
    triples = parse(COMMON)
    ours = closure(triples)
    assert_same(triples)
    inferred = {
        (str(s).rsplit("/", 1)[-1], str(p).rsplit("#", 1)[-1], str(o).rsplit("/", 1)[-1])
        for s, p, o in ours.inferred
    }
    for expected in [
        ("almaty", "locatedIn", "kazakhstan"),  # transitive
        ("kazakhstan", "contains", "south"),  # inverse
        ("central-asia", "contains", "almaty"),  # inverse of a transitive closure
        ("f2", "relatedTo", "f1"),  # symmetric
        ("kazakhstan", "type", "kzmig/ontology#Country"),  # equivalent class
        ("kazakhstan", "type", "kzmig/ontology#Place"),  # ... and its superclass
        ("kazakhstan", "originOf", "f1"),  # inverse
        ("p1", "involves", "ministry"),  # equivalent + sub property
        ("ministry", "type", "kzmig/ontology#Body"),  # range of an equivalent property
        ("ministry", "type", "kzmig/ontology#Agent"),  # ... into its superclass
        ("central-asia", "type", "kzmig/ontology#Region"),  # range of a transitive property
        ("f1", "type", "kzmig/ontology#Flow"),  # domain
        ("kazakhstan", "label", "Kazakhstan"),  # sub-property of an annotation property
    ]:
        s, p, o = expected
        assert any(
            i[0] == s and i[1] == p and i[2].endswith(o.rsplit("/", 1)[-1]) for i in inferred
        ), f"not inferred: {expected}"


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_the_repository_graph_gives_owlrls_closure() -> None:
    """The real ontology and claims: what the build reasons over (slow-ish: owlrl, ~10 s)."""
    if not any((ROOT / "sources").glob("*/claims.yaml")):
        pytest.skip("no claim sheet in sources/ yet")
    from datetime import UTC, datetime

    from kzmig.graph.build import provenance as prov
    from kzmig.graph.build.pipeline import inputs_of, read_vocabulary

    ontology, shapes = read_vocabulary(ROOT)
    texts = read_texts(ROOT)
    claims = read_claims(texts, ROOT)
    run = prov.Run("test", "0", datetime(2026, 1, 1, tzinfo=UTC))
    q = assemble(texts, claims, ontology, shapes, run, inputs_of(ROOT))
    triples = asserted_triples(q, claims)
    reference = closure(triples, "owlrl")  # one owlrl run (~10 s): its published closure
    assert not reference.inconsistencies
    mine, theirs = (
        {t for t in r.inferred if str(t[0]).startswith(INSTANCES)}
        for r in (closure(triples), reference)
    )
    assert len(theirs) > 100, "the repository's claims infer something"
    assert mine == theirs, (
        f"only owlrl: {sorted(theirs - mine)[:10]}\nonly ours: {sorted(mine - theirs)[:10]}"
    )


def test_the_ontology_uses_nothing_reasonable_skips() -> None:
    ontology = read_turtle(turtle_files(ROOT / "ontology"), ROOT)
    used = {
        what
        for p, what in SKIPPED_BY_REASONABLE.items()
        if (None, p, None) in ontology or (None, None, p) in ontology
    }
    assert not used, (
        f"the ontology uses {sorted(used)}, which reasonable does not infer: add the rule to "
        "kzmig.graph.semantics.reason (as the consistency checks do) before using it"
    )


@pytest.mark.parametrize("rule", sorted(INCONSISTENT))
def test_inconsistencies_are_still_reported(rule: str) -> None:
    triples = parse(INCONSISTENT[rule])
    result = closure(triples)
    found = result.inconsistencies
    assert any(i.rule == rule and i.subject.endswith("/x") for i in found), found
    assert closure(triples, "owlrl").inconsistencies == found
    _, errors = owlrl_inferred(triples)
    assert errors, "owlrl finds it inconsistent too"


def test_the_class_checks_answer_as_their_sparql_does() -> None:
    """check_consistency runs each rule over only the triples it can match: the same
    answers as its SPARQL over everything."""
    import pyoxigraph as ox
    from kzmig.graph.semantics.quads import to_ox
    from kzmig.graph.semantics.reason import _PREFIXES, CONSISTENCY_CHECKS, check_consistency

    triples = [t for rule in sorted(INCONSISTENT) for t in parse(INCONSISTENT[rule])]
    triples += parse(
        PREFIXES
        + """kzo:Left owl:complementOf kzo:Right . r:y a kzo:Left , kzo:Right , owl:Nothing .
             r:z a kzo:A , kzo:B , kzo:C ."""
    )
    everything = closure(triples)
    full = [*triples, *everything.inferred]
    store = ox.Store()
    store.extend(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())
        for s, p, o in full
        if not isinstance(s, Literal)
    )
    expected = set()
    for rule, (query, template) in CONSISTENCY_CHECKS.items():
        for row in store.query(query, prefixes=_PREFIXES):
            values = {v: row[v].value if row[v] is not None else "" for v in ("x", "a", "b")}
            expected.add((rule, template.format(**values)))
    got = {(i.rule, i.message) for i in check_consistency(full)}
    assert got == expected
    assert {r for r, _ in got} == {"cax-dw", "cax-adc", "cls-nothing2", "cls-com"}


def test_a_kept_closure_is_the_one_the_reasoner_gives(tmp_path: Path) -> None:
    """graph/build/reuse.py keeps the inferred triples between builds: read back, they are
    the same terms, in the same order, as the reasoner's own (the build adds them to the
    inferred graph as they come). Reasoning is not split by source text: OWL RL rules
    (transitive, inverse, sameAs) join triples from different texts."""
    from datetime import UTC, datetime

    from kzmig.graph.build import provenance as prov
    from kzmig.graph.build import reuse
    from kzmig.graph.build.pipeline import inputs_of, read_vocabulary

    ontology, shapes = read_vocabulary(ROOT)
    texts = read_texts(ROOT)
    claims = read_claims(texts, ROOT)
    run = prov.Run("test", "0", datetime(2026, 1, 1, tzinfo=UTC))
    inputs = inputs_of(ROOT)
    q = assemble(texts, claims, ontology, shapes, run, inputs)
    triples = asserted_triples(q, claims)
    fresh = closure(triples)
    cache = reuse.Reuse(tmp_path, inputs)
    first = reuse.closure(cache, triples, "reasonable")
    assert cache.computed == ["reason:reasoning"] and cache.reused == []
    again = reuse.Reuse(tmp_path, inputs)
    kept = reuse.closure(again, triples, "reasonable")
    assert again.reused == ["reason:reasoning"] and again.computed == []
    assert first.inferred == fresh.inferred
    assert kept.inferred == fresh.inferred
    assert [type(t[2]) for t in kept.inferred] == [type(t[2]) for t in fresh.inferred]
    assert [getattr(t[2], "datatype", None) for t in kept.inferred] == [
        getattr(t[2], "datatype", None) for t in fresh.inferred
    ]

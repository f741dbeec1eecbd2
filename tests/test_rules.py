"""The compiled OWL 2 RL rules (kzmig.graph.rules), one small ontology per rule.

Each case is a hand-written ontology and data that need the rule (and usually its
interplay with another), and names some of the triples it must infer, so that a broken
rule fails here rather than agreeing with a broken reference. Each must take the compiled
path, publish exactly what the reasonable path publishes (every inferred triple, and the
same inconsistencies), and give owlrl's instance triples. Then the other way round: an
ontology or data outside the fragment takes the reasonable path, with the same result.
"""

from __future__ import annotations

import random

import pytest
from kzmig.graph import rules
from kzmig.graph.namespaces import RESOURCE
from kzmig.graph.reason import Reasoning, closure, closure_compiled, closure_reasonable
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from tests.test_reasoning_equivalence import INCONSISTENT, PREFIXES, owlrl_inferred, parse

KZO = "https://w3id.org/kzmig/ontology#"
R = "https://w3id.org/kzmig/resource/test/"

# name -> (turtle, inferred triples it must give, in short form: "r:x kzo:p r:y")
CASES: dict[str, tuple[str, list[str]]] = {
    "subPropertyOf chain, equivalent properties (prp-spo1, prp-eqp1/2)": (
        """kzo:p1 rdfs:subPropertyOf kzo:p2 . kzo:p2 rdfs:subPropertyOf kzo:p3 .
           kzo:p0 owl:equivalentProperty kzo:p1 .
           kzo:top owl:equivalentProperty kzo:p3 .
           r:a kzo:p0 r:b .
           r:c kzo:p1 "text"@en .
           r:d kzo:top r:e .""",
        [
            "r:a kzo:p1 r:b",
            "r:a kzo:p2 r:b",
            "r:a kzo:p3 r:b",
            "r:a kzo:top r:b",
            'r:c kzo:p3 "text"@en',
            'r:c kzo:p0 "text"@en',
            "r:d kzo:p3 r:e",
        ],
    ),
    "inverse, symmetric and transitive feeding each other (prp-inv1/2, prp-symp, prp-trp)": (
        """kzo:partOf a owl:ObjectProperty , owl:TransitiveProperty .
           kzo:hasPart owl:inverseOf kzo:partOf .
           kzo:directlyIn rdfs:subPropertyOf kzo:partOf .
           kzo:near a owl:SymmetricProperty , owl:TransitiveProperty .
           kzo:nearOf owl:inverseOf kzo:near .
           kzo:linked a owl:SymmetricProperty . kzo:linkedBy owl:inverseOf kzo:linked .
           r:a kzo:directlyIn r:b .
           r:c kzo:hasPart r:b .
           r:d kzo:hasPart r:c .
           r:x kzo:near r:y . r:z kzo:near r:y .
           r:m kzo:linked r:n .""",
        [
            "r:b kzo:partOf r:c",  # inverse
            "r:a kzo:partOf r:c",  # sub-property, then transitive over an inverse
            "r:a kzo:partOf r:d",  # twice
            "r:d kzo:hasPart r:a",  # and the inverse of that
            "r:x kzo:near r:z",  # symmetric, then transitive
            "r:z kzo:near r:x",
            "r:x kzo:near r:x",
            "r:z kzo:nearOf r:x",
            "r:n kzo:linked r:m",
            "r:n kzo:linkedBy r:m",
            "r:m kzo:linkedBy r:n",
        ],
    ),
    "equivalent classes (cax-eqc1/2, cax-sco)": (
        """kzo:Land owl:equivalentClass kzo:Country . kzo:Country rdfs:subClassOf kzo:Place .
           kzo:State owl:equivalentClass kzo:Land .
           kzo:Place rdfs:subClassOf kzo:Thing .
           r:k a kzo:Land . r:s a kzo:State . r:c a kzo:Country .""",
        [
            "r:k a kzo:Country",
            "r:k a kzo:Place",
            "r:k a kzo:State",
            "r:k a kzo:Thing",
            "r:s a kzo:Land",
            "r:s a kzo:Country",
            "r:c a kzo:State",
            "kzo:Land rdfs:subClassOf kzo:Place",  # the schema closure, published too
        ],
    ),
    "domain and range into superclasses (prp-dom, prp-rng, cax-sco)": (
        """kzo:Flow rdfs:subClassOf kzo:Process . kzo:Process rdfs:subClassOf kzo:Event .
           kzo:Place rdfs:subClassOf kzo:Location .
           kzo:from rdfs:domain kzo:Flow ; rdfs:range kzo:Place .
           kzo:fromCity rdfs:subPropertyOf kzo:from .
           kzo:origin owl:inverseOf kzo:from .
           kzo:count a owl:DatatypeProperty ; rdfs:domain kzo:Flow ; rdfs:range xsd:integer .
           kzo:label rdfs:range rdf:langString .
           r:f1 kzo:fromCity r:almaty .
           r:kz kzo:origin r:f2 .
           r:f3 kzo:count 3 ; kzo:label "three"@en .""",
        [
            "r:f1 kzo:from r:almaty",
            "r:f1 a kzo:Flow",
            "r:f1 a kzo:Event",
            "r:almaty a kzo:Place",
            "r:almaty a kzo:Location",
            "r:almaty kzo:origin r:f1",
            "r:f2 kzo:from r:kz",
            "r:f2 a kzo:Process",
            "r:kz a kzo:Location",
            "r:f3 a kzo:Event",
        ],
    ),
    "blank nodes, things not ours, owl:Thing and NamedIndividual (never published)": (
        """kzo:member owl:inverseOf kzo:hasMember ; rdfs:domain kzo:Person .
           kzo:Person rdfs:subClassOf owl:Thing , kzo:Agent .
           <http://example.org/x> kzo:member r:g .
           _:b kzo:member r:h .
           r:i kzo:hasMember _:c .
           r:j a owl:NamedIndividual , kzo:Person .""",
        [
            "r:g kzo:hasMember <http://example.org/x>",
            "r:j a kzo:Agent",
        ],
    ),
    "the ontology's own patterns: inverse pairs with domains, transitive sub-properties": (
        """kzo:Region rdfs:subClassOf kzo:Place . kzo:Place rdfs:subClassOf schema:Place .
           kzo:locatedIn a owl:ObjectProperty , owl:TransitiveProperty ;
               rdfs:subPropertyOf schema:containedInPlace ;
               rdfs:domain kzo:Place ; rdfs:range kzo:Place .
           kzo:contains a owl:ObjectProperty , owl:TransitiveProperty ;
               owl:inverseOf kzo:locatedIn ; rdfs:subPropertyOf schema:containsPlace .
           schema:containsPlace owl:inverseOf schema:containedInPlace .
           [] a owl:AllDisjointClasses ; owl:members ( kzo:Place kzo:Agent kzo:Flow ) .
           kzo:Place owl:disjointWith kzo:Period .
           r:almaty kzo:locatedIn r:south . r:kz kzo:contains r:south .
           r:south a kzo:Region .""",
        [
            "r:almaty kzo:locatedIn r:kz",
            "r:kz kzo:contains r:almaty",
            "r:almaty schema:containedInPlace r:kz",
            "r:kz schema:containsPlace r:almaty",
            "r:almaty a schema:Place",
        ],
    ),
}

PREFIXES_MORE = PREFIXES + "@prefix schema: <https://schema.org/> .\n"


def triples_of(turtle: str) -> list[tuple]:
    return parse(PREFIXES_MORE + turtle)


SHORT = {
    "kzo:": KZO,
    "r:": R,
    "schema:": "https://schema.org/",
    "owl:": str(OWL),
    "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
}


def short(t: tuple) -> str:
    """A triple as the cases write it: ``r:a kzo:p r:b``, ``r:a a kzo:C``."""

    def one(x: object) -> str:
        if isinstance(x, Literal):
            return x.n3()
        if x == RDF.type:
            return "a"
        for prefix, ns in SHORT.items():
            if str(x).startswith(ns):
                return prefix + str(x)[len(ns) :]
        return f"<{x}>"

    return " ".join(map(one, t))


def compiled(triples: list[tuple]) -> Reasoning:
    result = closure_compiled(triples)
    assert isinstance(result, Reasoning), f"fell back to reasonable: {result}"
    return result


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_gives_what_reasonable_and_owlrl_give(case: str) -> None:
    turtle, expected = CASES[case]
    triples = triples_of(turtle)
    ours = compiled(triples)
    published = {short(t) for t in ours.inferred}
    missing = [t for t in expected if t not in published]
    assert not missing, f"not inferred: {missing}\ninferred: {sorted(published)}"
    assert ours == closure_reasonable(triples)  # every published triple, in order
    assert ours == closure(triples)
    theirs, errors = owlrl_inferred(triples)
    assert not errors
    instances = {t for t in ours.inferred if str(t[0]).startswith(R)}
    assert instances == theirs, (
        f"only owlrl: {sorted(map(short, theirs - instances))}\n"
        f"only ours: {sorted(map(short, instances - theirs))}"
    )


def test_literals_are_nodes_like_reasonables() -> None:
    """A symmetric property with a literal value gives the literal as a subject, and its
    inverse then gives back a triple about our thing (reasonable does so; owlrl too)."""
    triples = triples_of(
        """kzo:sameText a owl:SymmetricProperty . kzo:textOf owl:inverseOf kzo:sameText .
           r:a kzo:sameText "x"@en ."""
    )
    ours = compiled(triples)
    assert 'r:a kzo:textOf "x"@en' in {short(t) for t in ours.inferred}
    assert ours == closure_reasonable(triples)


def test_literals_without_datatype_are_published_as_reasonable_returns_them() -> None:
    """reasonable returns "v" as "v"^^xsd:string: the compiled path publishes the same."""
    triples = triples_of(
        """kzo:alias rdfs:subPropertyOf kzo:name .
           r:a kzo:name "plain" ; kzo:alias "other" .
           r:b kzo:name "both" , "both"^^xsd:string .
           <http://example.org/c> kzo:name "theirs" ."""
    )
    ours = compiled(triples)
    typed = {(str(s), str(o)) for s, p, o in ours.inferred if isinstance(o, Literal)}
    assert typed == {(R + "a", "plain"), (R + "a", "other")}
    assert all(o.datatype == XSD.string for *_, o in ours.inferred if isinstance(o, Literal))
    assert ours == closure_reasonable(triples)


@pytest.mark.parametrize("rule", sorted(INCONSISTENT))
def test_inconsistencies_are_the_same_on_the_compiled_path(rule: str) -> None:
    triples = parse(INCONSISTENT[rule])
    ours = compiled(triples)
    assert any(i.rule == rule for i in ours.inconsistencies), ours.inconsistencies
    assert ours == closure_reasonable(triples)


# name -> (turtle, an inference only the reasonable path makes, or None)
OUTSIDE: dict[str, tuple[str, str | None]] = {
    "owl:someValuesFrom": (
        """[ a owl:Restriction ; owl:onProperty kzo:from ; owl:someValuesFrom kzo:Country ]
               rdfs:subClassOf kzo:Foreign .
           r:f kzo:from r:kz . r:kz a kzo:Country .""",
        "r:f a kzo:Foreign",
    ),
    "owl:sameAs in the data": (
        """kzo:p owl:inverseOf kzo:q .
           r:a owl:sameAs r:b . r:a kzo:p r:c .""",
        "r:b kzo:p r:c",
    ),
    "a functional property": (
        """kzo:capital a owl:FunctionalProperty .
           r:kz kzo:capital r:astana , r:nursultan .""",
        "r:astana owl:sameAs r:nursultan",
    ),
    "owl:hasValue": (
        """kzo:KzFlow owl:equivalentClass [ a owl:Restriction ;
               owl:onProperty kzo:toPlace ; owl:hasValue r:kz ] .
           r:f kzo:toPlace r:kz .""",
        "r:f a kzo:KzFlow",
    ),
    "owl:unionOf": (
        """kzo:PlaceOrAgent owl:unionOf ( kzo:Place kzo:Agent ) . r:x a kzo:Place .""",
        "r:x a kzo:PlaceOrAgent",
    ),
    "a property chain (reasonable skips it too)": (
        """kzo:grandparent owl:propertyChainAxiom ( kzo:parent kzo:parent ) .
           r:a kzo:parent r:b . r:b kzo:parent r:c .""",
        None,
    ),
    "an irreflexive property (a consistency rule on properties)": (
        """kzo:partOf a owl:IrreflexiveProperty . r:a kzo:partOf r:a .""",
        None,
    ),
    "a sub-property of rdf:type": (
        """kzo:kind rdfs:subPropertyOf rdf:type . r:a kzo:kind kzo:Place .
           kzo:Place rdfs:subClassOf kzo:Thing .""",
        "r:a a kzo:Thing",
    ),
    "owl:Thing below a class": (
        """owl:Thing rdfs:subClassOf kzo:Everything . r:a kzo:p r:b .""",
        None,
    ),
    "a metaclass as a range": (
        """kzo:classifiedAs rdfs:range owl:Class . r:a kzo:classifiedAs kzo:Place .""",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_outside_the_fragment_the_reasonable_path_is_taken(case: str) -> None:
    turtle, only_there = OUTSIDE[case]
    triples = triples_of(turtle)
    why = closure_compiled(triples)
    assert isinstance(why, str), "the compiled path must refuse this input"
    result = closure(triples)
    assert result == closure_reasonable(triples)
    if only_there is not None:
        assert only_there in {short(t) for t in result.inferred}


def test_the_consistency_rules_on_properties_still_report_on_the_reasonable_path() -> None:
    triples = triples_of("""kzo:partOf a owl:IrreflexiveProperty . r:a kzo:partOf r:a .""")
    assert [i.rule for i in closure(triples).inconsistencies] == ["prp-irp"]


def test_the_hierarchies_are_closed_once_in_the_compiled_rules() -> None:
    """compile_rules on keys alone: superclasses and super-properties transitively, through
    equivalences both ways; domains with their superclasses; inverses either way round."""
    sub, eq = rules.SUB_CLASS_OF, rules.EQUIVALENT_CLASS
    compiled_rules = rules.compile_rules(
        [
            ("A", sub, "B"),
            ("B", sub, "C"),
            ("C", eq, "D"),
            ("p", rules.SUB_PROPERTY_OF, "q"),
            ("q", rules.EQUIVALENT_PROPERTY, "r"),
            ("p", rules.DOMAIN, "A"),
            ("s", rules.INVERSE_OF, "p"),
            ("p", rules.TYPE, rules.TRANSITIVE),
        ]
    )
    assert isinstance(compiled_rules, rules.Rules)
    assert compiled_rules.super_classes["A"] == {"B", "C", "D"}
    assert compiled_rules.super_classes["D"] >= {"C"}
    assert set(compiled_rules.super_properties["p"]) == {"q", "r"}
    assert set(compiled_rules.super_properties["r"]) == {"q"}
    assert compiled_rules.domains["p"] == {"A", "B", "C", "D"}
    assert compiled_rules.inverses["p"] == ("s",) and compiled_rules.inverses["s"] == ("p",)
    closed = rules.property_closure(compiled_rules, {"p": [("x", "y"), ("y", "z")]})
    assert closed["p"] == {("x", "z")}
    assert closed["s"] == {("y", "x"), ("z", "y"), ("z", "x")}
    assert closed["q"] == closed["r"] == {("x", "y"), ("y", "z"), ("x", "z")}
    edges = {"p": [("x", "y"), ("y", "z")]}
    gained = rules.type_closure(compiled_rules, {"x": {"A"}}, edges, closed)
    assert gained == {"x": {"B", "C", "D"}, "y": {"A", "B", "C", "D"}}


def test_the_split_refuses_what_the_fragment_does_not_compile() -> None:
    a, b = URIRef(R + "a"), URIRef(R + "b")
    assert rules.split([(a, OWL.sameAs, b)]) == str(OWL.sameAs)
    assert (
        rules.split([(a, RDF.type, OWL.FunctionalProperty)]) == f"rdf:type {OWL}FunctionalProperty"
    )
    parts = rules.split([(a, RDF.type, OWL.Class), (a, URIRef(KZO + "p"), b)])
    assert isinstance(parts, rules.Split)
    assert parts.schema == [(a, RDF.type, OWL.Class)]
    assert parts.edges == {KZO + "p": [(R + "a", R + "b")]}


def random_graph(seed: int) -> list[tuple]:
    """A small random ontology inside the fragment (mostly: owl:Thing or rdfs:Literal may
    land below a class, which is refused), and random data over its terms."""
    rnd = random.Random(seed)
    classes = [URIRef(f"{KZO}C{i}") for i in range(6)]
    properties = [URIRef(f"{KZO}p{i}") for i in range(6)]
    things = [URIRef(f"{R}i{i}") for i in range(6)] + [
        URIRef("http://example.org/o"),
        BNode(f"b{seed}"),
    ]
    values = [
        Literal("v", datatype=XSD.string),
        Literal("w", lang="en"),
        Literal("w", lang="de"),  # the same text in two languages: the order must hold
        Literal(3),
    ]
    reserved = [OWL.Thing, OWL.Nothing, RDFS.Literal]
    axioms = [OWL.disjointWith, OWL.equivalentClass, RDFS.subClassOf, RDFS.subClassOf]
    triples: list[tuple] = [
        (rnd.choice(classes), rnd.choice(axioms), rnd.choice(classes + reserved))
        for _ in range(rnd.randint(0, 6))
    ]
    triples += [
        (
            rnd.choice(properties),
            rnd.choice([RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf]),
            rnd.choice([*properties, RDFS.label]),
        )
        for _ in range(rnd.randint(0, 8))
    ]
    triples += [
        (rnd.choice(properties), rnd.choice([RDFS.domain, RDFS.range]), rnd.choice(classes))
        for _ in range(rnd.randint(0, 4))
    ]
    triples += [
        (
            rnd.choice(properties),
            RDF.type,
            rnd.choice([OWL.TransitiveProperty, OWL.SymmetricProperty]),
        )
        for _ in range(rnd.randint(0, 3))
    ]
    for _ in range(rnd.randint(1, 25)):
        if rnd.random() < 0.25:
            triples.append((rnd.choice(things), RDF.type, rnd.choice(classes + reserved[:2])))
        else:
            objects = things + values if rnd.random() < 0.3 else things
            triples.append((rnd.choice(things), rnd.choice(properties), rnd.choice(objects)))
    return triples


def test_random_ontologies_in_the_fragment_give_what_reasonable_and_owlrl_give() -> None:
    """Differential: 400 random ontologies and data, compiled against reasonable (all of
    the published closure) and, for the first 40, against owlrl (instance triples)."""
    compared = inferring = 0
    for seed in range(400):
        triples = random_graph(seed)
        ours = closure_compiled(triples)
        if isinstance(ours, str):
            continue
        compared += 1
        inferring += bool(ours.inferred)
        assert ours == closure_reasonable(triples), f"seed {seed}: {triples}"
        if compared <= 40:
            theirs, _ = owlrl_inferred(triples)
            instances = {t for t in ours.inferred if str(t[0]).startswith(RESOURCE)}
            assert instances == theirs, f"seed {seed}: {triples}"
    assert compared > 300 and inferring > 250, (compared, inferring)

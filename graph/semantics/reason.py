"""OWL 2 RL inference into its own graph, and the consistency checks.

The closure is reasonable's (Rust; the design's reasoner). ``kzmig build --reasoner
owlrl`` takes owlrl's instead (pure Python, the complete reference implementation of
OWL 2 RL, some 30x slower): tests/test_reasoning_equivalence.py proves the two publish
the same triples about our things on the test data and the repository's, and fails if
the ontology starts using a construct reasonable leaves out (property chains
prp-spo2, keys prp-key, max-cardinality cls-maxc*/cls-maxqc*).

reasonable returns a literal without datatype or language as ``xsd:string`` (the same
literal in RDF 1.1, another term to rdflib): such a literal is read back plain, so an
asserted triple is never published again as "inferred" (owlrl does not do this, and
``--reasoner owlrl`` must publish the same triples).

reasonable reports no inconsistency, so the OWL RL rules that derive ``false`` (cax-dw,
cax-adc, cls-nothing2, cls-com, prp-irp, prp-asyp, prp-pdw, eq-diff1) are evaluated
here, whichever reasoner ran: each is one SPARQL query (:data:`CONSISTENCY_CHECKS`)
over the triples it can match, asserted and inferred.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import reasonable
from kzmig.names import KZO, RESOURCE
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from .quads import to_ox

Triple = tuple[Node, Node, Node]

# Each query returns ?x (and ?a ?b where useful) for one rule that derives false.
CONSISTENCY_CHECKS: dict[str, tuple[str, str]] = {
    "cax-dw": (
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a owl:disjointWith ?b . ?x a ?a , ?b }",
        "{x} is an instance of both {a} and {b}, which are declared disjoint",
    ),
    "cax-adc": (
        "SELECT DISTINCT ?x ?a ?b WHERE { ?d a owl:AllDisjointClasses ; owl:members ?l . "
        "?l rdf:rest*/rdf:first ?a . ?l rdf:rest*/rdf:first ?b . FILTER(?a != ?b) "
        "?x a ?a , ?b }",
        "{x} is an instance of both {a} and {b}, members of one owl:AllDisjointClasses",
    ),
    "cls-nothing2": (
        "SELECT DISTINCT ?x WHERE { ?x a owl:Nothing }",
        "{x} is an instance of owl:Nothing",
    ),
    "cls-com": (
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a owl:complementOf ?b . ?x a ?a , ?b }",
        "{x} is an instance of {a} and of its complement {b}",
    ),
    "prp-irp": (
        "SELECT DISTINCT ?x ?a WHERE { ?a a owl:IrreflexiveProperty . ?x ?a ?x }",
        "{x} is related to itself by the irreflexive property {a}",
    ),
    "prp-asyp": (
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a a owl:AsymmetricProperty . ?x ?a ?b . ?b ?a ?x }",
        "{x} and {b} are related both ways by the asymmetric property {a}",
    ),
    "prp-pdw": (
        "SELECT DISTINCT ?x ?a ?b WHERE { ?a owl:propertyDisjointWith ?b . ?x ?a ?y ; ?b ?y }",
        "{x} uses the disjoint properties {a} and {b} with the same value",
    ),
    "eq-diff1": (
        "SELECT DISTINCT ?x ?a WHERE { ?x owl:sameAs ?a ; owl:differentFrom ?a }",
        "{x} is declared both the same as and different from {a}",
    ),
}
_PREFIXES = {"owl": str(OWL), "rdf": str(RDF)}


#: The reasoners ``kzmig build --reasoner`` offers, and the name each has in provenance.
REASONERS = {"reasonable": "reasonable (OWL 2 RL)", "owlrl": "owlrl (OWL 2 RL, reference)"}
REASONABLE = REASONERS["reasonable"]


@dataclass(frozen=True)
class Inconsistency:
    rule: str
    message: str
    subject: str


@dataclass(frozen=True)
class Reasoning:
    inferred: list[Triple]
    inconsistencies: list[Inconsistency]
    # which path made it (recorded in the release's provenance); not part of the answer
    engine: str = field(default=REASONABLE, compare=False)


_SAME_AS, _TYPE = OWL.sameAs, RDF.type
_NOISE_TYPES = frozenset({OWL.Thing, URIRef(str(OWL) + "NamedIndividual")})


def _keep(s: Node, p: Node, o: Node, ours: tuple[str, ...]) -> bool:
    """Inferred triples worth publishing: about our terms and things, no noise."""
    if isinstance(s, Literal) or not str(s).startswith(ours):
        return False
    if p == _SAME_AS and s == o:
        return False
    return not (p == _TYPE and o in _NOISE_TYPES)


def closure(triples: Iterable[Triple], reasoner: str = "reasonable") -> Reasoning:
    """Materialise the OWL 2 RL closure; return what is new, and what is inconsistent."""
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}; choose one of {', '.join(REASONERS)}")
    base = list(dict.fromkeys(triples))
    full = _owlrl(base) if reasoner == "owlrl" else _reasonable(base)
    asserted, ours = set(base), _ours()
    full = (_plain(t) for t in full)
    new = {t for t in full if t not in asserted and _keep(t[0], t[1], t[2], ours)}
    inferred = sorted(new, key=_order)
    return Reasoning(inferred, check_consistency([*base, *inferred]), REASONERS[reasoner])


_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _plain(t: Triple) -> Triple:
    """An ``xsd:string`` literal as the plain literal it is in RDF 1.1."""
    o = t[2]
    if type(o) is Literal and o.datatype == _STRING:
        return (t[0], t[1], Literal(str(o)))
    return t


def _ours() -> tuple[str, ...]:
    return (RESOURCE, str(KZO))


def _reasonable(base: list[Triple]) -> Iterable[Triple]:
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(base)
    return reasoner.reason()


def _owlrl(base: list[Triple]) -> Iterable[Triple]:
    import owlrl  # only for --reasoner owlrl: a second of import, pure Python

    graph = Graph()
    for t in base:
        graph.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return iter(graph)  # type: ignore[arg-type]


def _order(t: Triple) -> tuple[str, ...]:
    """A stable order for triples, by each term's kind, string, datatype and language, as
    plain strings (cheaper than comparing rdflib terms)."""
    s, p, o = t
    return (
        type(s).__name__,
        str(s),
        str(s.datatype) if type(s) is Literal else "",
        type(p).__name__,
        str(p),
        type(o).__name__,
        str(o),
        str(o.datatype) if type(o) is Literal else "",
        (o.language or "") if type(o) is Literal else "",
    )


# What the checks' queries can match: these predicates, and the properties typed below.
_CHECKED = frozenset(
    {
        RDF.type,
        RDF.first,
        RDF.rest,
        OWL.disjointWith,
        OWL.members,
        OWL.complementOf,
        OWL.propertyDisjointWith,
        OWL.sameAs,
        OWL.differentFrom,
    }
)
_CHECKED_PROPERTY_TYPES = frozenset({OWL.IrreflexiveProperty, OWL.AsymmetricProperty})


def check_consistency(triples: Iterable[Triple]) -> list[Inconsistency]:
    """Every rule of CONSISTENCY_CHECKS that derives false, with what triggered it.

    The queries run over just the triples they can match: the predicates above, and the
    uses of a property declared irreflexive, asymmetric or disjoint with another.
    """
    triples = [t for t in triples if not isinstance(t[0], Literal)]
    checked: set[Node] = set(_CHECKED)
    for s, p, o in triples:
        if p == RDF.type and o in _CHECKED_PROPERTY_TYPES:
            checked.add(s)
        elif p == OWL.propertyDisjointWith:
            checked.update((s, o))
    store = ox.Store()
    store.extend(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
        for s, p, o in triples
        if p in checked
    )
    found: set[tuple[str, str, str, str]] = set()
    for rule, (query, _) in CONSISTENCY_CHECKS.items():
        rows = store.query(query, prefixes=_PREFIXES)
        names = {v.value for v in rows.variables}  # type: ignore[union-attr]
        for row in rows:  # type: ignore[union-attr]
            x, a, b = (row[v].value if v in names and row[v] is not None else "" for v in "xab")
            found.add((rule, x, a, b))
    order = {r: i for i, r in enumerate(CONSISTENCY_CHECKS)}
    return [
        Inconsistency(rule, CONSISTENCY_CHECKS[rule][1].format(x=x, a=a, b=b), x)
        for rule, x, a, b in sorted(found, key=lambda f: (order[f[0]], f[1:]))
    ]

"""OWL 2 RL inference into its own graph, and the consistency checks.

The closure is computed with ``reasonable`` (Rust, ~40x faster than owlrl
here). reasonable reports no inconsistency, so the OWL RL rules that derive
``false`` (cax-dw, cax-adc, cls-nothing2, cls-com, prp-irp, prp-asyp,
prp-pdw, eq-diff1) are evaluated as SPARQL over the closure instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import reasonable
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from .namespaces import KZO, RESOURCE
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


@dataclass(frozen=True)
class Inconsistency:
    rule: str
    message: str
    subject: str


@dataclass(frozen=True)
class Reasoning:
    inferred: list[Triple]
    inconsistencies: list[Inconsistency]


def _keep(s: Node, p: Node, o: Node, ours: tuple[str, ...]) -> bool:
    """Inferred triples worth publishing: about our terms and things, no noise."""
    if isinstance(s, Literal) or not str(s).startswith(ours):
        return False
    if p == OWL.sameAs and s == o:
        return False
    return not (p == RDF.type and o in (OWL.Thing, URIRef(str(OWL) + "NamedIndividual")))


def closure(triples: Iterable[Triple]) -> Reasoning:
    """Materialise the OWL 2 RL closure; return what is new, and what is inconsistent."""
    graph = Graph()
    for t in triples:
        graph.add(t)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    full = reasoner.reason()
    ours = (RESOURCE, str(KZO))
    inferred = sorted(
        {(s, p, o) for s, p, o in full if (s, p, o) not in graph and _keep(s, p, o, ours)}
    )
    everything = [*graph, *inferred]
    return Reasoning(inferred, check_consistency(everything))


def check_consistency(triples: Iterable[Triple]) -> list[Inconsistency]:
    store = ox.Store()
    store.extend(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
        for s, p, o in triples
        if not isinstance(s, Literal)
    )
    found = []
    for rule, (query, template) in CONSISTENCY_CHECKS.items():
        for row in store.query(query, prefixes=_PREFIXES):  # type: ignore[union-attr]
            values = {
                v: row[v].value if row[v] is not None else "" for v in ("x", "a", "b") if v in query
            }
            found.append(Inconsistency(rule, template.format(**values), values["x"]))
    return found

"""OWL 2 RL inference into its own graph, and the consistency checks.

The closure is computed with ``reasonable`` (Rust, ~40x faster than owlrl
here). reasonable reports no inconsistency, so the OWL RL rules that derive
``false`` (cax-dw, cax-adc, cls-nothing2, cls-com, prp-irp, prp-asyp,
prp-pdw, eq-diff1) are evaluated as SPARQL over the closure instead.

What reasonable (0.4) leaves out of OWL 2 RL: property chains (prp-spo2),
keys (prp-key), max-cardinality (cls-maxc1/2, cls-maxqc1-4) and the eq-diff
rules (checked here instead). tests/test_reasoning_equivalence.py proves the
published closure equals owlrl's on the test data, and fails if the ontology
starts using one of the constructs left out.

Speed: the triples go to reasonable as a plain list (no rdflib Graph), what is
new is found with a set, and the consistency checks load only the triples
their queries can match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import reasonable
from rdflib import Literal, URIRef
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


_SAME_AS, _TYPE = OWL.sameAs, RDF.type
_NOISE_TYPES = frozenset({OWL.Thing, URIRef(str(OWL) + "NamedIndividual")})


def _keep(s: Node, p: Node, o: Node, ours: tuple[str, ...]) -> bool:
    """Inferred triples worth publishing: about our terms and things, no noise."""
    if isinstance(s, Literal) or not str(s).startswith(ours):
        return False
    if p == _SAME_AS and s == o:
        return False
    return not (p == _TYPE and o in _NOISE_TYPES)


def closure(triples: Iterable[Triple]) -> Reasoning:
    """Materialise the OWL 2 RL closure; return what is new, and what is inconsistent."""
    base = list(dict.fromkeys(triples))
    asserted = set(base)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(base)
    full = reasoner.reason()
    ours = (RESOURCE, str(KZO))
    new = {t for t in full if t not in asserted and _keep(*t, ours)}
    inferred = sorted(new, key=_order)
    return Reasoning(inferred, check_consistency([*base, *inferred]))


def _order(t: Triple) -> tuple[str, ...]:
    """A stable order for triples (cheaper than comparing rdflib terms)."""
    return tuple(f"{type(x).__name__}\0{x}\0{getattr(x, 'datatype', '')}" for x in t)


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
_CHECKED_PROPERTY_TYPES = (OWL.IrreflexiveProperty, OWL.AsymmetricProperty)


def check_consistency(triples: Iterable[Triple]) -> list[Inconsistency]:
    """Every rule of CONSISTENCY_CHECKS that derives false, with what triggered it.

    The class rules (cax-dw, cax-adc, cls-nothing2, cls-com) are evaluated here over the
    types of each individual, in one pass; the property rules, rare in practice, as SPARQL
    over just the triples they can match, and only when their axiom occurs at all.
    """
    triples = [t for t in triples if not isinstance(t[0], Literal)]
    found = _class_inconsistencies(triples)
    checked = set(_CHECKED) - _CLASS_RULE_PREDICATES
    triggers = False
    type_, disjoint_properties, different = (
        str(_TYPE),
        str(OWL.propertyDisjointWith),
        str(OWL.differentFrom),
    )
    property_types = {str(t) for t in _CHECKED_PROPERTY_TYPES}
    for s, p, o in triples:
        # plain str comparisons: rdflib's own __eq__ is slow over 100,000s of triples
        if str.__eq__(p, type_) and str(o) in property_types:
            checked.add(s)
            triggers = True
        elif str.__eq__(p, disjoint_properties):
            checked.update((s, o))
            triggers = True
        elif str.__eq__(p, different):
            triggers = True
    if not triggers:
        return found
    store = ox.Store()
    store.extend(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
        for s, p, o in triples
        if p in checked
    )
    for rule, (query, template) in CONSISTENCY_CHECKS.items():
        if rule in _CLASS_RULES:
            continue
        for row in store.query(query, prefixes=_PREFIXES):  # type: ignore[union-attr]
            values = {
                v: row[v].value if row[v] is not None else "" for v in ("x", "a", "b") if v in query
            }
            found.append(Inconsistency(rule, template.format(**values), values["x"]))
    return found


_CLASS_RULES = ("cax-dw", "cax-adc", "cls-nothing2", "cls-com")
_CLASS_RULE_PREDICATES = frozenset({OWL.disjointWith, OWL.members, OWL.complementOf})


def _class_inconsistencies(triples: list[Triple]) -> list[Inconsistency]:
    """cax-dw, cax-adc, cls-nothing2, cls-com: the same answers as their SPARQL in
    CONSISTENCY_CHECKS, computed from each individual's set of types."""
    # Everything as plain strings (IRIs, blank node ids): rdflib's hashing and equality are
    # Python-level and slow at this size; a literal never is a class or a list node here.
    types: dict[str, set[str]] = {}
    pairs: dict[str, dict[str, set[str]]] = {"cax-dw": {}, "cls-com": {}, "cax-adc": {}}
    first: dict[str, list[str]] = {}
    rest: dict[str, list[str]] = {}
    lists, adc = [], set()
    kind = {
        str(_TYPE): "type",
        str(OWL.disjointWith): "cax-dw",
        str(OWL.complementOf): "cls-com",
        str(OWL.members): "members",
        str(RDF.first): "first",
        str(RDF.rest): "rest",
    }
    all_disjoint, nothing = str(OWL.AllDisjointClasses), str(OWL.Nothing)
    for s, p, o in triples:
        k = kind.get(str(p))
        if k is None or isinstance(o, Literal):
            continue
        s_, o_ = str(s), str(o)
        if k == "type":
            types.setdefault(s_, set()).add(o_)
            if o_ == all_disjoint:
                adc.add(s_)
        elif k == "members":
            lists.append((s_, o_))
        elif k == "first":
            first.setdefault(s_, []).append(o_)
        elif k == "rest":
            rest.setdefault(s_, []).append(o_)
        else:
            pairs[k].setdefault(s_, set()).add(o_)
    for d, head in lists:
        if d not in adc:
            continue
        classes: set[str] = set()
        todo, seen = [head], set()
        while todo:  # rdf:rest*/rdf:first, as SPARQL walks it
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            classes.update(first.get(node, ()))
            todo.extend(rest.get(node, ()))
        for a in classes:
            pairs["cax-adc"].setdefault(a, set()).update(classes - {a})
    found: set[tuple[str, str, str, str]] = set()
    for x, ts in types.items():
        if nothing in ts:
            found.add(("cls-nothing2", x, "", ""))
        for rule, index in pairs.items():
            for a in ts:
                for b in index.get(a, ()):
                    if b in ts:
                        found.add((rule, x, a, b))
    order = {r: i for i, r in enumerate(CONSISTENCY_CHECKS)}
    return [
        Inconsistency(rule, CONSISTENCY_CHECKS[rule][1].format(x=x, a=a, b=b), x)
        for rule, x, a, b in sorted(found, key=lambda f: (order[f[0]], f[1:]))
    ]

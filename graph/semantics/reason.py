"""OWL 2 RL inference into its own graph, and the consistency checks.

Two paths compute the same closure; :func:`closure` takes the first that applies.

1. The compiled rules (kzmig.graph.semantics.rules), when the ontology and data stay inside their
   fragment, as ours does: subclass, subproperty, domain, range, equivalent class and
   property, inverse, symmetric and transitive properties, and the disjointness axioms
   the consistency checks read (owl:disjointWith, owl:AllDisjointClasses). The schema
   axioms alone (~1,000 triples) go to reasonable, for the schema closure we publish
   (scm-sco...: ``kzo:Migrant rdfs:subClassOf prov:Person``); the instance rules
   (prp-spo1, prp-eqp1/2, prp-inv1/2, prp-symp, prp-trp to a fixpoint, then prp-dom,
   prp-rng, cax-sco, cax-eqc1/2) run in Python over the data, on plain strings, reusing
   the input's term objects. At 100k triples: ~0.45 s, where the reasonable path takes
   ~3 s (owlrl ~47 s), mostly because no rdflib term is built for reasonable's output.
2. reasonable (Rust) over everything, as before, when the input uses anything else:
   owl:sameAs or owl:differentFrom in the data, functional / inverse-functional
   properties, keys, cardinalities, restrictions (someValuesFrom, allValuesFrom,
   hasValue), intersectionOf / unionOf / oneOf, property chains, irreflexive /
   asymmetric properties, property disjointness, or schema vocabulary where instance
   rules would derive schema triples (:func:`closure_compiled` returns why).

Both publish the same triples (tests/test_reasoning_equivalence.py, tests/test_rules.py),
including a quirk of reasonable's, kept on purpose: it returns a literal without
datatype or language as ``xsd:string`` (the same literal in RDF 1.1, another term to
rdflib), so such a triple about our things is published once more, typed.

reasonable reports no inconsistency, so the OWL RL rules that derive ``false`` (cax-dw,
cax-adc, cls-nothing2, cls-com, prp-irp, prp-asyp, prp-pdw, eq-diff1) are evaluated
here: the class rules in Python over each individual's types, the property rules as
SPARQL over the closure, when their axioms occur (never on the compiled path: their
axioms are outside its fragment).

What reasonable (0.4) leaves out of OWL 2 RL: property chains (prp-spo2), keys
(prp-key), max-cardinality (cls-maxc1/2, cls-maxqc1-4) and the eq-diff rules (checked
here instead). tests/test_reasoning_equivalence.py proves the published closure equals
owlrl's on the test data, and fails if the ontology starts using one of the constructs
left out.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox
import reasonable
from kzmig.names import KZO, RESOURCE
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from . import rules
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


REASONABLE = "reasonable (OWL 2 RL)"
COMPILED = "kzmig compiled rules (OWL 2 RL fragment), schema closure by reasonable"
log = logging.getLogger(__name__)


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


def closure(triples: Iterable[Triple]) -> Reasoning:
    """Materialise the OWL 2 RL closure; return what is new, and what is inconsistent.

    With the compiled rules when the input stays inside their fragment, else with
    reasonable (see the module docstring): the result is the same either way.
    """
    base = list(dict.fromkeys(triples))
    with _gc_paused():
        result = _compiled(base)
    if isinstance(result, Reasoning):
        return result
    log.info("reasoning with reasonable: the compiled rules don't apply (%s)", result)
    return _reasonable(base)


def closure_reasonable(triples: Iterable[Triple]) -> Reasoning:
    """The closure by reasonable over every triple (the path for the full OWL 2 RL)."""
    return _reasonable(list(dict.fromkeys(triples)))


def closure_compiled(triples: Iterable[Triple]) -> Reasoning | str:
    """The closure by the compiled rules, or why they don't apply to these triples."""
    base = list(dict.fromkeys(triples))
    with _gc_paused():
        return _compiled(base)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The compiled rules allocate some 10^6 small tuples and sets, in no cycle: Python's
    cyclic collector would only walk the heap again and again (a third of the time at
    100k triples). Paused for the process, for the duration only."""
    with _GC_LOCK:
        global _GC_PAUSES
        if _GC_PAUSES == 0:
            _GC_WAS_ENABLED[0] = gc.isenabled()
            gc.disable()
        _GC_PAUSES += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES -= 1
            if _GC_PAUSES == 0 and _GC_WAS_ENABLED[0]:
                gc.enable()


# overlapping pauses (threads) count, so the collector comes back after the last one only
_GC_LOCK = threading.Lock()
_GC_PAUSES = 0
_GC_WAS_ENABLED = [True]


def _ours() -> tuple[str, ...]:
    return (RESOURCE, str(KZO))


def _reasonable(base: list[Triple]) -> Reasoning:
    asserted = set(base)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(base)
    full = reasoner.reason()
    ours = _ours()
    new = {t for t in full if t not in asserted and _keep(t[0], t[1], t[2], ours)}
    inferred = sorted(new, key=_order)
    return Reasoning(inferred, check_consistency([*base, *inferred]))


_NOISE = frozenset(str(t) for t in _NOISE_TYPES)
# What reasonable may derive from the schema axioms alone, for the compiled path to apply:
# schema triples. A type other than a declaration (say, of owl:Nothing) would need the
# instance rules too.
_SCHEMA_OUTPUT = rules.SCHEMA_PREDICATES | {rules.TYPE}


def _compiled(base: list[Triple]) -> Reasoning | str:
    """The closure with kzmig.graph.semantics.rules: reasonable for the schema axioms only, the
    compiled instance rules for the rest; the published triples and the consistency
    checks exactly as :func:`_reasonable` gives them, or why not."""
    parts = rules.split(base)
    if isinstance(parts, str):
        return parts
    compiled = rules.compile_rules(parts.axioms)
    if isinstance(compiled, str):
        return compiled
    ours = _ours()
    terms, types, edges, strings = parts.terms, parts.types, parts.edges, parts.strings

    def mine(k: rules.Key) -> bool:  # what _keep keeps, for a subject key
        if type(k) is str:
            return k.startswith(ours)
        return not isinstance(k, Literal) and str(k).startswith(ours)

    # The schema closure: reasonable over the axioms alone (small). Anything but schema
    # triples coming back would mean that instance rules are involved: refuse.
    schema: list[tuple[rules.Key, str, rules.Key, Triple]] = []
    if parts.schema:
        reasoner = reasonable.PyReasoner()
        reasoner.from_graph(parts.schema)
        axioms = set(parts.schema)
        for t in reasoner.reason():
            if t in axioms or not _keep(t[0], t[1], t[2], ours):
                continue
            s, p, o = (rules.key(x) for x in t)
            if p not in _SCHEMA_OUTPUT or (p == rules.TYPE and o not in rules.DECLARATIONS):
                return f"the schema closure derives {t}"
            schema.append((s, p, o, t))

    derived = rules.property_closure(compiled, edges)
    gained = rules.type_closure(compiled, types, edges, derived)
    schema = [
        (s, p, o, t)
        for s, p, o, t in schema
        if not (p == rules.TYPE and (o in types.get(s, ()) or o in gained.get(s, ())))
    ]
    inferred: list[Triple] = [t for *_, t in schema]
    for p, pairs in derived.items():
        predicate = terms[p]
        inferred.extend((terms[s], predicate, terms[o]) for s, o in pairs if mine(s))
    type_ = terms.get(rules.TYPE, RDF.type)
    published_types: dict[rules.Key, set[rules.Key]] = {}
    for x, classes in gained.items():
        if mine(x):
            kept = published_types[x] = classes - _NOISE
            subject = terms[x]
            inferred.extend((subject, type_, terms[c]) for c in kept)

    # reasonable returns a literal without datatype as xsd:string (what its key is here):
    # so an asserted triple about our things with such an object is new to it, unless it
    # was also written typed.
    inferred.extend(
        (terms[s], terms[p], terms[o])
        for s, p, o in parts.plain
        if mine(s) and (s, p, o) not in strings
    )
    inferred.sort(key=_order)
    return Reasoning(
        inferred, _compiled_consistency(parts, published_types, schema), engine=COMPILED
    )


def _compiled_consistency(
    parts: rules.Split,
    published_types: dict[rules.Key, set[rules.Key]],
    schema: list[tuple[rules.Key, str, rules.Key, Triple]],
) -> list[Inconsistency]:
    """check_consistency over the asserted and the published triples, from what the
    compiled path already has by subject: the types, and the few axioms the class rules
    read. (The property rules' axioms are outside the compiled fragment.)

    Only individuals with a type the class rules mention can be inconsistent: the others
    are skipped, without turning their types into strings."""
    rows: list[tuple[str, str, str]] = []
    interesting: set[rules.Key] = {rules.NOTHING, str(OWL.AllDisjointClasses)}
    more_types: list[tuple[rules.Key, rules.Key]] = []
    for s, p, o in [*parts.axioms, *((s, p, o) for s, p, o, _ in schema)]:
        if isinstance(s, Literal) or isinstance(o, Literal):
            continue
        if p == rules.TYPE:
            more_types.append((s, o))
        elif (kind := _CLASS_RULE_KINDS.get(p)) is not None:
            rows.append((str(s), kind, str(o)))
            interesting.update((s, o))
    types: dict[str, set[str]] = {}

    def take(x: rules.Key, classes: set[rules.Key]) -> None:
        if not isinstance(x, Literal) and not interesting.isdisjoint(classes):
            types.setdefault(str(x), set()).update(str(c) for c in classes)

    for x, classes in parts.types.items():
        take(x, classes)
    for x, classes in published_types.items():
        take(x, classes)
    for x, c in more_types:
        take(x, {c})
    return _class_check(types, rows)


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
_CHECKED_PROPERTY_TYPES = (OWL.IrreflexiveProperty, OWL.AsymmetricProperty)


def check_consistency(triples: Iterable[Triple]) -> list[Inconsistency]:
    """Every rule of CONSISTENCY_CHECKS that derives false, with what triggered it.

    The class rules (cax-dw, cax-adc, cls-nothing2, cls-com) are evaluated here over the
    types of each individual, in one pass; the property rules, rare in practice, as SPARQL
    over just the triples they can match, and only when their axiom occurs at all.
    """
    triples = [t for t in triples if not isinstance(t[0], Literal)]
    found = _class_inconsistencies(triples)
    checked: set[Node] = set(_CHECKED - _CLASS_RULE_PREDICATES)
    triggers = False
    type_, disjoint_properties, different = (
        str(_TYPE),
        str(OWL.propertyDisjointWith),
        str(OWL.differentFrom),
    )
    property_types = {str(t) for t in _CHECKED_PROPERTY_TYPES}
    # plain str comparisons: rdflib's own __eq__ is slow over 100,000s of triples
    same = cast(Callable[[Node, str], bool], str.__eq__)
    for s, p, o in triples:
        if same(p, type_) and str(o) in property_types:
            checked.add(s)
            triggers = True
        elif same(p, disjoint_properties):
            checked.update((s, o))
            triggers = True
        elif same(p, different):
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


_CLASS_RULE_KINDS = {
    str(OWL.disjointWith): "cax-dw",
    str(OWL.complementOf): "cls-com",
    str(OWL.members): "members",
    str(RDF.first): "first",
    str(RDF.rest): "rest",
}


def _class_inconsistencies(triples: list[Triple]) -> list[Inconsistency]:
    """cax-dw, cax-adc, cls-nothing2, cls-com: the same answers as their SPARQL in
    CONSISTENCY_CHECKS, computed from each individual's set of types."""
    # Everything as plain strings (IRIs, blank node ids): rdflib's hashing and equality are
    # Python-level and slow at this size; a literal never is a class or a list node here.
    types: dict[str, set[str]] = {}
    rows: list[tuple[str, str, str]] = []
    type_ = str(_TYPE)
    for s, p, o in triples:
        p_ = str(p)
        if p_ == type_:
            if not isinstance(o, Literal):
                types.setdefault(str(s), set()).add(str(o))
        elif (kind := _CLASS_RULE_KINDS.get(p_)) is not None and not isinstance(o, Literal):
            rows.append((str(s), kind, str(o)))
    return _class_check(types, rows)


def _class_check(
    types: dict[str, set[str]], rows: list[tuple[str, str, str]]
) -> list[Inconsistency]:
    """The class rules over each individual's types (``types``) and the axioms they read
    (``rows``: subject, a kind of _CLASS_RULE_KINDS, object), all as plain strings."""
    pairs: dict[str, dict[str, set[str]]] = {"cax-dw": {}, "cls-com": {}, "cax-adc": {}}
    first: dict[str, list[str]] = {}
    rest: dict[str, list[str]] = {}
    lists = []
    for s_, k, o_ in rows:
        if k == "members":
            lists.append((s_, o_))
        elif k == "first":
            first.setdefault(s_, []).append(o_)
        elif k == "rest":
            rest.setdefault(s_, []).append(o_)
        else:
            pairs[k].setdefault(s_, set()).add(o_)
    all_disjoint, nothing = str(OWL.AllDisjointClasses), str(OWL.Nothing)
    for d, head in lists:
        if all_disjoint not in types.get(d, ()):
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
    indexes = [(rule, index) for rule, index in pairs.items() if index]
    for x, ts in types.items():
        if nothing in ts:
            found.add(("cls-nothing2", x, "", ""))
        for rule, index in indexes:
            for a in ts:
                for b in index.get(a, ()):
                    if b in ts:
                        found.add((rule, x, a, b))
    order = {r: i for i, r in enumerate(CONSISTENCY_CHECKS)}
    return [
        Inconsistency(rule, CONSISTENCY_CHECKS[rule][1].format(x=x, a=a, b=b), x)
        for rule, x, a, b in sorted(found, key=lambda f: (order[f[0]], f[1:]))
    ]

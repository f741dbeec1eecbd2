"""The OWL 2 RL instance rules our ontology needs, compiled into dict and set lookups.

Why this exists: reasonable (Rust) evaluates every OWL 2 RL rule over every triple, and
then hands its whole output back to Python, where rdflib builds (and validates) a new term
for each of ~150,000 triples: at 100k triples that alone costs more than the reasoning.
The ontology, though, is small and uses few constructs, so the instance part of the
closure (the ABox: what follows about our things) is a handful of joins that Python
evaluates over the input's own term objects, keyed as plain strings (rdflib's ``__eq__``
is Python-level and slow; ``str`` hashing and comparison are not).

The fragment compiled here, with the OWL 2 RL rule names (W3C OWL 2 Profiles, 4.3):

* prp-spo1, prp-eqp1/2 -- a triple also holds for every super- and equivalent property;
* prp-inv1/2           -- and, reversed, for every inverse property;
* prp-symp             -- and reversed, for a symmetric property;
* prp-trp              -- and chained, for a transitive property;
  these four feed each other (an inverse of a transitive sub-property...), so they run
  to a fixpoint, on a worklist: each triple is joined once, when it is first derived;
* prp-dom, prp-rng     -- the subject / object of a property is an instance of its
  domain / range (a literal object is skipped: a literal's types are never published);
* cax-sco, cax-eqc1/2  -- an instance of a class is an instance of every superclass and
  every equivalent class (the class hierarchy is closed once, here, not per instance).

Schema-level axioms (scm-* rules), the consistency rules (cax-dw, cax-adc...) and
everything outside the fragment are not here: :func:`split` and :func:`compile_rules`
return the reason (a short string) when the input uses anything else (owl:sameAs, a
functional or inverse-functional property, keys, cardinalities, restrictions, class
expressions, property chains, owl:differentFrom, property disjointness...), and
kzmig.graph.semantics.reason then reasons with reasonable, unchanged. Everything is pure: the
functions take and return plain containers and never mutate their arguments.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
_RESERVED = (RDF_NS, RDFS_NS, OWL_NS)  # the vocabulary whose terms carry semantics

TYPE = RDF_NS + "type"
SUB_CLASS_OF = RDFS_NS + "subClassOf"
SUB_PROPERTY_OF = RDFS_NS + "subPropertyOf"
DOMAIN = RDFS_NS + "domain"
RANGE = RDFS_NS + "range"
EQUIVALENT_CLASS = OWL_NS + "equivalentClass"
EQUIVALENT_PROPERTY = OWL_NS + "equivalentProperty"
INVERSE_OF = OWL_NS + "inverseOf"
SYMMETRIC = OWL_NS + "SymmetricProperty"
TRANSITIVE = OWL_NS + "TransitiveProperty"
THING = OWL_NS + "Thing"
NOTHING = OWL_NS + "Nothing"

# Axioms the fragment reads, or that only the consistency checks read (disjointness, and
# the rdf:first / rdf:rest of an owl:AllDisjointClasses member list).
SCHEMA_PREDICATES = frozenset(
    {
        SUB_CLASS_OF,
        SUB_PROPERTY_OF,
        DOMAIN,
        RANGE,
        EQUIVALENT_CLASS,
        EQUIVALENT_PROPERTY,
        INVERSE_OF,
        OWL_NS + "disjointWith",
        OWL_NS + "members",
        RDF_NS + "first",
        RDF_NS + "rest",
    }
)
# rdf:type objects that declare a schema term: no instance rule fires on them.
DECLARATIONS = frozenset(
    {
        OWL_NS + "Class",
        RDFS_NS + "Class",
        RDF_NS + "Property",
        OWL_NS + "ObjectProperty",
        OWL_NS + "DatatypeProperty",
        OWL_NS + "AnnotationProperty",
        OWL_NS + "AllDisjointClasses",
        SYMMETRIC,
        TRANSITIVE,
    }
)
# Reserved classes an individual may have, and which may head a hierarchy (as a superclass,
# domain or range). Not owl:Thing as a subclass: reasonable types everything owl:Thing.
INSTANCE_CLASSES = frozenset(
    {THING, NOTHING, OWL_NS + "NamedIndividual", OWL_NS + "Ontology", RDFS_NS + "Resource"}
)
# Reserved datatypes, as ranges: only literals get them, and nothing is published about a
# literal (an IRI object gets them too, as with reasonable).
DATATYPES = frozenset(
    {RDFS_NS + "Literal"}
    | {RDF_NS + n for n in ("langString", "PlainLiteral", "XMLLiteral", "HTML")}
)
SUPER_CLASSES = INSTANCE_CLASSES | DATATYPES
# Reserved predicates without semantics in OWL 2 RL: plain data to the rules.
ANNOTATIONS = frozenset(
    {RDFS_NS + n for n in ("label", "comment", "seeAlso", "isDefinedBy")}
    | {
        OWL_NS + n
        for n in (
            "versionInfo",
            "versionIRI",
            "deprecated",
            "priorVersion",
            "backwardCompatibleWith",
            "incompatibleWith",
            "imports",
        )
    }
)

Key = Hashable  # a term as a dict key: an IRI as a plain str, a blank node or literal as is
Pair = tuple[Key, Key]
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def key(term: Node) -> Key:
    """The dict key of a term: the plain string of an IRI (C-level hashing and equality,
    and the same string rdflib hashes), a blank node or literal itself (rdflib's equality
    keeps them apart from IRIs and from each other), a literal without datatype or
    language as xsd:string (the same literal in RDF 1.1, and to reasonable)."""
    if isinstance(term, URIRef):  # and subclasses (skolem IRIs)
        return str(term)
    if type(term) is Literal and term.datatype is None and term.language is None:
        return typed(term)
    return term


def typed(literal: Literal) -> Literal:
    """A literal without datatype or language as xsd:string, as reasonable returns it."""
    return Literal(str(literal), datatype=XSD_STRING)


def reserved(k: Key) -> bool:
    """An IRI of the RDF, RDFS or OWL vocabulary."""
    return type(k) is str and k.startswith(_RESERVED)


@dataclass(frozen=True)
class Split:
    """The input, keyed and sorted into what each part of the reasoning reads.

    ``schema`` (rdflib terms) and ``axioms`` (keys) are the ontology axioms: subclass,
    subproperty, domain, range, equivalence, inverse and disjointness triples, the member
    lists, and the declarations (``p a owl:TransitiveProperty``...). ``types`` are all
    rdf:type triples (declarations included), by subject; ``edges`` every other triple, by
    predicate. ``terms`` gives back a term for each key, the input's own object where it
    has one, so that the output reuses them. ``plain`` are the edges whose object was
    written as a literal without datatype or language, ``strings`` those whose object
    was written as an xsd:string: both have the same key, and reasonable returns the
    first as the second (kzmig.graph.semantics.reason publishes them as reasonable does).
    """

    schema: list[tuple[Node, Node, Node]]
    axioms: list[tuple[Key, str, Key]]
    types: dict[Key, set[Key]]
    edges: dict[str, list[Pair]]
    terms: dict[Key, Node]
    plain: list[tuple[Key, str, Key]]
    strings: set[tuple[Key, str, Key]]


def split(triples: Iterable[tuple[Node, Node, Node]]) -> Split | str:
    """Key the triples and sort them into schema axioms, types and edges, in one pass.

    Returns why not (a string) as soon as a triple uses reserved vocabulary the fragment
    does not compile: an owl:sameAs or owl:differentFrom, an owl:onProperty, a
    ``p a owl:FunctionalProperty``... Those need rules that are not here.
    """
    schema: list[tuple[Node, Node, Node]] = []
    axioms: list[tuple[Key, str, Key]] = []
    types: dict[Key, set[Key]] = {}
    edges: dict[str, list[Pair]] = {}
    terms: dict[Key, Node] = {}
    plain: list[tuple[Key, str, Key]] = []
    strings: set[tuple[Key, str, Key]] = set()
    remember = terms.setdefault
    xsd_string = str(XSD_STRING)
    for t in triples:
        s, p, o = t
        pk = str(p)
        sk: Key = str(s) if isinstance(s, URIRef) else key(s)
        written_plain = False
        if isinstance(o, URIRef):
            ok: Key = str(o)
        elif type(o) is Literal and o.datatype is None and o.language is None:
            ok = terms[ok] = typed(o)  # the output has it typed, as reasonable's has
            written_plain = True
        else:
            ok = o
            if type(o) is Literal and str(o.datatype) == xsd_string:
                strings.add((sk, pk, ok))
        remember(sk, s)
        remember(ok, o)
        if pk == TYPE:
            if type(ok) is str and ok.startswith(_RESERVED) and ok not in INSTANCE_CLASSES:
                if ok not in DECLARATIONS:
                    return f"rdf:type {ok}"
                schema.append(t)
                axioms.append((sk, pk, ok))
            elif isinstance(o, Literal):
                return "a literal as a class"
            found = types.get(sk)
            if found is None:
                types[sk] = {ok}
            else:
                found.add(ok)
        elif pk.startswith(_RESERVED) and pk not in ANNOTATIONS:
            if pk not in SCHEMA_PREDICATES:
                return pk
            remember(pk, p)
            schema.append(t)
            axioms.append((sk, pk, ok))
        else:
            pairs = edges.get(pk)
            if pairs is None:
                edges[pk] = [(sk, ok)]
                remember(pk, p)
            else:
                pairs.append((sk, ok))
            if written_plain:
                plain.append((sk, pk, ok))
    return Split(schema, axioms, types, edges, terms, plain, strings)


@dataclass(frozen=True)
class Rules:
    """The instance rules, compiled from the schema axioms.

    ``super_properties[p]``: every q other than p with p rdfs:subPropertyOf* q, following
    owl:equivalentProperty both ways (prp-spo1, prp-eqp1/2). ``inverses[p]``: the
    properties declared inverse of p, either way round (prp-inv1/2). ``domains[p]`` /
    ``ranges[p]``: p's declared classes and all their superclasses (prp-dom, prp-rng,
    then cax-sco). ``super_classes[c]``: every class above c, following
    owl:equivalentClass both ways (cax-sco, cax-eqc1/2).
    """

    super_properties: dict[str, tuple[str, ...]]
    inverses: dict[str, tuple[str, ...]]
    symmetric: frozenset[str]
    transitive: frozenset[str]
    domains: dict[str, frozenset[Key]]
    ranges: dict[str, frozenset[Key]]
    super_classes: dict[Key, frozenset[Key]]

    def active(self) -> frozenset[str]:
        """The properties whose triples derive other triples (prp-spo1..prp-trp)."""
        return frozenset(
            {*self.super_properties, *self.inverses, *self.symmetric, *self.transitive}
        )


def _above(edges: dict[Key, set[Key]]) -> dict[Key, frozenset[Key]]:
    """Everything reachable from each node by one or more edges (a transitive closure)."""
    closed: dict[Key, frozenset[Key]] = {}
    for start in edges:
        seen: set[Key] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        closed[start] = frozenset(seen)
    return closed


def compile_rules(axioms: Iterable[tuple[Key, str, Key]]) -> Rules | str:
    """The instance rules of :class:`Rules`, or why the fragment can't evaluate these axioms.

    Refused (the reason is returned): an axiom whose class or property is a literal, or a
    reserved term where an instance rule would then derive schema triples (a property
    below rdf:type or rdfs:subClassOf, a class below owl:Class...), or owl:Thing as a
    subclass (every individual is an owl:Thing to reasonable).
    """
    sub_classes: dict[Key, set[Key]] = {}
    sub_properties: dict[Key, set[Key]] = {}
    inverses: dict[Key, set[Key]] = {}
    domains: dict[Key, set[Key]] = {}
    ranges: dict[Key, set[Key]] = {}
    symmetric: set[Key] = set()
    transitive: set[Key] = set()
    classes: list[tuple[Key, Key]] = []  # (subclass, superclass) as the rules will use them
    properties: list[Key] = []
    for s, p, o in axioms:
        if p in (SUB_CLASS_OF, EQUIVALENT_CLASS):
            sub_classes.setdefault(s, set()).add(o)
            classes.append((s, o))
            if p == EQUIVALENT_CLASS:
                sub_classes.setdefault(o, set()).add(s)
                classes.append((o, s))
        elif p in (SUB_PROPERTY_OF, EQUIVALENT_PROPERTY):
            sub_properties.setdefault(s, set()).add(o)
            properties += (s, o)
            if p == EQUIVALENT_PROPERTY:
                sub_properties.setdefault(o, set()).add(s)
        elif p == INVERSE_OF:
            inverses.setdefault(s, set()).add(o)
            inverses.setdefault(o, set()).add(s)
            properties += (s, o)
        elif p in (DOMAIN, RANGE):
            (domains if p == DOMAIN else ranges).setdefault(s, set()).add(o)
            properties.append(s)
            classes.append((None, o))
        elif p == TYPE and o in (SYMMETRIC, TRANSITIVE):
            (symmetric if o == SYMMETRIC else transitive).add(s)
            properties.append(s)
    for prop in properties:
        if type(prop) is not str:
            return f"a property that is not an IRI: {prop!r}"
        if reserved(prop) and prop not in ANNOTATIONS:
            return f"a rule on the reserved property {prop}"
    for sub, sup in classes:
        if isinstance(sub, Literal) or isinstance(sup, Literal):
            return "a literal as a class"
        if reserved(sub) and sub != NOTHING:
            return f"the reserved class {sub} as a subclass"
        if reserved(sup) and sup not in SUPER_CLASSES:
            return f"the reserved class {sup} as a superclass"
    above = _above(sub_classes)

    def upward(cs: set[Key]) -> frozenset[Key]:
        return frozenset(cs).union(*(above.get(c, ()) for c in cs))

    # every property below is a str (checked above)
    return Rules(
        super_properties={
            str(p): tuple(str(q) for q in qs if q != p)
            for p, qs in _above(sub_properties).items()
            if qs - {p}
        },
        inverses={str(p): tuple(str(q) for q in qs) for p, qs in inverses.items()},
        symmetric=frozenset(str(p) for p in symmetric),
        transitive=frozenset(str(p) for p in transitive),
        domains={str(p): upward(cs) for p, cs in domains.items()},
        ranges={str(p): upward(cs) for p, cs in ranges.items()},
        super_classes={c: cs for c, cs in above.items() if cs - {c}},
    )


def property_closure(rules: Rules, edges: dict[str, list[Pair]]) -> dict[str, set[Pair]]:
    """prp-spo1, prp-eqp1/2, prp-inv1/2, prp-symp and prp-trp, to a fixpoint: the new
    (subject, object) pairs, by property.

    A worklist: every asserted triple of a property that has a rule, then every derived
    one, is joined exactly once, with what is known at that moment; a transitive
    property's triples are also indexed both ways, so a triple chains with all those
    before it (a pair is joined when the later of its two triples is processed). Literals
    are nodes like any other here, as in reasonable: ``x p "v"`` with p symmetric gives
    ``"v" p x``, whose inverse is ``x q "v"``.
    """
    active = rules.active()
    supers, inverses = rules.super_properties, rules.inverses
    symmetric, transitive = rules.symmetric, rules.transitive
    known: dict[str, set[Pair]] = {}
    after: dict[str, dict[Key, set[Key]]] = {}  # transitive p: s -> {o}
    before: dict[str, dict[Key, set[Key]]] = {}  # transitive p: o -> {s}
    new: dict[str, set[Pair]] = {}
    todo: list[tuple[Key, str, Key]] = []

    def facts(p: str) -> set[Pair]:
        found = known.get(p)
        if found is None:
            found = known[p] = set(edges.get(p, ()))
            new[p] = set()
            if p in transitive:
                succ: dict[Key, set[Key]] = {}
                pred: dict[Key, set[Key]] = {}
                for s, o in found:
                    succ.setdefault(s, set()).add(o)
                    pred.setdefault(o, set()).add(s)
                after[p], before[p] = succ, pred
        return found

    def add(s: Key, p: str, o: Key) -> None:
        pairs = known.get(p)
        if pairs is None:
            pairs = facts(p)
        if (s, o) in pairs:
            return
        pairs.add((s, o))
        new[p].add((s, o))
        if p in transitive:
            after[p].setdefault(s, set()).add(o)
            before[p].setdefault(o, set()).add(s)
        if p in active:
            todo.append((s, p, o))

    for p in active:
        if p in edges:
            todo.extend((s, p, o) for s, o in facts(p))
    while todo:
        s, p, o = todo.pop()
        for q in supers.get(p, ()):
            add(s, q, o)
        for q in inverses.get(p, ()):
            add(o, q, s)
        if p in symmetric:
            add(o, p, s)
        if p in transitive:
            for z in tuple(after[p].get(o, ())):
                add(s, p, z)
            for w in tuple(before[p].get(s, ())):
                add(w, p, o)
    return {p: pairs for p, pairs in new.items() if pairs}


def type_closure(
    rules: Rules,
    types: dict[Key, set[Key]],
    edges: dict[str, list[Pair]],
    derived: dict[str, set[Pair]],
) -> dict[Key, set[Key]]:
    """prp-dom, prp-rng, cax-sco and cax-eqc1/2: the new classes of each individual.

    ``edges`` and ``derived`` are the asserted and the new property triples (the
    property closure is complete before any type is derived: no rule of the fragment
    derives a property triple from a type). Literal subjects and objects are skipped:
    nothing is published about a literal.
    """
    gained: dict[Key, set[Key]] = {}
    up = rules.super_classes
    for x, cs in types.items():
        for c in cs:
            above = up.get(c)
            if above is not None:
                found = gained.get(x)
                if found is None:
                    gained[x] = set(above)
                else:
                    found |= above
    for index, position in ((rules.domains, 0), (rules.ranges, 1)):
        for p, classes in index.items():
            nodes = {pair[position] for pair in edges.get(p, ())}
            nodes.update(pair[position] for pair in derived.get(p, ()))
            for x in nodes:
                if type(x) is Literal:
                    continue
                found = gained.get(x)
                if found is None:
                    gained[x] = set(classes)
                else:
                    found |= classes
    new: dict[Key, set[Key]] = {}
    for x, cs in gained.items():
        had = types.get(x)
        if had is not None:
            cs -= had
        if cs:
            new[x] = cs
    return new

"""SHACL Core, as kzmig's shapes use it, over plain Python indexes.

Why: pyshacl walks an rdflib Graph, and building that Graph and querying it
triple by triple takes ~35 s on a 1M-triple release. The shapes only ask simple
things (a node's values along a predicate, its types, the rdfs:subClassOf
hierarchy), which dicts built in one pass over the triples answer directly.

pyshacl stays the reference: this module reproduces its results, to the result
(focus node, value, path, message, severity, source shape, constraint
component, nested sh:detail results), and tests/test_shacl_core.py and
tests/test_validation_equivalence.py compare the two (pyshacl is pinned to
0.40 in pyproject.toml for that reason). The default messages are pyshacl's
templates (pyshacl, Apache-2.0); the rules are written here. The semantics follow
pyshacl 0.40, as graph/validate.py runs it (no inference, warnings
allowed):

- every shape of the shapes graph is validated on its own targets: sh:targetNode,
  sh:targetClass (with the rdfs:subClassOf closure taken from the DATA graph),
  implicit class targets (a shape that is also an rdfs:Class or owl:Class),
  sh:targetSubjectsOf, sh:targetObjectsOf;
- a result carries the sh:message values of the shape whose constraint failed
  (a property shape's messages for its own constraints, a node shape's for
  its own), or pyshacl's generic message when that shape has none;
- a shape "conforms" (for sh:or, sh:node, sh:qualifiedValueShape and
  sh:conforms) unless a failing constraint produced a result whose severity is
  neither sh:Warning nor sh:Info: that is what allow_warnings=True does;
- sh:in and sh:hasValue use term equality, sh:datatype rejects ill-typed
  literals, min/max comparisons use pyshacl's own ``compare_literal`` and an
  incomparable value is a violation.

Anything else (other paths, sh:and/sh:not/sh:xone, sh:closed, property-pair
constraints other than sh:lessThanOrEquals, SPARQL, custom components,
recursive shapes, malformed shapes) raises ``Unsupported``: the caller then
runs pyshacl, which gives its own results or its own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pyshacl.consts import XSD_WHOLE_INTEGERS
from pyshacl.graph_abstraction import DataGraph
from pyshacl.rdfutil import stringify_node
from pyshacl.rdfutil.clone import clone_blank_node
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
FocusValues = dict[Node, Sequence[Node]]

# Result severities that don't make a shape non-conforming (pyshacl's allow_warnings=True).
ALLOWED = frozenset({SH.Warning, SH.Info})
# Shape features that are not constraints and that this module understands.
_SHAPE_TERMS = frozenset(
    {
        SH.path,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.message,
        SH.severity,
        SH.deactivated,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.flags,
    }
)
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})


class Unsupported(Exception):
    """The shapes use something this module does not implement: validate with pyshacl."""


# -- the data ------------------------------------------------------------------------------


class Data:
    """The data graph as SHACL Core reads it: values by subject and predicate, types, subclasses.

    Only the predicates in ``reads`` are indexed (paths, targets, rdf:type,
    rdfs:subClassOf). The triples that touch a blank node are kept whole, for
    pyshacl's messages and report, which describe a blank node by its triples.
    """

    def __init__(self, triples: Iterable[Triple], reads: frozenset[Node]) -> None:
        out: dict[Node, dict[Node, list[Node]]] = {}
        by_predicate: dict[Node, list[Node]] = {}
        blank: list[Triple] = []
        for t in triples:
            s, p, o = t
            if isinstance(s, BNode) or isinstance(o, BNode):
                blank.append(t)
            if p not in reads:
                continue
            d = out.get(s)
            if d is None:
                out[s] = {p: [o]}
                by_predicate.setdefault(p, []).append(s)
                continue
            vs = d.get(p)
            if vs is None:
                d[p] = [o]
                by_predicate.setdefault(p, []).append(s)
            else:
                vs.append(o)
        for d in out.values():  # a graph is a set: drop repeated triples
            for p, vs in d.items():
                if len(vs) > 1:
                    d[p] = list(dict.fromkeys(vs))
        self.out = out
        self.by_predicate = by_predicate
        self._blank = blank
        self._instances: dict[Node, frozenset[Node]] = {}
        self._types: dict[Node, list[Node]] | None = None
        self._children: dict[Node, list[Node]] | None = None
        self._described: Graph | None = None

    def values(self, focus: Node, path: Node) -> Sequence[Node]:
        d = self.out.get(focus)
        return d.get(path, ()) if d is not None else ()

    def subjects_of(self, p: Node) -> list[Node]:
        return self.by_predicate.get(p, [])

    def objects_of(self, p: Node) -> list[Node]:
        out = self.out
        return [o for s in self.by_predicate.get(p, ()) for o in out[s][p]]

    def subclasses(self, cls: Node) -> set[Node]:
        """cls and its subclasses, transitively, in the data (rdflib's transitive_subjects)."""
        if self._children is None:
            children: dict[Node, list[Node]] = {}
            for s in self.subjects_of(RDFS.subClassOf):
                for o in self.out[s][RDFS.subClassOf]:
                    children.setdefault(o, []).append(s)
            self._children = children
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self._children.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen

    def instances(self, cls: Node) -> frozenset[Node]:
        """The SHACL instances of cls: typed with it or with one of its subclasses."""
        found = self._instances.get(cls)
        if found is None:
            if self._types is None:
                types: dict[Node, list[Node]] = {}
                for s in self.subjects_of(RDF.type):
                    for c in self.out[s][RDF.type]:
                        types.setdefault(c, []).append(s)
                self._types = types
            members: set[Node] = set()
            for c in self.subclasses(cls):
                members.update(self._types.get(c, ()))
            found = self._instances[cls] = frozenset(members)
        return found

    @property
    def described(self) -> Graph:
        """The triples that touch a blank node, as pyshacl's data graph shows them (same
        namespaces): for messages and the report, which describe blank nodes."""
        if self._described is None:
            g = Graph()
            for t in self._blank:
                g.store.add(t, g, False)
            self._described = DataGraph.from_rdflib(g)
        return self._described


# -- the shapes ----------------------------------------------------------------------------


@dataclass(eq=False)
class Shape:
    node: Node
    path: URIRef | None  # None: a node shape
    severity: Node
    messages: list[Literal]
    deactivated: bool
    target_nodes: list[Node]
    target_classes: list[Node]
    target_subjects_of: list[Node]
    target_objects_of: list[Node]
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_nodes
            or self.target_classes
            or self.target_subjects_of
            or self.target_objects_of
        )


@dataclass(eq=False)
class Found:
    """One validation result, before it is written: its message is made only if reported."""

    constraint: Constraint
    focus: Node
    value: Node | None
    component: URIRef
    details: list[Found] = field(default_factory=list)

    @property
    def shape(self) -> Shape:
        return self.constraint.shape

    @property
    def severity(self) -> Node:
        return self.constraint.shape.severity


class Constraint:
    """A constraint component on one shape, with pyshacl's evaluation and generic message."""

    component: URIRef = URIRef("urn:notimplemented")

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        self.shape = shape
        self.sg = compiled.graph

    def objects(self, p: URIRef) -> list[Node]:
        return list(self.sg.objects(self.shape.node, p))

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        raise NotImplementedError

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        raise NotImplementedError

    def link(self, compiled: Shapes) -> None:
        """Resolve the shapes this constraint names, once every shape exists."""

    def found(self, focus: Node, value: Node | None = None) -> Found:
        return Found(self, focus, value, self.component)

    def sg_str(self, node: Node) -> str:
        return stringify_node(self.sg, node)

    def each_value(self, fvs: FocusValues, bad: Callable[[Node], bool]) -> tuple[bool, list[Found]]:
        """A result for each value node for which ``bad`` holds, with the value."""
        found = [self.found(f, v) for f, vs in fvs.items() for v in vs if bad(v)]
        return not found, found


def _dg_str(data: Data, node: Node) -> str:
    return stringify_node(data.described, node)


def _dg_str_or_plain(data: Data, node: Node) -> str:
    try:
        return _dg_str(data, node)
    except (LookupError, ValueError):
        return str(node)


def _one(values: list[Node], what: str) -> Node:
    if len(values) != 1:
        raise Unsupported(f"{what}: expected one value, got {len(values)}")
    return values[0]


def _integer(values: list[Node], what: str) -> int:
    n = _one(values, what)
    if not (isinstance(n, Literal) and n.datatype == XSD.integer) or int(n.value) < 0:
        raise Unsupported(f"{what} must be a non-negative xsd:integer")
    return int(n.value)


class MinCount(Constraint):
    component = SH.MinCountConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:minCount on a node shape")
        self.min = _integer(self.objects(SH.minCount), "sh:minCount")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.min
        if n == 0:
            return True, []
        found = [self.found(f) for f, vs in fvs.items() if len(vs) < n]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert self.shape.path is not None
        p = self.sg_str(self.shape.path)
        return [Literal(f"Less than {self.min} values on {_dg_str_or_plain(data, focus)}->{p}")]


class MaxCount(Constraint):
    component = SH.MaxCountConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:maxCount on a node shape")
        self.max = _integer(self.objects(SH.maxCount), "sh:maxCount")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.max
        found = [self.found(f) for f, vs in fvs.items() if len(vs) > n]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert self.shape.path is not None
        p = self.sg_str(self.shape.path)
        return [Literal(f"More than {self.max} values on {_dg_str(data, focus)}->{p}")]


class Class(Constraint):
    component = SH.ClassConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.classes = self.objects(SH["class"])

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for c in self.classes:
            members = data.instances(c)
            for f, vs in fvs.items():
                for v in vs:
                    if isinstance(v, Literal) or v not in members:
                        found.append(self.found(f, v))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        if len(self.classes) < 2:
            return [Literal(f"Value does not have class {self.sg_str(self.classes[0])}")]
        rules = ", ".join(self.sg_str(c) for c in self.classes)
        return [Literal(f"Value class is not in classes ({rules})")]


_PYTHON_TYPE: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


class Datatype(Constraint):
    component = SH.DatatypeConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.datatype = _one(self.objects(SH.datatype), "sh:datatype")

    def _matches(self, v: Node) -> bool:
        rule = self.datatype
        if not isinstance(v, Literal):
            return False
        if v.datatype == rule:
            if getattr(v, "ill_typed", None) is True:
                return False
            return self._actual(v)
        if rule == RDFS.Literal:
            return True
        if rule == RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == XSD.string:
            return self._actual(v)
        if rule == RDF.langString and v.language:
            return self._actual(v)
        return False

    def _actual(self, v: Literal) -> bool:
        expected = _PYTHON_TYPE.get(self.datatype)
        return True if expected is None else isinstance(v.value, expected)

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        cache: dict[Node, bool] = {}

        def bad(v: Node) -> bool:
            ok = cache.get(v)
            if ok is None:
                ok = cache[v] = self._matches(v)
            return not ok

        return self.each_value(fvs, bad)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"Value is not Literal with datatype {self.sg_str(self.datatype)}")]


_KINDS = {
    BNode: (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI),
    Literal: (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral),
    URIRef: (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI),
}


class NodeKind(Constraint):
    component = SH.NodeKindConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.kind = _one(self.objects(SH.nodeKind), "sh:nodeKind")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        kind = self.kind

        def bad(v: Node) -> bool:
            for cls, kinds in _KINDS.items():
                if isinstance(v, cls):
                    return kind not in kinds
            return True

        return self.each_value(fvs, bad)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"Value is not of Node Kind {self.sg_str(self.kind)}")]


class _Range(Constraint):
    """sh:min/maxInclusive/Exclusive: pyshacl's compare_literal; incomparable is a violation."""

    parameter: URIRef
    symbol: str
    passes: Callable[[int], bool]

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.bounds = self.objects(self.parameter)
        if not all(isinstance(b, Literal) for b in self.bounds):
            raise Unsupported(f"{self.parameter} must be a literal")

    def _ok(self, v: Node, bound: Literal) -> bool:
        if not isinstance(v, Literal):
            if isinstance(v, BNode | URIRef):
                return False
            raise Unsupported("a value that is not an RDF term")
        bound_is_string = isinstance(bound.value, str)
        if bound_is_string != isinstance(v.value, str):
            return False
        try:
            return type(self).passes(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for bound in self.bounds:
            assert isinstance(bound, Literal)
            cache: dict[Node, bool] = {}
            for f, vs in fvs.items():
                for v in vs:
                    ok = cache.get(v)
                    if ok is None:
                        ok = cache[v] = self._ok(v, bound)
                    if not ok:
                        found.append(self.found(f, v))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        if len(self.bounds) < 2:
            return [Literal(f"Value is not {self.symbol} {self.sg_str(self.bounds[0])}")]
        rules = ", ".join(self.sg_str(b) for b in self.bounds)
        return [Literal(f"Value is not {self.symbol} in ({rules})")]


class MinExclusive(_Range):
    component = SH.MinExclusiveConstraintComponent
    parameter = SH.minExclusive
    symbol = ">"
    passes = staticmethod(lambda cmp: cmp > 0)


class MinInclusive(_Range):
    component = SH.MinInclusiveConstraintComponent
    parameter = SH.minInclusive
    symbol = ">="
    passes = staticmethod(lambda cmp: cmp >= 0)


class MaxExclusive(_Range):
    component = SH.MaxExclusiveConstraintComponent
    parameter = SH.maxExclusive
    symbol = "<"
    passes = staticmethod(lambda cmp: cmp < 0)


class MaxInclusive(_Range):
    component = SH.MaxInclusiveConstraintComponent
    parameter = SH.maxInclusive
    symbol = "<="
    passes = staticmethod(lambda cmp: cmp <= 0)


def _string_of(v: Node) -> str:
    """pyshacl's value_node_to_string: a string literal's value, otherwise the lexical form."""
    if isinstance(v, Literal):
        if v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
            return str(v.value)
        return str(v)
    return str(v)


# pyshacl's own list (it has no xsd:byte): the same datatypes count as whole numbers
_WHOLE_INTEGERS = frozenset(XSD_WHOLE_INTEGERS)


class _Length(Constraint):
    parameter: URIRef

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        rule = _one(self.objects(self.parameter), str(self.parameter))
        if (
            not isinstance(rule, Literal)
            or getattr(rule, "ill_typed", False)
            or rule.datatype not in _WHOLE_INTEGERS
            or rule.datatype in (XSD.negativeInteger, XSD.nonPositiveInteger)
            or rule.value < 0
        ):
            raise Unsupported(f"{self.parameter} must be a non-negative integer")
        self.rule = rule
        self.length = int(rule.value)


class MinLength(_Length):
    component = SH.MinLengthConstraintComponent
    parameter = SH.minLength

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.length
        if n == 0:
            return True, []
        return self.each_value(fvs, lambda v: isinstance(v, BNode) or len(_string_of(v)) < n)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"String length not >= {_dg_str(data, self.rule)}")]


class MaxLength(_Length):
    component = SH.MaxLengthConstraintComponent
    parameter = SH.maxLength

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.length
        return self.each_value(fvs, lambda v: isinstance(v, BNode) or len(_string_of(v)) > n)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"String length not <= {_dg_str(data, self.rule)}")]


class Pattern(Constraint):
    component = SH.PatternConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.patterns = self.objects(SH.pattern)
        if not all(isinstance(p, Literal) for p in self.patterns):
            raise Unsupported("sh:pattern must be a literal")
        flags = set(self.sg.objects(shape.node, SH.flags))
        re_flags = 0
        if flags:
            f = next(iter(flags))
            text = str(f.value if isinstance(f, Literal) else f).lower()
            re_flags |= re.I if "i" in text else 0
            re_flags |= re.M if "m" in text else 0
        self.compiled: list[re.Pattern[str]] = []
        for p in self.patterns:
            assert isinstance(p, Literal)
            source = str(p.value) if p.value is not None and len(p.value) > 1 else str(p)
            try:
                self.compiled.append(re.compile(source, re_flags))
            except re.error as e:
                raise Unsupported(f"sh:pattern {source!r}: {e}") from e

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found: list[Found] = []
        for matcher in self.compiled:
            found += self.each_value(
                fvs, lambda v, m=matcher: isinstance(v, BNode) or not m.search(_string_of(v))
            )[1]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        if len(self.patterns) < 2:
            p = self.patterns[0]
            assert isinstance(p, Literal)
            return [Literal(f"Value does not match pattern '{p.value}'")]
        rules = "', '".join(str(p.value) for p in self.patterns if isinstance(p, Literal))
        return [Literal(f"Value does not match every pattern in ('{rules}')")]


class LanguageIn(Constraint):
    component = SH.LanguageInConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.list = _one(self.objects(SH.languageIn), "sh:languageIn")
        need = set()
        for lang in _items(self.sg, self.list):
            if not isinstance(lang, Literal) or not isinstance(lang.value, str):
                raise Unsupported("sh:languageIn takes string literals")
            need.add(str(lang.value).lower())
        self.need = need
        self.wildcard = "*" in need

    def _ok(self, v: Node) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language)
        return self.wildcard or lang.lower() in self.need or lang.split("-")[0].lower() in self.need

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        return self.each_value(fvs, lambda v: not self._ok(v))

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"String language is not in {self.sg_str(self.list)}")]


class UniqueLang(Constraint):
    component = SH.UniqueLangConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:uniqueLang on a node shape")
        flag = _one(self.objects(SH.uniqueLang), "sh:uniqueLang")
        if not isinstance(flag, Literal) or not isinstance(flag.value, bool):
            raise Unsupported("sh:uniqueLang must be a boolean")
        self.unique = flag.value

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        if not self.unique:
            return True, []
        found = []
        for f, vs in fvs.items():
            seen: set[str] = set()
            repeated: set[str] = set()
            for v in vs:
                if isinstance(v, Literal) and v.language:
                    lang = str(v.language).lower()
                    (repeated if lang in seen else seen).add(lang)
            found += [self.found(f) for _ in repeated]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal("More than one String shares the same Language")]


class LessThanOrEquals(Constraint):
    component = SH.LessThanOrEqualsConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:lessThanOrEquals on a node shape")
        self.others = set(self.sg.objects(shape.node, SH.lessThanOrEquals))
        if not all(isinstance(p, URIRef) for p in self.others):
            raise Unsupported("sh:lessThanOrEquals takes an IRI")

    @staticmethod
    def _comparable(node: Node) -> tuple[Any, bool]:
        if isinstance(node, BNode):
            raise Unsupported("sh:lessThanOrEquals on a blank node (pyshacl raises)")
        if isinstance(node, URIRef):
            return str(node), True
        if isinstance(node, Literal) and isinstance(node.value, str):
            return node.value, True
        return node, False

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for other in self.others:
            for f, vs in fvs.items():
                against = data.values(f, other)
                for v in vs:
                    left, left_is_string = self._comparable(v)
                    for w in against:
                        right, right_is_string = self._comparable(w)
                        if left_is_string != right_is_string:
                            found.append(self.found(f, v))
                            continue
                        try:
                            ok = left <= right
                        except TypeError as e:
                            raise Unsupported(f"incomparable values (pyshacl raises): {e}") from e
                        if not ok:
                            found.append(self.found(f, v))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert value is not None
        if len(self.others) < 2:
            rules = self.sg_str(next(iter(self.others)))
        else:
            rules = ", ".join(self.sg_str(p) for p in self.others)
        return [Literal(f"Value of {_dg_str(data, focus)}->{rules} < {_dg_str(data, value)}")]


class In(Constraint):
    component = SH.InConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.members: set[Node] = set()
        for item in _items(self.sg, _one(self.objects(SH["in"]), "sh:in")):
            self.members.add(item)

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        members = self.members
        return self.each_value(fvs, lambda v: v not in members)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert value is not None
        listed = [self.sg_str(m) for m in self.members]
        return [Literal(f"Value {_dg_str(data, value)} not in list {listed}")]


class HasValue(Constraint):
    component = SH.HasValueConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.wanted = set(self.sg.objects(shape.node, SH.hasValue))

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for hv in self.wanted:
            for f, vs in fvs.items():
                if not any(v == hv for v in vs):
                    found.append(self.found(f))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        wanted = [self.sg_str(s) for s in self.wanted]
        if self.shape.path is not None:
            p = self.sg_str(self.shape.path)
            text = f"Node {_dg_str(data, focus)}->{p} does not contain a value in the set: {wanted}"
        else:
            text = f"Node {_dg_str(data, focus)} value is not a in the set of values: {wanted}"
        return [Literal(text)]


class Property(Constraint):
    """sh:property: the property shapes' own results, on each value node as focus."""

    component = SH.PropertyConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.nodes = self.objects(SH.property)
        self.shapes: list[Shape] = []

    def link(self, compiled: Shapes) -> None:
        self.shapes = [compiled.shape(n, "sh:property") for n in self.nodes]
        if any(s.path is None for s in self.shapes):
            raise Unsupported("sh:property names a shape without sh:path")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        values = [v for vs in fvs.values() for v in vs]
        if not values:
            return True, []
        ok, found = True, []
        # pyshacl validates each value on its own; over distinct values, one call gives the
        # same results and the same conformance (see module docstring), and is faster.
        batches = [values] if len(set(values)) == len(values) else [[v] for v in values]
        for p in self.shapes:
            for batch in batches:
                conforms, results = run(data, p, batch)
                ok = ok and conforms
                found += results
        return ok, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        raise AssertionError("sh:property makes no results of its own")


class NodeRef(Constraint):
    """sh:node: a result on each value that doesn't conform, with its results as sh:detail."""

    component = SH.NodeConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.nodes = self.objects(SH.node)
        self.shapes: list[Shape] = []

    def link(self, compiled: Shapes) -> None:
        self.shapes = [compiled.shape(n, "sh:node") for n in self.nodes]
        if any(s.path is not None for s in self.shapes):
            raise Unsupported("sh:node names a property shape")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for n in self.shapes:
            for f, vs in fvs.items():
                for v in vs:
                    conforms, details = run(data, n, [v])
                    if not conforms or details:
                        found.append(Found(self, f, v, self.component, details))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        if len(self.nodes) < 2:
            text = f"Value does not conform to Shape {self.sg_str(self.nodes[0])}."
        else:
            rules = "', '".join(self.sg_str(n) for n in self.nodes)
            text = f"Value must conform to every Shape in ('{rules}')."
        return [Literal(text + " See details for more information.")]


class Or(Constraint):
    """sh:or: a result on each value conforming to none of the members (their results dropped)."""

    component = SH.OrConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.lists = self.objects(SH["or"])
        self.members: list[list[Shape]] = []

    def link(self, compiled: Shapes) -> None:
        self.members = []
        for lst in self.lists:
            items = set(_items(self.sg, lst))
            if not items:
                raise Unsupported("an empty sh:or list")
            self.members.append([compiled.shape(i, "sh:or") for i in items])

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for members in self.members:
            for f, vs in fvs.items():
                for v in vs:
                    # every member is validated, as pyshacl does (none is skipped)
                    passed = [run(data, m, [v])[0] for m in members]
                    if not any(passed):
                        found.append(self.found(f, v))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert value is not None
        if len(self.lists) < 2:
            text = " , ".join(self.sg_str(i) for i in _items(self.sg, self.lists[0]))
        else:
            parts = []
            for lst in self.lists:
                parts.append("(" + " , ".join(self.sg_str(i) for i in _items(self.sg, lst)) + ")")
            text = " and ".join(parts)
        value_text = _dg_str_or_plain(data, value)
        return [Literal(f"Node {value_text} must conform to one or more shapes in {text}")]


class QualifiedValue(Constraint):
    """sh:qualifiedValueShape with sh:qualifiedMin/MaxCount (not disjoint: no sibling shapes)."""

    component = SH.QualifiedMinCountConstraintComponent  # each result names min or max

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.nodes = set(self.sg.objects(shape.node, SH.qualifiedValueShape))
        if not self.nodes:
            raise Unsupported("sh:qualifiedMin/MaxCount without sh:qualifiedValueShape")
        self.min = self._count(SH.qualifiedMinCount)
        self.max = self._count(SH.qualifiedMaxCount)
        if self.min is None and self.max is None:
            raise Unsupported("sh:qualifiedValueShape without a count")
        for d in self.sg.objects(shape.node, SH.qualifiedValueShapesDisjoint):
            if isinstance(d, Literal) and d.value is True:
                raise Unsupported("sh:qualifiedValueShapesDisjoint (sibling shapes)")
        self.shapes: list[Shape] = []

    def _count(self, p: URIRef) -> int | None:
        counts = set(self.sg.objects(self.shape.node, p))
        if not counts:
            return None
        n = _one(list(counts), str(p))
        if not isinstance(n, Literal) or not isinstance(n.value, int):
            raise Unsupported(f"{p} must be an integer")
        return n.value

    def link(self, compiled: Shapes) -> None:
        self.shapes = [compiled.shape(n, "sh:qualifiedValueShape") for n in self.nodes]

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        found = []
        for q in self.shapes:
            for f, vs in fvs.items():
                n = sum(1 for v in vs if run(data, q, [v])[0])
                if self.max is not None and n > self.max:
                    found.append(Found(self, f, None, SH.QualifiedMaxCountConstraintComponent))
                if self.min is not None and n < self.min:
                    found.append(Found(self, f, None, SH.QualifiedMinCountConstraintComponent))
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        shapes = ",".join(self.sg_str(s) for s in self.nodes)
        counts = ""
        if self.min is not None:
            counts += f" MinCount {self.min}"
        if self.max is not None:
            counts += f" MaxCount {self.max}"
        if len(self.nodes) > 1:
            return [Literal(f"Focus node does not conform to shapes{counts}: ({shapes})")]
        return [Literal(f"Focus node does not conform to shape{counts}: {shapes}")]


# The parameters of SHACL Core this module implements, and the component each starts.
COMPONENTS: dict[URIRef, type[Constraint]] = {
    SH["class"]: Class,
    SH.datatype: Datatype,
    SH.nodeKind: NodeKind,
    SH.minCount: MinCount,
    SH.maxCount: MaxCount,
    SH.minExclusive: MinExclusive,
    SH.minInclusive: MinInclusive,
    SH.maxExclusive: MaxExclusive,
    SH.maxInclusive: MaxInclusive,
    SH.minLength: MinLength,
    SH.maxLength: MaxLength,
    SH.pattern: Pattern,
    SH.languageIn: LanguageIn,
    SH.uniqueLang: UniqueLang,
    SH.lessThanOrEquals: LessThanOrEquals,
    SH["in"]: In,
    SH.hasValue: HasValue,
    SH.property: Property,
    SH.node: NodeRef,
    SH["or"]: Or,
    SH.qualifiedValueShape: QualifiedValue,
    SH.qualifiedMinCount: QualifiedValue,
    SH.qualifiedMaxCount: QualifiedValue,
    SH.qualifiedValueShapesDisjoint: QualifiedValue,
}
_KNOWN = frozenset(COMPONENTS) | _SHAPE_TERMS


def _items(sg: Graph, lst: Node) -> list[Node]:
    try:
        return list(sg.items(lst))
    except Exception as e:  # a malformed list: pyshacl fails on it its own way
        raise Unsupported(f"not an RDF list: {lst}") from e


@dataclass
class Shapes:
    """A shapes graph compiled for validation: every shape, and what the data must index."""

    graph: Graph
    shapes: dict[Node, Shape]
    reads: frozenset[Node]

    def shape(self, node: Node, where: str) -> Shape:
        found = self.shapes.get(node)
        if found is None:
            raise Unsupported(f"{where} names {node}, which is not a shape")
        return found


def unsupported_features(sg: Graph) -> list[str]:
    """What in the shapes graph this module does not implement; empty when it can validate."""
    problems = set()
    sh = str(SH)
    for _, p, o in sg:
        if p == RDF.type or p == RDFS.subClassOf:
            # sh:ConstraintComponent, sh:SPARQLConstraint, sh:SPARQLTarget...
            if isinstance(o, URIRef) and o.startswith(sh) and o not in _SHAPE_TYPES:
                problems.add(f"{p} {o}")
        elif isinstance(p, URIRef) and p.startswith(sh) and p not in _KNOWN:
            problems.add(str(p))
    return sorted(problems)


def supports(sg: Graph) -> bool:
    """True when this module validates with these shapes exactly as pyshacl does."""
    try:
        compile_shapes(sg)
    except Unsupported:
        return False
    return True


def compile_shapes(sg: Graph) -> Shapes:
    """Every shape of the shapes graph, as pyshacl finds them, with their constraints.

    Raises Unsupported for a feature this module lacks or a shapes graph pyshacl
    would reject: pyshacl then gives its results or its error.
    """
    problems = unsupported_features(sg)
    if problems:
        raise Unsupported(", ".join(problems))
    shapes: dict[Node, Shape] = {}
    for node, path in _find_shapes(sg).items():
        shapes[node] = _shape(sg, node, path)
    compiled = Shapes(sg, shapes, frozenset())
    reads: set[Node] = {RDF.type, RDFS.subClassOf}
    for shape in shapes.values():
        done: set[type[Constraint]] = set()
        for p, _ in sg.predicate_objects(shape.node):
            component = COMPONENTS.get(p)  # type: ignore[call-overload]
            if component is None or component in done:
                continue
            done.add(component)
            if component is QualifiedValue and shape.path is None:
                continue  # pyshacl ignores it on a node shape (with a warning)
            shape.constraints.append(component(shape, compiled))
        if shape.path is not None:
            reads.add(shape.path)
        reads.update(shape.target_subjects_of, shape.target_objects_of)
        reads.update(sg.objects(shape.node, SH.lessThanOrEquals))
    for shape in shapes.values():
        for c in shape.constraints:
            c.link(compiled)
    _check_not_recursive(shapes)
    compiled.reads = frozenset(reads)
    return compiled


def _find_shapes(sg: Graph) -> dict[Node, URIRef | None]:
    """The shapes and their paths, found as pyshacl's ShapesGraph finds them."""
    node_shapes = set(sg.subjects(RDF.type, SH.NodeShape))
    prop_shapes = set(sg.subjects(RDF.type, SH.PropertyShape))
    if node_shapes & prop_shapes:
        raise Unsupported("a shape is both a node shape and a property shape")
    candidates: set[Node] = set()
    for p in (
        SH.targetClass,
        SH.targetNode,
        SH.targetObjectsOf,
        SH.targetSubjectsOf,
        SH.property,
        SH.node,
    ):
        candidates.update(sg.subjects(p, None))
    for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        candidates.update(sg.objects(None, p))
    for p in (SH["and"], SH["or"], SH.xone):
        for lst in sg.objects(None, p):
            items = _items(sg, lst)
            if not items:
                raise Unsupported("an empty list of shapes")
            candidates.update(items)
    found: dict[Node, URIRef | None] = {}
    for s in node_shapes | prop_shapes | candidates:
        paths = list(sg.objects(s, SH.path))
        if s in node_shapes:
            if paths:
                raise Unsupported(f"node shape {s} has sh:path")
            found[s] = None
        elif s in prop_shapes or paths:
            if len(paths) != 1:
                raise Unsupported(f"property shape {s} needs exactly one sh:path")
            if not isinstance(paths[0], URIRef):
                raise Unsupported(f"property shape {s}: only predicate paths are implemented")
            found[s] = paths[0]
        else:
            found[s] = None
    return found


def _shape(sg: Graph, node: Node, path: URIRef | None) -> Shape:
    deactivated = set(sg.objects(node, SH.deactivated))
    if len(deactivated) > 1 or not all(isinstance(d, Literal) for d in deactivated):
        raise Unsupported(f"{node}: sh:deactivated must be one literal")
    severities = set(sg.objects(node, SH.severity))
    if len(severities) > 1:
        raise Unsupported(f"{node}: several sh:severity values")
    # implicit class target: the shape is a class (pyshacl adds owl:Class subClassOf rdfs:Class)
    class_types = set(sg.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class, OWL.Class}
    implicit = [node] if any(t in class_types for t in sg.objects(node, RDF.type)) else []
    return Shape(
        node=node,
        path=path,
        severity=next(iter(severities)) if severities else SH.Violation,
        messages=list(set(sg.objects(node, SH.message))),  # type: ignore[arg-type]
        deactivated=bool(next(iter(deactivated)).value) if deactivated else False,  # type: ignore[attr-defined]
        target_nodes=list(sg.objects(node, SH.targetNode)),
        target_classes=list(sg.objects(node, SH.targetClass)) + implicit,
        target_subjects_of=list(sg.objects(node, SH.targetSubjectsOf)),
        target_objects_of=list(sg.objects(node, SH.targetObjectsOf)),
    )


def _check_not_recursive(shapes: dict[Node, Shape]) -> None:
    """Shapes that refer to themselves make pyshacl warn and cut the recursion: not copied."""

    def refs(shape: Shape) -> list[Shape]:
        out: list[Shape] = []
        for c in shape.constraints:
            if isinstance(c, Property | NodeRef | QualifiedValue):
                out += c.shapes
            elif isinstance(c, Or):
                out += [m for members in c.members for m in members]
        return out

    depth: dict[int, int] = {}
    visiting: set[int] = set()

    def visit(shape: Shape) -> int:
        key = id(shape)
        if key in depth:
            return depth[key]
        if key in visiting:
            raise Unsupported(f"recursive shapes through {shape.node}")
        visiting.add(key)
        d = 1 + max((visit(r) for r in refs(shape)), default=0)
        visiting.discard(key)
        depth[key] = d
        return d

    for shape in shapes.values():
        if visit(shape) > 10:
            raise Unsupported("shapes nested too deep")


# -- validation ----------------------------------------------------------------------------


def focus_nodes(data: Data, shape: Shape) -> set[Node]:
    """The focus nodes of a shape's targets in the data."""
    found: set[Node] = set(shape.target_nodes)
    for c in shape.target_classes:
        found.update(data.instances(c))
    for p in shape.target_subjects_of:
        found.update(data.subjects_of(p))
    for p in shape.target_objects_of:
        found.update(data.objects_of(p))
    return found


def run(data: Data, shape: Shape, focus: Sequence[Node]) -> tuple[bool, list[Found]]:
    """Validate focus nodes against one shape: (conforms, results), as pyshacl's Shape.validate."""
    if shape.deactivated or not focus:
        return True, []
    path = shape.path
    if path is None:
        fvs: FocusValues = {f: (f,) for f in focus}
    else:
        out = data.out
        fvs = {}
        for f in focus:
            d = out.get(f)
            fvs[f] = d.get(path, ()) if d is not None else ()
    allowed = shape.severity in ALLOWED
    conforms, found = True, []
    for c in shape.constraints:
        ok, results = c.evaluate(data, fvs)
        if not ok and not allowed and conforms:
            conforms = all(r.severity in ALLOWED for r in results)
        found += results
    return conforms, found


@dataclass(frozen=True)
class Outcome:
    conforms: bool  # as pyshacl's sh:conforms (results of severity Warning or Info allowed)
    results: list[Found]


def validate(triples: Iterable[Triple], shapes: Shapes) -> tuple[Outcome, Data]:
    """Validate the data against every shape's targets."""
    data = Data(triples, shapes.reads)
    conforms, results = True, []
    for shape in shapes.shapes.values():
        if not shape.has_targets or shape.deactivated:
            continue
        ok, found = run(data, shape, list(focus_nodes(data, shape)))
        conforms = conforms and ok
        results += found
    return Outcome(conforms, results), data


# -- the report ----------------------------------------------------------------------------


def report_graph(outcome: Outcome, data: Data, shapes: Shapes) -> Graph:
    """The sh:ValidationReport pyshacl would write for these results.

    Blank nodes (a blank-node shape, focus node or value) are copied with their
    description, as pyshacl does, so the report stands on its own.
    """
    vg = Graph(bind_namespaces="core")
    for prefix, ns in shapes.graph.namespace_manager.namespaces():
        vg.namespace_manager.bind(prefix, ns)
    head = BNode()
    vg.add((head, RDF.type, SH.ValidationReport))
    vg.add((head, SH.conforms, Literal(outcome.conforms)))
    cloned: dict[tuple[int, str], Node] = {}

    def copy(source: Graph, node: Node) -> Node:
        if not isinstance(node, BNode):
            return node
        key = (id(source), str(node))
        if key not in cloned:
            cloned[key] = clone_blank_node(source, node, vg, keepid=True)
        return cloned[key]

    def add(r: Found) -> BNode:
        shape = r.shape
        node = BNode()
        vg.add((node, RDF.type, SH.ValidationResult))
        vg.add((node, SH.sourceConstraintComponent, r.component))
        vg.add((node, SH.sourceShape, copy(shapes.graph, shape.node)))
        vg.add((node, SH.resultSeverity, shape.severity))
        vg.add((node, SH.focusNode, copy(data.described, r.focus)))
        if r.value is not None:
            vg.add((node, SH.value, copy(data.described, r.value)))
        if shape.path is not None:
            vg.add((node, SH.resultPath, shape.path))
        for m in shape.messages or r.constraint.messages(data, r.focus, r.value):
            vg.add((node, SH.resultMessage, m))
        for d in r.details:
            vg.add((node, SH.detail, add(d)))
        return node

    for r in outcome.results:
        vg.add((head, SH.result, add(r)))
    return vg

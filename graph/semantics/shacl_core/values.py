"""The constraint components on value nodes: cardinality, type, range, string, list and
property-pair constraints."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pyshacl.consts import XSD_WHOLE_INTEGERS
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .data import Data
from .model import (
    Constraint,
    FocusValues,
    Found,
    Shape,
    Shapes,
    Unsupported,
    dg_str,
    dg_str_or_plain,
    integer,
    list_items,
    one,
)


class MinCount(Constraint):
    component = SH.MinCountConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:minCount on a node shape")
        self.min = integer(self.objects(SH.minCount), "sh:minCount")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.min
        if n == 0:
            return True, []
        found = [self.found(f) for f, vs in fvs.items() if len(vs) < n]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert self.shape.path is not None
        p = self.sg_str(self.shape.path)
        return [Literal(f"Less than {self.min} values on {dg_str_or_plain(data, focus)}->{p}")]


class MaxCount(Constraint):
    component = SH.MaxCountConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        if shape.path is None:
            raise Unsupported("sh:maxCount on a node shape")
        self.max = integer(self.objects(SH.maxCount), "sh:maxCount")

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.max
        found = [self.found(f) for f, vs in fvs.items() if len(vs) > n]
        return not found, found

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert self.shape.path is not None
        p = self.sg_str(self.shape.path)
        return [Literal(f"More than {self.max} values on {dg_str(data, focus)}->{p}")]


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
        self.datatype = one(self.objects(SH.datatype), "sh:datatype")

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
        self.kind = one(self.objects(SH.nodeKind), "sh:nodeKind")

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
        rule = one(self.objects(self.parameter), str(self.parameter))
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
        return [Literal(f"String length not >= {dg_str(data, self.rule)}")]


class MaxLength(_Length):
    component = SH.MaxLengthConstraintComponent
    parameter = SH.maxLength

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        n = self.length
        return self.each_value(fvs, lambda v: isinstance(v, BNode) or len(_string_of(v)) > n)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        return [Literal(f"String length not <= {dg_str(data, self.rule)}")]


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

            def bad(v: Node, m: re.Pattern[str] = matcher) -> bool:
                return isinstance(v, BNode) or not m.search(_string_of(v))

            found += self.each_value(fvs, bad)[1]
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
        self.list = one(self.objects(SH.languageIn), "sh:languageIn")
        need = set()
        for lang in list_items(self.sg, self.list):
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
        flag = one(self.objects(SH.uniqueLang), "sh:uniqueLang")
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
        return [Literal(f"Value of {dg_str(data, focus)}->{rules} < {dg_str(data, value)}")]


class In(Constraint):
    component = SH.InConstraintComponent

    def __init__(self, shape: Shape, compiled: Shapes) -> None:
        super().__init__(shape, compiled)
        self.members: set[Node] = set()
        for item in list_items(self.sg, one(self.objects(SH["in"]), "sh:in")):
            self.members.add(item)

    def evaluate(self, data: Data, fvs: FocusValues) -> tuple[bool, list[Found]]:
        members = self.members
        return self.each_value(fvs, lambda v: v not in members)

    def messages(self, data: Data, focus: Node, value: Node | None) -> list[Literal]:
        assert value is not None
        listed = [self.sg_str(m) for m in self.members]
        return [Literal(f"Value {dg_str(data, value)} not in list {listed}")]


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
            text = f"Node {dg_str(data, focus)}->{p} does not contain a value in the set: {wanted}"
        else:
            text = f"Node {dg_str(data, focus)} value is not a in the set of values: {wanted}"
        return [Literal(text)]

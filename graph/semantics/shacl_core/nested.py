"""The constraint components that refer to other shapes: sh:property, sh:node, sh:or and
qualified value shapes."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .data import Data
from .evaluate import run
from .model import (
    Constraint,
    FocusValues,
    Found,
    Shape,
    Shapes,
    Unsupported,
    dg_str_or_plain,
    list_items,
    one,
)


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
        # same results and the same conformance (see the package docstring), and is faster.
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
            items = set(list_items(self.sg, lst))
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
            text = " , ".join(self.sg_str(i) for i in list_items(self.sg, self.lists[0]))
        else:
            parts = []
            for lst in self.lists:
                members = " , ".join(self.sg_str(i) for i in list_items(self.sg, lst))
                parts.append(f"({members})")
            text = " and ".join(parts)
        value_text = dg_str_or_plain(data, value)
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
        n = one(list(counts), str(p))
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

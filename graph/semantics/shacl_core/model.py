"""What validation works with: shapes, their constraints and results, and small readers of
the shapes graph that the components share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyshacl.rdfutil import stringify_node
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

if TYPE_CHECKING:
    from .data import Data

Triple = tuple[Node, Node, Node]
FocusValues = dict[Node, Sequence[Node]]

# Result severities that don't make a shape non-conforming (pyshacl's allow_warnings=True).
ALLOWED = frozenset({SH.Warning, SH.Info})


class Unsupported(Exception):
    """The shapes use something this package does not implement: validate with pyshacl."""


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


def dg_str(data: Data, node: Node) -> str:
    return stringify_node(data.described, node)


def dg_str_or_plain(data: Data, node: Node) -> str:
    try:
        return dg_str(data, node)
    except (LookupError, ValueError):
        return str(node)


def one(values: list[Node], what: str) -> Node:
    if len(values) != 1:
        raise Unsupported(f"{what}: expected one value, got {len(values)}")
    return values[0]


def integer(values: list[Node], what: str) -> int:
    n = one(values, what)
    if not (isinstance(n, Literal) and n.datatype == XSD.integer) or int(n.value) < 0:
        raise Unsupported(f"{what} must be a non-negative xsd:integer")
    return int(n.value)


def list_items(sg: Graph, lst: Node) -> list[Node]:
    try:
        return list(sg.items(lst))
    except Exception as e:  # a malformed list: pyshacl fails on it its own way
        raise Unsupported(f"not an RDF list: {lst}") from e

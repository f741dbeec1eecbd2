"""The sh:ValidationReport graph, as pyshacl writes it."""

from __future__ import annotations

from pyshacl.rdfutil.clone import clone_blank_node
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .data import Data
from .evaluate import Outcome
from .model import Found, Shapes


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

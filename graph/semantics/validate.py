"""SHACL validation of the asserted data, before any inference.

Inference first would hide violations (an inferred type satisfies sh:class),
so the data graph is the asserted claims, the ontology (for class hierarchy:
SHACL's sh:class follows rdfs:subClassOf in the data graph) and the
provenance and text graphs, validated without inference.

Validation is pyshacl's, made fast on a big graph without changing a single result:

- only the triples the shapes can read go into the data graph: SHACL Core
  reads a node's values along the paths the shapes name, its rdf:type and the
  rdfs:subClassOf hierarchy, nothing else. Shapes that can read more (sh:closed,
  SPARQL constraints or targets) get the whole data.
- on a big graph, the shapes' targets are split over worker processes forked
  after the data graph is built (each validates the targets of some shapes,
  with every shape present for sh:node; SHACL validates each shape's targets
  independently), and their reports merged.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Iterable
from dataclasses import dataclass

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
log = logging.getLogger(__name__)

# Below this many data triples one process is faster than forking workers.
PARALLEL_FROM = 150_000
# Shape features that read more than the paths the shapes name.
_READS_EVERYTHING = (SH.closed, SH.sparql, SH.target, SH.SPARQLConstraint, SH.js)


@dataclass(frozen=True)
class Result:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str
    message: str
    shape: str


@dataclass(frozen=True)
class Validation:
    conforms: bool
    results: list[Result]
    report: Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]


def readable_predicates(shapes: Graph) -> frozenset[URIRef] | None:
    """The predicates the shapes can read, or None when they may read any."""
    if any((None, p, None) in shapes for p in _READS_EVERYTHING) or any(
        (None, RDF.type, c) in shapes for c in (SH.SPARQLConstraint, SH.SPARQLTarget)
    ):
        return None
    named = {t for triple in shapes for t in triple if isinstance(t, URIRef)}
    return frozenset(named | {RDF.type, RDFS.subClassOf})


def data_graph(data: Iterable[Triple], shapes: Graph) -> Graph:
    """The data graph pyshacl gets: the triples the shapes can read (all, if they may read any)."""
    graph = Graph()
    add, store = graph.store.add, graph
    keep = readable_predicates(shapes)
    if keep is None:
        for t in data:
            add(t, store, False)
    else:
        for t in data:
            if t[1] in keep:
                add(t, store, False)
    return graph


def validate(data: Iterable[Triple], shapes: Graph, *, workers: int | None = None) -> Validation:
    """Validate the asserted data against the shapes (pyshacl, no inference): on the
    triples the shapes can read; on a big graph, in forked processes."""
    graph = data_graph(data, shapes)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    parts = _shape_parts(shapes, workers) if workers > 1 and len(graph) >= PARALLEL_FROM else None
    if parts is None:
        return _read_report(_pyshacl(graph, shapes))
    global _FORKED
    _FORKED = (graph, shapes)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            reports = pool.map(_validate_part, parts)
    finally:
        _FORKED = None
    return _read_report(_merge(reports))


def validate_reference(data: Iterable[Triple], shapes: Graph) -> Validation:
    """Plain pyshacl on the whole data graph in one process: the reference for tests and bench."""
    graph = Graph()
    for t in data:
        graph.add(t)
    return _read_report(_pyshacl(graph, shapes))


def _pyshacl(graph: Graph, shapes: Graph) -> Graph:
    _conforms, report, _ = pyshacl_validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True, meta_shacl=False
    )
    assert isinstance(report, Graph)
    return report


_FORKED: tuple[Graph, Graph] | None = None


def _validate_part(shape_iris: list[str]) -> bytes:
    """Validate with the targets of only these shapes (the others stay, for sh:node)."""
    assert _FORKED is not None
    graph, shapes = _FORKED
    mine = {URIRef(s) for s in shape_iris}
    part = Graph()
    for t in shapes:
        if t[1] in _TARGETS and t[0] not in mine:
            continue
        part.add(t)
    return _pyshacl(graph, part).serialize(format="nt", encoding="utf-8")


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _shape_parts(shapes: Graph, workers: int) -> list[list[str]] | None:
    """The shapes with a target, in small batches: a part validates only their targets.

    None when the shapes can't be split that way: a targeted shape is a blank node, or
    a shape is also a class (an implicit target, which can't be switched off).
    """
    targeted: set[Node] = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    for cls in (SH.NodeShape, SH.PropertyShape):
        for s in shapes.subjects(RDF.type, cls):
            if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, URIRef(_OWL_CLASS)) in shapes:
                return None
    if not targeted or any(isinstance(s, BNode | Literal) for s in targeted):
        return None
    ordered = sorted(str(s) for s in targeted)
    size = max(1, len(ordered) // (workers * 8))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


_OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"


def _merge(reports: list[bytes]) -> Graph:
    """One validation report from several: every result, conforming only if all conform."""
    merged = Graph()
    for nt in reports:
        merged.parse(data=nt, format="nt")
    heads = list(merged.subjects(RDF.type, SH.ValidationReport))
    conforms = all(merged.value(h, SH.conforms) in (None, Literal(True)) for h in heads)
    head = BNode()
    for h in heads:
        merged.remove((h, None, None))
    merged.add((head, RDF.type, SH.ValidationReport))
    merged.add((head, SH.conforms, Literal(conforms)))
    for r in merged.subjects(RDF.type, SH.ValidationResult):
        merged.add((head, SH.result, r))
    return merged


def _read_report(report: Graph) -> Validation:
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(r, SH.resultSeverity) or "").rsplit("#", 1)[-1]
        messages = [str(m) for m in report.objects(r, SH.resultMessage)]
        results.append(
            Result(
                severity=severity,
                focus=str(report.value(r, SH.focusNode) or ""),
                path=str(report.value(r, SH.resultPath) or ""),
                message="; ".join(sorted(messages)) or "constraint not met",
                shape=str(report.value(r, SH.sourceShape) or ""),
            )
        )
    results.sort(key=lambda r: (r.severity, r.focus, r.path, r.message))
    return Validation(not any(r.severity == "Violation" for r in results), results, report)

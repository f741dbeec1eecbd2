"""SHACL validation of the asserted data, before any inference.

Inference first would hide violations (an inferred type satisfies sh:class),
so the data graph is the asserted claims, the ontology (for class hierarchy:
SHACL's sh:class follows rdfs:subClassOf in the data graph) and the
provenance and text graphs, and pyshacl runs with ``inference="none"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyshacl import validate as pyshacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


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


def validate(data: Iterable[Triple], shapes: Graph) -> Validation:
    graph = Graph()
    for t in data:
        graph.add(t)
    _conforms, report, _ = pyshacl_validate(
        graph, shacl_graph=shapes, inference="none", allow_warnings=True, meta_shacl=False
    )
    assert isinstance(report, Graph)
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

"""Validation: each shape on its targets' focus nodes, conformance as pyshacl decides it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib.term import Node

from .data import Data
from .model import ALLOWED, FocusValues, Found, Shape, Shapes, Triple


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

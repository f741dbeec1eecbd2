"""Reading the shapes graph into shapes and their constraints, as pyshacl finds them."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .model import Constraint, Shape, Shapes, Unsupported, list_items
from .nested import NodeRef, Or, Property, QualifiedValue
from .values import (
    Class,
    Datatype,
    HasValue,
    In,
    LanguageIn,
    LessThanOrEquals,
    MaxCount,
    MaxExclusive,
    MaxInclusive,
    MaxLength,
    MinCount,
    MinExclusive,
    MinInclusive,
    MinLength,
    NodeKind,
    Pattern,
    UniqueLang,
)

# Shape features that are not constraints and that this package understands.
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

# The parameters of SHACL Core this package implements, and the component each starts.
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


def unsupported_features(sg: Graph) -> list[str]:
    """What in the shapes graph this package does not implement; empty when it can validate."""
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
    """True when this package validates with these shapes exactly as pyshacl does."""
    try:
        compile_shapes(sg)
    except Unsupported:
        return False
    return True


def compile_shapes(sg: Graph) -> Shapes:
    """Every shape of the shapes graph, as pyshacl finds them, with their constraints.

    Raises Unsupported for a feature this package lacks or a shapes graph pyshacl
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
            items = list_items(sg, lst)
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

"""A tiny quad collection with rdflib terms, and its conversion to pyoxigraph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

Quad = tuple[Node, Node, Node, URIRef]


# Oxigraph stores every integer-derived XSD type as xsd:integer; normalising here
# means the data we validate is byte for byte the data we publish.
_INTEGER_TYPES = frozenset(
    URIRef(XSD + name)
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


def normalise(term: Node) -> Node:
    if isinstance(term, Literal) and term.datatype in _INTEGER_TYPES:
        return Literal(str(term), datatype=XSD.integer)
    return term


class Quads:
    """Quads in insertion order, without duplicates, literals as the store keeps them."""

    def __init__(self) -> None:
        self._seen: dict[Quad, None] = {}

    def add(self, s: Node, p: Node, o: Node, g: URIRef) -> None:
        self._seen[(s, p, normalise(o), g)] = None

    def add_all(self, triples: Iterable[tuple[Node, Node, Node]], g: URIRef) -> None:
        for s, p, o in triples:
            self.add(s, p, o, g)

    def merge(self, other: Quads) -> None:
        """Add every quad of ``other`` (already normalised)."""
        self._seen.update(other._seen)

    def __iter__(self) -> Iterator[Quad]:
        return iter(self._seen)

    def __len__(self) -> int:
        return len(self._seen)

    def graph(self, g: URIRef) -> list[tuple[Node, Node, Node]]:
        return [(s, p, o) for s, p, o, gg in self._seen if gg == g]


_DATATYPES: dict[str, ox.NamedNode] = {}


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if type(term) is URIRef or isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(term, language=term.language)
        datatype = term.datatype
        if datatype:
            dt = _DATATYPES.get(datatype)
            if dt is None:
                dt = _DATATYPES[str(datatype)] = ox.NamedNode(datatype)
            return ox.Literal(term, datatype=dt)
        return ox.Literal(term)
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_quads(quads: Iterable[Quad]) -> Iterator[ox.Quad]:
    default = ox.DefaultGraph()
    graphs: dict[str, ox.NamedNode] = {}
    for s, p, o, g in quads:
        if g is None:
            graph = default
        else:
            graph = graphs.get(g)  # type: ignore[assignment]
            if graph is None:
                graph = graphs[str(g)] = ox.NamedNode(g)
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]

"""The data graph as SHACL Core reads it, indexed in one pass over the triples."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pyshacl.graph_abstraction import DataGraph
from rdflib import BNode, Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .model import Triple


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

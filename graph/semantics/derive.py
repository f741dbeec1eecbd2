"""Declared rules: the SPARQL CONSTRUCT files of rules/, run on the asserted data.

Why rules in files rather than code: what the graph derives is then data an editor can
read and change, and its provenance names the file. Why not the reasoner: OWL 2 RL has no
way to say "a program starts in the year its active period starts" (that is a property
chain onto a literal, which reasonable skips), and none to take the year of a date.
The rules run on the asserted triples only (claims and ontology), each once, in file
order; what they construct that is not asserted goes into the inferred graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from kzmig.loaders.errors import InputError, Problem
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .quads import to_ox

Triple = tuple[Node, Node, Node]
FOLDER = "rules"


@dataclass(frozen=True)
class Rule:
    path: Path  # relative to the project root
    title: str
    query: str


@dataclass(frozen=True)
class Derived:
    rule: Rule
    triples: tuple[Triple, ...]


def read_rules(root: Path) -> list[Rule]:
    """Every rules/*.rq of the project, in file order; refuses a file that is no CONSTRUCT."""
    rules, problems = [], []
    for path in sorted((root / FOLDER).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text.strip() else ""
        shown = str(path.relative_to(root))
        if not first.startswith("#"):
            problems.append(Problem(shown, 1, "a rule opens with a comment saying what it derives"))
            continue
        rules.append(Rule(Path(shown), first.lstrip("# ").strip().rstrip("."), text))
    if problems:
        raise InputError(problems)
    return rules


def derive(rules: Iterable[Rule], asserted: Iterable[Triple]) -> list[Derived]:
    """Run each rule over ``asserted``; keep what each constructs that is not asserted."""
    store = ox.Store()
    known: set[Triple] = set()
    for s, p, o in asserted:
        known.add((s, p, o))
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in known)  # type: ignore[arg-type]
    out, problems = [], []
    for rule in rules:
        try:
            result = store.query(rule.query, use_default_graph_as_union=True)
        except SyntaxError as e:
            problems.append(Problem(str(rule.path), None, f"not valid SPARQL: {e}"))
            continue
        if not isinstance(result, ox.QueryTriples):
            problems.append(Problem(str(rule.path), None, "a rule must be a CONSTRUCT query"))
            continue
        new = []
        for t in result:
            triple = (_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object))
            if triple not in known:
                known.add(triple)
                new.append(triple)
        out.append(Derived(rule, tuple(new)))
    if problems:
        raise InputError(problems)
    return out


def _rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)  # as rdflib reads a plain literal
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"a rule constructed an unexpected term: {term!r}")

"""SHACL validation per source text, in parallel and reusable, with pyshacl's exact results.

Why: at 1M quads validation is one of the build's longest stages, and a rebuild after one
edited text validated every other text again. Split by source, each text's part is
validated in a process of its own (two at a time) and its report can be kept and reused
while that text, the ontology, the shapes and the code stay the same.

Why it is exact. The shapes may only use sh:targetClass and sh:targetSubjectsOf, no
sh:inversePath, and nothing that reads the whole graph (sh:closed, SPARQL: see
validate.readable_predicates); :func:`splittable` refuses other shapes, and the build then
validates the whole graph as before. With such shapes, whether a node is a focus node and
what its validation finds depend only on the triples whose subject is the node or a node
reachable from it along outgoing edges (types, path values, sh:class and sh:node on the
values, the ontology's rdfs:subClassOf). So:

- a node is *clean in part S* when every node reachable from it (itself included) is
  described (a subject) in S only, or in the ontology only; a blank node is never clean
  (its label is not stable from one build to the next). Validating S's triples plus the
  ontology gives exactly the whole graph's results for S's clean nodes.
- every other node (described by several sources, by the ontology and a source, by the
  build's own provenance, or reaching such a node) is validated in one *remainder* pass
  over the triples reachable from those nodes, plus the ontology: again exactly its
  results in the whole graph.

Each node is kept from exactly one pass, so the union is the whole graph's result set
(tests/test_validation_equivalence.py compares them on the repository data, on a copy
broken on purpose, and on sources that share things).

Measured (`python -m bench.run --only builds --sizes 1M`, 100 texts, shared 2-core machine
under load; bench/results/builds-1m.md): the validate stage of a cold build 66 s (71 s
CPU), against 148 s for the whole-graph validation in the same session (a busier moment);
with every text's report reused 20 s (16 s CPU, mostly the remainder pass), one text
changed 21 s. Exactness costs CPU where texts share things: at 100k, in one process,
15 s for the whole graph against 21.6 s by source (bench/results/profiles/validate-100k-*).

A part's report depends only on its triples, the ontology, the shapes and the engines; the
one term that changes with every build, the run's IRI, is written as :data:`RUN_PLACEHOLDER`
in reports, so a kept report is reused as is (graph/build/reuse.py keys and stores them).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from pyshacl.validator import Validator
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .derive import _rdflib
from .validate import Validation, _read_report, readable_predicates
from .validate import _pyshacl as _validate_all

Triple = tuple[Node, Node, Node]
ONTOLOGY = "\0ontology"  # the part name of the ontology's triples
COMMON = "\0common"  # the build's own provenance (graphs, reasoning): never split
REMAINDER = "\0remainder"
RUN_PLACEHOLDER = b"urn:kzmig:this-run"
_MANY = "\0many"
_SUPPORTED_TARGETS = {SH.targetClass, SH.targetSubjectsOf}
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def splittable(shapes: Graph) -> bool:
    """True when the shapes read only outgoing edges of nodes found by class or subject."""
    if readable_predicates(shapes) is None or (None, SH.inversePath, None) in shapes:
        return False
    used = {p for p in _TARGETS if (None, p, None) in shapes}
    return used <= _SUPPORTED_TARGETS


@dataclass
class Split:
    """Which part validates which nodes, and the remainder pass's triples."""

    clean: dict[str, set[Node]]  # part -> the nodes whose results that part's pass gives
    remainder: list[Triple]  # what the remainder pass validates (the ontology included)
    others: set[Node] = field(default_factory=set)  # the nodes the remainder pass answers for
    ontology: dict[str, list[Triple]] = field(default_factory=dict)  # part -> what it reaches


def split(parts: Mapping[str, list[Triple]], common: list[Triple], ontology: list[Triple]) -> Split:
    """Sort every described node into one part's clean set, or the remainder."""
    owner: dict[Node, str] = {}
    out: dict[Node, list[Triple]] = {}
    named = {**parts, COMMON: common, ONTOLOGY: ontology}
    for name, triples in named.items():
        for t in triples:
            s = t[0]
            was = owner.get(s)
            owner[s] = name if was is None or was == name else _MANY
            out.setdefault(s, []).append(t)
    # grouped once, not scanned once per text: split() of the 100k project 0.75-1.24 s -> 0.23 s
    by_owner: dict[str, list[Node]] = {}
    for n, o in owner.items():
        by_owner.setdefault(o, []).append(n)
    clean_ontology = _clean_nodes(ONTOLOGY, by_owner.get(ONTOLOGY, []), owner, out, set())
    clean = {
        name: _clean_nodes(name, by_owner.get(name, []), owner, out, clean_ontology)
        for name in parts
    }
    kept = set().union(*clean.values()) if clean else set()
    others = {n for n in owner if n not in kept}
    reach, todo = set(others), list(others)
    while todo:
        for _, _, o in out.get(todo.pop(), ()):
            if o in owner and o not in reach:
                reach.add(o)
                todo.append(o)
    remainder = [t for n in reach for t in out[n]]
    return Split(clean, remainder, others, {p: _reached(parts[p], owner, out) for p in parts})


def _reached(
    triples: list[Triple], owner: dict[Node, str], out: dict[Node, list[Triple]]
) -> list[Triple]:
    """The ontology's triples about the nodes ``triples`` lead to, and further on.

    A part is validated with these only, not the whole ontology: the ontology's own nodes
    are the remainder pass's, and validating them again in every part cost ~0.3 s a part.
    """
    seen: set[Node] = set()
    todo = [o for _, _, o in triples if owner.get(o) == ONTOLOGY]
    found: list[Triple] = []
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for t in out[n]:
            found.append(t)
            if owner.get(t[2]) == ONTOLOGY:
                todo.append(t[2])
    return found


def _clean_nodes(
    name: str,
    mine: list[Node],
    owner: dict[Node, str],
    out: dict[Node, list[Triple]],
    outside: set[Node],
) -> set[Node]:
    """The nodes described only in ``name`` (``mine``) whose every reachable node is too (or
    is in ``outside``, the ontology's own clean nodes). Objects nobody describes are fine."""
    into: dict[Node, list[Node]] = {}
    dirty: list[Node] = []
    for n in mine:
        if isinstance(n, BNode):
            dirty.append(n)
        for _, _, o in out[n]:
            if isinstance(o, Literal) or o not in owner:
                if isinstance(o, BNode):
                    dirty.append(n)
                continue
            if owner[o] == name:
                into.setdefault(o, []).append(n)
            elif o not in outside:
                dirty.append(n)
    bad = set(dirty)
    while dirty:
        for n in into.get(dirty.pop(), ()):
            if n not in bad:
                bad.add(n)
                dirty.append(n)
    return {n for n in mine if n not in bad}


# -- the passes --------------------------------------------------------------------------------


@dataclass
class PartsResult:
    validation: Validation
    reports: dict[str, bytes]  # part -> its report (N-Triples), as computed or reused
    computed: list[str]  # the parts pyshacl ran on this time (the rest were reused)


_FORKED: tuple[dict[str, list[Triple]], dict[str, list[Triple]], Graph, bytes] | None = None


def validate_parts(
    parts: Mapping[str, list[Triple]],
    common: list[Triple],
    ontology: list[Triple],
    shapes: Graph,
    *,
    known: Mapping[str, bytes] | None = None,
    run_iri: str = "",
    workers: int | None = None,
) -> PartsResult:
    """Validate each part (reusing ``known`` reports) and the remainder; merge their results."""
    known = known or {}
    keep = readable_predicates(shapes)
    assert keep is not None, "call splittable(shapes) first"
    parts = {k: [t for t in v if t[1] in keep] for k, v in parts.items()}
    common = [t for t in common if t[1] in keep]
    ontology = [t for t in ontology if t[1] in keep]
    cut = split(parts, common, ontology)
    todo = [p for p in parts if p not in known]
    global _FORKED
    _FORKED = ({**parts, REMAINDER: cut.remainder}, cut.ontology, shapes, run_iri.encode())
    jobs = [REMAINDER, *todo]
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    try:
        if workers > 1 and len(jobs) > 1:
            with mp.get_context("fork").Pool(workers) as pool:
                done = dict(zip(jobs, pool.map(_validate_one, jobs, chunksize=1), strict=True))
        else:
            done = {j: _validate_one(j) for j in jobs}
    finally:
        _FORKED = None
    reports = {p: done.get(p) or known[p] for p in parts}
    pieces = [_kept(reports[p], cut.clean[p], run_iri) for p in parts]
    pieces.append(_kept(done[REMAINDER], cut.others, run_iri))
    return PartsResult(_read_report(_merge(pieces)), reports, todo)


def _validate_one(job: str) -> bytes:
    """pyshacl on one part's triples and the ontology; the report as N-Triples.

    A text's pass validates only the nodes the text describes (not the ontology's own,
    which the remainder pass validates once): that took one text's pass of the 100k-quad
    project from 1.8-2.2 s to 1.0-1.3 s (timed in one process, shared machine).
    """
    assert _FORKED is not None
    parts, ontology, shapes, run = _FORKED
    graph = Graph()
    add = graph.store.add
    for triples in (parts[job], ontology.get(job, ())):
        for t in triples:
            add(t, graph, False)
    only = None if job == REMAINDER else {t[0] for t in parts[job]}
    report = _pyshacl(graph, shapes, only).serialize(format="nt", encoding="utf-8")
    return report.replace(run, RUN_PLACEHOLDER) if run else report


class _Members(list):  # type: ignore[type-arg]
    """A list (what pyshacl keeps its focus nodes in) whose ``in`` is a set's."""

    def __init__(self, items: set[Node]):
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._set


@contextlib.contextmanager
def _only(nodes: set[Node]) -> Iterator[None]:
    """pyshacl validating only the focus nodes in ``nodes``.

    pyshacl's own ``focus_nodes`` option keeps them in a list (a text's 3,000 nodes make
    that quadratic); this hands its executor the same filter as a set. Should pyshacl stop
    filtering this way, every node is validated again: slower, the same results (the
    merge keeps each part's clean nodes only).
    """
    original = Validator.make_executor

    def make_executor(self: Validator):  # type: ignore[no-untyped-def]
        executor = original(self)
        executor.focus_nodes = _Members(nodes)
        return executor

    Validator.make_executor = make_executor  # type: ignore[method-assign]
    try:
        yield
    finally:
        Validator.make_executor = original  # type: ignore[method-assign]


def _pyshacl(graph: Graph, shapes: Graph, only: set[Node] | None = None) -> Graph:
    if only is None:
        return _validate_all(graph, shapes)
    if not only:
        return Graph().parse(data=_EMPTY, format="turtle")
    with _only(only):
        return _validate_all(graph, shapes)


_EMPTY = "[] a <http://www.w3.org/ns/shacl#ValidationReport> ; " + (
    "<http://www.w3.org/ns/shacl#conforms> true ."
)


def _kept(report: bytes, focus: set[Node], run_iri: str) -> list[Triple]:
    """The triples of the results of ``report`` about ``focus`` nodes.

    Read with pyoxigraph and filtered before any rdflib term is made: rdflib's N-Triples
    parser on every text's report took ~17% of a rebuild's validate stage (0.9 s of 5.4 s
    at 100k, cProfile), most of it on results the merge then drops.
    """
    if run_iri:
        report = report.replace(RUN_PLACEHOLDER, run_iri.encode())
    about: dict[object, list[ox.Triple]] = {}
    for t in ox.parse(report, format=ox.RdfFormat.N_TRIPLES):
        about.setdefault(t.subject, []).append(t)
    wanted = {str(n) for n in focus if not isinstance(n, BNode)}
    focus_of = {}
    for r, ts in about.items():
        for t in ts:
            if t.predicate == _FOCUS:
                focus_of[r] = t.object
    top = {t.object for ts in about.values() for t in ts if t.predicate == _RESULT}
    keep = {r for r in top if _value(focus_of.get(r)) in wanted}
    out: list[Triple] = []
    seen, todo = set(keep), list(keep)
    while todo:
        for t in about.get(todo.pop(), ()):
            o = t.object
            # a detail (sh:detail, from sh:node) that is a result of its own is kept or not by
            # its own focus node, as every result is: else the pass that kept its parent
            # would bring a second copy of it (the whole graph's report holds one). Such a
            # link between results of two passes is left out; the results are all there.
            if t.predicate == _DETAIL and o in top and o not in keep:
                continue
            out.append((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(o)))
            if isinstance(o, ox.BlankNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return out


_FOCUS, _RESULT, _DETAIL = (ox.NamedNode(str(SH[n])) for n in ("focusNode", "result", "detail"))


def _value(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _merge(pieces: list[list[Triple]]) -> Graph:
    """One validation report of the kept results of every pass."""
    merged = Graph()
    add = merged.store.add
    for triples in pieces:
        for t in triples:
            add(t, merged, False)
    head = BNode()
    merged.add((head, RDF.type, SH.ValidationReport))
    results = list(merged.subjects(RDF.type, SH.ValidationResult))
    violation = any(merged.value(r, SH.resultSeverity) == SH.Violation for r in results)
    merged.add((head, SH.conforms, Literal(not violation)))
    for r in results:
        merged.add((head, SH.result, r))
    return merged

"""What the store says about one IRI: its description, labels, statements, provenance.

Everything goes through ``QueryStore.query`` (SPARQL), so the pages work on any
store behind that interface. IRIs are put into queries only as validated
``pyoxigraph.NamedNode`` terms, never by string pasting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from kzmig.names import KZO, NIF, OA, PROV, VOCABULARIES

RDF_TYPE = VOCABULARIES["rdf"] + "type"
RDF_VALUE = VOCABULARIES["rdf"] + "value"
LABELS = (
    VOCABULARIES["rdfs"] + "label",
    VOCABULARIES["skos"] + "prefLabel",
    VOCABULARIES["dcterms"] + "title",
)
_IS_STRING, _CONTEXT, _BEGIN, _END = (
    ox.NamedNode(str(x)) for x in (NIF.isString, NIF.referenceContext, NIF.beginIndex, NIF.endIndex)
)
LABEL_NODES = tuple(ox.NamedNode(p) for p in LABELS)
MAX_INCOMING = 2000
MAX_GRAPH_CONTENT = 200_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def node(iri: str) -> ox.NamedNode:
    """A validated IRI (ValueError when it is not one)."""
    return ox.NamedNode(iri)


def _rows(store: Any, sparql: str) -> list[ox.QuerySolution]:
    return list(store.query(sparql))


def direct(store: Any) -> ox.Store | None:
    """The pyoxigraph store behind ``store`` when its default graph is the union of all
    graphs (a release, or files in memory), for reading a triple pattern without
    planning a query; None for any other store (a remote one answers SPARQL only)."""
    get = getattr(store, "oxigraph", None)
    if get is None or not getattr(store, "union_default", True):
        return None
    found = get()
    return found if isinstance(found, ox.Store) else None


def exists(store: Any, iri: str) -> bool:
    n = node(iri)
    local = direct(store)
    if local is not None:  # three pattern reads, each stopping at the first quad
        return any(
            next(local.quads_for_pattern(*pattern), None) is not None
            for pattern in ((n, None, None, None), (None, None, n, None), (None, None, None, n))
        )
    return bool(
        store.query(
            f"ASK {{ {{ {n} ?p ?o }} UNION {{ ?s ?p {n} }} UNION {{ GRAPH {n} {{ ?s ?p ?o }} }} }}"
        )
    )


def is_graph(store: Any, iri: str) -> bool:
    return bool(store.query(f"ASK {{ GRAPH {node(iri)} {{ ?s ?p ?o }} }}"))


@dataclass
class Description:
    """The quads that describe one IRI (and, for a named graph, its content)."""

    iri: str
    about: list[ox.Quad] = field(default_factory=list)  # statements about it, with their graph
    content: list[ox.Quad] = field(default_factory=list)  # a named graph's own triples
    triples_only: list[ox.Triple] = field(default_factory=list)  # from a plain default graph

    def triples(self) -> list[ox.Triple]:
        """The description as a graph: each statement once, whichever graphs assert it."""
        seen: dict[ox.Triple, None] = {}
        for q in self.about:
            seen.setdefault(ox.Triple(q.subject, q.predicate, q.object))
        for t in self.triples_only:
            seen.setdefault(t)
        return list(seen)

    def quads(self) -> list[ox.Quad]:
        return list(dict.fromkeys([*self.about, *self.content]))


def describe(store: Any, iri: str) -> Description:
    """Outgoing and incoming statements, the nodes it owns (``<iri>/...``), its content.

    Owned nodes are the evidence, selectors and figures of a claim: IRIs that
    extend the claim's own and are reached from it.
    """
    d = Description(iri)
    n = node(iri)
    local = direct(store)
    if local is not None:
        return _describe_direct(local, d, n)
    todo, done = [n], set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for row in _rows(store, f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {current} ?p ?o }} }}"):
            obj = row["o"]
            d.about.append(ox.Quad(current, row["p"], obj, row["g"]))
            if isinstance(obj, ox.NamedNode) and obj.value.startswith(iri + "/"):
                todo.append(obj)
    for row in _rows(
        store,
        f"SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {n} }} }} LIMIT {MAX_INCOMING}",
    ):
        d.about.append(ox.Quad(row["s"], row["p"], n, row["g"]))
    if not d.about:  # data loaded into a plain default graph (e.g. `kzmig serve --data x.ttl`)
        for row in _rows(store, f"SELECT ?p ?o WHERE {{ {n} ?p ?o }}"):
            d.triples_only.append(ox.Triple(n, row["p"], row["o"]))
        for row in _rows(store, f"SELECT ?s ?p WHERE {{ ?s ?p {n} }} LIMIT {MAX_INCOMING}"):
            d.triples_only.append(ox.Triple(row["s"], row["p"], n))
    for row in _rows(
        store, f"SELECT ?s ?p ?o WHERE {{ GRAPH {n} {{ ?s ?p ?o }} }} LIMIT {MAX_GRAPH_CONTENT}"
    ):
        d.content.append(ox.Quad(row["s"], row["p"], row["o"], n))
    return d


def _describe_direct(local: ox.Store, d: Description, n: ox.NamedNode) -> Description:
    """``describe`` read pattern by pattern from a local store: the same quads in the same
    order as its queries (tests/test_pages_direct.py holds it), without parsing and
    planning four queries per page (2,400 queries over 300 seed pages)."""
    iri = d.iri
    todo, done = [n], set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for q in local.quads_for_pattern(current, None, None, None):
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue  # GRAPH ?g: named graphs only
            d.about.append(q)
            obj = q.object
            if isinstance(obj, ox.NamedNode) and obj.value.startswith(iri + "/"):
                todo.append(obj)
    incoming = 0
    for q in local.quads_for_pattern(None, None, n, None):
        if incoming >= MAX_INCOMING:
            break
        if not isinstance(q.graph_name, ox.DefaultGraph):
            d.about.append(q)
            incoming += 1
    if not d.about:
        for q in local.quads_for_pattern(n, None, None, None):
            d.triples_only.append(ox.Triple(n, q.predicate, q.object))
        for q in local.quads_for_pattern(None, None, n, None):
            if len(d.triples_only) >= MAX_INCOMING:
                break
            d.triples_only.append(ox.Triple(q.subject, q.predicate, n))
    for q in local.quads_for_pattern(None, None, None, n):
        if len(d.content) >= MAX_GRAPH_CONTENT:
            break
        d.content.append(q)
    return d


# -- labels ----------------------------------------------------------------------------------


def labels(store: Any, iris: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """IRI -> its labels as (text, language tag or '').

    On a local store, three pattern reads per IRI (``direct``) instead of one SPARQL
    query with two VALUES blocks: the query was half the SPARQL time of a resource
    page (3.8 s of 9.3 s over 300 seed pages), the pattern reads take ~0.1 s.
    """
    wanted = sorted({i for i in iris})
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    local = direct(store)
    if local is not None:
        for i in wanted:
            n = node(i)
            seen: set[ox.Literal] = set()  # DISTINCT ?label, as the query
            for p in LABEL_NODES:
                for q in local.quads_for_pattern(n, p, None, None):
                    lit = q.object
                    if isinstance(lit, ox.Literal) and lit not in seen:
                        seen.add(lit)
                        out[i].append((lit.value, (lit.language or "").lower()))
        return out
    for start in range(0, len(wanted), 400):
        chunk = " ".join(str(node(i)) for i in wanted[start : start + 400])
        preds = " ".join(f"<{p}>" for p in LABELS)
        for row in _rows(
            store,
            f"SELECT DISTINCT ?x ?label WHERE {{ VALUES ?x {{ {chunk} }} "
            f"VALUES ?p {{ {preds} }} ?x ?p ?label FILTER(isLiteral(?label)) }}",
        ):
            lit = row["label"]
            out[row["x"].value].append((lit.value, (lit.language or "").lower()))
    return out


def pick(options: Sequence[tuple[str, str]], languages: Sequence[str]) -> tuple[str, str] | None:
    """The label in the reader's language: the first of ``languages`` that has one
    (``kk`` also takes ``kk-Cyrl``), then English, then untagged, then any."""
    if not options:
        return None
    by_lang: dict[str, tuple[str, str]] = {}
    for text, lang in sorted(options):
        by_lang.setdefault(lang, (text, lang))
    for wanted in [*[w.lower() for w in languages], "en", ""]:
        if wanted in by_lang:
            return by_lang[wanted]
        primary = wanted.split("-", 1)[0]
        for lang, value in by_lang.items():
            if primary and lang.split("-", 1)[0] == primary:
                return value
    return by_lang[sorted(by_lang)[0]]


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


# -- provenance ------------------------------------------------------------------------------


@dataclass
class Evidence:
    exact: str
    start: int | None
    end: int | None
    source: str


@dataclass
class ClaimProvenance:
    claim: str
    evidence: list[Evidence] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)
    method: str | None = None
    confidence: str | None = None
    derived_from: str | None = None
    # values the build worked out rather than read: (value, the words it read, the year
    # it read them against), e.g. ("2017", "five years ago", "2022")
    resolved: list[tuple[str, str, str]] = field(default_factory=list)


def provenance(store: Any, prov_graph: str, claims: Iterable[str]) -> dict[str, ClaimProvenance]:
    """For each claim: its quotes (with offsets), in-text attribution, method, confidence.

    One query per claim with the claim's IRI written in, not one per 200 claims joined
    through VALUES: Oxigraph evaluated the graph pattern before the VALUES join, so
    the evidence of 20 claims took 4.4 s at 1M quads, and 4 ms as 20 queries (a
    measure page citing 100 claims: 30 s -> 0.1 s; rows and their order the same).
    """
    wanted = sorted(set(claims))
    out: dict[str, ClaimProvenance] = {c: ClaimProvenance(c) for c in wanted}
    g = node(prov_graph)
    for c in wanted:
        n = node(c)
        p = out[c]
        for row in _rows(
            store,
            f"""SELECT ?method ?conf ?src WHERE {{
              GRAPH {g} {{ {n} a <{KZO.Claim}> .
                OPTIONAL {{ {n} <{KZO.method}> ?method }}
                OPTIONAL {{ {n} <{KZO.confidence}> ?conf }}
                OPTIONAL {{ {n} <{PROV.wasDerivedFrom}> ?src }} }} }}""",
        ):
            p.method = row["method"].value if row["method"] else None
            p.confidence = row["conf"].value if row["conf"] else None
            p.derived_from = row["src"].value if row["src"] else None
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?a WHERE {{
              GRAPH {g} {{ {n} <{PROV.hadPrimarySource}> ?a }} }} ORDER BY ?a""",
        ):
            p.attribution.append(row["a"].value)
        for row in _rows(
            store,
            f"""SELECT DISTINCT ?v ?said ?year WHERE {{
              GRAPH {g} {{ {n} <{KZO.figure}> ?f . ?f <{RDF_VALUE}> ?v ; <{KZO.resolved}> true ;
                  <{KZO.quotedAs}> ?said . OPTIONAL {{ ?f <{KZO.referenceYear}> ?year }} }} }}
              ORDER BY ?v""",
        ):
            p.resolved.append(
                (row["v"].value, row["said"].value, row["year"].value if row["year"] else "")
            )
        for row in _rows(
            store,
            f"""SELECT ?ev ?exact ?start ?end ?src WHERE {{
              GRAPH {g} {{ {n} <{KZO.evidence}> ?ev . ?ev <{OA.hasSource}> ?src ;
                  <{OA.hasSelector}> ?q . ?q <{OA.exact}> ?exact .
                OPTIONAL {{ ?ev <{OA.hasSelector}> ?pos . ?pos <{OA.start}> ?start ;
                  <{OA.end}> ?end }} }} }} ORDER BY ?start""",
        ):
            p.evidence.append(
                Evidence(
                    row["exact"].value,
                    int(row["start"].value) if row["start"] else None,
                    int(row["end"].value) if row["end"] else None,
                    row["src"].value,
                )
            )
    return out


def passages(store: Any, prov_graph: str, source: str) -> list[tuple[int, int, str]]:
    """Every piece of evidence in ``source``: (start, end, claim), by position."""
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?start ?end ?c WHERE {{ GRAPH {node(prov_graph)} {{
              ?c <{KZO.evidence}> ?ev . ?ev <{OA.hasSource}> {node(source)} ;
                 <{OA.hasSelector}> ?pos . ?pos <{OA.start}> ?start ; <{OA.end}> ?end }} }}""",
    )
    found = [(int(r["start"].value), int(r["end"].value), r["c"].value) for r in rows]
    return sorted(found)


def text_of(store: Any, source: str) -> str | None:
    """The text of a source, as the graph holds it (nif:isString)."""
    local = direct(store)
    if local is not None:
        q = next(local.quads_for_pattern(node(source), _IS_STRING, None, None), None)
        return q.object.value if q is not None else None
    rows = _rows(store, f"SELECT ?t WHERE {{ {node(source)} <{NIF.isString}> ?t }} LIMIT 1")
    return rows[0]["t"].value if rows else None


def span_of(store: Any, iri: str) -> tuple[str, int, int] | None:
    """(source, start, end) of a sentence, paragraph or section."""
    local = direct(store)
    if local is not None:  # three pattern reads; every page asks (most have no span)
        n = node(iri)
        found = [
            next(local.quads_for_pattern(n, p, None, None), None) for p in (_CONTEXT, _BEGIN, _END)
        ]
        if any(q is None for q in found):
            return None
        ctx, b, e = (q.object for q in found if q is not None)
        return ctx.value, int(b.value), int(e.value)
    rows = _rows(
        store,
        f"""SELECT ?ctx ?b ?e WHERE {{ {node(iri)} <{NIF.referenceContext}> ?ctx ;
              <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e }} LIMIT 1""",
    )
    if not rows:
        return None
    r = rows[0]
    return r["ctx"].value, int(r["b"].value), int(r["e"].value)


def prefixes_used(data: Iterable[ox.Triple | ox.Quad], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI in ``data`` starts with (tidier output)."""
    seen: set[str] = set()
    for t in data:
        terms: list[Any] = [t.subject, t.predicate, t.object]
        if isinstance(t, ox.Quad):
            terms.append(t.graph_name)
        for term in terms:
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype is not None:
                seen.add(term.datatype.value)
    out = {}
    for p, ns in prefixes.items():
        local = [i[len(ns) :] for i in seen if i.startswith(ns)]
        # a prefix whose names would need escaping (kzr:graph\/provenance) reads worse
        # than the full IRI: keep it only when every local name is plain
        if local and not any(c in name for name in local for c in "/#?"):
            out[p] = ns
    return out


def mention_texts(store: Any, iris: Iterable[str]) -> dict[str, str]:
    """Annotation IRI -> the words of the text it marks (a mention has no label of its own).

    One query per IRI with the IRI written in (not VALUES, which Oxigraph joined after
    evaluating the path for every annotation): 0.43 -> 0.05 s over 300 seed pages.
    """
    out: dict[str, str] = {}
    local = direct(store)
    for i in sorted(set(iris)):
        if local is not None:  # the path read pattern by pattern: 1,269 mentions of a
            words = _path_strings(local, node(i))  # source page, 0.6 s as queries
            if words is not None:
                if words:
                    out[i] = min(words)
                continue
        for row in _rows(
            store,
            f"SELECT (MIN(?exact) AS ?text) WHERE {{ "
            f"{node(i)} <{OA.hasTarget}>/<{OA.hasSelector}>/<{OA.exact}> ?exact }}",
        ):
            if row["text"] is not None:
                out[i] = row["text"].value
    return out


_TARGET, _SELECTOR, _EXACT = (
    ox.NamedNode(str(x)) for x in (OA.hasTarget, OA.hasSelector, OA.exact)
)
_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def _path_strings(local: ox.Store, start: ox.NamedNode) -> list[str] | None:
    """The plain strings ``start oa:hasTarget/oa:hasSelector/oa:exact`` reaches; None when
    one is not a plain string (then MIN's SPARQL ordering decides: ask the engine)."""
    targets = {q.object for q in local.quads_for_pattern(start, _TARGET, None, None)}
    selectors = {
        q.object for t in targets for q in local.quads_for_pattern(t, _SELECTOR, None, None)
    }
    words = []
    for sel in selectors:
        for q in local.quads_for_pattern(sel, _EXACT, None, None):
            lit = q.object
            if not isinstance(lit, ox.Literal) or lit.language or lit.datatype != _STRING:
                return None
            words.append(lit.value)
    return words

"""From a description to what a resource page shows: labels, statements, provenance.

Templates only print what this module hands them (Jinja escapes it), so a
label holding markup shows as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from kzmig.names import PREFIXES

from . import describe, iris

LITERAL_SHOWN = 600  # characters of a long literal shown on a page
VALUES_SHOWN = 100  # values shown per property; the data forms hold them all


@dataclass
class Shown:
    """One term as a page shows it."""

    kind: str  # iri | literal | bnode | triple
    text: str
    lang: str = ""
    href: str | None = None
    iri: str | None = None
    curie: str | None = None
    datatype: str | None = None
    truncated: bool = False


@dataclass
class Value:
    term: Shown
    claims: list[dict[str, Any]] = field(default_factory=list)
    graphs: list[Shown] = field(default_factory=list)


@dataclass
class Group:
    predicate: Shown
    values: list[Value] = field(default_factory=list)
    total: int = 0


def curie(iri: str) -> str | None:
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    if best is None:
        return None
    local = iri[len(best[1]) :]
    return f"{best[0]}:{local}" if local and "/" not in local and "#" not in local else None


class Labeller:
    """Looks labels up once per page, in the reader's language."""

    def __init__(self, store: Any, languages: Sequence[str]):
        self.store = store
        self.languages = languages
        self.cache: dict[str, list[tuple[str, str]]] = {}

    def prefetch(self, iri_list: set[str]) -> None:
        missing = {i for i in iri_list if i not in self.cache}
        if missing:
            found = describe.labels(self.store, missing)
            for i in missing:
                self.cache[i] = found.get(i, [])

    def label(self, iri: str) -> tuple[str, str]:
        if iri not in self.cache:
            self.prefetch({iri})
        chosen = describe.pick(self.cache[iri], self.languages)
        if chosen:
            return chosen
        return (curie(iri) or describe.local_name(iri), "")

    def show(self, term: Any) -> Shown:
        if isinstance(term, ox.NamedNode):
            text, lang = self.label(term.value)
            return Shown(
                "iri",
                text,
                lang,
                href=iris.href(term.value),
                iri=term.value,
                curie=curie(term.value),
            )
        if isinstance(term, ox.Literal):
            value = term.value
            truncated = len(value) > LITERAL_SHOWN
            dt = term.datatype.value if term.datatype else None
            plain = (
                None
                if dt
                in (
                    "http://www.w3.org/2001/XMLSchema#string",
                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                )
                else dt
            )
            return Shown(
                "literal",
                value[:LITERAL_SHOWN] + ("…" if truncated else ""),
                term.language or "",
                datatype=(curie(plain) or plain) if plain else None,
                truncated=truncated,
            )
        if isinstance(term, ox.BlankNode):
            return Shown("bnode", f"_:{term.value}")
        return Shown("triple", str(term))


def _iris_in(quads: Sequence[ox.Quad]) -> set[str]:
    out = set()
    for q in quads:
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode):
                out.add(t.value)
    return out


def _passage(source: str, start: int | None, end: int | None) -> str | None:
    """The link to a passage of a source: RFC 5147 ``#char=start,end``."""
    base = iris.href(source)
    if base is None or start is None:
        return base
    return f"{base}#char={start},{end}"


def _sort_key(v: Value) -> tuple[str, str]:
    return (v.term.text.lower(), v.term.iri or "")


def resource_model(
    store: Any, iri: str, d: describe.Description, languages: Sequence[str]
) -> dict[str, Any]:
    """Everything a resource page shows, labelled and with each statement's provenance."""
    labeller = Labeller(store, languages)
    node = ox.NamedNode(iri)
    claim_ns = iris.resource("claim/")
    prov_graph = iris.resource("graph/provenance")
    quads = d.about + [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in d.triples_only
    ]
    content = d.content[:500]
    labeller.prefetch(_iris_in(quads) | _iris_in(content))

    claims = {
        q.graph_name.value
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(claim_ns)
    }
    if iri.startswith(claim_ns) and d.content:
        claims.add(iri)
    prov = describe.provenance(store, prov_graph, claims)
    attributions = {a for p in prov.values() for a in p.attribution}
    methods = {p.method for p in prov.values() if p.method}
    labeller.prefetch(attributions | methods | claims)

    def claim_info(c: str) -> dict[str, Any]:
        p = prov.get(c) or describe.ClaimProvenance(c)
        return {
            "claim": labeller.show(ox.NamedNode(c)),
            "evidence": [
                {
                    "exact": e.exact,
                    "href": _passage(e.source, e.start, e.end),
                    "start": e.start,
                    "end": e.end,
                }
                for e in p.evidence
            ],
            "attribution": [labeller.show(ox.NamedNode(a)) for a in p.attribution],
            "method": labeller.show(ox.NamedNode(p.method)) if p.method else None,
            "confidence": p.confidence,
        }

    def grouped(pairs: list[tuple[Any, Any, Any]]) -> list[Group]:
        groups: dict[str, Group] = {}
        values: dict[tuple[str, str], Value] = {}
        for pred, term, graph in pairs:
            g = groups.setdefault(pred.value, Group(labeller.show(pred)))
            key = (pred.value, str(term))
            if key not in values:
                values[key] = Value(labeller.show(term))
                g.values.append(values[key])
            v = values[key]
            if isinstance(graph, ox.NamedNode):
                if graph.value in claims:
                    if all(ci["claim"].iri != graph.value for ci in v.claims):
                        v.claims.append(claim_info(graph.value))
                elif all(s.iri != graph.value for s in v.graphs):
                    v.graphs.append(labeller.show(graph))
        out = sorted(groups.values(), key=lambda g: (g.predicate.text.lower(), g.predicate.iri))
        for g in out:
            g.values.sort(key=_sort_key)
            g.total = len(g.values)
            g.values = g.values[:VALUES_SHOWN]
        return out

    outgoing = [(q.predicate, q.object, q.graph_name) for q in quads if q.subject == node]
    incoming = [
        (q.predicate, q.subject, q.graph_name)
        for q in quads
        if q.object == node and q.subject != node
    ]
    types = sorted(
        {
            q.object.value
            for q in quads
            if q.subject == node
            and q.predicate.value == describe.RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
        }
    )
    owned = sorted(
        {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
        - {iri}
        - {
            q.subject.value
            for q in quads
            if q.object == node and isinstance(q.subject, ox.NamedNode)
        }
    )
    title, title_lang = labeller.label(iri)
    span = describe.span_of(store, iri)
    return {
        "iri": iri,
        "title": title,
        "lang": title_lang,
        "types": [labeller.show(ox.NamedNode(t)) for t in types],
        "outgoing": grouped(outgoing),
        "incoming": grouped(incoming),
        "owned": [
            (
                labeller.show(ox.NamedNode(o)),
                grouped(
                    [
                        (q.predicate, q.object, q.graph_name)
                        for q in quads
                        if isinstance(q.subject, ox.NamedNode) and q.subject.value == o
                    ]
                ),
            )
            for o in owned
        ],
        "content": [
            (labeller.show(q.subject), labeller.show(q.predicate), labeller.show(q.object))
            for q in content
        ],
        "content_total": len(d.content),
        "is_claim": iri in claims,
        "claim": claim_info(iri) if iri in claims else None,
        "passage": (
            {
                "href": _passage(span[0], span[1], span[2]),
                "source": labeller.show(ox.NamedNode(span[0])),
            }
            if span
            else None
        ),
    }

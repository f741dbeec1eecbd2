"""From a description to what a resource page shows: labels, statements, provenance.

Templates only print what this module hands them (Jinja escapes it), so a
label holding markup shows as text.

Long because: the resource page's model is one pass over one description (grouping,
citations, folding, labels); the summary and charts already live apart (summary.py,
charts.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from kzmig.names import PREFIXES

from . import describe, iris, summary
from .i18n import N_, gettext

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
    cited: list[str] = field(default_factory=list)  # the claims asserting it, in order


@dataclass
class Group:
    predicate: Shown
    values: list[Value] = field(default_factory=list)
    total: int = 0
    inferred: bool = False  # every value comes from reasoning, none from a claim


# The statements of a page, grouped by what they say (property local names).
CATEGORIES: list[tuple[str, str, set[str]]] = [
    (
        "what",
        N_("What it is"),
        {
            "type",
            "label",
            "prefLabel",
            "altLabel",
            "definition",
            "comment",
            "title",
            "migrationType",
            "direction",
            "indicator",
            "status",
            "goal",
            "magnitude",
            "estimationMethod",
            "subject",
            "description",
            "notation",
            "broader",
            "narrower",
        },
    ),
    (
        "when",
        N_("When"),
        {
            "startYear",
            "endYear",
            "year",
            "activePeriod",
            "period",
            "temporal",
            "refPeriod",
            "peakPeriod",
            "signedDate",
            "publishedDate",
            "issued",
            "date",
            "startPrecision",
            "endPrecision",
            "since",
            "ongoing",
            "completed",
            "readoptedYear",
            "assessmentPeriod",
            "withinPeriod",
            "intervalIn",
            "hasBeginning",
            "hasEnd",
            "inXSDgYear",
        },
    ),
    (
        "where",
        N_("Where"),
        {
            "origin",
            "destination",
            "mainDestination",
            "fromLocation",
            "toLocation",
            "spatial",
            "refPlace",
            "appliesIn",
            "involvesPlace",
            "location",
            "locatedIn",
            "partOf",
        },
    ),
    (
        "who",
        N_("Who"),
        {
            "approvedBy",
            "runBy",
            "attributedTo",
            "wasAttributedTo",
            "migrantGroup",
            "mainMigrantGroup",
            "measuredGroup",
            "signatory",
            "party",
            "beneficiary",
            "offeredBy",
            "organisedBy",
            "implementedBy",
            "creator",
            "publisher",
            "rightsHolder",
            "agent",
        },
    ),
    (
        "figures",
        N_("Figures"),
        {
            "value",
            "personCount",
            "unit",
            "lowerBound",
            "upperBound",
            "approximate",
            "count",
            "share",
            "measuredFlow",
        },
    ),
]
RELATED = ("related", N_("Related things"))


def _head(iri: str) -> str:
    """``iri`` up to and including its last '/' or '#'."""
    return iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]


# namespace head -> (prefix, namespace), longest namespace first (PREFIXES order on ties)
_BY_HEAD: dict[str, list[tuple[str, str]]] = {}
for _p, _ns in sorted(PREFIXES.items(), key=lambda x: -len(x[1])):
    _BY_HEAD.setdefault(_head(_ns), []).append((_p, _ns))


def curie(iri: str) -> str | None:
    """``prefix:local`` by the longest namespace ``iri`` starts with; None when the local
    part would be empty or hold '/' or '#'.

    Only a namespace that ends where the IRI's last '/' or '#' ends, or after it, can
    give a plain local part, and those share the IRI's head: one dict look-up instead
    of a test of every prefix (a source page: 7,478 calls, 1.24 of its 3.9 s profiled).
    """
    for prefix, ns in _BY_HEAD.get(_head(iri), ()):
        if iri.startswith(ns):
            local = iri[len(ns) :]
            return f"{prefix}:{local}" if local else None
    return None


class Labeller:
    """Looks labels up once per page, in the reader's language."""

    def __init__(self, store: Any, languages: Sequence[str]):
        self.store = store
        self.languages = languages
        # the resource namespace, read from the app's settings once per page, not once
        # per link: 4,138 reads were 0.08 of a source page's 0.39 s (profiled)
        self.ns = iris.resource_ns()
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
                href=iris.href(term.value, self.ns),
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
    inferred_graph = iris.resource("graph/inferred")
    quads = d.about + [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in d.triples_only
    ]
    content = d.content[:500]
    labeller.prefetch(_iris_in(quads) | _iris_in(content))
    # a mention (an annotation of the text) has no label: show the words it marks
    unlabelled = {
        q.subject.value
        for q in quads
        if isinstance(q.subject, ox.NamedNode) and not labeller.cache.get(q.subject.value)
    }
    for mention, words in describe.mention_texts(store, unlabelled).items():
        labeller.cache[mention] = [(f"“{words}”", "")]

    claims = {
        q.graph_name.value
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(claim_ns)
    }
    if iri.startswith(claim_ns) and d.content:
        claims.add(iri)
    # provenance of the claims the page shows, read when first shown: a thing many
    # claims point to (a place at 1M quads) shows 100 values per property but cited
    # thousands of claims, each read before the values were cut
    prov: dict[str, describe.ClaimProvenance] = {}

    def fetch(cs: Iterable[str]) -> None:
        missing = set(cs) - set(prov)
        if missing:
            found = describe.provenance(store, prov_graph, missing)
            prov.update(found)
            labeller.prefetch(
                {a for p in found.values() for a in p.attribution}
                | {p.method for p in found.values() if p.method}
                | missing
            )

    def claim_info(c: str) -> dict[str, Any]:
        fetch([c])
        p = prov.get(c) or describe.ClaimProvenance(c)
        evidence: list[dict[str, Any]] = []
        for e in p.evidence:  # a passage the text repeats: one quote, "also at" the others
            href = _passage(e.source, e.start, e.end)
            same = [x for x in evidence if x["exact"] == e.exact]
            if same:
                same[0]["also"].append({"href": href, "start": e.start, "end": e.end})
            else:
                evidence.append(
                    {"exact": e.exact, "href": href, "start": e.start, "end": e.end, "also": []}
                )
        return {
            "claim": labeller.show(ox.NamedNode(c)),
            "evidence": evidence,
            "resolved": p.resolved,
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
                    if graph.value not in v.cited:
                        v.cited.append(graph.value)
                elif all(s.iri != graph.value for s in v.graphs):
                    v.graphs.append(labeller.show(graph))
        out = sorted(groups.values(), key=lambda g: (g.predicate.text.lower(), g.predicate.iri))
        for g in out:
            g.inferred = all(
                not v.cited and v.graphs and all(x.iri == inferred_graph for x in v.graphs)
                for v in g.values
            )
            g.values.sort(key=_sort_key)
            g.total = len(g.values)
            g.values = g.values[:VALUES_SHOWN]
        fetch(c for g in out for v in g.values for c in v.cited)
        for g in out:
            for v in g.values:
                v.claims = [claim_info(c) for c in v.cited]
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
    out_groups = grouped(outgoing)
    in_groups = grouped(incoming)
    key = summary_model(store, iri, labeller, languages, claim_info, prov, prov_graph)
    return {
        "summary": key,
        "sections": categorise(out_groups),
        "neighbours": neighbours(labeller.show(node), out_groups, in_groups)
        if summary.wants_neighbours(iri)
        else None,
        "iri": iri,
        "title": title,
        "lang": title_lang,
        "types": [labeller.show(ox.NamedNode(t)) for t in types],
        "outgoing": out_groups,
        "incoming": in_groups,
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


def categorise(groups: list[Group]) -> list[dict[str, Any]]:
    """Statements by what they say: what it is, when, where, who, figures, related things."""
    named = {key: (title, names) for key, title, names in CATEGORIES}
    buckets: dict[str, list[Group]] = {key: [] for key, _, _ in CATEGORIES}
    buckets[RELATED[0]] = []
    for g in groups:
        name = describe.local_name(g.predicate.iri or "")
        key = next((k for k, (_, names) in named.items() if name in names), None)
        if key is None:
            lower = name.lower()
            key = (
                "when"
                if any(w in lower for w in ("period", "year", "date"))
                else "where"
                if any(w in lower for w in ("place", "location"))
                else RELATED[0]
            )
        buckets[key].append(g)
    titles = {**{k: t for k, (t, _) in named.items()}, RELATED[0]: RELATED[1]}
    return [
        {
            "key": key,
            "title": gettext(titles[key]),
            "groups": [g for g in gs if not g.inferred],
            "inferred": [g for g in gs if g.inferred],
        }
        for key, gs in buckets.items()
        if gs
    ]


def summary_model(
    store: Any,
    iri: str,
    labeller: Labeller,
    languages: Sequence[str],
    claim_info: Any,
    prov: dict[str, describe.ClaimProvenance],
    prov_graph: str,
) -> dict[str, Any]:
    """The top of the page: definition, key figures with their quotes, flows."""
    stats = summary.statistics(store, iri)
    flows = summary.flows(store, iri)
    claims = {c for s in stats for c in s["claims"]}
    wanted = {s["iri"] for s in stats} | {s["unit"] for s in stats if s["unit"]}
    wanted |= {s["period"] for s in stats if s["period"]} | {w for s in stats for w in s["who"]}
    wanted |= {f["iri"] for f in flows} | {p for f in flows for p in f["from"] + f["to"]}
    labeller.prefetch(wanted | claims)
    prov.update(describe.provenance(store, prov_graph, claims - set(prov)))  # claim_info reads it
    shown = lambda i: labeller.show(ox.NamedNode(i))  # noqa: E731

    def figure(s: dict[str, Any]) -> dict[str, Any]:
        value = s["value"]
        try:
            number = float(value)
            text = f"{int(number):,}" if number == int(number) else value
        except ValueError:
            text = value
        return {
            "stat": shown(s["iri"]),
            "value": text,
            "lower": s["lower"],
            "unit": shown(s["unit"]) if s["unit"] else None,
            "period": shown(s["period"]) if s["period"] else None,
            "who": [shown(w) for w in s["who"]],
            "claims": [claim_info(c) for c in s["claims"]],
            "own": s["iri"] == iri,
        }

    found = summary.definition(store, iri, languages)
    return {
        "definition": {"text": found[0], "lang": found[1]} if found else None,
        "figures": [figure(s) for s in stats],
        "flows": [
            {
                "flow": shown(f["iri"]),
                "from": [shown(x) for x in f["from"]],
                "to": [shown(x) for x in f["to"]],
            }
            for f in flows
        ],
    }


def neighbours(centre: Shown, out: list[Group], inc: list[Group]) -> dict[str, Any]:
    """What the neighbourhood picture draws: this thing and the things it links to."""
    links: list[dict[str, Any]] = []
    for groups, incoming in ((out, False), (inc, True)):
        for g in groups:
            if g.predicate.iri == describe.RDF_TYPE:
                continue
            for v in g.values:
                t = v.term
                if t.kind != "iri" or not t.href or not t.href.startswith("/resource/"):
                    continue
                if t.text.startswith("“"):  # a mention of the thing in the text
                    continue
                links.append(
                    {
                        "label": t.text,
                        "href": t.href,
                        "property": g.predicate.text,
                        "incoming": incoming,
                    }
                )
    links = links[: summary.NEIGHBOURS_SHOWN]
    return {"centre": {"label": centre.text}, "links": links}

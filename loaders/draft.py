"""The first version of a claim sheet for a new text: one draft entry per factual sentence.

Each entry is a claim of the sheet's own format (``id``, ``quote``,
``triples``; ``attribution`` and ``occurrence`` when found) marked
``status: draft`` (the build refuses it until an editor reviews it and drops
the mark), with ``proposals``:

- ``things``: the known things the sentence names (the gazetteer, every
  language, inflected forms included), as CURIE → the text's words;
- ``new``: names the ontology lacks, with a guessed class and a Turtle
  skeleton (:mod:`kzmig.loaders.names`);
- ``figures``: every figure and date as a typed value, with bound, unit, what
  it counts, and for dates whether they date the statement or the figure
  (:mod:`kzmig.loaders.figures`).

``triples`` holds skeletons: a ``kzo:Statistic`` per figure (value, unit,
indicator, reference period, attributed to), a trend per multiplier, a
period per date. A factual sentence is any sentence of three or more words
that is not a question, plus every heading that states a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from kzmig.names import PREFIXES
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import attribution as attr
from .anchor import AnchorError, anchor, find_all
from .figures import Figure
from .figures import read as read_figures
from .gazetteer import Gazetteer
from .gazetteer import Mention as NameMention
from .names import Proposal, propose
from .text import Segmentation, Span, blank_urls, fold_space

KZO = "https://w3id.org/kzmig/ontology#"
AGENT_TYPES = {
    URIRef(KZO + t)
    for t in ("Agency", "Agent", "Organization", "InternationalOrganization", "UnionOfStates")
} | {URIRef(KZO + "Person")}
INDICATOR = URIRef(KZO + "Indicator")
_AGENT_PREFIXES = {"agency", "organization", "person"}


@dataclass
class Entry:
    """One draft claim: a sentence (or a dated heading) and what the draft proposes for it."""

    id: str
    span: Span
    quote: str
    occurrence: int | None = None
    attribution: attr.Attribution | None = None
    things: dict[str, str] = field(default_factory=dict)
    new: list[Proposal] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    triples: str = ""
    upper_bound: bool = False  # the ontology has kzo:upperBound


def curie(iri: str) -> str:
    """The prefixed name of an IRI, by the sheet's prefixes (longest namespace first)."""
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and re.fullmatch(r"[\w.-]*", iri[len(base) :]):
            return f"{prefix}:{iri[len(base) :]}"
    return f"<{iri}>"


def _slug(words: str, limit: int = 6) -> str:
    tokens = re.findall(r"[a-z0-9]+", words.lower())
    drop = {"the", "a", "an", "of", "and", "in", "to", "is", "are", "was", "were", "has", "have"}
    return "-".join([t for t in tokens if t not in drop][:limit]) or "sentence"


def _factual(words: str) -> bool:
    return len(words.split()) >= 3 and not words.rstrip().endswith("?")


def draft(
    text: str,
    seg: Segmentation,
    gazetteer: Gazetteer,
    *,
    reference_year: int | None = None,
    upper_bound: bool = False,
) -> list[Entry]:
    """The draft entries of a text, in text order.

    ``upper_bound``: the ontology declares ``kzo:upperBound`` (else the skeleton says
    in a comment that the figure is an upper bound).
    """
    plain = blank_urls(text)
    mentions = gazetteer.find(plain, nested=True)
    units: list[Span] = [s for s in seg.sentences if _factual(plain[s.start : s.end])]
    for p in seg.paragraphs:  # a heading that states a date ("Soviet Era (1920s-1991)")
        if p.is_heading and read_figures(plain, p.start, p.end, reference_year=reference_year):
            units.append(Span(p.start, p.end))
    for section in seg.sections:
        h = section.heading
        new_heading = h.end > h.start and not any(u.start == h.start for u in units)
        if new_heading and read_figures(plain, h.start, h.end, reference_year=reference_year):
            units.append(Span(h.start, h.end))
    units.sort(key=lambda s: s.start)
    skip = {
        n for n, others in seg.repeats.items() if others and min(others) < n
    }  # later copies of a repeated passage: one claim, several pieces of evidence
    closing = {
        p.number: attr.closing(plain, p.end, _agents(mentions, gazetteer, [], p.start, p.end))
        for p in seg.paragraphs
        if not p.is_heading
    }
    entries: list[Entry] = []
    previous: tuple[int, attr.Attribution | None] = (-1, None)
    for unit in units:
        sentence = next((s for s in seg.sentences if s.start == unit.start), None)
        if sentence is not None and sentence.number in skip:
            continue
        inside = [m for m in mentions if unit.start <= m.start and m.end <= unit.end]
        known = [(m.start, m.end) for m in inside]
        new = propose(plain, unit.start, unit.end, known)
        para = seg.paragraphs[sentence.paragraph - 1] if sentence else None
        figures = read_figures(
            plain,
            unit.start,
            unit.end,
            reference_year=reference_year,
            context=(para.start, para.end) if para else None,
        )
        agents = _agents(inside, gazetteer, new, unit.start, unit.end)
        found = attr.in_sentence(plain, unit.start, unit.end, agents)
        paragraph = sentence.paragraph if sentence else -1
        continued = previous[1] is not None and previous[0] == paragraph
        if found is None and continued and attr.carries(plain[unit.start : unit.end]):
            assert previous[1] is not None
            found = attr.Attribution(previous[1].curie, previous[1].cue, carried=True)
        if found is None and closing.get(paragraph) is not None:
            agent = closing[paragraph]
            assert agent is not None
            found = attr.Attribution(agent.curie, plain[agent.start : agent.end], carried=True)
        previous = (paragraph, found)
        quote = fold_space(text[unit.start : unit.end])
        entry = Entry(
            id=f"s{len(entries) + 1:03d}-{_slug(quote)}",
            span=unit,
            quote=quote,
            occurrence=_occurrence(seg, quote, unit),
            attribution=found,
            new=new,
            figures=figures,
            upper_bound=upper_bound,
        )
        people = [(p.start, p.end) for p in new if p.cls == "kzo:Person"]
        for m in inside:
            if any(a <= m.start and m.end <= b for a, b in people):
                continue  # "Nursultan" inside "Nursultan Nazarbayev" is not the city
            entry.things.setdefault(curie(str(m.entity)), text[m.start : m.end])
            if INDICATOR in gazetteer.types.get(m.entity, ()):
                entry.indicators.append(curie(str(m.entity)))
        entry.triples = skeleton(entry)
        entries.append(entry)
    return entries


def declares(ontology: Graph, local: str) -> bool:
    """Does the ontology declare the term ``kzo:<local>``?"""
    return (URIRef(KZO + local), RDF.type, None) in ontology


def _agents(
    mentions: list[NameMention], g: Gazetteer, new: list[Proposal], start: int, end: int
) -> list[attr.Agent]:
    agents = [
        attr.Agent(m.start, m.end, curie(str(m.entity)))
        for m in mentions
        if start <= m.start and m.end <= end and AGENT_TYPES & set(g.types.get(m.entity, ()))
    ]
    agents += [attr.Agent(p.start, p.end, p.curie) for p in new if p.prefix in _AGENT_PREFIXES]
    return sorted(agents, key=lambda a: a.start)


def _occurrence(seg: Segmentation, quote: str, unit: Span) -> int | None:
    try:
        anchor(seg, quote)
        return None
    except AnchorError:
        spans = find_all(seg.text, quote)
        return next((i + 1 for i, s in enumerate(spans) if s.start == unit.start), None)


def _period(f: Figure) -> tuple[str, str]:
    """A period's slug and its skeleton, for a date figure."""
    if f.kind not in {"year", "decade", "range"}:
        return "", ""
    years = [int(lex[:4]) for _, lex in f.values]
    if f.kind == "year" and f.until:
        y = years[0]
        return f"period:until-{y}", f'period:until-{y} kzo:endYear "{y}"^^xsd:gYear .'
    if f.kind == "year":
        y = years[0]
        return f"period:year-{y}", (
            f'period:year-{y} kzo:startYear "{y}"^^xsd:gYear ;\n    kzo:endYear "{y}"^^xsd:gYear .'
        )
    if f.kind == "decade":
        a, b = years
        return f"period:{a}s", (
            f'period:{a}s kzo:startYear "{a}"^^xsd:gYear ;\n    kzo:startPrecision concept:decade ;'
            f'\n    kzo:endYear "{b}"^^xsd:gYear ;\n    kzo:endPrecision concept:decade .'
        )
    if f.kind == "range" and f.open_end:
        a = years[0]
        return f"period:since-{a}", (
            f'period:since-{a} kzo:startYear "{a}"^^xsd:gYear ;\n    kzo:ongoing true .'
        )
    if f.kind == "range":
        a, b = years
        return f"period:{a}-{b}", (
            f'period:{a}-{b} kzo:startYear "{a}"^^xsd:gYear ;\n    kzo:endYear "{b}"^^xsd:gYear .'
        )
    return "", ""


def skeleton(e: Entry) -> str:
    """The entry's Turtle skeletons, with comments saying what to check."""
    lines: list[str] = []
    if e.things:
        lines.append("# known: " + ", ".join(e.things))
    reference = next((f for f in e.figures if f.role == "reference"), None)
    ref_period = _period(reference)[0] if reference else ""
    stats = [f for f in e.figures if f.kind in {"quantity", "percent"}]
    for k, f in enumerate(stats, 1):
        lexical = f.values[0][1]
        # (Turtle, comment) pairs; the last pair's Turtle ends the statement with " ."
        body: list[tuple[str, str]] = [
            (f"stat:{e.id}-{k} a kzo:Statistic", ""),
            (f'rdfs:label "TODO: {f.counts or "what it counts"}"@en', ""),
            (f"kzo:value {lexical}", repr(f.quoted)),
        ]
        body.append((f"kzo:unit {f.unit}", "") if f.unit else ("", "kzo:unit ? (not stated)"))
        indicator = e.indicators[0] if e.indicators else ""
        if not indicator and f.counts:
            kind = "share-of" if f.kind == "percent" else "number-of"
            indicator = f"concept:{kind}-{_slug(f.counts, 4)}"
            body.append((f"kzo:indicator {indicator}", f"new? it counts {f.counts!r}"))
        elif indicator:
            body.append((f"kzo:indicator {indicator}", ""))
        if f.bound == "lower":
            body.append(("kzo:lowerBound true", ""))
        elif f.bound == "approximate":
            body.append(("kzo:approximate true", ""))
        elif f.bound == "upper" and e.upper_bound:
            body.append(("kzo:upperBound true", ""))
        elif f.bound == "upper":
            body.append(("", 'an upper bound ("fewer than", "up to"): say so in `reading`'))
        if ref_period and reference is not None:
            body.append((f"kzo:refPeriod {ref_period}", repr(reference.quoted)))
        if e.attribution:
            body.append((f"kzo:attributedTo {e.attribution.curie}", ""))
        last = max(i for i, (code, _) in enumerate(body) if code)
        for i, (code, comment) in enumerate(body):
            end = "" if i == 0 else (" ." if i == last else " ;")
            end = " ;" if i == 0 else end
            indent = "" if i == 0 else "    "
            note = f"  # {comment}" if comment else ""
            lines.append(f"{indent}{code}{end}{note}" if code else f"    #{note[3:]}")
    for k, f in enumerate((f for f in e.figures if f.kind == "multiplier"), 1):
        lines.append(
            f"trend:{e.id}-{k} a kzo:Trend ;\n"
            f"    kzo:changeFactor {f.values[0][1]} .  # {f.quoted!r}"
        )
    for f in e.figures:
        if f.role == "statement":
            lines.append(
                f"# said {f.quoted!r}: when the statement was made, not the period it counts"
            )
            continue
        _, turtle = _period(f)
        if turtle:
            lines.append(turtle)
        elif f.kind in {"date", "year-month"}:
            (datatype, lexical) = f.values[0]
            lines.append(f'# "{lexical}"^^xsd:{datatype} ({f.quoted!r}): the date of what?')
    if e.attribution and not stats:
        lines.append(f"# attributed to {e.attribution.curie}")
    if not stats and not any(
        f.kind in {"multiplier", "year", "decade", "range"} for f in e.figures
    ):
        lines.append("# TODO: state what the sentence says, with the things above")
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(entries: list[Entry], *, source: str) -> str:
    """The draft sheet: a comment saying what it is, then ``claims:``."""
    claims = []
    for e in entries:
        item: dict[str, object] = {"id": e.id, "status": "draft", "quote": e.quote}
        if e.occurrence:
            item["occurrence"] = e.occurrence
        if e.attribution:
            item["attribution"] = e.attribution.curie
            reading = f"attributed by {e.attribution.cue!r}"
            if e.attribution.carried:
                reading += ", carried over from where the text states it"
            item["reading"] = reading
        proposals: dict[str, object] = {}
        if e.things:
            proposals["things"] = dict(e.things)
        if e.new:
            proposals["new"] = [
                {"name": p.text, "class": p.cls, "why": p.why, "turtle": p.turtle()} for p in e.new
            ]
        if e.figures:
            proposals["figures"] = [_figure(f) for f in e.figures]
        if proposals:
            item["proposals"] = proposals
        item["triples"] = e.triples
        claims.append(item)
    header = (
        f"# Draft claim sheet for {source}, written by `kzmig draft`: NOT REVIEWED.\n"
        "# Every entry is `status: draft`; the build refuses it until an editor has checked\n"
        "# the quote, written the triples (the skeletons below are proposals), accepted or\n"
        "# edited the `proposals`, and removed `status` and `proposals`. See docs/drafting.md.\n"
    )
    return header + yaml.dump(
        {"claims": claims}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96
    )


def _figure(f: Figure) -> dict[str, object]:
    out: dict[str, object] = {"quoted": f.quoted, "kind": f.kind}
    out["values"] = [f'"{lex}"^^xsd:{dt}' for dt, lex in f.values]
    for key in ("bound", "unit", "counts", "role"):
        if getattr(f, key):
            out[key] = getattr(f, key)
    if f.open_end:
        out["open"] = "up to the present of the text"
    if f.until:
        out["open"] = "a period that ends then"
    if f.resolved:
        out["resolved"] = "computed from a relative date against the reference year"
    return out

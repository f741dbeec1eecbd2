"""Mentions and figures found automatically, as Web Annotations in each text's graph.

Two extractors run over every text (links blanked out first, since the words
and numbers inside a URL are not statements of the text):

- the gazetteer (:mod:`kzmig.loaders.gazetteer`) finds the known entities the
  text names, by the ontology's labels;
- the pattern extractor (:func:`kzmig.loaders.patterns.find`) finds the
  figures and dates it states, one paragraph (or heading) at a time, so that
  "February 23" takes its year from the paragraph.

Each finding is an ``oa:Annotation`` in the text graph
(``…/graph/text/<text>``), its IRI ``…/source/<text>/annotation/<start>-<end>-<kind>``
(with ``-2``, ``-3`` … when several share a span and kind):

- target: an ``oa:SpecificResource`` on the source text with an
  ``oa:TextPositionSelector`` (code points) and an ``oa:TextQuoteSelector``
  (exact, prefix, suffix), and ``kzo:inSentence`` for the sentence it lies in;
- body: for a mention, the entity itself (motivation ``oa:identifying``); for
  a figure, a ``kzo:FigureSupport`` (motivation ``oa:describing``) holding
  ``rdf:value`` typed ``xsd:integer`` / ``xsd:decimal`` / ``xsd:gYear`` /
  ``xsd:gYearMonth`` / ``xsd:date``, its ``kzo:valueKind`` (quantity, percent,
  multiplier, year, date, year-month), ``kzo:bound`` (lower, upper,
  approximate) when the text qualifies it, and ``kzo:resolved`` (true for a
  date computed from "five years ago" against the text's reference year, or a
  day whose year comes from the paragraph). Decades and ranges are a
  ``time:Interval`` with ``time:hasBeginning`` / ``time:hasEnd`` instants
  (``time:inXSDgYear``); an open range ("since 2014") has no end.

The provenance graph says, for each annotation, the method
(``…/concept/method-gazetteer`` or ``…/concept/method-pattern-extractor``),
a confidence, the source it was derived from and the build activity that
generated it. Confidence is a fixed grade, not a learned score:

===========================================  ==========
gazetteer, a name (label with a capital)      0.9
gazetteer, a common-noun label                0.7
pattern, digits ("89 thousand", "2014")       0.95
pattern, number words ("nine thousand")       0.8
pattern, resolved ("five years ago")          0.8
===========================================  ==========

divided by the number of readings when several share the span (two entities
with the same label; a day that the paragraph could date by two years).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from kzmig.graph.semantics.quads import Quads
from kzmig.loaders import patterns
from kzmig.loaders.anchor import context
from kzmig.loaders.gazetteer import Gazetteer
from kzmig.loaders.sources import SourceText
from kzmig.loaders.text import Segmentation, Span, blank_urls
from kzmig.names import (
    GRAPH_PROVENANCE,
    KZO,
    OA,
    PROV,
    TIME,
    sentence_iri,
    source_iri,
    text_graph,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .provenance import METHODS, Run

_DATATYPE = {
    "quantity": XSD.integer,
    "percent": XSD.decimal,
    "multiplier": XSD.decimal,
    "year": XSD.gYear,
    "year-month": XSD.gYearMonth,
    "date": XSD.date,
}

_DATED = {"date", "year-month"}


@dataclass(frozen=True)
class Finding:
    """One thing an extractor found: a span, what it is, and how sure we are."""

    span: Span
    kind: str  # mention | quantity | percent | multiplier | year | decade | range | date | ...
    method: str  # gazetteer | pattern-extractor
    confidence: float
    entity: URIRef | None = None
    value: Decimal | int | tuple[int, ...] | None = None
    resolved: bool = False
    bound: str = ""


def mentions(gazetteer: Gazetteer, text: str) -> Iterator[Finding]:
    """The gazetteer's mentions in ``text`` (links blanked) as findings."""
    for m in gazetteer.find(blank_urls(text)):
        grade = 0.9 if m.label.is_name else 0.7
        yield Finding(
            Span(m.start, m.end), "mention", "gazetteer", grade / m.ambiguity, entity=m.entity
        )


def figures(source: SourceText, seg: Segmentation) -> Iterator[Finding]:
    """The pattern extractor's figures and dates, paragraph by paragraph (headings too)."""
    text = blank_urls(source.text)
    for paragraph in seg.paragraphs:
        found = patterns.find(
            text[paragraph.start : paragraph.end],
            reference_year=source.reference_year,
            offset=paragraph.start,
        )
        decades = [(m.start, m.end) for m in found if m.kind == "decade"]
        # Numbers that are part of a date ("February 23", "five years ago") are not counts.
        dated = [(m.start, m.end) for m in found if m.resolved or m.kind in _DATED]
        years = [m for m in found if m.kind == "year" and not m.resolved]
        dates: dict[tuple[int, int], list[patterns.Mention]] = {}
        for m in found:
            if m.kind == "year" and any(a <= m.start and m.end < b for a, b in decades):
                continue  # the "1920" of "1920s" is the decade, not a year
            if m.kind == "quantity" and any(a <= m.start and m.end <= b for a, b in dated):
                continue
            if m.kind == "date" and m.resolved and _day_without_year(m, source.text):
                dates.setdefault((m.start, m.end), []).append(m)
                continue
            yield _figure(m, source.text)
        for candidates in dates.values():
            # A day without its year: the year named last before it, else the first after it.
            before = [y for y in years if y.end <= candidates[0].start]
            near = before[-1] if before else (years[0] if years else None)
            chosen = [c for c in candidates if near is not None and c.value[0] == near.value]  # type: ignore[index]
            for c in chosen or candidates:
                f = _figure(c, source.text)
                yield Finding(
                    f.span,
                    f.kind,
                    f.method,
                    round(0.8 / len(chosen or candidates), 3),
                    value=f.value,
                    resolved=True,
                )


def _day_without_year(m: patterns.Mention, text: str) -> bool:
    """A month-and-day whose year the paragraph supplied (not "end of 2022")."""
    return re.search(r"\d{4}", text[m.start : m.end]) is None


def _figure(m: patterns.Mention, text: str) -> Finding:
    stated = text[m.start : m.end]
    if m.resolved:
        grade = 0.8
    elif any(c.isdigit() for c in stated):
        grade = 0.95
    else:
        grade = 0.8
    return Finding(
        Span(m.start, m.end),
        m.kind,
        "pattern-extractor",
        grade,
        value=m.value,
        resolved=m.resolved,
        bound=m.bound,
    )


def _ids(findings: list[Finding]) -> Iterator[tuple[str, Finding]]:
    """Stable local ids from span and kind, numbered when several share both."""
    seen: Counter[str] = Counter()
    for f in findings:
        base = f"{f.span.start}-{f.span.end}-{f.kind}"
        seen[base] += 1
        yield (base if seen[base] == 1 else f"{base}-{seen[base]}"), f


def annotate(
    source: SourceText, seg: Segmentation, ontology: Graph, run: Run, q: Quads
) -> Counter[str]:
    """Add the annotations of one text to ``q``; return how many of each kind."""
    gazetteer = Gazetteer.from_graph(ontology)
    found = sorted(
        [*mentions(gazetteer, source.text), *figures(source, seg)],
        key=lambda f: (f.span.start, f.span.end, f.kind, str(f.entity), str(f.value)),
    )
    g, src = text_graph(source.id), source_iri(source.id)
    counts: Counter[str] = Counter()
    for local, f in _ids(found):
        a = URIRef(f"{src}/annotation/{local}")
        target = URIRef(f"{a}/target")
        quote, position = URIRef(f"{target}/quote"), URIRef(f"{target}/position")
        exact = source.text[f.span.start : f.span.end]
        prefix, suffix = context(source.text, f.span)
        q.add(a, RDF.type, OA.Annotation, g)
        q.add(a, OA.hasTarget, target, g)
        q.add(target, RDF.type, OA.SpecificResource, g)
        q.add(target, OA.hasSource, src, g)
        q.add(target, OA.hasSelector, quote, g)
        q.add(target, OA.hasSelector, position, g)
        q.add(quote, RDF.type, OA.TextQuoteSelector, g)
        q.add(quote, OA.exact, Literal(exact), g)
        q.add(quote, OA.prefix, Literal(prefix), g)
        q.add(quote, OA.suffix, Literal(suffix), g)
        q.add(position, RDF.type, OA.TextPositionSelector, g)
        q.add(position, OA.start, Literal(f.span.start, datatype=XSD.nonNegativeInteger), g)
        q.add(position, OA.end, Literal(f.span.end, datatype=XSD.nonNegativeInteger), g)
        for sentence in seg.sentences_in(f.span.start, f.span.end):
            q.add(target, KZO.inSentence, sentence_iri(source.id, sentence.number), g)
        if f.entity is not None:
            q.add(a, OA.motivatedBy, OA.identifying, g)
            q.add(a, OA.hasBody, f.entity, g)
        else:
            q.add(a, OA.motivatedBy, OA.describing, g)
            _value_body(a, f, exact, source, q, g)
        q.add(a, KZO.method, METHODS[f.method], GRAPH_PROVENANCE)
        q.add(
            a,
            KZO.confidence,
            Literal(str(Decimal(str(round(f.confidence, 3)))), datatype=XSD.decimal),
            GRAPH_PROVENANCE,
        )
        q.add(a, PROV.wasDerivedFrom, src, GRAPH_PROVENANCE)
        q.add(a, PROV.wasGeneratedBy, run.iri, GRAPH_PROVENANCE)
        counts[f.kind] += 1
    return counts


def _value_body(a: URIRef, f: Finding, exact: str, source: SourceText, q: Quads, g: URIRef) -> None:
    body = URIRef(f"{a}/value")
    q.add(a, OA.hasBody, body, g)
    q.add(body, RDF.type, KZO.FigureSupport, g)
    q.add(body, KZO.valueKind, Literal(f.kind), g)
    q.add(body, KZO.quotedAs, Literal(exact), g)
    q.add(body, KZO.resolved, Literal(f.resolved), g)
    if f.resolved:
        q.add(body, KZO.referenceYear, Literal(str(source.reference_year), datatype=XSD.gYear), g)
    if f.bound:
        q.add(body, KZO.bound, Literal(f.bound), g)
    if f.kind in {"decade", "range"}:
        assert isinstance(f.value, tuple)
        years = f.value
        q.add(body, RDF.type, TIME.Interval, g)
        for prop, year, name in (
            (TIME.hasBeginning, years[0], "beginning"),
            (TIME.hasEnd, years[1] if len(years) > 1 else None, "end"),
        ):
            if year is None:
                continue
            instant = URIRef(f"{body}/{name}")
            q.add(body, prop, instant, g)
            q.add(instant, RDF.type, TIME.Instant, g)
            q.add(instant, TIME.inXSDgYear, Literal(f"{year:04d}", datatype=XSD.gYear), g)
        return
    q.add(body, RDF.value, _literal(f.kind, f.value), g)


def _literal(kind: str, value: Decimal | int | tuple[int, ...] | None) -> Literal:
    datatype = _DATATYPE[kind]
    if isinstance(value, tuple):
        parts = [f"{value[0]:04d}", *(f"{v:02d}" for v in value[1:])]
        return Literal("-".join(parts), datatype=datatype)
    assert value is not None
    if kind == "year":
        return Literal(f"{int(value):04d}", datatype=datatype)
    number = Decimal(value)
    if kind == "quantity" and number != number.to_integral_value():
        datatype = XSD.decimal
    text = format(number.normalize(), "f") if datatype == XSD.decimal else str(int(number))
    return Literal(text, datatype=datatype)

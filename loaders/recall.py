"""How much of a curated claim sheet a draft proposes: the measure `kzmig draft --report` prints.

Matching ("the draft proposes X"), per draft entry whose quote's evidence
(its span in the text, every copy of a repeated passage) overlaps the
evidence of the curated claim that asserts X:

- **a figure or date**: a typed literal of a checked datatype in the claim's
  triples (counted once per value and the words that state it). Proposed when
  a draft entry whose evidence contains those words lists an equal value in
  ``proposals.figures``: numbers equal as decimals (89000 = "89 thousand"),
  years, months and dates equal as written.
- **a named thing**: an IRI of the resource namespace that the claim uses
  (subject, object or attribution), that ``ontology/`` labels and that is not
  a vocabulary concept (``concept:``). Proposed when some overlapping draft
  entry names it (``proposals.things``, ``attribution`` or its ``triples``).
- **an attribution**: a claim's ``attribution``. Proposed when an
  overlapping draft entry has the same ``attribution``.
- **a false figure**: a figure a draft entry proposes none of whose values
  (a date also gives its year) a curated claim overlapping that entry asserts.
  Reported per ten draft entries (factual sentences).
- **a new thing** (for a text with things the ontology lacks): a person or
  agency that the sheet's own ontology declares; proposed when an
  overlapping entry proposes (``proposals.new``) a name equal to one of its
  labels, ignoring case and a leading "the", with the same class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from .anchor import AnchorError, anchor
from .draft import curie
from .sheets import Claim
from .text import Segmentation, Span

RESOURCE = "https://w3id.org/kzmig/resource/"
_NUMERIC = {"integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger"}


@dataclass
class DraftEntry:
    id: str
    spans: tuple[Span, ...]
    attribution: str
    things: set[str]
    figures: list[set[tuple[str, str]]]  # per figure: its (number|gYear|..., value)s
    new: list[tuple[str, str]]  # (name, class)


@dataclass
class Measure:
    name: str
    found: int = 0
    total: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0

    def line(self) -> str:
        return f"{self.name}: {self.found}/{self.total} ({self.share:.0%})"


@dataclass
class Report:
    figures: Measure
    things: Measure
    attributions: Measure
    new_things: Measure
    false_figures: list[str]
    entries: int

    @property
    def false_per_ten(self) -> float:
        return 10 * len(self.false_figures) / self.entries if self.entries else 0.0

    def text(self) -> str:
        lines = [m.line() for m in (self.figures, self.things, self.attributions)]
        if self.new_things.total:
            lines.append(self.new_things.line())
        lines.append(
            f"false figures: {len(self.false_figures)} in {self.entries} draft entries "
            f"({self.false_per_ten:.2f} per 10)"
        )
        for m in (self.figures, self.things, self.attributions, self.new_things):
            lines += [f"  missed {m.name}: {x}" for x in m.missed]
        lines += [f"  false figure: {x}" for x in self.false_figures]
        return "\n".join(lines)


def _key(datatype: str, lexical: str) -> tuple[str, str]:
    if datatype in _NUMERIC:
        try:
            return "number", format(Decimal(lexical).normalize(), "f")
        except InvalidOperation:
            return "number", lexical
    if datatype == "gYear":
        return "gYear", lexical[:4]
    return datatype, lexical


def read_draft(path: Path, seg: Segmentation) -> list[DraftEntry]:
    """A draft sheet's entries, each anchored like a claim."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for item in data.get("claims") or []:
        try:
            found = anchor(seg, str(item["quote"]), occurrence=item.get("occurrence"))
        except AnchorError:
            continue
        proposals: dict[str, Any] = item.get("proposals") or {}
        triples = str(item.get("triples") or "")
        things = set((proposals.get("things") or {}).keys())
        things |= set(re.findall(r"\b[a-z]+:[\w.-]*\w", triples))
        attribution = str(item.get("attribution") or "")
        if attribution:
            things.add(attribution)
        figures = []
        for f in proposals.get("figures") or []:
            keys = set()
            for value in f.get("values") or []:
                m = re.fullmatch(r'"([^"]*)"\^\^xsd:(\w+)', str(value))
                if m:
                    keys.add(_key(m.group(2), m.group(1)))
            figures.append(keys)
        new = [
            (str(p.get("name", "")), str(p.get("class", ""))) for p in proposals.get("new") or []
        ]
        out.append(DraftEntry(str(item["id"]), found.spans, attribution, things, figures, new))
    return out


def _overlaps(a: tuple[Span, ...], b: tuple[Span, ...]) -> bool:
    return any(x.start < y.end and y.start < x.end for x in a for y in b)


def _norm(name: str) -> str:
    return re.sub(r"^the\s+", "", " ".join(name.replace('"', " ").split()).lower())


def measure(
    draft: list[DraftEntry], claims: list[Claim], ontology: Graph, extra: Graph | None = None
) -> Report:
    """The draft's recall of ``claims`` (see the module's docstring for the matching)."""
    named = {
        str(s)
        for s in ontology.subjects(RDFS.label, None)
        if str(s).startswith(RESOURCE) and "/concept/" not in str(s)
    }
    figures = Measure("figures and dates")
    seen: set[tuple[str, str, int]] = set()
    for c in claims:
        for f in c.figures:
            key = (*_key(f.datatype, f.lexical), f.span.start)
            if key in seen:
                continue
            seen.add(key)
            figures.total += 1
            where = (f.span,)
            if any(
                _overlaps(e.spans, where) and any(key[:2] in f for f in e.figures)
                for e in draft
                if any(s.start <= f.span.start and f.span.end <= s.end for s in e.spans)
            ):
                figures.found += 1
            else:
                figures.missed.append(f'{c.id}: "{f.lexical}"^^xsd:{f.datatype}')
    things = Measure("named things")
    uses: dict[str, list[Claim]] = {}
    for c in claims:
        iris = {str(t) for s, _, o in c.triples for t in (s, o) if isinstance(t, URIRef)}
        if c.attribution is not None:
            iris.add(str(c.attribution))
        for iri in iris & named:
            uses.setdefault(iri, []).append(c)
    for iri, users in sorted(uses.items()):
        things.total += 1
        name = curie(iri)
        if any(name in e.things and _overlaps(e.spans, c.evidence) for c in users for e in draft):
            things.found += 1
        else:
            things.missed.append(name)
    attributions = Measure("in-text attributions")
    for c in claims:
        if c.attribution is None:
            continue
        attributions.total += 1
        name = curie(str(c.attribution))
        if any(e.attribution == name and _overlaps(e.spans, c.evidence) for e in draft):
            attributions.found += 1
        else:
            attributions.missed.append(f"{c.id}: {name}")
    new_things = Measure("people and agencies new to the ontology")
    if extra is not None:
        kzo = "https://w3id.org/kzmig/ontology#"
        for cls in ("Person", "Agency"):
            for thing in sorted(set(extra.subjects(RDF.type, URIRef(kzo + cls))), key=str):
                users = [c for c in claims if any(thing in (s, o) for s, _, o in c.triples)]
                labels = {
                    _norm(str(lab))
                    for p in (RDFS.label, SKOS.altLabel)
                    for lab in extra.objects(thing, p)
                }
                new_things.total += 1
                if any(
                    _norm(n) in labels and k == f"kzo:{cls}" and _overlaps(e.spans, c.evidence)
                    for c in users
                    for e in draft
                    for n, k in e.new
                ):
                    new_things.found += 1
                else:
                    new_things.missed.append(curie(str(thing)))
    false: list[str] = []
    for e in draft:
        asserted = {
            _key(f.datatype, f.lexical)
            for c in claims
            if _overlaps(e.spans, c.evidence)
            for f in c.figures
        }
        asserted |= {
            _key(str(o.datatype)[len(str(XSD)) :], str(o))
            for c in claims
            if _overlaps(e.spans, c.evidence)
            for _, _, o in c.triples
            if isinstance(o, Literal) and o.datatype is not None
        }
        false += [
            f"{e.id}: {', '.join(v for _, v in sorted(f))}" for f in e.figures if not f & asserted
        ]
    return Report(figures, things, attributions, new_things, false, len(draft))

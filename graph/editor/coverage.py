"""How much of each text its claim sheet covers, sentence by sentence.

Read straight from the inputs (``sources/<text>/``: the text, its claim sheet
and its ``coverage.yaml``), no store needed. A sentence is **covered** when
the evidence span of some claim overlaps it; it **states no fact** when
``coverage.yaml`` says so, with a reason; otherwise it is **uncovered**, and
``kzmig report coverage --strict`` fails. Headings are listed with their
section; they count as stating nothing unless a claim is anchored in one
("Soviet Era (1920s-1991)" may well carry a period).

``coverage.yaml`` (format in docs/claim-sheets.md)::

    no-fact:
      - quote: "(Gov Kz)"          # verbatim words of the sentence(s), anchored as claims are
        reason: in-text attribution of the sentences before it, carried by their claims
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kzmig.loaders.anchor import AnchorError, anchor
from kzmig.loaders.errors import InputError, Problem
from kzmig.loaders.sheets import Claim, read_sheet
from kzmig.loaders.sources import SourceText, discover, read_source
from kzmig.loaders.text import Segmentation, Span, fold_space, segment

COVERAGE_FILE = "coverage.yaml"
_KEYS = {"quote", "reason", "occurrence"}


@dataclass(frozen=True)
class NoFact:
    """An entry of coverage.yaml: words of the text that state nothing, and why."""

    quote: str
    reason: str
    line: int
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Unit:
    """A sentence or a heading, and what covers it."""

    kind: str  # sentence | heading
    number: int  # sentence number, or paragraph number for a heading
    span: Span
    text: str
    claims: tuple[str, ...] = ()  # ids of the claims whose evidence overlaps it
    reason: str = ""  # why it states nothing, when it states nothing
    quoted: float = 0.0  # share of its non-space characters inside some claim's quote

    @property
    def status(self) -> str:
        if self.claims:
            return "covered"
        return "no-fact" if self.reason else "uncovered"


@dataclass
class SectionCoverage:
    number: int
    title: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class TextCoverage:
    """The coverage of one text, by section, with anything odd found on the way."""

    source_id: str
    sections: list[SectionCoverage]
    warnings: list[str] = field(default_factory=list)
    has_sheet: bool = True

    def sentences(self) -> list[Unit]:
        return [u for s in self.sections for u in s.units if u.kind == "sentence"]

    def headings(self) -> list[Unit]:
        return [u for s in self.sections for u in s.units if u.kind == "heading"]

    @property
    def total(self) -> int:
        return len(self.sentences())

    @property
    def factual(self) -> int:
        return sum(1 for u in self.sentences() if u.status != "no-fact")

    @property
    def covered(self) -> int:
        return sum(1 for u in self.sentences() if u.status == "covered")

    def uncovered(self) -> list[Unit]:
        return [u for u in self.sentences() if u.status == "uncovered"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "covered": self.covered,
            "factual": self.factual,
            "total": self.total,
            "warnings": self.warnings,
            "sections": [
                {
                    "number": s.number,
                    "title": s.title,
                    "units": [
                        {
                            "kind": u.kind,
                            "number": u.number,
                            "status": u.status,
                            "start": u.span.start,
                            "end": u.span.end,
                            "text": u.text,
                            "claims": list(u.claims),
                            "reason": u.reason,
                            "quoted": u.quoted,
                        }
                        for u in s.units
                    ],
                }
                for s in self.sections
            ],
        }


def read_no_facts(path: Path, seg: Segmentation) -> list[NoFact]:
    """The entries of a coverage.yaml, each anchored; InputError lists every problem."""
    shown = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            [Problem(shown, mark.line + 1 if mark else None, f"not valid YAML: {e}")]
        ) from e
    if root is None:
        return []
    top = {k.value: v for k, v in root.value} if isinstance(root, yaml.MappingNode) else None
    if top is None or set(top) - {"no-fact"}:
        raise InputError([Problem(shown, 1, "expected a mapping with one key, `no-fact:`")])
    entries = top.get("no-fact")
    if entries is None:
        return []
    if not isinstance(entries, yaml.SequenceNode):
        raise InputError([Problem(shown, 1, "expected `no-fact:` to be a list of entries")])
    out: list[NoFact] = []
    problems: list[Problem] = []
    for entry in entries.value:
        line = entry.start_mark.line + 1
        try:
            if not isinstance(entry, yaml.MappingNode):
                raise ValueError("each entry is a mapping with `quote:` and `reason:`")
            fields = {k.value: yaml.safe_load(yaml.serialize(v)) for k, v in entry.value}
            unknown = set(fields) - _KEYS
            if unknown:
                raise ValueError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
            for key in ("quote", "reason"):
                if not str(fields.get(key) or "").strip():
                    raise ValueError(f"missing `{key}`")
            occurrence = fields.get("occurrence")
            found = anchor(
                seg,
                str(fields["quote"]),
                occurrence=int(occurrence) if occurrence is not None else None,
            )
            out.append(
                NoFact(str(fields["quote"]), fold_space(str(fields["reason"])), line, found.spans)
            )
        except (ValueError, AnchorError) as e:
            problems.append(Problem(shown, line, str(e)))
    if problems:
        raise InputError(problems)
    return out


def coverage(
    source: SourceText, seg: Segmentation, claims: list[Claim], no_facts: list[NoFact]
) -> TextCoverage:
    """Match claims' evidence and coverage.yaml's entries against sentences and headings."""
    text = source.text
    result = TextCoverage(source.id, [SectionCoverage(s.number, s.title) for s in seg.sections])
    by_number = {s.number: s for s in result.sections}

    def overlapping(span: Span) -> tuple[list[str], str]:
        ids = [
            c.id
            for c in claims
            if any(e.start < span.end and span.start < e.end for e in c.evidence)
        ]
        reasons = []
        for entry in no_facts:
            if any(e.start < span.end and span.start < e.end for e in entry.spans):
                reasons.append(entry.reason)
        return list(dict.fromkeys(ids)), "; ".join(dict.fromkeys(reasons))

    units: list[tuple[int, int, Unit]] = []
    for p in seg.paragraphs:
        if p.is_heading:
            span = Span(p.start, p.end)
            ids, reason = overlapping(span)
            unit = Unit(
                "heading", p.number, span, text[p.start : p.end], tuple(ids), reason or "heading"
            )
            units.append((p.start, p.section, unit))
    evidence = [e for c in claims for e in c.evidence]
    for s in seg.sentences:
        span = Span(s.start, s.end)
        ids, reason = overlapping(span)
        unit = Unit(
            "sentence",
            s.number,
            span,
            fold_space(text[s.start : s.end]),
            tuple(ids),
            reason,
            _quoted(text, span, evidence),
        )
        if ids and reason:
            result.warnings.append(
                f"sentence {s.number} is listed in {COVERAGE_FILE} as stating nothing "
                f"({reason}), but claims cover it: {', '.join(ids)}. Remove the entry."
            )
        units.append((s.start, s.section, unit))
    for _, section, unit in sorted(units, key=lambda x: x[0]):
        by_number[section].units.append(unit)
    return result


def _quoted(text: str, span: Span, evidence: list[Span]) -> float:
    """The share of the non-space characters of ``span`` that some quote includes.

    A low share flags a long sentence whose claims quote only a few of its
    words: facts may be left in the rest.
    """
    inside = [False] * (span.end - span.start)
    for e in evidence:
        for i in range(max(e.start, span.start), min(e.end, span.end)):
            inside[i - span.start] = True
    chars = [i for i in range(span.end - span.start) if not text[span.start + i].isspace()]
    return round(sum(inside[i] for i in chars) / len(chars), 3) if chars else 0.0


def text_coverage(folder: Path) -> TextCoverage:
    """The coverage of the text in ``folder`` (sources/<text>/), from its files."""
    source = read_source(folder)
    seg = segment(source.text, run_in_headings=source.run_in_headings)
    claims = read_sheet(source.sheet_path, source, seg) if source.sheet_path.is_file() else []
    path = folder / COVERAGE_FILE
    no_facts = read_no_facts(path, seg) if path.is_file() else []
    result = coverage(source, seg, claims, no_facts)
    result.has_sheet = source.sheet_path.is_file()
    return result


def project_coverage(root: Path) -> list[TextCoverage]:
    """The coverage of every text under ``root``/sources; InputError lists all problems."""
    folders = discover(root / "sources")
    if not folders:
        raise InputError([Problem(str(root / "sources"), None, "no source text found")])
    results, problems = [], []
    for folder in folders:
        try:
            results.append(text_coverage(folder))
        except InputError as e:
            problems += e.problems
    if problems:
        raise InputError(problems)
    return results


def render(results: list[TextCoverage], *, width: int = 100, only_uncovered: bool = False) -> str:
    """The report as text: per text and section, each sentence's status, then totals."""
    lines: list[str] = []

    def cut(s: str) -> str:
        return s if width <= 0 or len(s) <= width else s[: width - 1] + "…"

    for r in results:
        lines.append(f"== {r.source_id}" + ("" if r.has_sheet else "  (no claim sheet yet)"))
        for section in r.sections:
            shown = [u for u in section.units if not only_uncovered or u.status == "uncovered"]
            if not shown:
                continue
            lines.append(f"§{section.number} {section.title or '(untitled)'}")
            for u in shown:
                if u.kind == "heading":
                    note = f"claims: {', '.join(u.claims)}" if u.claims else u.reason
                    lines.append(f"  heading         {cut(repr(u.text))}  [{note}]")
                    continue
                label = f"s{u.number}"
                if u.status == "covered":
                    more = f" +{len(u.claims) - 1}" if len(u.claims) > 1 else ""
                    lines.append(
                        f"  covered   {label:>5} {cut(u.text)}  "
                        f"[{u.claims[0]}{more}; {u.quoted:.0%} quoted]"
                    )
                elif u.status == "no-fact":
                    lines.append(f"  no fact   {label:>5} {cut(u.text)}  [{u.reason}]")
                else:
                    lines.append(f"  UNCOVERED {label:>5} {u.text}")
        for w in r.warnings:
            lines.append(f"warning: {w}")
        headings = r.headings()
        lines.append(
            f"total {r.source_id}: {r.covered} covered / {r.factual} factual / "
            f"{r.total} sentences ({r.total - r.factual} state no fact); "
            f"{len(headings)} headings, {sum(1 for h in headings if h.claims)} with claims"
        )
    if len(results) > 1:
        covered = sum(r.covered for r in results)
        factual = sum(r.factual for r in results)
        total = sum(r.total for r in results)
        lines.append(f"total: {covered} covered / {factual} factual / {total} sentences")
    return "\n".join(lines)

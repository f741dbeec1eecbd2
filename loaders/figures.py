"""The figures and dates of one sentence, as typed values for a draft claim.

Built on :func:`kzmig.loaders.patterns.find` (which also reads fractions and
word ratios): each figure becomes a typed literal (numbers as full values:
"87.7 million" → 87700000, "one fifth" → 20 percent), with its bound
("more than" → lower, "fewer than" → upper, "about" → approximate), its unit
and what it counts when the sentence says ("89 thousand Kazakhstanis"), and,
for a date, its role: ``statement`` when it dates a speech or report
("In November 2011 officials spoke of ...": when it was said), else
``reference`` (the period a figure refers to, "for 2021", "since 2014").

What is left out, because it is not a figure of the text: numbers inside a
date ("February 23"), a year or a relative date; number words below ten
without a scale ("two large groups", "the two countries"); compound
adjectives ("five-year plan"); document numbers ("decree No. 1126").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from . import patterns

_DATE_KINDS = {"year", "decade", "range", "date", "year-month"}
_SMALL_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
_PERSONS = re.compile(
    r"^(?:[\w-]+\s+){0,2}?(people|persons|citizens|migrants|\w*ans|\w*ers|\w*ees|students|"
    r"returnees|emigrants|immigrants|repatriates|residents|pensioners|specialists|Kazakhs|"
    r"children|men|women|families|Kandases|oralmans)\b",
    re.I,
)
_STOP = re.compile(
    r"\b(?:are|is|was|were|have|has|had|who|which|that|in|from|to|at|on|for|by|with|than|"
    r"and|or|but|of|since|between|over|during|each|every|per|move|moved|study|live|lived|"
    r"arrived|returned|came|work)\b",
    re.I,
)
_PER_YEAR = re.compile(r"^\s*(?:[\w,]+\s+){0,3}?(?:per|a|each|every)\s+year\b", re.I)
_SPEECH = re.compile(
    r"\b(said|says|reported|reports|announced|stated|spoke|put the number|estimated|"
    r"declared|noted|told|counted)\b",
    re.I,
)
_UNTIL = re.compile(r"\b(?:until|till|up to|by)\s+(?:the\s+end\s+of\s+)?$", re.I)
_BY_THEN = re.compile(r"\b(?:by then|by that time|until then)\b", re.I)
_CURRENCY = {"tenge": "concept:tenge", "dollars": "concept:us-dollars", "usd": "concept:us-dollars"}


@dataclass(frozen=True)
class Figure:
    """A figure or date of a sentence, as a draft states it."""

    start: int
    end: int
    quoted: str  # the words of the text
    kind: str  # quantity | percent | multiplier | year | decade | range | date | year-month
    values: tuple[tuple[str, str], ...]  # (xsd local name, lexical), in order
    bound: str = ""  # lower | upper | approximate
    resolved: bool = False
    unit: str = ""  # a CURIE (concept:persons), or "" when the sentence does not say
    counts: str = ""  # what it counts, in the text's words
    role: str = ""  # dates: statement | reference
    open_end: bool = False  # "since 2014": a period up to the present of the text
    until: bool = False  # "until 2021", "by then": a period that ends then


def _lexical(value: Decimal) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _values(m: patterns.Mention) -> tuple[tuple[str, str], ...]:
    v = m.value
    if m.kind == "year":
        return (("gYear", f"{int(v):04d}"),)  # type: ignore[arg-type]
    if m.kind in {"decade", "range"}:
        assert isinstance(v, tuple)
        return tuple(("gYear", f"{y:04d}") for y in v)
    if m.kind == "date":  # a day also states its year ("1 January 2021": in 2021)
        assert isinstance(v, tuple)
        return (("date", "{:04d}-{:02d}-{:02d}".format(*v)), ("gYear", f"{v[0]:04d}"))
    if m.kind == "year-month":
        assert isinstance(v, tuple)
        return (("gYearMonth", "{:04d}-{:02d}".format(*v)), ("gYear", f"{v[0]:04d}"))
    number = Decimal(v)  # type: ignore[arg-type]
    datatype = "integer" if number == number.to_integral_value() else "decimal"
    return ((datatype, _lexical(number)),)


def counted(after: str) -> str:
    """What a figure counts: the words after it, up to a verb or preposition."""
    words = re.match(r"^\s*(?:\(|,)?\s*([^,.;:()]*)", after)
    phrase = words.group(1) if words else ""
    stop = _STOP.search(phrase)
    phrase = phrase[: stop.start()] if stop else phrase
    return " ".join(phrase.split()[:3])


def unit_of(kind: str, counts: str, after: str) -> str:
    if kind == "percent":
        return "concept:percent"
    if kind != "quantity":
        return ""
    words = counts.lower().split()
    currency = next((w for w in words if w in _CURRENCY), "")
    if currency:
        return _CURRENCY[currency]
    if "families" in words:
        return "concept:families-per-year" if _PER_YEAR.match(after) else "concept:families"
    if counts and _PERSONS.match(counts):
        return "concept:persons-per-year" if _PER_YEAR.match(after) else "concept:persons"
    return ""


def _skip(m: patterns.Mention, stated: str, text: str, start: int, end: int) -> bool:
    if m.kind != "quantity":
        return False
    word = stated.strip().lower()
    if word in _SMALL_WORDS:
        return True  # "two large groups": a determiner, not a statistic
    if re.match(r"\s+(?:years?|months?|weeks?|days?|decades?)\b", text[end : end + 10]):
        return True  # "over the previous twelve years": a duration
    if re.match(r"-\w", text[end : end + 2]):
        return True  # "five-year plan"
    return bool(re.search(r"\bNo\.?\s*$", text[max(0, start - 5) : start]))


def _in_context(
    text: str, start: int, end: int, context: tuple[int, int] | None, reference_year: int | None
) -> list[patterns.Mention]:
    """The sentence's mentions, read in its paragraph so that "February 23" takes its year."""
    a, b = context or (start, end)
    found = patterns.find(text[a:b], reference_year=reference_year, offset=a)
    years = [m for m in found if m.kind == "year" and not m.resolved]
    out: list[patterns.Mention] = []
    stated: list[tuple[int, int]] = []  # "26 June 1992": a day with its year right after it
    for m in list(found):
        follows = re.match(r",?\s+(1[5-9]\d\d|20\d\d)\b", text[m.end : m.end + 7])
        yearless = not re.search(r"\d{4}", text[m.start : m.end])
        if m.kind == "date" and m.resolved and follows and yearless:
            if m.value[0] != int(follows.group(1)):  # type: ignore[index]
                continue  # the same day dated by another year of the paragraph
            full = patterns.Mention(m.start, m.end + follows.end(), "date", m.value)
            found.append(full)
            stated.append((full.start, full.end))
    for m in found:
        if not (start <= m.start and m.end <= end):
            continue
        if any(a <= m.start < b for a, b in stated) and (m.end, m.kind) not in {
            (b, "date") for _, b in stated
        }:
            continue  # the parts of a stated date: its day and month, its month and year
        if m.kind == "date" and m.resolved and not re.search(r"\d{4}", text[m.start : m.end]):
            before = [y for y in years if y.end <= m.start]
            year = before[-1].value if before else (years[0].value if years else None)
            if year is None or m.value[0] != year:  # type: ignore[index]
                continue  # a day whose year the paragraph does not give, or another year's
        if m.kind == "date" and re.search(r"end of", text[m.start : m.end], re.I):
            y = m.value[0]  # type: ignore[index]
            m = patterns.Mention(m.start, m.end, "year", y, False, m.bound)  # "by the end of 2022"
        out.append(m)
    return _merge_decades(text, out)


def _merge_decades(text: str, found: list[patterns.Mention]) -> list[patterns.Mention]:
    """ "the 1950s and 1960s": one period, 1950-1969."""
    decades = sorted((m for m in found if m.kind == "decade"), key=lambda m: m.start)
    for a, b in itertools.pairwise(decades):
        between = text[a.end : b.start]
        if re.fullmatch(
            r"\s*(?:and|to|through|[-–—])\s*(?:the\s+)?(?:early|mid|late)?\s*", between
        ):
            found = [m for m in found if m is not a and m is not b]
            found.append(patterns.Mention(a.start, b.end, "range", (a.value[0], b.value[1])))  # type: ignore[index]
    return sorted(found, key=lambda m: (m.start, m.end))


def read(
    text: str,
    start: int,
    end: int,
    *,
    reference_year: int | None = None,
    context: tuple[int, int] | None = None,
) -> list[Figure]:
    """The figures of ``text[start:end]`` (one sentence), offsets into ``text``.

    ``context``: the paragraph's span, for days written without their year.
    """
    body = text[start:end]
    found = _in_context(text, start, end, context, reference_year)
    dates = [m for m in found if m.kind in _DATE_KINDS or m.resolved]
    kept: list[patterns.Mention] = []
    for m in found:
        inside_date = any(
            d is not m
            and d.start <= m.start
            and m.end <= d.end
            and (d.end - d.start) > (m.end - m.start)
            for d in dates
        )
        if inside_date and (m.kind in _DATE_KINDS or m.kind == "quantity"):
            continue  # the "2006" of "from 2006 to 2010", the "23" of "February 23"
        if _skip(m, text[m.start : m.end], text, m.start, m.end):
            continue
        kept.append(m)
    speech = _SPEECH.search(body)
    figures = []
    for m in kept:
        after = text[m.end : end]
        counts = counted(after) if m.kind in {"quantity", "percent"} else ""
        role = ""
        if m.kind in _DATE_KINDS:
            # A date before the speech verb of its sentence dates the speech.
            role = "statement" if speech and m.end - start <= speech.start() else "reference"
        figures.append(
            Figure(
                m.start,
                m.end,
                text[m.start : m.end],
                m.kind,
                _values(m),
                m.bound,
                m.resolved,
                unit_of(m.kind, counts, after),
                counts,
                role,
                m.kind == "range" and isinstance(m.value, tuple) and len(m.value) == 1,
                m.kind == "year" and bool(_UNTIL.search(text[max(start, m.start - 20) : m.start])),
            )
        )
    then = _BY_THEN.search(body)
    if then and context is not None:
        earlier = [
            m
            for m in patterns.find(text[context[0] : start], offset=context[0])
            if m.kind in {"year", "date", "year-month", "range"}
        ]
        if earlier:
            year = earlier[-1].value
            year = year[-1] if isinstance(year, tuple) and earlier[-1].kind == "range" else year
            year = year[0] if isinstance(year, tuple) else year
            a, b = start + then.start(), start + then.end()
            figures.append(
                Figure(a, b, text[a:b], "year", (("gYear", f"{int(year):04d}"),), "", True,
                       "", "", "reference", False, True)
            )  # fmt: skip
    return sorted(figures, key=lambda f: f.start)

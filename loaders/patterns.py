"""Quantities, years, periods and relative dates found in a stretch of text.

Pure functions over strings. The build uses them twice: to annotate every
sentence with the figures and dates it states, and to check that a curated
claim's quote really contains the figures and dates the claim asserts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import ratios

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_MULTIPLIERS: dict[str, Decimal] = {
    "doubled": Decimal(2),
    "tripled": Decimal(3),
    "quadrupled": Decimal(4),
    "halved": Decimal("0.5"),
}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}

_WORD = "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True))
_NUMBER = rf"(?:\d{{1,3}}(?:[ ,]\d{{3}})+|\d+(?:\.\d+)?|(?:{_WORD})(?:[- ](?:{_WORD}))?)"
_SCALE = "|".join(_SCALES)
_MONTH = "|".join(_MONTHS)

# (?!\w): a number word is a whole word ("ten", not the "ten" of "tenge")
_QUANTITY = re.compile(rf"\b({_NUMBER})(?!\w)(?:\s*({_SCALE})\b)?(\s*%|\s+per\s*cent\b)?", re.I)
_DECADE = re.compile(r"\b(1[0-9]{2}0|20[0-9]0)s\b")
_YEAR = re.compile(r"(?<![\d.,])(1[5-9]\d\d|20\d\d)(?![\d%]|\s*(?:thousand|million))")
_YEARS_AGO = re.compile(rf"\b({_NUMBER}) years? ago\b", re.I)
_PAST_YEARS = re.compile(rf"\b(?:over|in|during) the (?:past|last) ({_NUMBER}) years\b", re.I)
_NEXT_YEARS = re.compile(rf"\b(?:in|within|over) the next ({_NUMBER}) years\b", re.I)
_RELATIVE_YEAR = re.compile(r"\b(this|last|next) year\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})\b|\b(\d{{1,2}})\s+({_MONTH})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH}),?\s+(\d{{4}})\b", re.I)
_END_OF_YEAR = re.compile(r"\bend of (\d{4})\b", re.I)
_Y = r"(1[5-9]\d\d|20\d\d)(s?)"
_RANGE_TO = r"(?:\s*[-–—]\s*|\s+(?:to|till|until|through)\s+)"
_RANGE = re.compile(rf"\b(?:from\s+)?{_Y}{_RANGE_TO}{_Y}\b", re.I)
_RANGE_BETWEEN = re.compile(rf"\bbetween\s+{_Y}\s+and\s+{_Y}\b", re.I)
_RANGE_OPEN = re.compile(rf"\b{_Y}\s*[-–—]\s*(?:present|now|today)\b", re.I)
_SINCE = re.compile(
    rf"\b(?:since|starting\s+(?:in|from)|from)\s+{_Y}\b(?!{_RANGE_TO}(?:1[5-9]|20)\d\d)", re.I
)
_MULTIPLIER = re.compile(rf"\b({'|'.join(_MULTIPLIERS)})\b", re.I)
_LOWER_BOUND = re.compile(r"\b(more than|over|at least|upwards of)\s+$", re.I)
_UPPER_BOUND = re.compile(r"\b(less than|fewer than|under|at most|up to)\s+$", re.I)
_APPROXIMATE = re.compile(r"\b(about|around|approximately|approx\.|some|nearly|almost)\s+$", re.I)


@dataclass(frozen=True)
class Mention:
    """A figure or date found in text: its span, what kind, and its value."""

    start: int
    end: int
    # quantity | percent | multiplier | year | decade | date | year-month | range
    kind: str
    # a number; a year; (first, last) year of a decade; (y, m, d) of a date; (y, m);
    # (first, last) year of a range, or (first,) for an open one ("since 2014")
    value: Decimal | int | tuple[int, ...]
    resolved: bool = False  # computed from a relative expression, not stated
    bound: str = ""  # lower | upper | approximate | ""


def word_number(token: str) -> Decimal | None:
    """'89' -> 89, '71.3' -> 71.3, '32 000' -> 32000, 'nine' -> 9, 'twenty-five' -> 25."""
    token = token.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+", token):
        return Decimal(re.sub(r"[ ,]", "", token))
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return Decimal(token)
    total = 0
    for part in re.split(r"[- ]", token):
        if part not in _UNITS:
            return None
        total += _UNITS[part]
    return Decimal(total) if token in _UNITS or "-" in token or " " in token else None


def find(text: str, *, reference_year: int | None = None, offset: int = 0) -> list[Mention]:
    """Every figure and date in ``text``; relative dates need ``reference_year``."""
    found: list[Mention] = []

    def add(m: re.Match[str], kind: str, value: object, resolved: bool = False) -> None:
        found.append(Mention(offset + m.start(), offset + m.end(), kind, value, resolved))  # type: ignore[arg-type]

    for m in _QUANTITY.finditer(text):
        number = word_number(m.group(1))
        if number is None:
            continue
        if m.group(2):
            number *= _SCALES[m.group(2).lower()]
        kind = "percent" if m.group(3) else "quantity"
        before = text[max(0, m.start() - 20) : m.start()]
        bound = (
            "lower"
            if _LOWER_BOUND.search(before)
            else "upper"
            if _UPPER_BOUND.search(before)
            else "approximate"
            if _APPROXIMATE.search(before)
            else ""
        )
        found.append(Mention(offset + m.start(), offset + m.end(), kind, number, False, bound))
    for m in _DECADE.finditer(text):
        first = int(m.group(1))
        add(m, "decade", (first, first + 9))
    for m in _YEAR.finditer(text):
        add(m, "year", int(m.group(1)))
    for pattern in (_RANGE, _RANGE_BETWEEN):
        for m in pattern.finditer(text):
            first, last = int(m.group(1)), int(m.group(3))
            last += 9 if m.group(4) else 0
            if first < last:
                add(m, "range", (first, last))
    for pattern in (_RANGE_OPEN, _SINCE):
        for m in pattern.finditer(text):
            add(m, "range", (int(m.group(1)),))
    for m in _MULTIPLIER.finditer(text):
        add(m, "multiplier", Decimal(_MULTIPLIERS[m.group(1).lower()]))
    for m in _MONTH_YEAR.finditer(text):
        add(m, "year-month", (int(m.group(2)), _MONTHS[m.group(1).lower()]))
    years = [v.value for v in found if v.kind == "year" and isinstance(v.value, int)]
    for m in _MONTH_DAY.finditer(text):
        month = _MONTHS[(m.group(1) or m.group(4)).lower()]
        day = int(m.group(2) or m.group(3))
        if not 1 <= day <= 31:
            continue
        # A month and day take their year from the passage, when it names one.
        for year in dict.fromkeys(years):
            add(m, "date", (year, month, day), resolved=True)
    for m in _END_OF_YEAR.finditer(text):
        add(m, "date", (int(m.group(1)), 12, 31), resolved=True)
    if reference_year is not None:
        for m in _YEARS_AGO.finditer(text):
            n = word_number(m.group(1))
            if n is not None:
                add(m, "year", reference_year - int(n), resolved=True)
        for m in _PAST_YEARS.finditer(text):
            n = word_number(m.group(1))
            if n is not None:
                add(m, "year", reference_year - int(n), resolved=True)
        for m in _NEXT_YEARS.finditer(text):
            n = word_number(m.group(1))
            if n is not None:
                for k in range(1, int(n) + 1):
                    add(m, "year", reference_year + k, resolved=True)
        for m in _RELATIVE_YEAR.finditer(text):
            shift = {"this": 0, "last": -1, "next": 1}[m.group(1).lower()]
            add(m, "year", reference_year + shift, resolved=True)
    # Fractions and word ratios ("one fifth", "fewer than one in ten") as percents; their
    # number words are not counts of their own.
    fractions = ratios.find(text)
    for a, b, value, bound in fractions:
        found.append(Mention(offset + a, offset + b, "percent", value, False, bound))
    # A bare number that is also a year or a decade is the year, not a count.
    dated = [(m.start, m.end) for m in found if m.kind in {"year", "decade"} and not m.resolved]
    dated += [(offset + a, offset + b) for a, b, _, _ in fractions]
    found = [
        m
        for m in found
        if not (m.kind == "quantity" and any(a <= m.start and m.end <= b for a, b in dated))
    ]
    found.sort(key=lambda x: (x.start, x.end, x.kind))
    return found


def supports(mentions: list[Mention], datatype: str, lexical: str) -> Mention | None:
    """The mention that supports a typed literal, or None.

    ``datatype`` is the local name of an XSD type. Numbers match quantities,
    percents, multipliers and years; a gYear matches a year or a decade bound;
    a date matches a full date; a gYearMonth a month and year.
    """
    try:
        if datatype in {
            "integer",
            "decimal",
            "double",
            "float",
            "nonNegativeInteger",
            "positiveInteger",
            "int",
            "long",
        }:
            value = Decimal(lexical)
            for m in mentions:
                if m.kind in {"quantity", "percent", "multiplier"} and m.value == value:
                    return m
                if m.kind == "year" and value == m.value:
                    return m
                if m.kind == "decade" and value in m.value:  # type: ignore[operator]
                    return m
            return None
        if datatype == "gYear":
            year = int(lexical[:4])
            for m in mentions:
                if (m.kind == "year" and m.value == year) or (
                    m.kind == "decade" and year in m.value  # type: ignore[operator]
                ):
                    return m
            return None
        if datatype == "gYearMonth":
            y, mo = (int(p) for p in lexical[:7].split("-"))
            return next(
                (m for m in mentions if m.kind == "year-month" and m.value == (y, mo)), None
            )
        if datatype == "date":
            y, mo, d = (int(p) for p in lexical[:10].split("-"))
            return next((m for m in mentions if m.kind == "date" and m.value == (y, mo, d)), None)
    except (ArithmeticError, ValueError):
        return None
    return None


CHECKED_DATATYPES = frozenset(
    {
        "integer",
        "decimal",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "int",
        "long",
        "gYear",
        "gYearMonth",
        "date",
    }
)

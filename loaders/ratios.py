"""Fractions and word ratios read as percentages: "one fifth", "half", "fewer than one in ten".

A statistic may state them as a percent (20 for "one fifth"); the figure
check and the drafting assistant read them here. Qualifiers before them
("nearly", "about", "some" / "more than", "over" / "fewer than", "less than")
give the same bounds as for other figures.
"""

from __future__ import annotations

import re
from decimal import Decimal

_COUNT = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_COUNT.update({"eight": 8, "nine": 9})
_PART = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_PART.update({"fifth": 5, "fifths": 5, "sixth": 6, "tenth": 10, "tenths": 10})
_OF = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "twenty": 20}
_OF.update({"hundred": 100, "a hundred": 100})

_C = "|".join(_COUNT)
_P = "|".join(sorted(_PART, key=len, reverse=True))
_O = "|".join(sorted(_OF, key=len, reverse=True))
_FRACTION = re.compile(rf"\b(?:({_C})[- ])?({_P})\b", re.I)
_IN = re.compile(rf"\b({_C})\s+(?:in|out\s+of)\s+(?:every\s+)?({_O})\b", re.I)
_LOWER = re.compile(r"\b(more than|over|at least|upwards of)\s+$", re.I)
_UPPER = re.compile(r"\b(less than|fewer than|under|at most|up to)\s+$", re.I)
_APPROX = re.compile(r"\b(about|around|approximately|some|nearly|almost|roughly)\s+$", re.I)


def percent(part: int, whole: int) -> Decimal:
    """part/whole as a percent, to two decimals at most (one third → 33.33)."""
    value = (Decimal(100) * part / whole).quantize(Decimal("0.01"))
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def bound(before: str) -> str:
    """lower | upper | approximate | "" from the words just before a figure."""
    tail = before[-24:]
    if _LOWER.search(tail):
        return "lower"
    if _UPPER.search(tail):
        return "upper"
    return "approximate" if _APPROX.search(tail) else ""


def find(text: str) -> list[tuple[int, int, Decimal, str]]:
    """(start, end, percent, bound) for each fraction or word ratio in ``text``."""
    out = []
    for m in _FRACTION.finditer(text):
        count = _COUNT.get((m.group(1) or "one").lower(), 1)
        if m.group(1) is None and m.group(2).lower() not in {"half", "halves"}:
            continue  # "the third quota", "a fifth" needs its count word
        out.append((m.start(), m.end(), percent(count, _PART[m.group(2).lower()])))
    for m in _IN.finditer(text):
        out.append(
            (m.start(), m.end(), percent(_COUNT[m.group(1).lower()], _OF[m.group(2).lower()]))
        )
    return [(a, b, v, bound(text[:a])) for a, b, v in out]

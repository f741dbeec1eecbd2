"""Quantities, years, periods and relative dates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kzmig.loaders.patterns import find, supports


def values(text: str, kind: str) -> list[object]:
    return [m.value for m in find(text, reference_year=2022) if m.kind == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("89 thousand Kazakhstanis", [Decimal(89000)]),
        ("nine thousand able-bodied citizens", [Decimal(9000)]),
        ("(71.3 thousand)", [Decimal("71300")]),
        ("32 000 people", [Decimal(32000)]),
        ("twenty-five programs", [Decimal(25)]),
    ],
)
def test_quantities(text: str, expected: list[Decimal]) -> None:
    assert values(text, "quantity") == expected


def test_percent_and_lower_bound() -> None:
    assert values("80% of them", "percent") == [Decimal(80)]
    [m] = [m for m in find("more than 780 thousand people") if m.kind == "quantity"]
    assert (m.value, m.bound) == (Decimal(780000), "lower")


def test_years_decades_and_ranges() -> None:
    assert values("Soviet Era (1920s-1991)", "decade") == [(1920, 1929)]
    assert values("Soviet Era (1920s-1991)", "year") == [1920, 1991]
    assert values("from 2006 to 2010", "year") == [2006, 2010]
    assert values("from 2006 to 2010", "quantity") == []  # years are not counts
    assert values("the 1950s and 1960s", "decade") == [(1950, 1959), (1960, 1969)]


def test_relative_dates_are_resolved_and_marked() -> None:
    [m] = [m for m in find("approved five years ago", reference_year=2022) if m.kind == "year"]
    assert (m.value, m.resolved) == (2017, True)
    assert values("over the past eight years", "year") == [2014]
    assert values("opened in the next two years", "year") == [2023, 2024]
    assert values("five years ago", "year") == [2017]
    assert [m for m in find("five years ago") if m.kind == "year"] == []  # no reference year


def test_dates() -> None:
    text = "At the end of February 2022, they signed it. It was published on February 23."
    assert values(text, "year-month") == [(2022, 2)]
    assert values(text, "date") == [(2022, 2, 23)]
    assert values("By the end of 2022, a committee", "date") == [(2022, 12, 31)]


def test_supports_checks_typed_values() -> None:
    found = find("tripled over the past eight years to 111 thousand people", reference_year=2022)
    assert supports(found, "integer", "111000") is not None
    assert supports(found, "integer", "3") is not None  # "tripled"
    assert supports(found, "gYear", "2014") is not None
    assert supports(found, "integer", "110000") is None
    assert supports(found, "gYear", "2015") is None
    # A decade supports its first and last year (a period's bounds), not a year inside it.
    assert supports(find("in the 1950s"), "gYear", "1950") is not None
    assert supports(find("in the 1950s"), "gYear", "1959") is not None
    assert supports(find("in the 1950s"), "gYear", "1955") is None

"""Figures from many sources: pairs of statistics that say different things about one fact.

Texts quote counts from several sources ("some 600,000" by UNHCR, 1,089,700 by official
data). Statistics of one indicator at different reference dates form a series and are
expected to differ; two statistics of the same indicator, group, flow (when given), place,
unit and reference date (``kzo:refDate``, or ``kzo:refPeriod`` when no date is given)
that state different values disagree. The build reports each such pair as a warning
(build report and ``/validation``), never as an error: sources do disagree, and the graph
keeps both. Undated statistics are not compared.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kzmig.loaders.sheets import Claim
from kzmig.names import KZO, PREFIXES
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

# What makes two statistics figures of the same fact.
KEY = (KZO.indicator, KZO.measuredGroup, KZO.measuredFlow, KZO.refPlace, KZO.unit)


@dataclass(frozen=True)
class Difference:
    """Two statistics of one indicator, group (and flow), place, unit and date, that differ."""

    first: str
    second: str
    values: tuple[str, str]
    key: tuple[str, ...]
    where: tuple[str, str]  # sheet:line of the claim stating each value

    @property
    def message(self) -> str:
        indicator, group, flow, place, unit, date = self.key
        of = _short(group) + (f" ({_short(flow)})" if flow else "")
        return (
            f"{_short(self.first)} = {self.values[0]} ({self.where[0]}) and "
            f"{_short(self.second)} = {self.values[1]} ({self.where[1]}) differ: both "
            f"{_short(indicator)} of {of} in {_short(place) or '(no place)'}, "
            f"{_short(unit)}, "
            f"at {date}. Sources disagree (both are kept): check the values and their "
            "reference dates."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "statistics": [self.first, self.second],
            "values": list(self.values),
            "claims": list(self.where),
            "indicator": self.key[0],
            "group": self.key[1],
            "flow": self.key[2],
            "place": self.key[3],
            "unit": self.key[4],
            "reference": self.key[5],
            "message": self.message,
        }


def differences(claims: Iterable[Claim], root: Path | None = None) -> list[Difference]:
    """Every pair of statistics (over all claim sheets) that states a fact differently.

    Claims are named ``sheet:line``, relative to ``root`` when given.
    """
    props: dict[URIRef, dict[URIRef, set[object]]] = defaultdict(lambda: defaultdict(set))
    stated_at: dict[tuple[URIRef, object], str] = {}
    statistics: set[URIRef] = set()
    for claim in claims:
        for s, p, o in claim.triples:
            if not isinstance(s, URIRef):
                continue
            props[s][p].add(o)
            if p == RDF.type and o == KZO.Statistic:
                statistics.add(s)
            if p == KZO.value:
                stated_at.setdefault((s, o), f"{_relative(claim.sheet, root)}:{claim.line}")
    groups: dict[tuple[str, ...], list[tuple[URIRef, Decimal, object]]] = defaultdict(list)
    for stat in sorted(statistics):
        p = props[stat]
        when = p.get(KZO.refDate) or p.get(KZO.refPeriod)
        values = p.get(KZO.value, set())
        if not when or len(values) != 1:
            continue  # undated figures are not compared; SHACL counts values
        parts = [_one(p.get(k)) for k in KEY]
        if not parts[0] or not (parts[1] or parts[2]):
            continue
        [value] = values
        number = _number(value)
        if number is None:
            continue
        groups[(*parts, _one(when))].append((stat, number, value))
    found = []
    for key, members in sorted(groups.items()):
        for (a, va, la), (b, vb, lb) in itertools.combinations(members, 2):
            if va != vb:
                found.append(
                    Difference(
                        str(a),
                        str(b),
                        (str(la), str(lb)),
                        key,
                        (stated_at.get((a, la), "?"), stated_at.get((b, lb), "?")),
                    )
                )
    return found


def _relative(sheet: str, root: Path | None) -> str:
    path = Path(sheet)
    if root is not None and path.is_absolute():
        with contextlib.suppress(ValueError):
            return str(path.relative_to(root))
    return sheet


def _one(values: set[object] | None) -> str:
    """One value as text ("" when none; several are joined so that only equal sets match)."""
    return " ".join(sorted(str(v) for v in values)) if values else ""


def _number(value: object) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _short(iri: str) -> str:
    """A prefixed name for messages (stat:..., concept:...), else the text as given."""
    if not iri:
        return ""
    best = ""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(base) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri

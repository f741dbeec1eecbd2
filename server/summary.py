"""The summary at the top of a resource page: what a reader wants before the statements.

Its definition, and the key facts: the statistics about the thing (its own
value for a statistic; for a program, group, flow or place the statistics that
measure it or something that points to it), each with its unit, period, who
the text says states it and the quote; and the migration flows it takes part
in, from where to where. Everything goes through SPARQL (``store.query``),
IRIs only as validated ``NamedNode`` terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from kzmig.names import KZO, VOCABULARIES

from . import describe, iris

DEFINITION = VOCABULARIES["skos"] + "definition"
_DEFINITION = ox.NamedNode(DEFINITION)
_TYPE = ox.NamedNode(describe.RDF_TYPE)
_STATISTIC = ox.NamedNode(str(KZO.Statistic))
LABEL = VOCABULARIES["rdfs"] + "label"
FLOW_LINKS = (
    "migrantGroup",
    "mainMigrantGroup",
    "ethnicGroup",
    "origin",
    "destination",
    "organisedUnder",
)
NEIGHBOUR_KINDS = ("place/", "group/", "program/", "agency/", "flow/")
NEIGHBOURS_SHOWN = 40


def _rows(store: Any, sparql: str) -> list[ox.QuerySolution]:
    return list(store.query(sparql))


def definition(store: Any, iri: str, languages: Sequence[str]) -> tuple[str, str] | None:
    local = describe.direct(store)
    if local is not None:  # one pattern read instead of a query on every page
        found = {
            q.object
            for q in local.quads_for_pattern(describe.node(iri), _DEFINITION, None, None)
            if isinstance(q.object, ox.Literal)
        }
        return describe.pick([(d.value, (d.language or "").lower()) for d in found], languages)
    rows = _rows(
        store,
        f"SELECT DISTINCT ?d WHERE {{ {describe.node(iri)} <{DEFINITION}> ?d "
        f"FILTER(isLiteral(?d)) }}",
    )
    return describe.pick([(r["d"].value, (r["d"].language or "").lower()) for r in rows], languages)


def statistics(store: Any, iri: str) -> list[dict[str, Any]]:
    """The statistics that are ``iri``, measure it, or measure what points to it.

    The things near ``iri`` are found first (a sub-select), then kept if they are
    statistics: Oxigraph started from every statistic otherwise. Measured per page on
    200 resources: 4.0 -> 1.2 ms at 100k quads, 54 -> 14 ms at 1M (same rows); on a
    local store the details are then read per statistic (``_statistics_apart``).
    """
    n = describe.node(iri)
    claim_ns = iris.resource("claim/")
    local = describe.direct(store)
    rows = _statistics_apart(store, local, n, claim_ns) if local is not None else None
    if rows is None:
        rows = _statistics_joined(store, n, claim_ns)
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = found.setdefault(
            r["stat"].value,
            {
                "iri": r["stat"].value,
                "value": r["value"].value,
                "unit": r["unit"].value if r["unit"] else None,
                "period": r["period"].value if r["period"] else None,
                "who": [],
                "lower": bool(r["lower"] and r["lower"].value == "true"),
                "claims": [],
            },
        )
        if r["who"] and r["who"].value not in s["who"]:
            s["who"].append(r["who"].value)
        if r["claim"] and r["claim"].value not in s["claims"]:
            s["claims"].append(r["claim"].value)
    return list(found.values())


def _statistics_joined(store: Any, n: ox.NamedNode, claim_ns: str) -> list[Any]:
    """The statistics near ``n`` and their details in one query (any store)."""
    return _rows(
        store,
        f"""SELECT DISTINCT ?stat ?value ?unit ?period ?who ?lower ?claim WHERE {{
          {{ SELECT DISTINCT ?stat WHERE {{ {{ VALUES ?stat {{ {n} }} }} UNION {{ ?stat ?p {n} }}
            UNION {{ ?x ?q {n} . ?stat ?p ?x FILTER(isIRI(?x)) }} }} }}
          ?stat a <{KZO.Statistic}> ; <{KZO.value}> ?value .
          OPTIONAL {{ ?stat <{KZO.unit}> ?unit }}
          OPTIONAL {{ ?stat <{KZO.refPeriod}> ?period }}
          OPTIONAL {{ ?stat <{KZO.attributedTo}> ?who }}
          OPTIONAL {{ ?stat <{KZO.lowerBound}> ?lower }}
          OPTIONAL {{ GRAPH ?claim {{ ?stat <{KZO.value}> ?value }}
            FILTER(STRSTARTS(STR(?claim), "{claim_ns}")) }}
        }} ORDER BY DESC(?stat = {n}) ?stat""",
    )


_STAT_KEYS = ("value", "unit", "period", "who", "lower", "claim")


def _statistics_apart(
    store: Any, local: ox.Store, n: ox.NamedNode, claim_ns: str
) -> list[dict[str, Any]] | None:
    """As ``_statistics_joined``, in three steps on a local store: the things near ``n``
    (one query), which of them are statistics (a pattern read each), then each one's
    details (a query with its IRI written in). Oxigraph joined the details of every
    statistic in the release before keeping those near ``n``: 19 -> 7 ms per page at
    1M quads (120 resources, CPU time; the same rows). None when a statistic is a blank
    node (it can't be written into a query): the joined query answers then."""
    near = _rows(
        store,
        f"""SELECT DISTINCT ?stat WHERE {{ {{ VALUES ?stat {{ {n} }} }} UNION {{ ?stat ?p {n} }}
          UNION {{ ?x ?q {n} . ?stat ?p ?x FILTER(isIRI(?x)) }} }}""",
    )
    stats = []
    for r in near:
        stat = r["stat"]
        if next(local.quads_for_pattern(stat, _TYPE, _STATISTIC, None), None) is None:
            continue
        if not isinstance(stat, ox.NamedNode):
            return None
        stats.append(stat)
    stats.sort(key=lambda x: (x != n, x.value))  # ORDER BY DESC(?stat = n) ?stat
    out: list[dict[str, Any]] = []
    for stat in stats:
        for r in _rows(
            store,
            f"""SELECT DISTINCT ?value ?unit ?period ?who ?lower ?claim WHERE {{
              {stat} <{KZO.value}> ?value .
              OPTIONAL {{ {stat} <{KZO.unit}> ?unit }}
              OPTIONAL {{ {stat} <{KZO.refPeriod}> ?period }}
              OPTIONAL {{ {stat} <{KZO.attributedTo}> ?who }}
              OPTIONAL {{ {stat} <{KZO.lowerBound}> ?lower }}
              OPTIONAL {{ GRAPH ?claim {{ {stat} <{KZO.value}> ?value }}
                FILTER(STRSTARTS(STR(?claim), "{claim_ns}")) }} }}""",
        ):
            out.append({"stat": stat, **{k: r[k] for k in _STAT_KEYS}})
    return out


def flows(store: Any, iri: str) -> list[dict[str, Any]]:
    """The migration flows ``iri`` is (or takes part in): flow, origins, destinations.

    As ``statistics``: the flows linked to ``iri`` first, then their type. Measured per
    page on 200 resources: 3.4 -> 0.24 ms at 100k quads, 77 -> 1.9 ms at 1M (same rows).
    """
    n = describe.node(iri)
    links = " ".join(f"<{KZO[p]}>" for p in FLOW_LINKS)
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?flow ?origin ?destination WHERE {{
          {{ SELECT DISTINCT ?flow WHERE {{ {{ VALUES ?flow {{ {n} }} }}
            UNION {{ VALUES ?link {{ {links} }} ?flow ?link {n} }} }} }}
          ?flow a <{KZO.MigrationFlow}> .
          OPTIONAL {{ ?flow <{KZO.origin}> ?origin }}
          OPTIONAL {{ ?flow <{KZO.destination}> ?destination }}
        }} ORDER BY ?flow ?origin ?destination""",
    )
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = found.setdefault(r["flow"].value, {"iri": r["flow"].value, "from": [], "to": []})
        for key, var in (("from", "origin"), ("to", "destination")):
            if r[var] and r[var].value not in f[key]:
                f[key].append(r[var].value)
    return list(found.values())


def wants_neighbours(iri: str) -> bool:
    """Places, groups, programs, agencies (and flows) get a small picture of their links."""
    ns = iris.resource_ns()
    return iri.startswith(ns) and iri[len(ns) :].startswith(NEIGHBOUR_KINDS)

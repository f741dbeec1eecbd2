"""Point lookups answered in the HTTP process, without handing any text to the query engine.

A request is a lookup only if its whole text matches a small grammar built from terms:

    SELECT [DISTINCT] (?v ... | *) [WHERE] { S P O [.] } [LIMIT n]

where S, P, O are absolute IRIs written ``<...>`` (no escapes, no prefixed names) or
variables, S or O is an IRI, and no variable appears twice. Nothing else is allowed
anywhere: no comments, no PREFIX or BASE, no escapes; keywords are the only words.
Anything else goes to a query worker (issue #14: the lexer that used to decide this
skipped comments the engine did not, and ran a cartesian product here).

The answer comes from ``Store.quads_for_pattern`` over every graph (the endpoint's union
default graph gives one row per graph asserting a triple, and so does this), at most
``max_rows`` rows: its cost is one index range scan bounded by the row cap.
"""

from __future__ import annotations

import re
from itertools import islice
from operator import attrgetter
from typing import Any

import pyoxigraph as ox

from . import jobs, results

_IRI = r"<[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*>"
_VAR = r"\?[A-Za-z_][A-Za-z0-9_]*"
_TERM = f"(?:{_IRI}|{_VAR})"
_S = r"[ \t\r\n]"
LOOKUP = re.compile(
    rf"{_S}*(?i:SELECT){_S}+(?P<distinct>(?i:DISTINCT){_S}+)?"
    rf"(?P<projection>\*|{_VAR}(?:{_S}+{_VAR})*){_S}*"
    rf"(?:(?i:WHERE){_S}*)?\{{{_S}*"
    rf"(?P<s>{_TERM}){_S}+(?P<p>{_TERM}){_S}+(?P<o>{_TERM}){_S}*(?:\.{_S}*)?\}}"
    rf"(?:{_S}*(?i:LIMIT){_S}+(?P<limit>[0-9]{{1,12}}))?{_S}*"
)
MAX_LOOKUP_CHARS = 4_000


def parse(text: str) -> dict[str, Any] | None:
    """The lookup's parts, or None when ``text`` is anything but a lookup."""
    if len(text) > MAX_LOOKUP_CHARS:
        return None
    match = LOOKUP.fullmatch(text)
    if match is None:
        return None
    terms = [match[k] for k in ("s", "p", "o")]
    names = [t[1:] for t in terms if t.startswith("?")]
    if len(set(names)) != len(names) or not any(t.startswith("<") for t in (terms[0], terms[2])):
        return None
    projection = names if match["projection"] == "*" else match["projection"][1:].split()
    projection = [v.lstrip("?") for v in projection]
    if len(set(projection)) != len(projection) or not set(projection) <= set(names):
        return None
    try:  # an IRI pyoxigraph refuses (control characters, no scheme...) is the worker's to
        # refuse with the parser's 400 message; here it would be a 500
        nodes = [ox.NamedNode(t[1:-1]) if t.startswith("<") else t[1:] for t in terms]
    except ValueError:
        return None
    return {
        "pattern": nodes,
        "variables": projection,
        "distinct": bool(match["distinct"]),
        "limit": int(match["limit"]) if match["limit"] else None,
    }


def answer(store: ox.Store, lookup: dict[str, Any], job: dict[str, Any], version: str) -> dict:
    """The reply a worker would give (``jobs.write``'s shape), from an index scan."""
    offered = results.TABLE_TYPES
    media = jobs._choose(job, offered, "SELECT results")
    if media is None:
        return jobs._not_acceptable(job, offered, "SELECT results", version)
    pattern = lookup["pattern"]
    bound = [n if isinstance(n, ox.NamedNode) else None for n in pattern]
    where = {n: i for i, n in enumerate(pattern) if isinstance(n, str)}
    max_rows = int(job.get("max_rows") or 10_000)
    wanted = max_rows + 1 if lookup["limit"] is None else min(lookup["limit"], max_rows + 1)
    seen: set[tuple[Any, ...]] = set()
    names = lookup["variables"]
    # only the projected terms are read from each quad (each read makes a Python term), the
    # tuple and the dict built in C: the rows of a 6-row lookup in 45 us instead of 47
    # (the bare index scan takes 40; seed release, same process, alternating)
    terms = attrgetter(*[("subject", "predicate", "object")[where[v]] for v in names])
    one = len(names) == 1
    distinct = lookup["distinct"]

    def rows() -> Any:
        for quad in store.quads_for_pattern(bound[0], bound[1], bound[2], None):
            values = (terms(quad),) if one else terms(quad)
            if distinct:
                if values in seen:
                    continue
                seen.add(values)
            yield dict(zip(names, values, strict=True))

    taken = list(islice(rows(), wanted))
    truncated = len(taken) > max_rows
    taken = taken[:max_rows]
    body = results.write_solutions(lookup["variables"], taken, media)
    return jobs._ok(media, body, len(taken), truncated, version)

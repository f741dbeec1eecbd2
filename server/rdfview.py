"""RDF as tables for people: VoID, DCAT and the service description in a browser.

A description is a handful of subjects, each with properties and values; a page
shows one table per subject (property | values), the top subjects first (those
nothing else points to), and a blank node that hangs off one place (a DCAT
distribution's checksum, a VoID partition) nested in the cell that points to it.
Properties show as prefixed names linking to their definition; IRIs link to this
server's page when it has one (iris.href); literals keep their language.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from kzmig.names import PREFIXES, VOCABULARIES

from . import iris

RDF_TYPE = VOCABULARIES["rdf"] + "type"
EXTRA = {
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
    "spdx": "http://spdx.org/rdf/terms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
MAX_DEPTH = 4


def curie(iri: str) -> str:
    best = ("", "")
    for prefix, ns in {**PREFIXES, **VOCABULARIES, **EXTRA}.items():
        if iri.startswith(ns) and len(ns) > len(best[1]):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]) :]}" if best[1] and len(iri) > len(best[1]) else iri


def _key(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(term.value)


def tables(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """One table per top subject: {"id", "iri", "href", "name", "types", "rows"}."""
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    pointed: Counter[str] = Counter()
    for t in triples:
        by_subject[_key(t.subject)].append(t)
        if isinstance(t.object, ox.NamedNode | ox.BlankNode):
            pointed[_key(t.object)] += 1
    nested = {k for k in by_subject if k.startswith("_:") and pointed[k] == 1}

    def value(term: Any, depth: int) -> dict[str, Any]:
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype else ""
            shown = "" if term.language or dt.endswith(("#string", "#langString")) else curie(dt)
            return {"text": term.value, "lang": term.language or "", "datatype": shown}
        key = _key(term)
        if key in nested and depth < MAX_DEPTH:
            return {"rows": rows(key, depth + 1)}
        if isinstance(term, ox.BlankNode):
            return {"text": key, "anchor": "#" + anchor(key) if key in by_subject else ""}
        local = "#" + anchor(key) if key in by_subject and key not in nested else None
        return {
            "iri": term.value,
            "href": local or iris.href(term.value),
            "text": curie(term.value),
        }

    def rows(key: str, depth: int) -> list[dict[str, Any]]:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for t in by_subject[key]:
            grouped[t.predicate.value].append(t.object)
        ordered = sorted(grouped, key=lambda p: (p != RDF_TYPE, curie(p)))
        return [
            {
                "iri": p,
                "href": iris.href(p),
                "name": curie(p),
                "values": [value(o, depth) for o in sorted(grouped[p], key=str)],
            }
            for p in ordered
        ]

    tops = sorted(
        (k for k in by_subject if k not in nested),
        key=lambda k: (pointed[k] > 0, k.startswith("_:"), k),
    )
    return [
        {
            "id": anchor(k),
            "iri": "" if k.startswith("_:") else k,
            "href": None if k.startswith("_:") else iris.href(k),
            "name": k if k.startswith("_:") else curie(k),
            "rows": rows(k, 0),
        }
        for k in tops
    ]


def anchor(key: str) -> str:
    """A fragment id for a subject's table (letters, digits and '-' only)."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in key)[-60:]
    return f"s-{slug}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"

"""Browse without SPARQL: ``/browse`` lists the graph's classes, ``/browse/<Class>`` a class's
members as a paged HTML table with facets (type, period, place, source).

Every query here is fixed: the class comes from the list the store itself gave
(a request naming another is a 404), and facet choices filter the fetched rows
in Python, so no request text is ever put into SPARQL. Links carry the filters
in the URL, so the pages work without JavaScript and can be bookmarked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from kzmig.names import KZO, PROV, VOCABULARIES

from . import describe, i18n, iris

bp = Blueprint("browse", __name__)

RDF_TYPE = VOCABULARIES["rdf"] + "type"
PAGE = 50
MAX_MEMBERS = 5000
FACETS = ("type", "period", "place", "source")


def _store() -> Any:
    return current_app.extensions["kzmig.store"]


def _rows(sparql: str) -> list[Any]:
    return list(_store().query(sparql))


def class_counts() -> list[tuple[str, int]]:
    """The ontology's classes that have members, most members first."""
    rows = _rows(
        f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c
              FILTER(isIRI(?s) && STRSTARTS(STR(?c), "{KZO}")) }}
            GROUP BY ?c ORDER BY DESC(?n) ?c"""
    )
    return [(r["c"].value, int(r["n"].value)) for r in rows]


def _label(labels: dict[str, list[tuple[str, str]]], iri: str, lang: str) -> dict[str, Any]:
    picked = describe.pick(labels.get(iri, []), [lang])
    text, tag = picked if picked else (describe.local_name(iri), "")
    return {"iri": iri, "href": iris.href(iri), "label": text, "lang": tag}


@bp.route("/browse/")
@bp.route("/browse")
def classes() -> str:
    lang = i18n.current()
    counts = class_counts()
    labels = describe.labels(_store(), [c for c, _ in counts])
    rows = [
        {**_label(labels, c, lang), "name": describe.local_name(c), "count": n} for c, n in counts
    ]
    return render_template("browse.html", classes=rows)


def members(cls: str) -> dict[str, dict[str, set[str]]]:
    """Each member of ``cls`` (a validated class IRI) -> facet -> the values it has."""
    c = describe.node(cls)
    prov_graph = describe.node(iris.resource("graph/provenance"))
    found: dict[str, dict[str, set[str]]] = {}
    for r in _rows(
        f"SELECT DISTINCT ?s WHERE {{ ?s <{RDF_TYPE}> {c} FILTER(isIRI(?s)) }} "
        f"ORDER BY ?s LIMIT {MAX_MEMBERS}"
    ):
        found[r["s"].value] = {f: set() for f in FACETS}
    queries = {
        "type": f"""SELECT DISTINCT ?s ?v WHERE {{ ?s <{RDF_TYPE}> {c}, ?v
                      FILTER(STRSTARTS(STR(?v), "{KZO}")) }}""",
        "period": f"""SELECT DISTINCT ?s ?v WHERE {{ ?s <{RDF_TYPE}> {c} ; ?p ?v .
                        ?v <{RDF_TYPE}> <{KZO}TimePeriod> }}""",
        "place": f"""SELECT DISTINCT ?s ?v WHERE {{ ?s <{RDF_TYPE}> {c} ; ?p ?v .
                       ?v <{RDF_TYPE}> <{KZO}Place> }}""",
        "source": f"""SELECT DISTINCT ?s ?v WHERE {{ ?s <{RDF_TYPE}> {c} .
                        GRAPH ?claim {{ ?s ?p ?o }}
                        GRAPH {prov_graph} {{ ?claim <{PROV.wasDerivedFrom}> ?v }} }}""",
    }
    for facet, sparql in queries.items():
        for r in _rows(sparql):
            s = r["s"].value
            if s in found:
                found[s][facet].add(r["v"].value)
    # A member's own class says nothing in the type column: keep only narrower ones.
    for values in found.values():
        values["type"].discard(cls)
    return found


def _chosen() -> dict[str, str]:
    return {f: request.args[f] for f in FACETS if request.args.get(f)}


def _page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/browse/<name>")
def members_page(name: str) -> str:
    lang = i18n.current()
    counts = dict(class_counts())
    cls = str(KZO) + name
    if cls not in counts:
        abort(404, description=f"no class named {name!r} has members in this graph")
    everything = members(cls)
    chosen = _chosen()
    kept = {s: v for s, v in everything.items() if all(chosen[f] in v[f] for f in chosen)}
    facet_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for values in kept.values():
        for f in FACETS:
            facet_counts[f].update(values[f])
    wanted = {cls, *kept}
    for values in kept.values():
        for f in FACETS:
            wanted.update(values[f])
    labels = describe.labels(_store(), wanted)
    rows = sorted(
        (
            {
                **_label(labels, s, lang),
                **{
                    f: sorted(
                        (_label(labels, v, lang) for v in values[f]),
                        key=lambda x: x["label"].casefold(),
                    )
                    for f in FACETS
                },
            }
            for s, values in kept.items()
        ),
        key=lambda r: r["label"].casefold(),
    )
    page = _page_arg()
    pages = max(1, -(-len(rows) // PAGE))
    page = min(page, pages)

    def link(**change: Any) -> str:
        args = {**chosen, "page": None, **change}
        if i18n.explicit():
            args["lang"] = i18n.explicit()
        return url_for("browse.members_page", name=name, **{k: v for k, v in args.items() if v})

    facets = [
        {
            "name": f,
            "chosen": chosen.get(f),
            "unset": link(**{f: None}),
            "values": [
                {
                    **_label(labels, v, lang),
                    "count": n,
                    "href": link(**{f: v}),
                    "chosen": chosen.get(f) == v,
                }
                for v, n in sorted(
                    facet_counts[f].items(),
                    key=lambda x: (-x[1], _label(labels, x[0], lang)["label"]),
                )
            ],
        }
        for f in FACETS
        if facet_counts[f] or chosen.get(f)
    ]
    return render_template(
        "browse_class.html",
        cls={**_label(labels, cls, lang), "name": name, "count": counts[cls]},
        rows=rows[(page - 1) * PAGE : page * PAGE],
        total=len(rows),
        page=page,
        pages=pages,
        prev=link(page=page - 1) if page > 1 else None,
        next=link(page=page + 1) if page < pages else None,
        facets=facets,
        columns=[f for f in FACETS if facet_counts[f]],  # an empty column says nothing
        chosen=chosen,
        clear_all=link(**{f: None for f in FACETS}) if chosen else None,
        capped=len(everything) >= MAX_MEMBERS,
    )

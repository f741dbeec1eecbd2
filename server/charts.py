"""Pictures of the graph: /timeline, /flows and /statistics.

Each page runs one of the example queries (server/queries/*.rq, so CI tests
the query's answer), labels what it finds in the reader's language, and
renders it twice: as a plain HTML table (works without JavaScript) and as a
chart drawn in the browser by Apache ECharts (``echarts`` from npm, served by
this app under ``/vendor/echarts/``, never from a CDN). The chart's data goes
into the page as a ``<script type="application/json">`` block, which the CSP
(``script-src 'self'``) leaves alone because it is never run; the drawing code
is server/static/charts.js.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
    url_for,
)

from . import i18n, iris, pages, replay
from .i18n import N_
from .view import Labeller

bp = Blueprint("charts", __name__)

ECHARTS_DIST = Path(__file__).resolve().parents[1] / "node_modules" / "echarts" / "dist"
ECHARTS_FILES = {"echarts.min.js"}

TIMELINE_QUERY = "18-timeline"
FLOWS_QUERY = "19-flows"
STATISTICS_QUERY = "20-statistics"

# what each kind of thing on the timeline is called, in plain words
KINDS = {
    "TimePeriod": N_("time period"),
    "Program": N_("program"),
    "Campaign": N_("campaign"),
    "Law": N_("law"),
    "Agreement": N_("agreement"),
    "Event": N_("event"),
}
KIND_ORDER = ["Program", "Campaign", "Law", "Agreement", "Event", "TimePeriod"]


def script_json(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block (nothing in it can close it)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def example(name: str) -> dict[str, str]:
    for q in pages.example_queries():
        if q["name"] == name:
            return q
    raise LookupError(f"no example query {name!r} in server/queries")


def editor_link(name: str) -> str:
    """The home page's editor, opened on this example query (as its share links do)."""
    q = example(name)
    return (
        url_for("pages.home")
        + "#query="
        + quote(q["query"], safe="")
        + "&tabTitle="
        + quote(q["title"], safe="")
    )


def run(name: str) -> list[dict[str, Any]]:
    """The rows of an example query: variable -> term (None when unbound)."""
    store = current_app.extensions["kzmig.store"]
    solutions = store.query(example(name)["query"])
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _year(term: Any) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _labeller(rows: Sequence[dict[str, Any]]) -> Labeller:
    labeller = Labeller(current_app.extensions["kzmig.store"], [i18n.current()])
    labeller.prefetch({t.value for r in rows for t in r.values() if isinstance(t, ox.NamedNode)})
    return labeller


def _thing(labeller: Labeller, term: Any) -> dict[str, Any] | None:
    """An IRI as a chart shows it: label (reader's language), link, IRI."""
    if not isinstance(term, ox.NamedNode):
        return None
    text, lang = labeller.label(term.value)
    return {"iri": term.value, "label": text, "lang": lang, "href": iris.href(term.value)}


def timeline_model() -> dict[str, Any]:
    rows = run(TIMELINE_QUERY)
    labeller = _labeller(rows)
    items: dict[str, dict[str, Any]] = {}
    for r in rows:
        kind = r["kind"].value.rsplit("#", 1)[-1]
        thing = _thing(labeller, r["item"])
        if thing is None:
            continue
        kept = items.get(thing["iri"])
        if kept and KIND_ORDER.index(kept["kind"]) <= KIND_ORDER.index(kind):
            continue
        start, end = _year(r["start"]), _year(r["end"])
        items[thing["iri"]] = {
            **thing,
            "kind": kind,
            "kind_label": i18n.gettext(KINDS[kind]),
            "start": start,
            "end": end if end is None or start is None or end >= start else start,
        }
    dated = sorted(
        (i for i in items.values() if i["start"] is not None),
        key=lambda i: (i["start"], i["end"] or i["start"], i["label"]),
    )
    undated = sorted((i for i in items.values() if i["start"] is None), key=lambda i: i["label"])
    return {"dated": dated, "undated": undated, "kinds": KIND_ORDER}


def flows_model() -> dict[str, Any]:
    rows = run(FLOWS_QUERY)
    labeller = _labeller(rows)
    flows: dict[str, dict[str, Any]] = {}
    for r in rows:
        flow = _thing(labeller, r["flow"])
        if flow is None:
            continue
        f = flows.setdefault(
            flow["iri"],
            {**flow, "origins": [], "destinations": [], "groups": [], "periods": [], "counts": []},
        )
        for key, var in (
            ("origins", "origin"),
            ("destinations", "destination"),
            ("groups", "group"),
            ("groups", "ethnic"),
            ("periods", "period"),
        ):
            thing = _thing(labeller, r[var])
            if thing and all(t["iri"] != thing["iri"] for t in f[key]):
                f[key].append(thing)
        stat = _thing(labeller, r["statistic"])
        if stat and r["count"] is not None and all(c["iri"] != stat["iri"] for c in f["counts"]):
            f["counts"].append({**stat, "value": int(float(r["count"].value))})
    ordered = sorted(flows.values(), key=lambda f: f["label"].lower())
    links = []  # one per (flow, origin, destination): the Sankey's links
    unknown = {"label": i18n.gettext("not stated")}  # an end the graph does not name
    for f in ordered:
        count = max((c["value"] for c in f["counts"]), default=None)
        for o in f["origins"] or [unknown]:
            for d in f["destinations"] or [unknown]:
                links.append(
                    {
                        "flow": f["iri"],
                        "label": f["label"],
                        "href": f["href"],
                        "origin": o["label"],
                        "destination": d["label"],
                        "count": count,
                        "groups": [g["label"] for g in f["groups"]],
                        "periods": [p["label"] for p in f["periods"]],
                    }
                )
    return {"flows": ordered, "links": links}


def _series_order(point: dict[str, Any]) -> tuple[int, float]:
    return (point["year"] or 0, -point["value"])


def statistics_model() -> dict[str, Any]:
    rows = run(STATISTICS_QUERY)
    labeller = _labeller(rows)
    by_indicator: dict[str, dict[str, Any]] = {}
    points: list[dict[str, Any]] = []
    for r in rows:
        stat = _thing(labeller, r["statistic"])
        if stat is None:
            continue
        indicator = _thing(labeller, r["indicator"]) or {
            "iri": "",
            "label": i18n.gettext("Other figures"),
            "lang": "",
            "href": None,
        }
        claim = _thing(labeller, r["claim"])
        point = {
            **stat,
            "value": float(r["value"].value),
            "value_text": r["value"].value,
            "unit": _value(r["unitLabel"]),
            "period": _value(r["periodLabel"]),
            "year": _year(r["year"]),
            "group": _value(r["groupLabel"]),
            "who": _value(r["attributedToLabel"]),
            "claim": claim,
            "quote": _value(r["quote"]),
            "indicator": indicator["label"],
        }
        points.append(point)
        group = by_indicator.setdefault(indicator["iri"], {**indicator, "points": []})
        group["points"].append(point)
    groups = sorted(by_indicator.values(), key=lambda g: g["label"].lower())
    for g in groups:
        g["points"].sort(key=lambda p: (p["year"] or 0, p["label"]))
    # series measured on the same group in the same unit (the Enbek resettlers: moved, employed)
    by_group: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in points:
        if p["group"]:
            by_group.setdefault((p["group"], p["unit"] or ""), []).append(p)
    series: list[dict[str, Any]] = [
        {
            "label": f"{name} · {unit}" if unit else name,
            "points": sorted(ps, key=_series_order),
        }
        for (name, unit), ps in sorted(by_group.items())
        if len(ps) > 1
    ]
    return {"indicators": groups, "series": series, "total": len(points)}


def _page(template: str, query: str, model: dict[str, Any]) -> str:
    replay.mark(current_app.extensions["kzmig.store"].version)
    return render_template(
        template,
        m=model,
        data=script_json(model),
        sparql=editor_link(query),
        query=example(query),
        echarts=(echarts_dir() / "echarts.min.js").is_file(),
    )


@bp.route("/timeline")
def timeline() -> str:
    return _page("timeline.html", TIMELINE_QUERY, timeline_model())


@bp.route("/flows")
def flows() -> str:
    return _page("flows.html", FLOWS_QUERY, flows_model())


@bp.route("/statistics")
def statistics() -> str:
    return _page("statistics.html", STATISTICS_QUERY, statistics_model())


def echarts_dir() -> Path:
    return Path(current_app.config.get("ECHARTS_DIR") or ECHARTS_DIST)


@bp.route("/vendor/echarts/<name>")
def vendor(name: str) -> Response:
    if name not in ECHARTS_FILES:
        abort(404)
    folder = echarts_dir()
    if not (folder / name).is_file():
        abort(404, description="ECharts is not installed here: run `npm ci` (make does it)")
    return send_from_directory(folder, name, max_age=86400)

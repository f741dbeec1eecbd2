"""The benchmark's report: the targets of issue 18, met, missed or reported, and the tables.

    python -m bench.report bench/results/latest-full.json            # print the report
    python -m bench.report bench/results/latest-full.json --docs docs/performance.md

``--docs`` rewrites the part of docs/performance.md between its ``bench:start`` and
``bench:end`` markers with the report, so the published figures are always a run's own
(a full ``make bench`` does this itself). Pure functions of the results JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import builds, editor, lookups, pages

MET, MISSED, REPORT = "met", "MISSED", "report"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# the sections whose own module states its targets (targets(res) -> (name, value, verdict[, fmt]))
SECTION_TARGETS: list[Callable[[dict[str, Any]], list[tuple[Any, ...]]]] = [
    lookups.targets,
    pages.targets,
    editor.targets,
    builds.targets,
]
# the sections whose own module writes their table (table(res) -> markdown)
SECTION_TABLES: list[Callable[[dict[str, Any]], str]] = [
    builds.table,
    lookups.table,
    pages.table,
]


class Rows:
    """The target rows, in the order they are added: (target, measured, verdict)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def limit(self, name: str, value: float | None, ok: bool, fmt: str) -> None:
        """A target: met or MISSED."""
        if value is not None:
            self.rows.append((name, fmt.format(value), MET if ok else MISSED))

    def report(self, name: str, value: float | None, fmt: str) -> None:
        """A figure the issue asks to see, with no limit: its verdict says "report"."""
        if value is not None:
            self.rows.append((name, fmt.format(value), REPORT))


def targets(res: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for every target of issue 18 this run measured, then what
    it keeps from round one (issue 8), then figures reported without a limit."""
    r = Rows()
    for of_section in SECTION_TARGETS:
        for row in of_section(res):
            name, value, verdict, *fmt = row
            form = fmt[0] if fmt else "{:.2f} s"
            if verdict == REPORT:
                r.report(name, value, form)
            else:
                r.limit(name, value, bool(verdict), form)
    _builds(res, r)
    _kept(res, r)
    _reported(res, r)
    return r.rows


def _builds(res: dict[str, Any], r: Rows) -> None:
    b = res.get("build", {})
    if "seed" in b and "seed build" not in res.get("editor", {}):  # the editor's loop times it
        s = b["seed"]["wall_s"]
        r.limit("seed build end to end <= 5 s", s, s <= 5, "{:.2f} s")
    one_m = b.get("sizes", {}).get("1M", {})
    if "wall_s" in one_m:
        s = one_m["wall_s"]
        r.limit("build at 1M quads <= 150 s", s, s <= 150, "{:.1f} s")
    v = res.get("validate", {})
    if "ours_s" in v:
        r.limit(
            "SHACL: same results as plain pyshacl",
            float(v["same_results"]),
            bool(v["same_results"]),
            "{:.0f}",
        )
    rs = res.get("reason", {})
    if "speedup" in rs:
        r.limit(
            "OWL RL: same inferred instance triples as owlrl",
            float(rs["same_instance_triples"]),
            bool(rs["same_instance_triples"]),
            "{:.0f}",
        )


def _kept(res: dict[str, Any], r: Rows) -> None:
    """Round one's targets that issue 18 keeps."""
    h = res.get("http", {})
    lat = h.get("latency_ms", {})
    if "kzmig" in lat.get("provenance", {}):
        ms = lat["provenance"]["kzmig"]
        r.limit("provenance lookup over HTTP <= 5 ms", ms, ms <= 5, "{:.1f} ms")
    gb = lat.get("group_by", {})
    if "kzmig" in gb and "pyoxigraph (in-process)" in gb:
        x = gb["kzmig"] / gb["pyoxigraph (in-process)"]
        r.limit(
            "aggregate (GROUP BY) overhead <= 20% over in-process pyoxigraph",
            x,
            x <= 1.2,
            "{:.2f}x",
        )
    if "kzmig_startup_s" in h:
        s = h["kzmig_startup_s"]
        r.limit("start-up to first answer <= 1 s", s, s <= 1, "{:.2f} s")
    if "kzmig_rest_rss_mb" in h:
        m = h["kzmig_rest_rss_mb"]
        r.limit("largest process at rest <= 300 MB RSS", m, m <= 300, "{:.0f} MB")
    if "kzmig" in h.get("peak_rss_mb", {}):
        m = h["peak_rss_mb"]["kzmig"]["largest_process"]
        r.limit(
            "largest process under the benchmark's load <= 300 MB RSS", m, m <= 300, "{:.0f} MB"
        )
    one_m = res.get("dumps", {}).get("1M")
    if isinstance(one_m, dict):
        s = one_m["memory_s"]
        r.limit("N-Quads dump of 1M <= 3 s (the build's, from memory)", s, s <= 3, "{:.2f} s")
    http_dump = h.get("dump_over_http")
    if http_dump and http_dump["megabytes"] > 100:
        s = http_dump["seconds"]
        r.limit("N-Quads dump of 1M streamed over HTTP <= 3 s", s, s <= 3, "{:.2f} s")


def _reported(res: dict[str, Any], r: Rows) -> None:
    """Figures shown for the record, with no limit of issue 18."""
    b = res.get("build", {})
    for stage, ratio in b.get("growth_1M_over_100k", {}).items():
        r.report(f"build stage {stage}: t(1M)/t(100k)", ratio, "{:.1f}x")
    rs = res.get("reason", {})
    if "speedup" in rs:
        r.report(f"reasoning at {rs['triples']} triples vs owlrl", rs["speedup"], "{:.1f}x")
    v = res.get("validate", {})
    if "ours_s" in v:
        r.report(f"SHACL of {v['triples']} triples", v["ours_s"], "{:.1f} s")
    one_m = res.get("dumps", {}).get("1M")
    if isinstance(one_m, dict):
        r.report("N-Quads dump of 1M from the on-disk store", one_m["disk_s"], "{:.2f} s")
    h = res.get("http", {})
    pt = h.get("throughput", {}).get("point", {})
    if "kzmig" in pt:
        for other in ("oxigraph", "virtuoso", "flask-hello"):
            if other in pt:
                x = pt["kzmig"]["rps"] / pt[other]["rps"]
                r.report(f"point lookup, the same request repeated, vs {other}", x, "{:.2f}x")
    rep = h.get("throughput", {}).get("group_by_repeated", {}).get("kzmig")
    if rep:
        r.report("the same GROUP BY repeated (the replay cache), req/s", rep["rps"], "{:.0f}")
    lat = h.get("latency_ms", {})
    if "kzmig" in lat.get("join_3hop", {}):
        r.report("3-hop join over HTTP, median", lat["join_3hop"]["kzmig"], "{:.1f} ms")


def table(res: dict[str, Any]) -> str:
    lines = [f"### kzmig benchmarks — {res['machine']['when']} — {res['machine']['summary']}", ""]
    lines.append(f"Seed: {res['seed']}. Mode: {res['mode']}.")
    b = res.get("build", {})
    if b:
        lines += ["", "### Build (median seconds per stage)", ""]
        cols: list[tuple[str, dict[str, Any]]] = []
        if "seed" in b:
            cols.append((f"repo seed ({b['seed']['quads']} q)", b["seed"]))
        for name, s in b.get("sizes", {}).items():
            if "stages" in s:
                cols.append((f"{name} ({s['quads']} q)", s))
        stages = list(cols[0][1]["stages"]) if cols else []
        lines.append("| stage | " + " | ".join(c for c, _ in cols) + " | 1M/100k |")
        lines.append("|---" * (len(cols) + 2) + "|")
        growth = b.get("growth_1M_over_100k", {})
        for st in stages:
            vals = " | ".join(f"{c['stages'].get(st, float('nan')):.2f}" for _, c in cols)
            lines.append(f"| {st} | {vals} | {growth.get(st, '')} |")
        vals = " | ".join(f"{c['wall_s']:.2f}" for _, c in cols)
        lines.append(f"| wall (process) | {vals} | |")
        rss = " | ".join(str(round(c.get("peak_rss_mb", 0))) for _, c in cols)
        lines.append(f"| peak RSS MB | {rss} | |")
    r = res.get("reason", {})
    if "ours_s" in r:
        lines += ["", "### Reasoning (OWL 2 RL)", ""]
        lines.append("| triples | kzmig (rules + checks) | owlrl | ratio | same inferred |")
        lines.append("|---|---|---|---|---|")
        lines.append(
            f"| {r['triples']} | {r['ours_s']:.2f} s | {r['owlrl_s']:.2f} s | "
            f"{r['speedup']:.1f}x | {r['same_instance_triples']} "
            f"({r['inferred_ours']} vs {r['inferred_owlrl']}) |"
        )
    v = res.get("validate", {})
    if "ours_s" in v:
        lines += ["", "### SHACL validation", ""]
        lines.append("| triples | kzmig | pyshacl | ratio | same results |")
        lines.append("|---|---|---|---|---|")
        lines.append(
            f"| {v['triples']} | {v['ours_s']:.2f} s | {v['pyshacl_s']:.2f} s | "
            f"{v['speedup']:.1f}x | {v['same_results']} ({v['results']}) |"
        )
    dd = {k: x for k, x in res.get("dumps", {}).items() if isinstance(x, dict)}
    if dd:
        lines += ["", "### N-Quads dump", ""]
        lines.append(
            "| size | quads | MB | from memory (build) s | peak RSS MB | from disk store s "
            "| peak RSS MB |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for size, x in dd.items():
            lines.append(
                f"| {size} | {x['quads']} | {x['megabytes']} | {x['memory_s']:.2f} | "
                f"{x['memory_peak_rss_mb']:.0f} | {x['disk_s']:.2f} | {x['disk_peak_rss_mb']:.0f} |"
            )
    http_dump = res.get("http", {}).get("dump_over_http")
    if http_dump:
        lines.append(
            f"\nServed by `kzmig serve` at /dumps/: {http_dump['megabytes']} MB in "
            f"{http_dump['seconds']:.2f} s; server peak RSS "
            f"{http_dump['server_peak_rss_mb_before']:.0f} MB before, "
            f"{http_dump['server_peak_rss_mb_after']:.0f} MB after (all processes)."
        )
    h = res.get("http", {})
    if h.get("latency_ms"):
        systems = list(next(iter(h["latency_ms"].values())).keys())
        lines += [
            "",
            f"### Query latency, median ms ({h['data']['quads']} quads; rdflib "
            f"systems on {h['data']['rdflib_quads']})",
            "",
        ]
        lines.append("| query | " + " | ".join(systems) + " |")
        lines.append("|---" * (len(systems) + 1) + "|")
        for q, row in h["latency_ms"].items():
            lines.append(f"| {q} | " + " | ".join(str(row.get(s, "")) for s in systems) + " |")
    pt = h.get("throughput", {}).get("point", {})
    if pt:
        lines += ["", "### HTTP point lookup, wrk -t2 -c8 (median of rounds)", ""]
        lines.append(
            "| server | req/s | p50 ms | p99 ms | errors | start-up s | peak RSS MB "
            "(largest process / all) |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for k, x in pt.items():
            rss = h.get("peak_rss_mb", {}).get(k, {})
            lines.append(
                f"| {k} | {x['rps']:.0f} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['errors']} "
                f"| {h.get('startup_s', {}).get(k, float('nan')):.2f} | "
                f"{rss.get('largest_process', 0):.0f} / {rss.get('all_processes', 0):.0f} |"
            )
        for k, x in h.get("throughput", {}).get("group_by_repeated", {}).items():
            lines.append(
                f"| {k}: same GROUP BY repeated | {x['rps']:.0f} | {x['p50_ms']:.2f} | "
                f"{x['p99_ms']:.2f} | {x['errors']} | | |"
            )
        for k, why in h.get("skipped", {}).items():
            lines.append(f"| {k}: skipped | {why} | | | | | |")
    for of_section in SECTION_TABLES:
        if (text := of_section(res)).count("\n") > 2:  # more than a header
            lines += ["", text]
    rows = targets(res)
    if rows:
        lines += [
            "",
            "### Targets (issue 18)",
            "",
            "| target | measured | verdict |",
            "|---|---|---|",
        ]
        lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    return "\n".join(lines)


def with_docs(doc: str, report: str) -> str:
    """``doc`` with the text between its markers replaced by ``report``."""
    if START not in doc or END not in doc or doc.index(START) > doc.index(END):
        raise ValueError(f"the page has no {START} ... {END} section to fill in")
    before, rest = doc.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n\n{report.strip()}\n\n{END}{after}"


def write_docs(res: dict[str, Any], page: Path) -> None:
    page.write_text(with_docs(page.read_text(encoding="utf-8"), table(res)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", type=Path, help="a results JSON written by python -m bench.run")
    ap.add_argument("--docs", type=Path, help="rewrite this page's bench:start/end section")
    args = ap.parse_args(argv)
    res = json.loads(args.results.read_text(encoding="utf-8"))
    if args.docs:
        write_docs(res, args.docs)
    else:
        print(table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

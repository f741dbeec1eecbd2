"""Uncached pages (#18): the resource page, the source page and search, every request new.

``kzmig serve`` runs on a release as ``make run`` starts it (replay cache on, its
default size). No request repeats, so the replay cache (server/replay.py) never
answers one:

- **resource page**: ``wrk -t2 -c8`` with a Lua script walking a list of distinct
  resource IRIs of the release (a seeded sample of every subject under
  ``<base>resource/``), ``Accept: text/html``. When the run asks for more pages
  than the list holds, a later pass adds ``?pass=<n>`` to the URL, which the
  page ignores but which makes the request new to the cache; the result says how
  many distinct resources and passes there were.
- **source page**: sequential GETs, each the first request for that URL since the
  server started: every source text in each language (``?lang=``), the server
  restarted between rounds when the release has few sources.
- **search**: distinct queries drawn from the labels in the data (a whole label,
  or its first word and the start of its second), ``wrk -t2 -c8`` on ``/search``
  (the HTML page) and sequential GETs of the JSON API (``format=json``).

Measured on the seed and on the scaled releases the bench builds (bench/scale.py);
the targets are judged at the biggest release served (the honest one).
"""

from __future__ import annotations

import random
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import scale, servers
from .load import _parse_wrk

RESOURCE = "https://w3id.org/kzmig/resource/"
SAMPLE = 6000  # distinct resources offered to wrk per size
QUERIES = 3000  # distinct search queries
LANGS = ("en", "kk", "ru")


def _store(data: Path) -> Any:
    import pyoxigraph as ox
    from kzmig.graph.release.layout import current_folder

    return ox.Store.read_only(str(current_folder(data) / "store"))


def _select(store: Any, q: str) -> list[Any]:
    return list(store.query(q, use_default_graph_as_union=True))


def resources(store: Any, n: int, rng: random.Random) -> list[str]:
    """A seeded sample of the resource IRIs the release describes (subjects of its graphs)."""
    rows = _select(
        store,
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{RESOURCE}")) }}',
    )
    found = sorted(r["s"].value for r in rows)
    return rng.sample(found, min(n, len(found)))


def sources(store: Any) -> list[str]:
    rows = _select(
        store,
        "SELECT DISTINCT ?s WHERE { ?s <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/"
        f'nif-core#isString> ?t FILTER(STRSTARTS(STR(?s), "{RESOURCE}source/")) }}',
    )
    return sorted(r["s"].value for r in rows)


def queries(store: Any, n: int, rng: random.Random) -> list[str]:
    """Distinct search texts from the labels: whole labels and 'first-word sec' prefixes."""
    rows = _select(
        store,
        "SELECT DISTINCT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        "FILTER(isLiteral(?l)) }",
    )
    labels = sorted({r["l"].value for r in rows})
    out: set[str] = set()
    for label in labels:
        out.add(label)
        words = label.split()
        if len(words) > 1 and len(words[1]) > 2:
            out.add(f"{words[0]} {words[1][: max(2, len(words[1]) // 2)]}")
    found = sorted(out)
    return rng.sample(found, min(n, len(found)))


def path_of(iri: str) -> str:
    return "/resource/" + urllib.parse.quote(iri[len(RESOURCE) :], safe="/-._~:@!$&'()*+,;=")


_LUA = """
local paths = {%s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local n = 0
function request()
  local i = (id - 1) + n * %d
  n = n + 1
  local k = i %% #paths
  local pass = math.floor(i / #paths)
  local p = paths[k + 1]
  if pass > 0 then p = p .. "%s" .. "pass=" .. pass end
  return wrk.format("GET", p)
end
"""


def wrk_paths(
    base: str,
    paths: Sequence[str],
    *,
    seconds: float,
    accept: str,
    sep: str = "?",
    threads: int = 2,
    connections: int = 8,
) -> dict[str, Any]:
    """wrk over ``paths`` in turn (each thread its own share), with requests/s and latency."""
    lua_list = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    with tempfile.TemporaryDirectory(prefix="kzmig-pages-") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(_LUA % (lua_list, threads, sep), encoding="utf-8")
        cmd = ["wrk", "-s", str(script), f"-t{threads}", f"-c{connections}"]
        cmd += [f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
        out = subprocess.run(
            [*cmd, "-H", f"Accept: {accept}", base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    result = _parse_wrk(out).as_dict()
    result["distinct"] = len(paths)
    result["passes"] = -(-int(result["requests"]) // max(1, len(paths)))
    return result


def timed_get(url: str, accept: str = "text/html") -> tuple[float, int]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        size = len(r.read())
    return time.perf_counter() - t, size


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def _ms(xs: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(xs) * 1000, 2),
        "p99_ms": round(_pct(xs, 0.99) * 1000, 2),
        "n": len(xs),
    }


def _warm(site: str, paths: Sequence[str]) -> None:
    """Compile the templates and load the catalogues in both HTTP workers (not measured)."""
    for p in paths:
        for lang in LANGS:
            for _ in range(3):
                timed_get(f"{site}{p}?lang={lang}&warm=1")


def bench_size(cfg: Any, data: Path, logs: Path, out: dict[str, Any]) -> None:
    rng = random.Random(18)
    store = _store(data)
    picked = resources(store, SAMPLE, rng)
    texts = sources(store)
    asked = queries(store, QUERIES, rng)
    out["quads"] = len(store)
    del store
    warm_paths, page_paths = [path_of(i) for i in picked[:5]], [path_of(i) for i in picked[5:]]
    rounds = 1 if cfg.quick else cfg.rounds
    source_times: list[float] = []
    runs: list[dict[str, Any]] = []
    search_runs: list[dict[str, Any]] = []
    api_times: list[float] = []
    # a source page is uncached once per URL per start: restart until there are enough
    starts = max(rounds, -(-12 // max(1, len(texts) * len(LANGS))))
    for i in range(starts):
        with servers.kzmig(data, logs) as r:
            site = r.base.rsplit("/sparql", 1)[0]
            _warm(site, warm_paths)
            for src in texts[: max(1, 36 // len(LANGS))]:
                for lang in LANGS:
                    source_times.append(timed_get(f"{site}{path_of(src)}?lang={lang}")[0])
            if i >= rounds:
                continue
            share = page_paths[i::rounds]  # each round its own resources: none repeats
            runs.append(wrk_paths(site, share, seconds=cfg.wrk_seconds, accept="text/html"))
            qs = asked[i::rounds]
            half = len(qs) // 2
            search_paths = ["/search?q=" + urllib.parse.quote(q) for q in qs[:half]]
            search_runs.append(
                wrk_paths(site, search_paths, seconds=cfg.wrk_seconds, accept="text/html", sep="&")
            )
            for q in qs[half : half + 200]:
                api = f"{site}/search?format=json&q={urllib.parse.quote(q)}"
                api_times.append(timed_get(api, "application/json")[0])
    mid = lambda xs: sorted(xs, key=lambda x: x["rps"])[len(xs) // 2]  # noqa: E731
    out["resource_page"] = mid(runs) | {"rps_runs": [round(x["rps"]) for x in runs]}
    out["source_page"] = _ms(source_times) | {"sources": len(texts), "starts": starts}
    out["search_page"] = mid(search_runs) | {"rps_runs": [round(x["rps"]) for x in search_runs]}
    out["search_api_sequential"] = _ms(api_times)


def bench_pages(cfg: Any, d: Any, out: dict[str, Any]) -> None:
    """Every size the bench serves over HTTP: the seed, then the scaled releases."""
    from .run import log

    sizes = [0] + ([] if cfg.quick else [s for s in cfg.build_sizes if s >= 100_000])
    logs = cfg.work / "logs"
    for size in sizes:
        name = scale.size_name(size) if size else "seed"
        log(f"pages: {name}")
        row: dict[str, Any] = {}
        out[name] = row
        bench_size(cfg, d.release(size), logs, row)
    out["judged_at"] = name  # the biggest release served: the honest size


def targets(res: dict[str, Any]) -> list[tuple[str, float | None, str | bool, str]]:
    """(target, measured, met, format) for the uncached pages of #18, at the biggest size
    served."""
    p = res.get("pages", {})
    at = p.get("judged_at")
    row = p.get(at, {}) if at else {}
    if not row or "resource_page" not in row:
        return []
    rp, sp, se = row["resource_page"], row["source_page"], row["search_page"]
    return [
        (
            f"resource page, distinct, >= 300 pages/s ({at})",
            rp["rps"],
            rp["rps"] >= 300,
            "{:.0f}/s",
        ),
        (
            f"source page uncached <= 30 ms ({at}, median)",
            sp["p50_ms"],
            sp["p50_ms"] <= 30,
            "{:.1f} ms",
        ),
        (f"search p99 <= 20 ms ({at}, wrk -c8)", se["p99_ms"], se["p99_ms"] <= 20, "{:.1f} ms"),
    ]


def table(res: dict[str, Any]) -> str:
    p = res.get("pages", {})
    lines = [
        "### Uncached pages (every request new; wrk -t2 -c8)",
        "",
        "| release | quads | resource pages/s | p50 / p99 ms | source page p50 / p99 ms "
        "| search/s | search p50 / p99 ms | search API sequential p50 / p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in p.items():
        if not isinstance(row, dict) or "resource_page" not in row:
            continue
        rp, sp, se, sa = (
            row["resource_page"],
            row["source_page"],
            row["search_page"],
            row["search_api_sequential"],
        )
        lines.append(
            f"| {name} | {row['quads']} | {rp['rps']:.0f} | {rp['p50_ms']:.1f} / "
            f"{rp['p99_ms']:.1f} | {sp['p50_ms']:.1f} / {sp['p99_ms']:.1f} | {se['rps']:.0f} | "
            f"{se['p50_ms']:.1f} / {se['p99_ms']:.1f} | {sa['p50_ms']:.1f} / {sa['p99_ms']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m bench.pages DATA-DIR [seconds]: one release, quickly
    import json
    import sys
    from types import SimpleNamespace

    folder = Path(sys.argv[1])
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    conf = SimpleNamespace(quick=False, rounds=1, wrk_seconds=secs)
    result: dict[str, Any] = {}
    bench_size(conf, folder, Path(tempfile.gettempdir()) / "kzmig-pages-logs", result)
    print(json.dumps(result, indent=1))

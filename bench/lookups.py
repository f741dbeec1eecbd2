"""Distinct point lookups over HTTP (#18): every request new, so no cache can answer it.

Two workloads, the issue's, run with wrk -t2 -c8 against kzmig, the Oxigraph server and
Virtuoso, in alternating rounds (each round: every workload on every server in turn):

- ``distinct_subject``: ``SELECT ?p ?oK WHERE { <S> ?p ?oK }`` where S cycles through a
  list of subjects drawn from the data (the same list, in the same order, for every
  system) and K is the pass through the list, so no request repeats even when a run
  asks for more lookups than there are subjects;
- ``distinct_limit``: the mix's point lookup with ``LIMIT n``, n different every time
  (and larger than the answer, so every request returns the whole answer).

Both are in lookup.py's strict grammar: kzmig answers them in the HTTP process. A third,
``comment`` (the point lookup ending with a comment of its own, as round one made
"distinct"), is reported too: the strict grammar refuses comments, so it measures the
query-worker path.

Each request's path is pre-encoded (a wrk Lua script holds them and only concatenates
the pass or the number): wrk's own cost is the same for every system.
"""

from __future__ import annotations

import random
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import servers
from .load import Load, wrk_script

SYSTEMS = ("kzmig", "oxigraph", "virtuoso")
KINDS = ("distinct_subject", "distinct_limit", "comment")
MAX_SUBJECTS = 2_000
THREADS = 2  # wrk -t2, as every other HTTP figure of the bench
TARGET_VS_OXIGRAPH = 0.30
TARGET_VS_VIRTUOSO = 3.0
TARGET_P99_MS = 5.0
LIMIT_FROM = 1_000_000  # distinct_limit's first LIMIT (more than any answer has rows)
WARM_SECONDS = 1.0
RUN_SPAN = 10**8  # requests one wrk run may send, at most (30,000/s for an hour is 10**8)
CHECK_START = 10**11  # the requests check() sends, apart from every run's


def _enc(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def subjects(store: Any, n: int = MAX_SUBJECTS, seed: int = 18) -> list[str]:
    """Up to ``n`` IRI subjects of the data, drawn at random (fixed seed), in random order."""
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }", use_default_graph_as_union=True
    )
    found = sorted(str(r[0].value) for r in rows)
    rng = random.Random(seed)
    return rng.sample(found, min(n, len(found)))


@dataclass(frozen=True)
class Workload:
    """Request k (0, 1, 2... over all threads) is ``head + piece(k) + tail``, pre-encoded.

    ``cycle``: one of these pre-encoded middles per request, the pass number around it
    (distinct_subject); or, without a cycle, a number (distinct_limit) or a comment.
    """

    kind: str
    head: str
    cycle: tuple[str, ...] = ()
    tail: str = ""
    start: int = 0

    def path(self, k: int) -> str:
        k += self.start
        if self.kind == "distinct_subject":
            n = len(self.cycle)
            rnd = str(k // n)
            return self.head + rnd + self.cycle[k % n] + rnd + self.tail
        if self.kind == "distinct_limit":
            return self.head + str(LIMIT_FROM + k) + self.tail
        return self.head + _enc(f"\n#{k}") + self.tail

    def lua(self, threads: int) -> str:
        """The wrk script: thread t of ``threads`` sends requests t-1, t-1+threads, ..."""
        body = ",\n".join(_lua_str(x) for x in self.cycle) or ""
        if self.kind == "distinct_subject":
            make = (
                "local r = tostring(math.floor(k / n))\n"
                "  return head .. r .. cycle[k % n + 1] .. r .. tail"
            )
        elif self.kind == "distinct_limit":
            make = f"return head .. tostring({LIMIT_FROM} + k) .. tail"
        else:
            make = 'return head .. "%0A%23" .. tostring(k) .. tail'
        return f"""
local head = {_lua_str(self.head)}
local tail = {_lua_str(self.tail)}
local cycle = {{
{body}
}}
local n = #cycle
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local i = 0
local function path()
  local k = {self.start} + i * {threads} + id - 1
  i = i + 1
  {make}
end
function request()
  return wrk.format(nil, path())
end
"""


def _lua_str(text: str) -> str:
    assert all(c.isprintable() and c not in '"\\' for c in text), text  # pre-encoded: ASCII
    return f'"{text}"'


def workloads(
    base: str, subject_list: list[str], anchor: str, start: int = 0
) -> dict[str, Workload]:
    """The three workloads against the endpoint at ``base`` (its path: /sparql, /query),
    from request ``start`` on: each run of wrk starts where no earlier run went (RUN_SPAN
    apart), so that no run repeats another's requests (the replay cache would answer them)."""
    path = urllib.parse.urlsplit(base).path
    prefix = f"{path}?query="
    point = f"SELECT ?p ?o WHERE {{ <{anchor}> ?p ?o }}"
    return {
        "distinct_subject": Workload(
            "distinct_subject",
            prefix + _enc("SELECT ?p ?o"),
            tuple(_enc(f" WHERE {{ <{s}> ?p ?o") for s in subject_list),
            _enc(" }"),
            start,
        ),
        "distinct_limit": Workload("distinct_limit", prefix + _enc(point + " LIMIT "), start=start),
        "comment": Workload("comment", prefix + _enc(point), start=start),
    }


def run_load(url: str, work: Workload, seconds: float) -> Load:
    with tempfile.TemporaryDirectory(prefix="kzmig-lookups-") as tmp:
        script = Path(tmp) / f"{work.kind}.lua"
        script.write_text(work.lua(THREADS), encoding="ascii")
        return wrk_script(url, script, seconds=seconds, threads=THREADS, fallback=work.path)


def check(running: dict[str, servers.Running], subject_list: list[str], anchor: str) -> dict:
    """Each system's answer to a few requests of each workload: a status and a row count,
    the same on every system (or the report says where they differ)."""
    import json

    seen: dict[str, dict[str, int | str]] = {}
    for key, r in running.items():
        base = r.base
        origin = base[: len(base) - len(urllib.parse.urlsplit(base).path)]
        got: dict[str, int | str] = {}
        for kind, work in workloads(base, subject_list[:3], anchor, CHECK_START).items():
            for k in (0, 1, 4):
                try:
                    body = servers.get(origin + work.path(k), timeout=60)
                    got[f"{kind}/{k}"] = len(json.loads(body)["results"]["bindings"])
                except Exception as e:
                    got[f"{kind}/{k}"] = f"{type(e).__name__}: {e}"[:200]
        seen[key] = got
    return seen


def bench_lookups(
    cfg: Any,
    running: dict[str, servers.Running],
    store: Any,
    anchor: str,
    out: dict[str, Any],
    log: Callable[[str], None] = print,
) -> None:
    """wrk on each workload and system, ``cfg.rounds`` alternating rounds; medians in ``out``."""
    systems = {k: running[k] for k in SYSTEMS if k in running}
    subject_list = subjects(store)
    out["subjects"] = len(subject_list)
    out["answers"] = check(systems, subject_list, anchor)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        kind: {k: [] for k in systems} for kind in KINDS
    }
    errors: dict[str, str] = {}
    for kind in KINDS:  # warm every system's caches on every workload first (not recorded)
        for key, r in systems.items():
            try:
                run_load(r.base, workloads(r.base, subject_list, anchor)[kind], WARM_SECONDS)
            except Exception as e:
                errors[f"{key} {kind} (warm-up)"] = f"{type(e).__name__}: {e}"[:300]
    for i in range(cfg.rounds):
        log(f"http: distinct lookups, round {i + 1}/{cfg.rounds}")
        for kind in KINDS:
            for key, r in systems.items():
                work = workloads(r.base, subject_list, anchor, (i + 1) * RUN_SPAN)[kind]
                try:
                    runs[kind][key].append(run_load(r.base, work, cfg.wrk_seconds).as_dict())
                except Exception as e:  # one server failing under load is a finding
                    errors[f"{key} {kind}"] = f"{type(e).__name__}: {e}"[:300]
    for kind, by_system in runs.items():
        out[kind] = {}
        for key, done in by_system.items():
            if done:
                mid = sorted(done, key=lambda x: x["rps"])[len(done) // 2]
                out[kind][key] = mid | {"rps_runs": [round(x["rps"]) for x in done]}
    out["errors"] = errors


def targets(res: dict[str, Any]) -> list[tuple[str, float | None, str | bool, str]]:
    """(target, measured, met, format) for #18's distinct point lookups; None: not measured."""
    look = res.get("http", {}).get("lookups", {})
    rows: list[tuple[str, float | None, str | bool, str]] = []
    for kind, label in (("distinct_subject", "subjects"), ("distinct_limit", "LIMITs")):
        got = look.get(kind, {})
        ours = got.get("kzmig")
        for other, goal in (("oxigraph", TARGET_VS_OXIGRAPH), ("virtuoso", TARGET_VS_VIRTUOSO)):
            name = f"distinct lookups ({label}) >= {goal:g}x {other} req/s"
            if ours and other in got and got[other]["rps"]:
                x = ours["rps"] / got[other]["rps"]
                rows.append((name, x, x >= goal, "{:.2f}x"))
            else:
                rows.append((name, None, False, "{:.2f}x"))
        p99 = ours["p99_ms"] if ours else None
        ok = p99 is not None and p99 <= TARGET_P99_MS
        rows.append(
            (
                f"distinct lookups ({label}) p99 <= {TARGET_P99_MS:g} ms at 8 conn",
                p99,
                ok,
                "{:.1f} ms",
            )
        )
    comment = look.get("comment", {})
    if "kzmig" in comment and "oxigraph" in comment:
        x = comment["kzmig"]["rps"] / comment["oxigraph"]["rps"]
        rows.append(("lookup + comment (query worker) vs oxigraph", x, "report", "{:.2f}x"))
    return rows


def table(res: dict[str, Any]) -> str:
    """Markdown: req/s, p50, p99 of each workload and system."""
    look = res.get("http", {}).get("lookups", {})
    if not any(look.get(k) for k in KINDS):
        return ""
    lines = [
        f"### Distinct point lookups, wrk -t2 -c8 ({look.get('subjects', 0)} subjects; "
        "median of rounds)",
        "",
        "| workload | server | req/s | p50 ms | p99 ms | errors | runs req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for key, x in look.get(kind, {}).items():
            runs = ", ".join(str(r) for r in x.get("rps_runs", []))
            lines.append(
                f"| {kind} | {key} | {x['rps']:.0f} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | "
                f"{x['errors']} | {runs} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table and targets of a bench/results JSON file: python -m bench.lookups F."""
    import json
    import sys

    res = json.loads(Path((argv or sys.argv[1:])[0]).read_text())
    print(table(res))
    for name, value, ok in targets(res):
        shown = "-" if value is None else f"{value:.2f}"
        print(f"{name}: {shown} ({'met' if ok is True else ok or 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

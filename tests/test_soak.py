"""Soak: 16 concurrent clients for 60 s against a real server, with runaway queries mixed in.

Holds when: no 5xx other than the endpoint's deliberate 503s (time limit, all
workers busy), no query worker leaked (the server's process group has as many
processes after as before), the server's memory (RSS of all its processes)
stays within 20% of its level after warm-up, and the p99 of point lookups under
load stays within 5x of their p99 unloaded.

"Unloaded" is one client alone on the server doing what each loaded client does
(same client code, same kind of query, same pauses between requests): the load is
then the only difference. A second baseline, the same client sending back to back,
is faster (the CPUs never go idle between requests: 0.6-0.9 ms at p99 against
2.2-2.5 ms with pauses, on an otherwise idle server); against it the soak holds
15x, which guards what the quick lane and the page cache won over the 45-90x
before them (measured 7-11x since).

The clients are keep-alive connections of one event loop in a process of its own
(tests/support/http1.py says why not a process with ``requests`` each), each
pausing a random think time between requests (KZMIG_SOAK_THINK). Marked slow:
CI runs it.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import statistics
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from kzmig.graph.build import build

from tests.fixtures.faults.kit import grow_project, serving
from tests.support.http1 import Connection

CLIENTS = int(os.environ.get("KZMIG_SOAK_CLIENTS", "16"))
SECONDS = float(os.environ.get("KZMIG_SOAK_SECONDS", "60"))
WARM_UP = min(15.0, SECONDS / 4)
SERVER_ARGS = os.environ.get("KZMIG_SOAK_SERVER_ARGS", "").split()
TIMEOUT = 5.0  # the server's query time limit in this test
# Mean think time between a client's requests (exponential). 16 clients then offer ~400
# requests/s, about half of what the server sustains here with its clients on the same two
# cores; 0 makes the clients closed-loop (saturation: latency is then queue length).
THINK = float(os.environ.get("KZMIG_SOAK_THINK", "0.04"))
UNLOADED = 1000  # point lookups measured on the idle server, in each of two ways
PARAGRAPHS = 200
JSON = "application/sparql-results+json"
R = "https://w3id.org/kzmig/resource/"
KZO = "https://w3id.org/kzmig/ontology#"

pytestmark = pytest.mark.slow

# History (2 cores, 16 clients): the first endpoint left 4-5 requests a run with no answer
# (granian's backpressure, set to the HTTP thread count, counts keep-alive connections: the
# clients past it starved; tests/test_limits.py now guards it), and point lookups' p99 was
# 45-90x the unloaded one (they queued behind aggregates, runaways and ~100 ms source-page
# renders). Now: a quick lane for learnt point lookups (server/lanes.py), pages kept once
# rendered, and granian's default backpressure. What is left of the gap: with a runaway
# query holding one of the two cores, loaded p99 roughly doubles, whatever the runaway's
# CPU priority (nice 5, nice 19 and SCHED_IDLE measured alike; with one client and no
# other load the runaway costs nothing measurable).


def point(rng: random.Random) -> str:
    """A lookup of one subject: half of them exist, half do not. The LIMIT (far above any
    subject's triples) varies so that nearly every query text is new: cache misses, as real
    traffic mostly is, in both phases, so that the two p99s measure the same work."""
    k = rng.randint(1, PARAGRAPHS * 2)
    limit = rng.randint(1_000, 10**9)
    return f"SELECT ?p ?o WHERE {{ <{R}statistic/moved-{k}> ?p ?o }} LIMIT {limit}"


AGGREGATES = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?n) "
    "LIMIT 20",
    f"SELECT (SUM(?v) AS ?total) (AVG(?v) AS ?mean) WHERE {{ ?s <{KZO}personCount> ?v }}",
    "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
]
RUNAWAY_EVERY = 5.0  # seconds between runaway queries (client 0 sends them)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Results:
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    point_latencies: list[float] = field(default_factory=list)
    point_server_times: list[float] = field(default_factory=list)  # X-Query-Time
    deliberate_503: int = 0
    server_errors: list[str] = field(default_factory=list)  # 5xx other than deliberate 503s
    no_answer: list[str] = field(default_factory=list)  # no reply within the client's timeout


def group_rss_and_count(pgid: int) -> tuple[int, int]:
    """Total RSS (bytes) and number of the processes in the server's process group."""
    rss, count = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or fields[0] == "Z":
                continue
            statm = (entry / "statm").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        rss += int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
        count += 1
    return rss, count


def pick(seed: int, rng: random.Random, dump: str) -> tuple[str, str, str, dict[str, str] | None]:
    """The next request of client ``seed``: (kind, method, path, form)."""
    roll = rng.random()
    if roll < 0.55:
        return "point", "POST", "/sparql", {"query": point(rng)}
    if roll < 0.75:
        return "aggregate", "POST", "/sparql", {"query": rng.choice(AGGREGATES)}
    if roll < 0.85:
        return "dump", "GET", rng.choice(["/dumps/", dump]), None
    pages = [
        f"/resource/statistic/moved-{rng.randint(1, PARAGRAPHS)}",
        "/resource/source/many",
        "/resource/program/enbek",
        "/",
    ]
    return "page", "GET", rng.choice(pages), None


async def client(conn: Connection, seed: int, until: float, dump: str, results: Results) -> None:
    """One client: a mix of reads with a think time between them; client 0 sends a runaway
    query every RUNAWAY_EVERY s instead. ``until`` is a time.time()."""
    rng = random.Random(seed)
    next_runaway = time.time() + RUNAWAY_EVERY / 2
    while time.time() < until:
        if seed == 0:
            if time.time() < next_runaway:
                await asyncio.sleep(0.05)
                continue
            next_runaway += RUNAWAY_EVERY
            kind, method, path, form = "runaway", "POST", "/sparql", {"query": RUNAWAY}
        else:
            kind, method, path, form = pick(seed, rng, dump)
        results.sent[kind] += 1
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(
                conn.request(method, path, form, JSON if form else "*/*"), TIMEOUT + 30
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
            results.no_answer.append(
                f"{kind} {path} {form or ''} after {time.perf_counter() - started:.1f}s: "
                f"{type(e).__name__}"
            )
            continue
        took = time.perf_counter() - started
        results.statuses[(kind, answer.status)] += 1
        if (
            answer.status == 503
            and ("time limit" in answer.text or "as many queries" in answer.text)
            and answer.headers.get("retry-after")
        ):
            results.deliberate_503 += 1
        elif answer.status >= 500:
            results.server_errors.append(f"{kind} {path}: {answer.status} {answer.text[:200]}")
        elif kind == "point" and answer.status == 200:
            results.point_latencies.append(took)
            results.point_server_times.append(float(answer.headers.get("x-query-time", "nan")))
        if THINK:
            await asyncio.sleep(rng.expovariate(1 / THINK))


def unloaded(base: str, think: float, seed: int) -> list[float]:
    """Point lookups from one client alone on the server, through the same client code,
    pausing ``think`` s (mean, exponential) between them; after a short warm-up."""

    async def run() -> list[float]:
        conn = Connection(*_host_port(base))
        rng = random.Random(seed)
        took = []
        try:
            for n in range(UNLOADED + 50):
                started = time.perf_counter()
                answer = await conn.request("POST", "/sparql", {"query": point(rng)}, JSON)
                assert answer.status == 200, answer.text
                if n >= 50:
                    took.append(time.perf_counter() - started)
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))
        finally:
            conn.close()
        return took

    return asyncio.run(run())


def load(base: str, until: float, dump: str) -> Results:
    """The CLIENTS clients, as connections of one event loop (a process of its own, so
    that the parent can sample the server's memory without stalling them)."""

    async def run() -> Results:
        results = Results()
        conns = [Connection(*_host_port(base)) for _ in range(CLIENTS)]
        try:
            await asyncio.gather(
                *(client(conn, i, until, dump, results) for i, conn in enumerate(conns))
            )
        finally:
            for conn in conns:
                conn.close()
        return results

    return asyncio.run(run())


def _host_port(base: str) -> tuple[str, int]:
    url = urllib.parse.urlsplit(base)
    assert url.hostname and url.port
    return url.hostname, url.port


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def ratio(results: Results, unloaded: list[float]) -> float:
    return p99(results.point_latencies) / p99(unloaded)


@dataclass(frozen=True)
class Soak:
    results: Results
    alone: list[float]  # point lookups of one client alone, with the loaded clients' pauses
    back_to_back: list[float]  # the same, sent back to back
    samples: list[tuple[float, int]]  # (seconds since start, RSS of the server's processes)
    processes_before: int
    processes_after: int
    healthy_after: bool

    @property
    def after_warm_up(self) -> list[int]:
        return [rss for t, rss in self.samples if t >= WARM_UP]


@pytest.fixture(scope="module")
def soak(tmp_path_factory: pytest.TempPathFactory) -> Soak:
    """One soak run; the tests below each check one of its properties."""
    tmp_path = tmp_path_factory.mktemp("soak")
    build(grow_project(tmp_path / "project", PARAGRAPHS), tmp_path / "data")
    with serving(
        ["--data-dir", str(tmp_path / "data"), "--timeout", str(TIMEOUT), *SERVER_ARGS],
        tmp_path / "server.log",
    ) as server:
        base, pgid = server.base, server.proc.pid
        listing = requests.get(base + "/dumps/", headers={"Accept": "application/json"}, timeout=30)
        listing.raise_for_status()
        dump = "/dumps/" + min(listing.json()["files"], key=lambda f: f["size"])["name"]
        # the baseline: one client behaving as each loaded one does, alone; and the same
        # client sending back to back (a lookup right after the last one is faster: the
        # CPUs have not gone idle in between)
        alone = unloaded(base, THINK, seed=-1)
        back_to_back = unloaded(base, 0.0, seed=-2)
        _, processes_before = group_rss_and_count(pgid)

        until = time.time() + SECONDS
        started = time.monotonic()
        samples: list[tuple[float, int]] = []
        # one load process: 4 or 16 processes sharing the clients measured alike
        with mp.get_context("spawn").Pool(1) as pool:
            pending = pool.apply_async(load, (base, until, dump))
            while not pending.ready():
                samples.append((time.monotonic() - started, group_rss_and_count(pgid)[0]))
                pending.wait(1.0)
            # the clients' own timeouts end every request; past this, the load process hung
            results = pending.get(timeout=TIMEOUT + 60)

        deadline = time.monotonic() + 20
        while group_rss_and_count(pgid)[1] != processes_before and time.monotonic() < deadline:
            time.sleep(0.5)
        _, processes_after = group_rss_and_count(pgid)
        healthy = requests.get(base + "/health", timeout=30).status_code == 200

    run = Soak(results, alone, back_to_back, samples, processes_before, processes_after, healthy)
    after = run.after_warm_up
    total = sum(results.sent.values())
    print(
        f"\nsoak: {CLIENTS} clients, {SECONDS:.0f} s, {total} requests "
        f"({dict(results.sent)}), 5xx: {len(results.server_errors)}, "
        f"no answer in {TIMEOUT + 30:.0f} s: {len(results.no_answer)}, "
        f"deliberate 503: {results.deliberate_503}; point lookups p99 "
        f"{p99(results.point_latencies) * 1000:.1f} ms loaded "
        f"({p99(results.point_server_times) * 1000:.1f} ms in the server), unloaded "
        f"{p99(alone) * 1000:.1f} ms alone ({ratio(results, alone):.1f}x), "
        f"{p99(back_to_back) * 1000:.1f} ms back to back ({ratio(results, back_to_back):.1f}x); "
        f"RSS after warm-up {after[0] / 2**20:.0f} MB -> max {max(after) / 2**20:.0f} MB; "
        f"processes {processes_before} -> {processes_after}; statuses {dict(results.statuses)}"
    )
    for error in (results.server_errors + results.no_answer)[:10]:
        print("  ", error)
    return run


def test_soak_sent_the_mix(soak: Soak) -> None:
    sent = soak.results.sent
    assert sent["runaway"] > 0 and sent["point"] > 100 and sent["dump"] and sent["page"]
    assert sent["aggregate"] > 0


def test_soak_no_5xx_but_deliberate_503s(soak: Soak) -> None:
    assert soak.results.server_errors == [], soak.results.server_errors[:10]
    assert soak.healthy_after


def test_soak_every_request_answered(soak: Soak) -> None:
    assert soak.results.no_answer == [], soak.results.no_answer[:10]


def test_soak_no_worker_leak(soak: Soak) -> None:
    assert soak.processes_after == soak.processes_before, "query workers leaked (or were lost)"


def test_soak_memory_flat_after_warm_up(soak: Soak) -> None:
    after = soak.after_warm_up
    assert max(after) <= after[0] * 1.2, "memory grew past 20% after warm-up"
    assert min(after) >= after[0] * 0.8


def test_soak_point_lookups_p99_within_5x_of_one_client_alone(soak: Soak) -> None:
    """The target: a client's point lookups, among 15 others and runaway queries, against the
    same client's alone (same pauses, same kind of queries, same client code)."""
    assert ratio(soak.results, soak.alone) <= 5, (
        f"point lookups p99 {p99(soak.results.point_latencies) * 1000:.1f} ms under load vs "
        f"{p99(soak.alone) * 1000:.1f} ms alone"
    )


def test_soak_point_lookups_p99_within_15x_of_back_to_back(soak: Soak) -> None:
    """Against the fastest unloaded figure (no pauses: the CPUs never go idle). Guards the
    quick lane and the page cache: without them the ratio was 45-90x."""
    assert ratio(soak.results, soak.back_to_back) <= 15, (
        f"point lookups p99 {p99(soak.results.point_latencies) * 1000:.1f} ms under load vs "
        f"{p99(soak.back_to_back) * 1000:.1f} ms back to back"
    )

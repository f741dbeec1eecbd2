"""Soak: 16 concurrent clients for 60 s against a real server, with runaway queries mixed in.

Holds when: no 5xx other than the endpoint's deliberate 503s (time limit, all
workers busy), every request answered (point lookups with 200), no query worker
leaked (the server's process group has as many processes after as before), the
server's memory (RSS of all its processes) stays within 20% of its level after
warm-up, and the p99 of point lookups under load stays within 5x of their p99
unloaded.

"Unloaded" is one client alone on the server doing what each loaded client does
(same client code in the same kind of process, same kind of query, same pauses
between requests). A second baseline, the same client sending back to back, is
faster: the CPUs then never go idle between requests (p99 0.6-0.9 ms against
2.5-3.2 ms with pauses; inside the server, by X-Query-Time, 0.3-0.4 ms against
0.9-1.0 ms, and 0.8-1.0 ms under load). Against it the soak holds 15x (measured
8-10x): that guards what the in-process lookups and the kept pages and results won
over the 45-90x before them; both ratios fail with the kept pages and results off
(--cache-mb 0 --quick-workers 0: 45x and 109x).

The clients are keep-alive connections (aiohttp) of one event loop in a process of its
own, each pausing a random think time between requests (KZMIG_SOAK_THINK). Not a
process with ``requests`` each: sixteen such processes measured mostly themselves (a
point lookup at p99 took 2.7 ms through ``requests``, 0.85 ms through ``http.client``,
same server), and competed with the server for its two cores; load generators (wrk,
k6) keep many connections in one event loop, as this does. Marked slow:
CI runs it.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import requests
from kzmig.graph.build.pipeline import build

from tests.fixtures.faults.kit import grow_project, serving

CLIENTS = int(os.environ.get("KZMIG_SOAK_CLIENTS", "16"))
SECONDS = float(os.environ.get("KZMIG_SOAK_SECONDS", "60"))
WARM_UP = min(15.0, SECONDS / 4)
SERVER_ARGS = os.environ.get("KZMIG_SOAK_SERVER_ARGS", "").split()
TIMEOUT = 5.0  # the server's query time limit in this test
ANSWER_WITHIN = TIMEOUT + 5  # a request with no answer by then counts as unanswered
# Mean think time between a client's requests (exponential). The 15 clients that do not send
# runaways then send ~350 requests/s; 0 makes them closed-loop (saturation: latency is then
# queue length).
THINK = float(os.environ.get("KZMIG_SOAK_THINK", "0.04"))
UNLOADED = 1000  # point lookups measured on the idle server, in each of two ways
WARM_UP_LOOKUPS = 50  # sent before those, not measured
PARAGRAPHS = 200
JSON = "application/sparql-results+json"
R = "https://w3id.org/kzmig/resource/"
KZO = "https://w3id.org/kzmig/ontology#"

pytestmark = pytest.mark.slow

# History (2 cores, 16 clients): the first endpoint left 4-5 requests a run with no answer
# (granian's backpressure, set to the HTTP thread count, counts keep-alive connections: the
# clients past it starved; tests/test_limits.py now guards it), and point lookups' p99 was
# 45-90x the unloaded one (they queued behind aggregates, runaways and ~100 ms source-page
# renders). Now: point lookups answered in the HTTP process (server/lookup.py), pages and
# results kept once made, and granian's default backpressure. What is left of the gap: with
# a runaway query holding one of the two cores, loaded p99 roughly doubles, whatever the
# runaway's CPU priority (nice 5, nice 19 and SCHED_IDLE measured alike; with one client and
# no other load the runaway costs nothing measurable).


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
# seconds between runaway queries (client 0 sends them): each runs into the time limit
# (TIMEOUT), so one is running almost all the time
RUNAWAY_EVERY = 5.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # at the client
    server_times: list[float] = field(default_factory=list)  # X-Query-Time


@dataclass
class Results:
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    points: Timings = field(default_factory=Timings)  # answered with 200
    deliberate_503: int = 0
    server_errors: list[str] = field(default_factory=list)  # 5xx other than deliberate 503s
    # no answer within ANSWER_WITHIN, a refused or broken connection, or an unreadable reply
    no_answer: list[str] = field(default_factory=list)


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


def pick(rng: random.Random, dump: str) -> tuple[str, str, str, dict[str, str] | None]:
    """A loaded client's next request: (kind, method, path, form)."""
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


async def client(conn: Connection, n: int, until: float, dump: str, results: Results) -> None:
    """Client ``n``: a mix of reads with a think time between them; client 0 sends a runaway
    query every RUNAWAY_EVERY s instead. ``until`` is a time.time()."""
    rng = random.Random(f"loaded-{n}")  # string seeds: Random(-1) would be Random(1)
    next_runaway = time.time() + RUNAWAY_EVERY / 2
    form: dict[str, str] | None
    while time.time() < until:
        if n == 0:
            if time.time() < next_runaway:
                await asyncio.sleep(0.05)
                continue
            next_runaway += RUNAWAY_EVERY
            kind, method, path, form = "runaway", "POST", "/sparql", {"query": RUNAWAY}
        else:
            kind, method, path, form = pick(rng, dump)
        results.sent[kind] += 1
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(
                conn.request(method, path, form, JSON if form else "*/*"), ANSWER_WITHIN
            )
        except (TimeoutError, OSError, aiohttp.ClientError) as e:
            results.no_answer.append(
                f"{kind} {path} {form or ''} after {time.perf_counter() - started:.1f}s: "
                f"{type(e).__name__}: {e}"
            )
        else:
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
                results.points.latencies.append(took)
                results.points.server_times.append(server_time(answer))
        if THINK:
            await asyncio.sleep(rng.expovariate(1 / THINK))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One simulated client: one keep-alive connection (an aiohttp session limited to one),
    opened again when the server has closed it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session: aiohttp.ClientSession | None = None

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None, accept: str = "*/*"
    ) -> Answer:
        if self.session is None:
            connector = aiohttp.TCPConnector(limit=1, force_close=False)
            self.session = aiohttp.ClientSession(
                self.base, connector=connector, auto_decompress=False
            )
        async with self.session.request(
            method, path, data=form, headers={"Accept": accept}
        ) as response:
            body = await response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Answer(response.status, headers, body)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


def server_time(answer: Answer) -> float:
    """The request's time inside the server (X-Query-Time), which every /sparql answer has."""
    return float(answer.headers["x-query-time"])


def unloaded(base: str, think: float, seed: str) -> Timings:
    """Point lookups from one client alone on the server, through the same client code,
    pausing ``think`` s (mean, exponential) between them; after a short warm-up."""

    async def run() -> Timings:
        conn = Connection(base)
        rng = random.Random(seed)
        timings = Timings()
        try:
            for n in range(WARM_UP_LOOKUPS + UNLOADED):
                started = time.perf_counter()
                answer = await asyncio.wait_for(
                    conn.request("POST", "/sparql", {"query": point(rng)}, JSON), ANSWER_WITHIN
                )
                assert answer.status == 200, answer.text
                if n >= WARM_UP_LOOKUPS:
                    timings.latencies.append(time.perf_counter() - started)
                    timings.server_times.append(server_time(answer))
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))
        finally:
            await conn.close()
        return timings

    return asyncio.run(run())


def load(base: str, until: float, dump: str) -> Results:
    """The CLIENTS clients, as connections of one event loop."""

    async def run() -> Results:
        results = Results()
        conns = [Connection(base) for _ in range(CLIENTS)]
        try:
            await asyncio.gather(
                *(client(conn, n, until, dump, results) for n, conn in enumerate(conns))
            )
        finally:
            for conn in conns:
                await conn.close()
        return results

    return asyncio.run(run())


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def ratio(loaded: Timings, baseline: Timings) -> float:
    return p99(loaded.latencies) / p99(baseline.latencies)


@dataclass(frozen=True)
class Soak:
    results: Results
    alone: Timings  # point lookups of one client alone, with the loaded clients' pauses
    back_to_back: Timings  # the same, sent back to back
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
        samples: list[tuple[float, int]] = []
        # every client runs in one fresh process (the same for the baselines and the load),
        # so that this one can sample the server's memory without stalling them
        with mp.get_context("spawn").Pool(1) as pool:
            # the baseline: one client behaving as each loaded one does, alone; and the
            # same client sending back to back (a lookup right after the last one is
            # faster: the CPUs have not gone idle in between)
            alone = pool.apply(unloaded, (base, THINK, "alone"))
            back_to_back = pool.apply(unloaded, (base, 0.0, "back-to-back"))
            _, processes_before = group_rss_and_count(pgid)
            until = time.time() + SECONDS
            started = time.monotonic()
            pending = pool.apply_async(load, (base, until, dump))
            # the clients' own timeouts end every request by then, or the load process hung
            hung_after = until + ANSWER_WITHIN + 30
            while not pending.ready() and time.time() < hung_after:
                samples.append((time.monotonic() - started, group_rss_and_count(pgid)[0]))
                pending.wait(1.0)
            assert pending.ready(), f"no results {hung_after - until:.0f} s after the load's end"
            results = pending.get()

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
        f"no answer in {ANSWER_WITHIN:.0f} s: {len(results.no_answer)}, "
        f"deliberate 503: {results.deliberate_503}; point lookups p99 "
        f"{p99(results.points.latencies) * 1000:.1f} ms loaded "
        f"({p99(results.points.server_times) * 1000:.1f} ms in the server), unloaded "
        f"{p99(alone.latencies) * 1000:.1f} ms alone "
        f"({p99(alone.server_times) * 1000:.1f} ms in the server; "
        f"{ratio(results.points, alone):.1f}x), "
        f"{p99(back_to_back.latencies) * 1000:.1f} ms back to back "
        f"({p99(back_to_back.server_times) * 1000:.1f} ms in the server; "
        f"{ratio(results.points, back_to_back):.1f}x); "
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
    results = soak.results
    assert results.statuses[("point", 200)] == results.sent["point"], results.statuses


def test_soak_no_worker_leak(soak: Soak) -> None:
    assert soak.processes_after == soak.processes_before, "query workers leaked (or were lost)"


def test_soak_memory_flat_after_warm_up(soak: Soak) -> None:
    after = soak.after_warm_up
    assert max(after) <= after[0] * 1.2, "memory grew past 20% after warm-up"
    assert min(after) >= after[0] * 0.8


def test_soak_point_lookups_p99_within_5x_of_one_client_alone(soak: Soak) -> None:
    """The target: a client's point lookups, among 15 others and runaway queries, against the
    same client's alone (same pauses, same kind of queries, same client code)."""
    assert ratio(soak.results.points, soak.alone) <= 5, (
        f"point lookups p99 {p99(soak.results.points.latencies) * 1000:.1f} ms under load vs "
        f"{p99(soak.alone.latencies) * 1000:.1f} ms alone"
    )


def test_soak_point_lookups_p99_within_15x_of_back_to_back(soak: Soak) -> None:
    """Against the fastest unloaded figure (no pauses: the CPUs never go idle). Guards the
    in-process lookups and the kept pages and results: without them it was 45-90x."""
    assert ratio(soak.results.points, soak.back_to_back) <= 15, (
        f"point lookups p99 {p99(soak.results.points.latencies) * 1000:.1f} ms under load vs "
        f"{p99(soak.back_to_back.latencies) * 1000:.1f} ms back to back"
    )

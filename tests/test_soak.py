"""Soak: 16 concurrent clients for 60 s against a real server, with runaway queries mixed in.

Holds when: no 5xx other than the endpoint's deliberate 503s (time limit, all
workers busy), no query worker leaked (the server's process group has as many
processes after as before), the server's memory (RSS of all its processes)
stays within 20% of its level after warm-up, and the p99 of point lookups under
load stays within 15x of their p99 unloaded (the target is 5x, not reached yet:
measured 6-9x; this bound guards what the quick lane and the page cache won
over the 45-90x before them). The clients are processes, each pausing a random think time between
requests (KZMIG_SOAK_THINK). Marked slow: CI runs it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from kzmig.graph.build import build

from tests.fixtures.faults.kit import grow_project, serving

CLIENTS = int(os.environ.get("KZMIG_SOAK_CLIENTS", "16"))
SECONDS = float(os.environ.get("KZMIG_SOAK_SECONDS", "60"))
WARM_UP = min(15.0, SECONDS / 4)
SERVER_ARGS = os.environ.get("KZMIG_SOAK_SERVER_ARGS", "").split()
TIMEOUT = 5.0  # the server's query time limit in this test
# Mean think time between a client's requests (exponential). 16 clients then offer ~400
# requests/s, about half of what the server sustains here with its clients on the same two
# cores; 0 makes the clients closed-loop (saturation: latency is then queue length).
THINK = float(os.environ.get("KZMIG_SOAK_THINK", "0.04"))
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
# rendered, and granian's default backpressure.


def point(rng: random.Random) -> str:
    # half of them exist, half do not: most are cache misses, as real traffic is
    k = rng.randint(1, PARAGRAPHS * 2)
    return f"SELECT ?p ?o WHERE {{ <{R}statistic/moved-{k}> ?p ?o }}"


AGGREGATES = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?n) "
    "LIMIT 20",
    f"SELECT (SUM(?v) AS ?total) (AVG(?v) AS ?mean) WHERE {{ ?s <{KZO}personCount> ?v }}",
    "SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
]
RUNAWAY_EVERY = 5.0  # seconds between runaway queries (one client sends them)
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

    def merge(self, other: Results) -> None:
        self.sent.update(other.sent)
        self.statuses.update(other.statuses)
        self.point_latencies += other.point_latencies
        self.point_server_times += other.point_server_times
        self.deliberate_503 += other.deliberate_503
        self.server_errors += other.server_errors
        self.no_answer += other.no_answer


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


def client(base: str, seed: int, until: float, dump: str) -> Results:
    """One client (a process of its own, as clients are): a mix of reads; client 0 sends a
    runaway query every RUNAWAY_EVERY s. ``until`` is a time.time()."""
    results = Results()
    rng = random.Random(seed)
    session = requests.Session()
    next_runaway = time.time() + RUNAWAY_EVERY / 2
    while time.time() < until:
        roll = rng.random()
        data: dict[str, str] | None = None
        if seed == 0:
            if time.time() < next_runaway:
                time.sleep(0.05)
                continue
            next_runaway += RUNAWAY_EVERY
            kind, method, url, data = "runaway", "POST", "/sparql", {"query": RUNAWAY}
        elif roll < 0.55:
            kind, method, url, data = "point", "POST", "/sparql", {"query": point(rng)}
        elif roll < 0.75:
            kind, method, url = "aggregate", "POST", "/sparql"
            data = {"query": rng.choice(AGGREGATES)}
        elif roll < 0.85:
            kind, method, url = "dump", "GET", rng.choice(["/dumps/", dump])
        else:
            kind, method = "page", "GET"
            url = rng.choice(
                [
                    f"/resource/statistic/moved-{rng.randint(1, PARAGRAPHS)}",
                    "/resource/source/many",
                    "/resource/program/enbek",
                    "/",
                ]
            )
        started = time.monotonic()
        try:
            r = session.request(
                method,
                base + url,
                data=data,
                headers={"Accept": JSON if data else "*/*"},
                timeout=TIMEOUT + 30,
            )
        except requests.RequestException as e:
            results.sent[kind] += 1
            results.no_answer.append(
                f"{kind} {url} {data or ''} after {time.monotonic() - started:.1f}s: "
                f"{type(e).__name__}"
            )
            continue
        took = time.monotonic() - started
        if THINK:
            time.sleep(rng.expovariate(1 / THINK))
        results.sent[kind] += 1
        results.statuses[(kind, r.status_code)] += 1
        if (
            r.status_code == 503
            and ("time limit" in r.text or "as many queries" in r.text)
            and r.headers.get("Retry-After")
        ):
            results.deliberate_503 += 1
        elif r.status_code >= 500:
            results.server_errors.append(f"{kind} {url}: {r.status_code} {r.text[:200]}")
        elif kind == "point" and r.status_code == 200:
            results.point_latencies.append(took)
            results.point_server_times.append(float(r.headers.get("X-Query-Time", "nan")))
    return results


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


@dataclass(frozen=True)
class Soak:
    results: Results
    unloaded: list[float]
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
        # unloaded p99 of point lookups, one client, after a short warm-up
        rng = random.Random(1)
        session = requests.Session()
        unloaded = []
        for n in range(1020):
            t = time.monotonic()
            r = session.post(
                base + "/sparql", data={"query": point(rng)}, headers={"Accept": JSON}, timeout=30
            )
            assert r.status_code == 200, r.text
            if n >= 20:
                unloaded.append(time.monotonic() - t)
        _, processes_before = group_rss_and_count(pgid)

        # every client is a process of its own: clients in one process would measure
        # their own GIL, not the server
        results = Results()
        until = time.time() + SECONDS
        started = time.monotonic()
        samples: list[tuple[float, int]] = []
        with mp.get_context("spawn").Pool(CLIENTS) as pool:
            pending = pool.starmap_async(client, [(base, i, until, dump) for i in range(CLIENTS)])
            while not pending.ready():
                samples.append((time.monotonic() - started, group_rss_and_count(pgid)[0]))
                pending.wait(1.0)
            # a client that never comes back is a request that hung
            for part in pending.get(timeout=TIMEOUT + 60):
                results.merge(part)

        deadline = time.monotonic() + 20
        while group_rss_and_count(pgid)[1] != processes_before and time.monotonic() < deadline:
            time.sleep(0.5)
        _, processes_after = group_rss_and_count(pgid)
        healthy = requests.get(base + "/health", timeout=30).status_code == 200

    run = Soak(results, unloaded, samples, processes_before, processes_after, healthy)
    after = run.after_warm_up
    total = sum(results.sent.values())
    print(
        f"\nsoak: {CLIENTS} clients, {SECONDS:.0f} s, {total} requests "
        f"({dict(results.sent)}), 5xx: {len(results.server_errors)}, "
        f"no answer in {TIMEOUT + 30:.0f} s: {len(results.no_answer)}, "
        f"deliberate 503: {results.deliberate_503}; point lookups p99 "
        f"{p99(unloaded) * 1000:.1f} ms unloaded, {p99(results.point_latencies) * 1000:.1f} ms "
        f"loaded ({p99(results.point_server_times) * 1000:.1f} ms in the server); "
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


def test_soak_point_lookups_p99_stays_near_the_unloaded_one(soak: Soak) -> None:
    """Guards the quick lane and the page cache: without them the ratio was 45-90x."""
    loaded, unloaded = p99(soak.results.point_latencies), p99(soak.unloaded)
    assert loaded <= 15 * unloaded, (
        f"point lookups p99 {loaded * 1000:.1f} ms under load vs {unloaded * 1000:.1f} ms unloaded"
    )

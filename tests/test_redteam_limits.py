"""Red team, part 2: no query runs outside a worker's limits or takes the server down (#14).

Against a real `kzmig serve` of a built release (where the old fast path ran
"point lookups" in the HTTP process): a runaway disguised as a lookup is stopped at
its deadline, a memory bomb is refused, deep expressions get 400, a worker killed
mid-query gets a clear 5xx; /health answers all along.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.servers import kzmig_command
from tests.fixtures.faults.kit import serving
from tests.support import benchmarked
from tests.support.servers import descendants

JSON = "application/sparql-results+json"
TIMEOUT = 2.0  # the server's query timeout here
MARGIN = 8.0  # a 2 s deadline must end the query by 10 s on a busy 2-core machine
POINT = "SELECT ?o WHERE { <https://w3id.org/kzmig/resource/program/enbek> ?p ?o }"

# The lexer reads "ex:p\#" as "ex:p\" and a comment to the end of the line, so it saw
# "{ <enbek> ex:p\ ?o }", a one-pattern lookup, which the HTTP process then evaluated
# itself: a zero-length path (one row) joined with three scans of the whole store,
# filtered on all three (so the whole product is tried).
DISGUISED_RUNAWAY = (
    "PREFIX ex: <http://e/>\n"
    "SELECT * WHERE { <https://w3id.org/kzmig/resource/program/enbek> ex:p\\#* ?z . "
    '?a ?b ?c . ?d ?e ?f FILTER(CONCAT(STR(?c), STR(?f), STR(?h)) = "x") ?g ?h\n?o }'
)
MEMORY_BOMB = (
    'SELECT (STRLEN(?v28) AS ?n) WHERE { BIND("abcdefgh" AS ?v0) '
    + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(28))
    + " }"
)
DEEP = {
    "not-50000": "SELECT * WHERE { FILTER(" + "!" * 50_000 + "true) }",
    "or-150000": "SELECT * WHERE { FILTER(1" + "||1" * 150_000 + ") }",
    "join-50000": "SELECT * WHERE { " + " . ".join(f"?s{i} ?p ?o" for i in range(50_000)) + " }",
}


@dataclass
class Served:
    base: str
    pid: int
    log: Path
    health: list[tuple[int, float]] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The benchmarked server (bench/servers.py), its deadline and memory cap lowered."""
    log = tmp_path_factory.mktemp("redteam-limits") / "server.log"
    args = benchmarked.serve_args(data_dir, timeout=TIMEOUT, max_query_memory=256)
    with serving(args, log) as server:
        yield Served(server.base, server.proc.pid, log)


def test_this_is_the_benchmarked_server(served: Served, data_dir: Path) -> None:
    """The command line the server runs with is the benchmark's, limits lowered aside."""
    cmdline = Path(f"/proc/{served.pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    port = int(served.base.rsplit(":", 1)[1])
    assert benchmarked.without_lowered(cmdline)[1:] == kzmig_command(data_dir, port)[1:]


@pytest.fixture
def watched(served: Served) -> Iterator[Served]:
    """The server, with /health polled all along (its answers land in ``health``)."""
    stop = threading.Event()
    served.health = []

    def poll() -> None:
        while not stop.is_set():
            t = time.monotonic()
            try:
                status = requests.get(served.base + "/health", timeout=30).status_code
            except requests.RequestException:
                status = 0
            served.health.append((status, time.monotonic() - t))
            time.sleep(0.1)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    yield served
    stop.set()
    thread.join(timeout=60)
    assert served.health, "/health was never polled"
    assert all(s == 200 for s, _ in served.health), served.health
    slowest = max(t for _, t in served.health)
    assert slowest < 5.0, f"/health took {slowest:.1f}s to answer"


def get(base: str, query: str, **params: str) -> tuple[requests.Response, float]:
    """By GET, the way the HTTP process's fast lane (server/fastlane.py) is reached."""
    t = time.monotonic()
    r = requests.get(
        base + "/sparql", params={"query": query, **params}, headers={"Accept": JSON}, timeout=120
    )
    return r, time.monotonic() - t


def post(base: str, query: str, **params: str) -> tuple[requests.Response, float]:
    t = time.monotonic()
    r = requests.post(
        base + "/sparql",
        params=params,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        timeout=120,
    )
    return r, time.monotonic() - t


@pytest.mark.slow
@pytest.mark.parametrize("send", [post, get])
def test_a_runaway_disguised_as_a_lookup_is_stopped_at_its_deadline(
    watched: Served, send: Any
) -> None:
    r, took = send(watched.base, DISGUISED_RUNAWAY, timeout="1")
    assert r.status_code == 503, f"{r.status_code} {r.text[:200]}"
    assert "time limit" in r.text and r.headers.get("Retry-After")
    assert took < 1 + MARGIN, f"stopped only after {took:.1f}s"
    r, took = send(watched.base, DISGUISED_RUNAWAY)
    assert r.status_code == 503 and took < TIMEOUT + MARGIN, f"{r.status_code} after {took:.1f}s"
    assert send(watched.base, POINT)[0].status_code == 200


@pytest.mark.slow
def test_a_memory_bomb_is_refused_and_its_worker_replaced(watched: Served) -> None:
    r, took = post(watched.base, MEMORY_BOMB)
    assert r.status_code == 503, f"{r.status_code} {r.text[:200]}"
    assert "more memory than this server allows" in r.text
    assert r.headers.get("Retry-After")
    assert took < TIMEOUT + MARGIN
    assert "went past its memory cap" in watched.log.read_text(errors="replace")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the replacement worker answers
        if post(watched.base, POINT)[0].status_code == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("no query answered after the memory bomb")


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_expressions_get_400_with_a_message(watched: Served, name: str) -> None:
    r, took = post(watched.base, DEEP[name])
    assert r.status_code == 400, f"{name}: {r.status_code} {r.text[:200]}"
    assert len(r.text.strip()) > 20, f"{name}: a 400 says why"
    assert took < TIMEOUT + MARGIN
    assert post(watched.base, POINT)[0].status_code == 200


def _query_workers(pid: int) -> set[int]:
    """The processes below the server that run queries (not the HTTP or forkserver ones)."""
    out = set()
    for p in descendants(pid):
        try:
            limits = Path(f"/proc/{p}/limits").read_text()
        except OSError:
            continue
        soft = [line.split()[3] for line in limits.splitlines() if line.startswith("Max data")]
        if soft and soft[0] != "unlimited":
            out.add(p)
    return out


@pytest.mark.slow
def test_a_worker_killed_mid_query_gets_a_clear_5xx(watched: Served) -> None:
    before = _query_workers(watched.pid)
    assert before, "no query worker found (they carry a data-size limit)"
    answer: list[requests.Response] = []
    runner = threading.Thread(
        target=lambda: answer.append(post(watched.base, DISGUISED_RUNAWAY, timeout="2")[0])
    )
    runner.start()
    time.sleep(0.8)
    busy = [p for p in before if Path(f"/proc/{p}/stat").exists()]
    for p in busy:  # one of them runs the query: kill them all from outside
        os.kill(p, signal.SIGKILL)
    runner.join(timeout=60)
    assert answer, "no answer"
    assert answer[0].status_code in (500, 503), answer[0].text[:200]
    assert answer[0].text.strip()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if post(watched.base, POINT)[0].status_code == 200:
            break
        time.sleep(0.2)
    else:
        pytest.fail("no query answered after the workers were killed")


def test_query_workers_have_no_network_and_a_memory_cap(served: Served) -> None:
    """The mechanisms themselves, seen from outside: each worker is in a network namespace
    of its own (or has seccomp on) and has RLIMIT_DATA set."""
    deadline = time.monotonic() + 30  # a worker killed by an earlier test may be restarting
    while not (workers := _query_workers(served.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers, "no query worker found (they carry a data-size limit)"
    own_netns = os.readlink("/proc/self/ns/net")
    for p in workers:
        status = Path(f"/proc/{p}/status").read_text()
        seccomp = any(
            line.split()[1] == "2" for line in status.splitlines() if line.startswith("Seccomp:")
        )
        assert os.readlink(f"/proc/{p}/ns/net") != own_netns or seccomp, p
    assert "query workers run with no network" in served.log.read_text(errors="replace")

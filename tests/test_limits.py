"""The endpoint stays up whatever it is sent: timeouts that stop the work, the concurrency
cap, and no outbound requests (SSRF). Against real `kzmig serve` processes."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fixtures.faults.kit import serving
from tests.support.listener import Listener
from tests.support.servers import descendants, kzmig_serve

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
POINT = f"SELECT ?p ?o WHERE {{ <{ENBEK}> ?p ?o }}"
# an unconstrained cross product of the whole graph with itself, four times over
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TOKEN = "limits-test-token"


def ask(base: str, query: str, http_timeout: float = 60, **params: str) -> requests.Response:
    return requests.post(
        base + "/sparql",
        data={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
        timeout=http_timeout,
    )


@pytest.fixture(scope="module")
def short_timeout(data_dir: Path) -> Iterator[str]:
    with kzmig_serve(["--data-dir", str(data_dir), "--timeout", "3", "--workers", "1"]) as base:
        yield base


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _server_pid(base: str) -> int:
    port = int(base.rsplit(":", 1)[1])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and str(port).encode() in cmd:
                return int(entry.name)
    raise LookupError(base)


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_runaway_query_is_stopped_while_lookups_go_on(short_timeout: str) -> None:
    base = short_timeout
    assert ask(base, "ASK {}").status_code == 200  # the query workers are up
    result: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = ask(base, RUNAWAY)
        result["elapsed"] = time.monotonic() - started
        result["response"] = response

    thread = threading.Thread(target=runaway)
    thread.start()
    lookups = []
    while thread.is_alive():
        started = time.monotonic()
        # a new text each time, so that the answer can't come from the cache
        response = ask(base, f"{POINT} # lookup {len(lookups)}", http_timeout=10)
        lookups.append((response.status_code, time.monotonic() - started))
        time.sleep(0.1)
    thread.join()
    response = result["response"]
    assert isinstance(response, requests.Response)
    assert response.status_code == 503, response.text
    assert "time limit of 3 s" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert float(result["elapsed"]) < 3 + 2  # type: ignore[arg-type]
    assert len(lookups) >= 5
    assert all(status == 200 for status, _ in lookups), lookups
    assert max(duration for _, duration in lookups) < 1.5, lookups
    # the work really stopped: the server's processes go quiet
    pids = [_server_pid(base), *descendants(_server_pid(base))]
    time.sleep(0.5)
    before = _cpu_seconds(pids)
    time.sleep(1.0)
    assert _cpu_seconds(pids) - before < 0.5
    assert ask(base, POINT).status_code == 200  # and the pool was replenished


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_timeout_can_be_lowered_not_raised(short_timeout: str) -> None:
    started = time.monotonic()
    lowered = ask(short_timeout, RUNAWAY, timeout="1")
    assert lowered.status_code == 503
    assert "time limit of 1 s" in lowered.text
    assert time.monotonic() - started < 1 + 2
    started = time.monotonic()
    raised = ask(short_timeout, RUNAWAY, timeout="600")
    assert raised.status_code == 503
    assert "time limit of 3 s" in raised.text
    assert time.monotonic() - started < 3 + 2


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_concurrency_cap_gives_503_with_retry_after(data_dir: Path) -> None:
    args = ["--data-dir", str(data_dir), "--timeout", "6", "--workers", "1"]
    with kzmig_serve([*args, "--max-concurrent", "1"]) as base:
        assert ask(base, "ASK {}").status_code == 200  # the one query worker is up
        busy = threading.Thread(target=ask, args=(base, RUNAWAY))
        busy.start()
        time.sleep(1.0)
        response = ask(base, f"SELECT ?o WHERE {{ <{ENBEK}> ?p ?o . ?o ?q ?r }} LIMIT 1")
        # a point lookup of lookup.py's strict grammar needs no query worker: still answered
        lookup = ask(base, POINT)
        busy.join()
    assert response.status_code == 503, response.text
    assert "as many queries as it allows" in response.text
    assert response.headers["Retry-After"]
    assert lookup.status_code == 200 and "results" in lookup.json()


# --- SSRF: nothing this server is sent makes it connect anywhere ------------------------


@pytest.fixture
def listener() -> Iterator[Listener]:
    trap = Listener()
    yield trap
    trap.close()


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("ssrf") / "data.ttl"
    data.write_text("<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    with kzmig_serve(
        ["--data", str(data), "--allow-update"], env={"KZMIG_UPDATE_TOKEN": TOKEN}
    ) as base:
        yield base


def test_no_outbound_requests(writable_server: str, listener: Listener) -> None:
    base = writable_server
    trap = f"http://127.0.0.1:{listener.port}"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{trap}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{trap}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX t: <{trap}/> SELECT * WHERE {{ SERVICE t:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{trap}/graph.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{trap}/graph.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK FROM <{trap}/g> {{ }}",
    ]
    for query in queries:
        response = ask(base, query)
        assert response.status_code == 400, (query, response.text)
        assert "never" in response.text
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for update in (
        f"LOAD <{trap}/data.ttl>",
        f"LOAD SILENT <{trap}/data.ttl> INTO GRAPH <urn:g>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{trap}/sparql> {{ ?s ?p ?o }} }}",
    ):
        response = requests.post(
            base + "/update", data={"update": update}, headers=auth, timeout=30
        )
        assert response.status_code == 400, (update, response.text)
    # a JSON-LD upload whose @context lives on the listener is not fetched either
    document = f'{{"@context": "{trap}/context.jsonld", "@id": "urn:x", "name": "y"}}'
    requests.put(
        base + "/store",
        params={"graph": "urn:g"},
        data=document,
        headers={**auth, "Content-Type": "application/ld+json"},
        timeout=30,
    )
    # the words SERVICE and FROM inside strings and IRIs are not refused
    fine = ask(base, 'SELECT ("SERVICE <http://x/>" AS ?s) WHERE { <urn:FROM> ?p ?o }')
    assert fine.status_code == 200, fine.text
    time.sleep(0.5)
    assert listener.settled() == []


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_more_keep_alive_clients_than_http_threads_are_all_served(
    data_dir: Path, tmp_path: Path
) -> None:
    """Connections beyond the HTTP threads wait their turn; none is starved while others
    keep theirs alive (granian's backpressure counts connections: set to the thread count,
    clients past it got no answer at all)."""
    clients, threads = 8, 2
    served: dict[int, int] = {}
    failed: dict[int, str] = {}
    with serving(
        ["--data-dir", str(data_dir), "--workers", "1"],
        tmp_path / "server.log",
        env={"KZMIG_HTTP_THREADS": str(threads)},
    ) as server:

        def keep_asking(i: int) -> None:
            session, n = requests.Session(), 0
            until = time.monotonic() + 4
            while time.monotonic() < until:
                try:
                    session.get(server.base + "/health", timeout=3).raise_for_status()
                except requests.RequestException as e:
                    failed[i] = type(e).__name__
                    break
                n += 1
            served[i] = n

        workers = [threading.Thread(target=keep_asking, args=(i,)) for i in range(clients)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
    assert failed == {}, f"clients that got no answer: {failed}; answers per client: {served}"
    assert min(served.values()) >= 10, served

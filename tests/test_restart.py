"""Restart: a server killed mid-request comes back with the same release and the same answers."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from kzmig.graph.build.pipeline import build
from kzmig.graph.release.layout import Release

from tests.fixtures.faults.kit import (
    ALL_QUADS,
    POINT,
    answers,
    ask,
    group_alive,
    grow_project,
    serving,
    stop,
)

# A query that runs for seconds on the grown project: the request is in flight when we kill.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?t ?q ?u } "
    "FILTER(STR(?o) != STR(?u)) }"
)
PAGES = ["/", "/sparql", "/health"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("restart")
    build(grow_project(tmp / "project", 40), tmp / "data")
    return tmp / "data"


def snapshot(base: str) -> dict[str, object]:
    """What a client sees: the release, query answers, and pages' status and body."""
    out: dict[str, object] = {
        "answers": answers(base, ALL_QUADS),
        "point": ask(base, POINT).content,
    }
    for path in PAGES:
        r = requests.get(base + path, timeout=30)
        # pages name the server's own URL (its port); everything else must be equal
        out[path] = (r.status_code, r.content.replace(base.encode(), b"http://BASE"))
    return out


def in_flight(base: str) -> Iterator[threading.Thread]:
    """Start slow requests in threads; they die with the server."""
    threads = []
    for _ in range(3):
        t = threading.Thread(
            target=lambda: _swallow(lambda: ask(base, SLOW, timeout=60)), daemon=True
        )
        t.start()
        threads.append(t)
    return iter(threads)


def _swallow(f: Callable[[], object]) -> None:
    with contextlib.suppress(requests.RequestException):
        f()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_killed_mid_request_restarts_with_the_same_answers(
    sig: signal.Signals, data: Path, tmp_path: Path
) -> None:
    version = Release.current(data).version
    log = tmp_path / "server.log"
    with serving(["--data-dir", str(data), "--timeout", "20"], log) as first:
        before = snapshot(first.base)
        threads = list(in_flight(first.base))
        time.sleep(1.0)  # the slow queries are running in the query workers now
        assert any(t.is_alive() for t in threads), "the slow queries finished too soon"
        stop(first, sig)
        deadline = time.monotonic() + 15
        while group_alive(first.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_alive(first.proc.pid), "processes of the killed server live on"
        for t in threads:
            t.join(timeout=30)
            assert not t.is_alive()
    assert Release.current(data).version == version
    with serving(["--data-dir", str(data), "--timeout", "20"], log) as second:
        after = snapshot(second.base)
        assert after == before
        # and it still serves under load right after the restart
        for _ in range(20):
            assert ask(second.base, POINT).content == before["point"]


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_restart_on_the_same_port(data: Path, tmp_path: Path) -> None:
    """A killed server's port is free again at once (no lingering workers holding it)."""
    log = tmp_path / "server.log"
    with serving(["--data-dir", str(data)], log) as first:
        before = snapshot(first.base)
        port = int(first.base.rsplit(":", 1)[1])
        threads = list(in_flight(first.base))
        time.sleep(0.5)
        stop(first, signal.SIGKILL)
        for t in threads:
            t.join(timeout=30)
    with serving(["--data-dir", str(data)], log, port=port) as second:
        assert second.base == first.base
        assert snapshot(second.base) == before

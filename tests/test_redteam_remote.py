"""Red team, remote-store mode: Oxigraph server evaluates SERVICE itself (issue #14).

`kzmig serve --store URL` forwards query text to the store, so the guarantee is the
store's: run in a network namespace of its own (tests/support/netns.py, as
docs/security.md says), Oxigraph server reaches nothing, whatever a query says.
The control: the same store on the host's network does connect to the listener.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.listener import Listener
from tests.support.netns import isolated_oxigraph
from tests.support.servers import kzmig_serve
from tests.support.stores import oxigraph_server
from tests.test_redteam import JSON, queries

HIDDEN = "issue-pname-hash"  # the SERVICE the guard does not see


@pytest.fixture
def listener() -> Iterator[Listener]:
    listen = Listener()
    yield listen
    listen.close()


def _direct(store: str, query: str) -> requests.Response:
    return requests.post(
        store + "/query",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        timeout=60,
    )


@pytest.mark.slow
def test_the_store_on_the_hosts_network_does_connect(tmp_path: Path, listener: Listener) -> None:
    """The control: without isolation, Oxigraph server runs the SERVICE."""
    with oxigraph_server(tmp_path / "plain") as store:
        _direct(store, queries(listener.url)["plain"])
    assert listener.settled(), "the store did not connect: this test could not fail"


@pytest.mark.slow
def test_an_isolated_oxigraph_server_never_connects(
    tmp_path: Path, listener: Listener, data_dir: Path
) -> None:
    with isolated_oxigraph(tmp_path / "isolated") as store:
        for query in queries(listener.url).values():
            _direct(store, query)  # whatever it answers, it must not connect
        assert listener.settled() == [], "the isolated store connected out (direct)"
        pushed = subprocess.run(
            [
                sys.executable,
                "-m",
                "kzmig.graph.cli",
                "push",
                "--store",
                store,
                "--data-dir",
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert pushed.returncode == 0, pushed.stderr[-2000:]
        with kzmig_serve(["--store", store, "--data-dir", str(data_dir)]) as base:
            for query in queries(listener.url).values():
                requests.post(
                    base + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=60
                )
            ok = requests.post(
                base + "/sparql",
                data={"query": "ASK { ?s ?p ?o }"},
                headers={"Accept": JSON},
                timeout=60,
            )
            assert ok.status_code == 200 and ok.json()["boolean"] is True, ok.text[:300]
    assert listener.settled() == [], "the isolated store connected out (through kzmig serve)"

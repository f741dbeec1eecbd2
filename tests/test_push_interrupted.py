"""A push killed half-way (SIGKILL) leaves the previous release answering, unchanged.

Release A (built from the repo) is pushed and served with `kzmig serve --store`.
Release B is A with one claim graph removed and one added. A push of B is then
killed half-way through loading, and again after loading but before the switch;
each time the server's answers must be exactly those of A, while the store
holds B's debris. A last, complete push must show B, and clear the debris.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from kzmig.graph.release.layout import Release

from tests.support.servers import kzmig_serve
from tests.support.stores import oxigraph_server, rows, virtuoso_server, warm

CLAIM = "https://w3id.org/kzmig/resource/claim/"
ADDED = CLAIM + "test/added-by-release-b"
QUERIES = {
    "graphs": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "sizes": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "added": f"ASK {{ GRAPH <{ADDED}> {{ ?s ?p ?o }} }}",
}


def release_b(a: Path, target: Path) -> tuple[str, str]:
    """A copy of release ``a`` minus one claim graph plus another; (version, removed graph)."""
    source = Release.current(a)
    version = source.version + "-b"
    folder = target / "releases" / version
    shutil.copytree(source.folder, folder)
    store = ox.Store(str(folder / "store"))
    claims = sorted(g.value for g in store.named_graphs() if g.value.startswith(CLAIM))
    removed = claims[0]
    store.remove_graph(ox.NamedNode(removed))
    store.add(
        ox.Quad(
            ox.NamedNode(CLAIM + "test/subject"),
            ox.NamedNode("https://w3id.org/kzmig/ontology#note"),
            ox.Literal("only in release B"),
            ox.NamedNode(ADDED),
        )
    )
    store.flush()
    del store
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (target / "current").symlink_to(Path("releases") / version)
    return version, removed


def answers(base: str) -> dict[str, object]:
    out = {}
    for name, query in QUERIES.items():
        response = requests.post(
            base + "/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        out[name] = rows(response)
    out["version"] = requests.get(base + "/health", timeout=10).json()["version"]
    return out


def push(store: str, data: Path, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "KZMIG_PUSH_PAUSE": pause or ""}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kzmig.graph.cli",
            "push",
            "--store",
            store,
            "--data-dir",
            str(data),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )


def kill_when_paused(proc: subprocess.Popen[str]) -> str:
    """Wait for the push to pause, then SIGKILL it; its log so far."""
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("pausing"):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "".join(seen)
    proc.kill()
    proc.communicate()
    raise AssertionError("the push never paused:\n" + "".join(seen))


def staging_graphs(store: str) -> list[str]:
    from kzmig.graph.remote.names import STAGING
    from kzmig.graph.remote.store import RemoteStore

    return RemoteStore(store).graph_names(STAGING)


@pytest.fixture(params=["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(kind, URL to push to, URL to serve from) of a fresh store of each kind."""
    if request.param == "oxigraph":
        with oxigraph_server(tmp_path / "oxigraph") as base:
            yield "oxigraph", base, base
    else:
        with virtuoso_server(tmp_path / "virtuoso") as base:
            yield "virtuoso", base.replace("http://", "http://dba:dba@"), base


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_an_interrupted_push_leaves_the_previous_release(
    store: tuple[str, str, str], data_dir: Path, tmp_path: Path
) -> None:
    kind, push_url, serve_url = store
    first = push(push_url, data_dir)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    b_data = tmp_path / "b"
    version_b, removed = release_b(data_dir, b_data)

    with kzmig_serve(["--store", serve_url, "--data-dir", str(data_dir)]) as server:
        warm(server)
        before = answers(server)
        assert before["version"] == Release.current(data_dir).version
        assert before["added"] is False

        # Killed half-way through loading B.
        log = kill_when_paused(push(push_url, b_data, "loading:120"))
        assert "staging" in log
        # Oxigraph loads the release in one transaction, which the kill aborted;
        # Virtuoso loads graph by graph, and half of them are in.
        assert bool(staging_graphs(push_url)) == (kind == "virtuoso")
        time.sleep(2.5)  # longer than the pointer refresh
        assert answers(server) == before

        # Killed with B loaded and checked, just before the switch.
        log = kill_when_paused(push(push_url, b_data, "switch:120"))
        assert "staged and checked" in log
        assert staging_graphs(push_url), "B was staged in the store"
        time.sleep(2.5)
        assert answers(server) == before

        # A push that runs to the end shows B, and clears the debris.
        last = push(push_url, b_data)
        _, err = last.communicate(timeout=300)
        assert last.returncode == 0, err
        assert "interrupted push" in err
        time.sleep(2.5)
        after = answers(server)
        assert after["version"] == version_b
        assert after["added"] is True
        graphs = {row[0][2] for row in after["graphs"]}  # type: ignore[union-attr]
        assert removed not in graphs and ADDED in graphs
        assert graphs == {row[0][2] for row in before["graphs"]} - {removed} | {ADDED}  # type: ignore[union-attr]
        assert staging_graphs(push_url) == []

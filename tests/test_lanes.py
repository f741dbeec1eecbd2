"""Quick queries don't wait behind slow ones: the quick lane, its classifier and its book."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from kzmig.server.lanes import QUICK_SECONDS, RECENT, CostBook, shape

from tests.fixtures.faults.kit import serving
from tests.support.servers import descendants, kzmig_serve

R = "https://w3id.org/kzmig/resource/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def point(slug: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{R}program/{slug}> ?p ?o }} LIMIT 50"


def test_lookups_that_differ_in_iris_strings_and_numbers_share_a_shape() -> None:
    assert shape(point("enbek")) == shape(point("nurly-kosh"))
    a = 'PREFIX kzr: <https://w3id.org/kzmig/resource/>\nSELECT ?s WHERE { ?s ?p "x" } LIMIT 5'
    b = "PREFIX kzr: <urn:other>  SELECT ?s WHERE { ?s ?p 'yy' } # a comment\n LIMIT 10"
    assert shape(a) == shape(b)
    assert shape("SELECT ?s WHERE { ?s ?p ?o }") != shape("SELECT ?o WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?p WHERE { ?s ?p ?o } GROUP BY ?p",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1",
        "SELECT ?s WHERE { ?s <urn:p>+ ?o }",
        "SELECT ?s WHERE { ?s <urn:p>* ?o }",
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } }",
        "select (sample(?o) as ?x) where { ?s ?p ?o }",
    ],
)
def test_queries_whose_text_may_be_slow_are_never_quick(query: str) -> None:
    assert shape(query) is None
    book = CostBook()
    book.record(shape(query), 0.001)
    assert not book.is_quick(shape(query))


def test_select_star_and_distinct_star_are_not_paths() -> None:
    assert shape("SELECT * WHERE { <urn:s> ?p ?o }") is not None
    assert shape("SELECT DISTINCT * WHERE { <urn:s> ?p ?o }") is not None


def test_the_book_learns_quick_shapes_and_forgets_them_when_slow() -> None:
    book, key = CostBook(), shape(point("enbek"))
    assert not book.is_quick(key), "unknown shapes start in the general lane"
    book.record(key, QUICK_SECONDS / 10)
    assert book.is_quick(key)
    book.record(key, float("inf"))  # stopped at its deadline
    assert not book.is_quick(key)
    for n in range(RECENT - 1):
        book.record(key, QUICK_SECONDS / 10)
        assert not book.is_quick(key), f"quick again after only {n + 1} quick runs"
    book.record(key, QUICK_SECONDS / 10)
    assert book.is_quick(key)


def test_the_book_is_bounded() -> None:
    book = CostBook(max_shapes=3)
    for n in range(5):
        book.record(f"shape {n}", 0.001)
    assert not book.is_quick("shape 0") and not book.is_quick("shape 1")
    assert all(book.is_quick(f"shape {n}") for n in (2, 3, 4))


def ask(base: str, query: str) -> requests.Response:
    return requests.post(
        base + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_a_learnt_lookup_is_answered_while_every_general_worker_runs_a_runaway(
    data_dir: Path,
) -> None:
    """One HTTP worker, 3 query workers: 2 general (both busy with runaways), 1 quick."""
    args = ["--data-dir", str(data_dir), "--workers", "1", "--max-concurrent", "3"]
    with kzmig_serve([*args, "--timeout", "8"]) as base:
        first = ask(base, point("enbek"))  # learnt: its shape is quick from now on
        assert first.status_code == 200, first.text
        runaways = [threading.Thread(target=ask, args=(base, RUNAWAY)) for _ in range(2)]
        for t in runaways:
            t.start()
        time.sleep(1.0)  # both general workers are now busy
        started = time.monotonic()
        lookup = ask(base, point("nurly-kosh"))
        took = time.monotonic() - started
        # a query never seen (so not known quick) finds no general worker and no lane of its own
        unknown = ask(base, "SELECT ?s WHERE { ?s a ?c } LIMIT 1")
        still_running = [t.is_alive() for t in runaways]
        for t in runaways:
            t.join()
    assert lookup.status_code == 200, lookup.text
    assert all(still_running), "the runaways ended before the lookup was tested"
    assert took < 2.0, f"the lookup waited {took:.1f} s: it queued behind the runaways"
    assert unknown.status_code == 503, unknown.text
    assert "as many queries" in unknown.text


def test_general_workers_run_at_a_lower_cpu_priority(data_dir: Path, tmp_path: Path) -> None:
    args = ["--data-dir", str(data_dir), "--workers", "1", "--max-concurrent", "3"]
    with serving(args, tmp_path / "server.log") as server:
        deadline = time.monotonic() + 30
        nice: list[int] = []
        nice_of: dict[int, int] = {}
        while time.monotonic() < deadline:
            # the query workers are the forkserver's children
            parents: dict[int, int] = {}
            for pid in descendants(server.proc.pid):
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if b"multiprocessing.forkserver" in cmd:
                    parents[pid] = int(fields[1])
                    nice_of[pid] = int(fields[16])
            forkservers = [p for p, parent in parents.items() if parent not in parents]
            nice = [nice_of[p] for p, parent in parents.items() if parent in forkservers]
            if sorted(nice) == [0, 5, 5]:  # workers set their priority as they start
                break
            time.sleep(0.2)
    assert sorted(nice) == [0, 5, 5], f"query workers' nice values: {nice}"

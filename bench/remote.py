"""Push time and query latency: embedded store vs Oxigraph server vs Virtuoso, same data.

Starts `oxigraph serve` and (when installed) a throw-away Virtuoso, both on
loopback in a temporary folder, pushes the current release of DATA_DIR into
each with `kzmig push` (timed), then times each query at the store interface
(``ReleaseStore.query`` vs ``RemoteStore.query``, results read in full), and
prints a table of medians.

    python -m bench.remote --data-dir var [--runs 20]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from kzmig.graph.release.layout import Release
from kzmig.graph.release.store import ReleaseStore
from kzmig.graph.remote.push import push
from kzmig.graph.remote.store import RemoteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.stores import oxigraph_server, virtuoso_server

PROV = "https://w3id.org/kzmig/resource/graph/provenance"
QUERIES = {
    "point lookup (one claim's triples)": """SELECT ?p ?o WHERE {
        GRAPH ?g { <https://w3id.org/kzmig/resource/program/enbek> ?p ?o } } LIMIT 50""",
    "provenance join (claims + quotes)": f"""PREFIX kzo: <https://w3id.org/kzmig/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?claim ?quote WHERE {{ GRAPH ?claim {{ ?s ?p ?o }}
        GRAPH <{PROV}> {{ ?claim kzo:evidence/oa:hasSelector/oa:exact ?quote }} }} LIMIT 1000""",
    "count per graph (all graphs)": """SELECT ?g (COUNT(*) AS ?n)
        WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g""",
    "union count (default graph)": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ask": "ASK { ?s a ?type }",
}


def timed(store: object, query: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = store.query(query)  # type: ignore[attr-defined]
        if not isinstance(result, ox.QueryBoolean):
            list(result)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    release = Release.current(args.data_dir)
    quads = len(release.store)
    graphs = len(list(release.store.named_graphs()))
    print(f"release {release.version}: {quads} quads in {graphs} graphs")
    stores: dict[str, object] = {"embedded": ReleaseStore(args.data_dir)}
    pushes: dict[str, float] = {}
    folder = Path(tempfile.mkdtemp(prefix="kzmig-bench-remote-"))
    with oxigraph_server(folder / "oxigraph", timeout_s=60) as oxigraph:
        started = time.perf_counter()
        print("oxigraph server push steps (s):", push(args.data_dir, oxigraph).timings)
        pushes["oxigraph server"] = time.perf_counter() - started
        stores["oxigraph server"] = RemoteStore(oxigraph, refresh=3600)
        try:
            virtuoso_ctx = (
                virtuoso_server(folder / "virtuoso") if shutil.which("virtuoso-t") else None
            )
            if virtuoso_ctx is None:
                report(stores, pushes, args.runs)
                return
            with virtuoso_ctx as virtuoso:
                started = time.perf_counter()
                pushed = push(args.data_dir, virtuoso.replace("http://", "http://dba:dba@"))
                print("virtuoso push steps (s):", pushed.timings)
                pushes["virtuoso 7"] = time.perf_counter() - started
                stores["virtuoso 7"] = RemoteStore(virtuoso, refresh=3600)
                report(stores, pushes, args.runs)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class Unrestricted:
    """The same store asked without kzmig's dataset (the store's own union): the baseline."""

    def __init__(self, store: RemoteStore):
        self.store = store

    def query(self, sparql: str) -> object:
        extra = [("union-default-graph", "")] if self.store.kind == "oxigraph" else []
        return self.store._query(sparql, extra, 600)


def report(stores: dict[str, object], pushes: dict[str, float], runs: int) -> None:
    for name, seconds in pushes.items():
        print(f"push into {name}: {seconds:.2f} s")
    for name in list(stores):
        if isinstance(stores[name], RemoteStore):
            stores[name + " (own union)"] = Unrestricted(stores[name])  # type: ignore[arg-type]
    names = list(stores)
    print(f"| query (median ms of {runs}) | {' | '.join(names)} |")
    print("|---|" + "---|" * len(names))
    for label, query in QUERIES.items():
        cells = [f"{timed(stores[n], query, runs):.1f}" for n in names]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""Run the benchmark suite: every stage of kzmig against its baseline, in one invocation.

    python -m bench.run            # the full suite (make bench): 10k, 100k, 1M quads
    python -m bench.run --quick    # a reduced run, under 2 minutes (make bench-quick)

Each baseline runs in the same invocation as ours, on the same data, alternating
with it (ours, theirs, ours, theirs...), so the ratios hold on a noisy machine.
Prints a table of medians and ratios, and the targets of issue 18 (bench/report.py), met,
missed or reported; writes everything as JSON to bench/results/<date>-<mode>.json (and
latest-<mode>.json), and a whole full run rewrites docs/performance.md's figures.
Big data goes to $KZMIG_BENCH_WORK (default /tmp/kzmig-bench), never the repo.

Long because: one command runs every benchmark against its baseline and writes one
report; each benchmark is a function of its own (bench/*.py hold the shared parts).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import builds, editor, lookups, pages, report, scale, servers
from .load import load
from .queries import anchors, mix

REPO = scale.REPO
RESULTS = REPO / "bench" / "results"


class Config:
    def __init__(self, args: argparse.Namespace):
        self.quick = args.quick
        self.work = Path(os.environ.get("KZMIG_BENCH_WORK", "/tmp/kzmig-bench"))
        q = args.quick
        self.build_sizes = args.sizes or ([] if q else [10_000, 100_000, 1_000_000])
        self.reason_triples = args.reason_triples or (0 if q else 100_000)  # 0: the seed
        self.validate_size = 0 if q else self.build_sizes[-1]
        self.http_size = 0 if q else self.build_sizes[-1]
        self.rdflib_size = 0 if q else min(100_000, self.http_size)
        self.repeat = args.repeat or (2 if q else 3)
        self.wrk_seconds = args.seconds or (2.0 if q else 8.0)
        self.rounds = 1 if q else 3
        self.query_reps = 5 if q else 15
        self.only = set(args.only.split(",")) if args.only else None
        self.deadline = time.monotonic() + args.max_minutes * 60

    def wants(self, section: str) -> bool:
        return self.only is None or section in self.only


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def alternate(
    runs: dict[str, Callable[[], Any]], repeat: dict[str, int] | int
) -> dict[str, list[float]]:
    """Time each callable ``repeat`` times, interleaved: a, b, a, b, ..."""
    times: dict[str, list[float]] = {k: [] for k in runs}
    reps = repeat if isinstance(repeat, dict) else dict.fromkeys(runs, repeat)
    for i in range(max(reps.values())):
        for name, fn in runs.items():
            if i < reps[name]:
                gc.collect()
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
    return times


# -- data --------------------------------------------------------------------------------------


class Data:
    """The seed, its profile, and grown project folders and releases, made once per size."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        cfg.work.mkdir(parents=True, exist_ok=True)
        self.seed = scale.seed_root()
        self.profile = scale.profile(self.seed, cfg.work)
        self._releases: dict[int, Path] = {}

    def copies(self, quads: int) -> int:
        return 1 if quads == 0 else self.profile.copies(quads)

    def project(self, quads: int) -> Path:
        copies = self.copies(quads)
        out = self.cfg.work / f"project-{copies}"
        stamp = out / ".grown"
        if not stamp.exists() or stamp.read_text() != self.seed_stamp():
            scale.grow(self.seed, out, copies)
            stamp.write_text(self.seed_stamp())
        return out

    def seed_stamp(self) -> str:
        from kzmig.graph.build.pipeline import inputs_hash, inputs_of

        return inputs_hash(inputs_of(self.seed))

    def release(self, quads: int) -> Path:
        """A data directory holding a release built from the grown project."""
        copies = self.copies(quads)
        if copies not in self._releases:
            data = self.cfg.work / f"data-{copies}"
            project = self.project(quads)
            if not _built_from(data, project):
                build_once(project, data)
            self._releases[copies] = data
        return self._releases[copies]


def _built_from(data: Path, project: Path) -> bool:
    """True when ``data`` holds a release built from exactly ``project``'s inputs."""
    from kzmig.graph.build.pipeline import inputs_hash, inputs_of
    from kzmig.graph.release.layout import current_folder

    try:
        manifest = json.loads((current_folder(data) / "manifest.json").read_text())
    except (OSError, ValueError, Exception):
        return False
    return bool(manifest.get("complete")) and manifest.get("inputs_hash") == inputs_hash(
        inputs_of(project)
    )


def build_once(root: Path, data: Path) -> dict[str, Any]:
    """`kzmig build --json` into an emptied ``data`` (bench/builds.py's run_build): its
    timings, quad count, wall time and peak RSS."""
    shutil.rmtree(data, ignore_errors=True)
    r = builds.run_build(root, data)
    return {
        "wall": r["wall_s"],
        "timings": r["stages"],
        "counts": {"quads": r["quads"]},
        "rss": r["peak_rss_mb"],
    }


def nquads_of(data: Path) -> Path:
    from kzmig.graph.release.layout import current_folder

    folder = current_folder(data)
    found = sorted((folder / "dumps").glob("*.nq"))
    if not found:
        raise FileNotFoundError(f"no N-Quads dump in {folder / 'dumps'}")
    return found[0]


def store_of(data: Path) -> Path:
    from kzmig.graph.release.layout import current_folder

    return current_folder(data) / "store"


# -- sections ------------------------------------------------------------------------------------


def bench_build(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    log("build: the repository's own seed, end to end")
    seed_runs = [build_once(REPO, cfg.work / "data-repo") for _ in range(cfg.repeat)]
    out["seed"] = {
        "wall_s": median([r["wall"] for r in seed_runs]),
        "total_s": median([r["timings"]["total"] for r in seed_runs]),
        "quads": seed_runs[0]["counts"]["quads"],
        "stages": _stage_medians(seed_runs),
        "peak_rss_mb": max(r["rss"] for r in seed_runs),
    }
    sizes: dict[str, Any] = {}
    for size in cfg.build_sizes:
        if time.monotonic() > cfg.deadline:
            sizes[scale.size_name(size)] = {"skipped": "time budget (--max-minutes) spent"}
            continue
        project = d.project(size)
        reps = cfg.repeat if size < 1_000_000 else 1
        log(f"build: {scale.size_name(size)} quads ({d.copies(size)} copies) x{reps}")
        runs = []
        for _ in range(reps):
            data = cfg.work / f"data-{d.copies(size)}"
            runs.append(build_once(project, data))
            d._releases[d.copies(size)] = data
        sizes[scale.size_name(size)] = {
            "quads": runs[0]["counts"]["quads"],
            "wall_s": median([r["wall"] for r in runs]),
            "stages": _stage_medians(runs),
            "peak_rss_mb": max(r["rss"] for r in runs),
            "runs": len(runs),
        }
    out["sizes"] = sizes
    if "100k" in sizes and "1M" in sizes and "stages" in sizes["1M"]:
        a, b = sizes["100k"]["stages"], sizes["1M"]["stages"]
        out["growth_1M_over_100k"] = {
            k: round(b[k] / a[k], 2) for k in b if a.get(k) and k in a and a[k] > 0.005
        }


def _bench_builds(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    """Cold, unchanged and one-text-changed builds of the largest size (bench/builds.py)."""
    size = cfg.build_sizes[-1] if cfg.build_sizes else 0
    builds.bench_builds(cfg.work, d.project(size), builds.size_of(size), out, log)


def _stage_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = runs[0]["timings"].keys()
    return {k: round(median([r["timings"][k] for r in runs]), 4) for k in keys}


def bench_reason(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    import owlrl
    from kzmig.graph.build.pipeline import read_claims, read_texts, read_vocabulary
    from kzmig.graph.semantics.reason import closure
    from rdflib import Graph

    copies = 1 if cfg.reason_triples == 0 else d.profile.copies_for_reasoning(cfg.reason_triples)
    root = d.project(copies * d.profile.per_copy + d.profile.fixed)
    # what the build's infer() reads (build.asserted_triples): the claims' triples and the
    # ontology, without assembling the rest of the graph
    ontology, _ = read_vocabulary(root)
    claims = read_claims(read_texts(root), root)
    triples = [t for cs in claims.values() for c in cs for t in c.triples] + list(ontology)
    log(f"reason: {len(triples)} asserted triples; ours vs owlrl, alternating")
    result: dict[str, Any] = {}

    def ours() -> None:
        result["ours"] = closure(triples)

    def theirs() -> None:
        g = Graph()
        for t in triples:
            g.add(t)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
        result["owlrl"] = g

    reps = {"ours": cfg.repeat, "owlrl": 1 if cfg.quick or len(triples) > 20_000 else cfg.repeat}
    times = alternate({"ours": ours, "owlrl": theirs}, reps)
    from kzmig.names import RESOURCE
    from rdflib import Literal

    asserted = set(triples)

    def instance(ts: Any) -> set[Any]:
        return {
            t for t in ts if not isinstance(t[0], Literal) and str(t[0]).startswith(RESOURCE)
        } - asserted

    ours_set = instance(result["ours"].inferred)
    owl_set = _owlrl_instance(instance(result["owlrl"]))
    out.update(
        triples=len(triples),
        ours_s=median(times["ours"]),
        owlrl_s=median(times["owlrl"]),
        speedup=median(times["owlrl"]) / median(times["ours"]),
        inferred_ours=len(ours_set),
        inferred_owlrl=len(owl_set),
        same_instance_triples=ours_set == owl_set,
        only_owlrl=sorted(map(str, owl_set - ours_set))[:5],
        only_ours=sorted(map(str, ours_set - owl_set))[:5],
        inconsistencies=len(result["ours"].inconsistencies),
    )


def _owlrl_instance(ts: set[Any]) -> set[Any]:
    """owlrl's new instance triples, less what we deliberately never publish (reason._keep)."""
    from kzmig.graph.semantics.reason import _keep
    from kzmig.names import KZO, RESOURCE

    return {t for t in ts if _keep(*t, (RESOURCE, str(KZO)))}


def bench_validate(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    from kzmig.graph.semantics import validate as v
    from kzmig.names import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_SHAPES

    s = scale.stages(d.project(cfg.validate_size))
    data = [(a, b, c) for a, b, c, g in s.quads if g not in (GRAPH_SHAPES, GRAPH_INFERRED)]
    log(f"validate: {len(data)} triples; ours vs pyshacl, alternating")
    result: dict[str, Any] = {}
    reference = getattr(v, "validate_reference", None) or _pyshacl_reference

    def ours() -> None:
        result["ours"] = v.validate(data, s.shapes)

    from kzmig.graph.semantics import parts as split

    if split.splittable(s.shapes):  # what the build does: by source text (bench/builds.py)
        by = s.by_source
        per = {sid: [(a, b, c) for a, b, c, _ in part] for sid, part in by.parts.items()}
        common, onto = by.common(s.quads), s.quads.graph(GRAPH_ONTOLOGY)

        def ours() -> None:
            result["ours"] = split.validate_parts(per, common, onto, s.shapes).validation

    def theirs() -> None:
        result["pyshacl"] = reference(data, s.shapes)

    reps = 1 if len(data) > 300_000 else cfg.repeat
    times = alternate({"ours": ours, "pyshacl": theirs}, reps)
    key = lambda r: (r.severity, r.focus, r.path, r.message, r.shape)  # noqa: E731
    same = sorted(map(key, result["ours"].results)) == sorted(map(key, result["pyshacl"].results))
    out.update(
        triples=len(data),
        ours_s=median(times["ours"]),
        pyshacl_s=median(times["pyshacl"]),
        speedup=median(times["pyshacl"]) / median(times["ours"]),
        results=len(result["ours"].results),
        same_results=same,
    )


def _pyshacl_reference(data: Any, shapes: Any) -> Any:
    """pyshacl on the whole data graph: what kzmig's validate() did before it was optimised."""
    from kzmig.graph.semantics import validate as v

    return v.validate(data, shapes)


def bench_dumps(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    """N-Quads of a release, in a child process each: time and peak RSS.

    ``memory``: what the build does (the quads in an in-memory store, dumped to a file);
    ``disk``: from the release's on-disk store, opened read-only.
    """
    sizes = [s for s in cfg.build_sizes if s in (100_000, 1_000_000)] or [0]
    code = (
        "import sys, pyoxigraph as ox, time, resource\n"
        "if sys.argv[1] == 'disk':\n"
        "    s = ox.Store.read_only(sys.argv[2])\n"
        "else:\n"
        "    s = ox.Store(); s.bulk_load(path=sys.argv[3], format=ox.RdfFormat.N_QUADS)\n"
        "t = time.perf_counter()\n"
        "s.dump(sys.argv[4], format=ox.RdfFormat.N_QUADS)\n"
        "print(time.perf_counter() - t, len(s), "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    for size in sizes:
        data = d.release(size)
        target = cfg.work / "dump-test.nq"
        row: dict[str, Any] = {}
        for mode in ("memory", "disk"):
            runs = []
            for _ in range(cfg.repeat):
                r = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        code,
                        mode,
                        str(store_of(data)),
                        str(nquads_of(data)),
                        str(target),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                t, n, rss = r.stdout.split()
                runs.append((float(t), int(n), float(rss)))
            row["quads"] = runs[0][1]
            row[f"{mode}_s"] = median([r[0] for r in runs])
            row[f"{mode}_peak_rss_mb"] = max(r[2] for r in runs)
        row["megabytes"] = round(target.stat().st_size / 1e6, 1)
        target.unlink(missing_ok=True)
        out[scale.size_name(size) if size else "seed"] = row


def bench_http(cfg: Config, d: Data, out: dict[str, Any]) -> None:
    import pyoxigraph as ox

    data = d.release(cfg.http_size)
    nq = nquads_of(data)
    small_nq = nquads_of(d.release(cfg.rdflib_size))
    logs = cfg.work / "logs"
    store = ox.Store.read_only(str(store_of(data)))
    a = anchors(store)
    queries = mix(a)
    out["data"] = {"quads": len(store), "rdflib_quads": _count_lines(small_nq)}
    skipped: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        running: dict[str, servers.Running] = {}

        def up(key: str, make: Callable[[], Any]) -> None:
            if time.monotonic() > cfg.deadline:
                skipped[key] = "time budget (--max-minutes) spent"
                return
            log(f"http: starting {key}")
            try:
                running[key] = stack.enter_context(make())
            except Exception as e:  # a baseline that cannot run is reported, not fatal
                skipped[key] = f"{type(e).__name__}: {e}"[:300]
                log(f"http: {key} skipped: {skipped[key]}")

        up("kzmig", lambda: servers.kzmig(data, logs))
        up("flask-hello", lambda: servers.wsgi_app("hello", logs))
        up("flask-rdflib", lambda: servers.wsgi_app("rdflib", logs, data=small_nq))
        up("rdflib-endpoint", lambda: servers.rdflib_endpoint(small_nq, logs))
        ox_dir = cfg.work / "oxigraph-server"
        out["oxigraph_load_s"] = servers.oxigraph_load(nq, ox_dir)
        up("oxigraph", lambda: servers.oxigraph(ox_dir, logs))
        if reason := servers.virtuoso_missing():
            skipped["virtuoso"] = reason
        else:
            up("virtuoso", lambda: servers.virtuoso(nq, cfg.work / "virtuoso", logs))
        out["skipped"] = skipped
        out["startup_s"] = {k: r.startup_s for k, r in running.items()}
        out["notes"] = {k: r.notes for k, r in running.items() if r.notes}
        # warm each server with the whole mix once (and check every system answers it)
        errors: dict[str, str] = {}
        for key, r in running.items():
            if key == "flask-hello":
                continue
            for name, q in queries.items():
                try:
                    servers.get(servers.query_url(r.base, q), timeout=120)
                except Exception as e:
                    errors[f"{key}/{name}"] = str(e)[:200]
        out["query_errors"] = errors
        if "kzmig" in running:  # warmed up and idle: the largest process at rest
            time.sleep(1.0)
            out["kzmig_rest_rss_mb"] = running["kzmig"].rss_mb()[0]
        out["latency_ms"] = _latencies(cfg, running, queries, store)
        out["throughput"] = _throughput(cfg, running, queries)
        out["lookups"] = {}  # every request a new lookup (bench/lookups.py)
        lookups.bench_lookups(cfg, running, store, a.subject, out["lookups"], log)
        if "kzmig" in running:
            out["dump_over_http"] = _dump_over_http(running["kzmig"], nq)
        out["peak_rss_mb"] = {
            k: dict(zip(("largest_process", "all_processes"), r.peak_rss_mb(), strict=True))
            for k, r in running.items()
        }
    if "kzmig" not in skipped and time.monotonic() < cfg.deadline:
        times = []
        for _ in range(1 if cfg.quick else cfg.repeat):
            with servers.kzmig(data, logs) as r:
                times.append(r.startup_s)
        out["kzmig_startup_s"] = median(times)


def _dump_over_http(r: servers.Running, nq: Path) -> dict[str, Any]:
    """GET the N-Quads dump from the running server, streamed to nowhere: time, bytes, RSS."""
    import urllib.request

    url = r.base.rsplit("/sparql", 1)[0] + "/dumps/" + nq.name
    before = r.peak_rss_mb()
    t = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=300) as resp:
        for block in iter(lambda: resp.read(1 << 20), b""):
            size += len(block)
    seconds = time.perf_counter() - t
    after = r.peak_rss_mb()
    return {
        "seconds": seconds,
        "megabytes": round(size / 1e6, 1),
        "server_peak_rss_mb_before": before[1],
        "server_peak_rss_mb_after": after[1],
    }


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _latencies(
    cfg: Config, running: dict[str, servers.Running], queries: dict[str, str], store: Any
) -> dict[str, dict[str, float]]:
    """Sequential requests, each query made unique by a comment so no cache answers it."""
    rng = random.Random(8)
    systems = {k: r for k, r in running.items() if k != "flask-hello"}
    result: dict[str, dict[str, float]] = {}
    for name, q in queries.items():
        times: dict[str, list[float]] = {k: [] for k in [*systems, "pyoxigraph (in-process)"]}
        budget = time.monotonic() + (8 if cfg.quick else 20)
        for _ in range(cfg.query_reps):
            if time.monotonic() > budget and all(len(v) >= 3 for v in times.values()):
                break
            for key, r in systems.items():
                if len(times[key]) >= 3 and time.monotonic() > budget:
                    continue
                unique = f"# {rng.getrandbits(48)}\n{q}"
                t = time.perf_counter()
                with contextlib.suppress(Exception):
                    servers.get(servers.query_url(r.base, unique), timeout=120)
                    times[key].append(time.perf_counter() - t)
            t = time.perf_counter()
            list(store.query(q, use_default_graph_as_union=True))
            times["pyoxigraph (in-process)"].append(time.perf_counter() - t)
        result[name] = {k: round(median(v) * 1000, 2) for k, v in times.items() if v}
    return result


def _throughput(
    cfg: Config, running: dict[str, servers.Running], queries: dict[str, str]
) -> dict[str, Any]:
    """wrk -t2 -c8 on the point lookup repeated (every server, alternating rounds), and on a
    repeated GROUP BY (cacheable: the same text each time). Every request distinct: lookups.py."""
    runs_of: dict[str, list[dict[str, Any]]] = {k: [] for k in running}
    summary_errors: dict[str, str] = {}
    for i in range(cfg.rounds):
        log(f"http: wrk round {i + 1}/{cfg.rounds}, point lookup (repeated)")
        for key in runs_of:
            url = servers.query_url(running[key].base, queries["point"])
            try:
                runs_of[key].append(load(url, seconds=cfg.wrk_seconds).as_dict())
            except Exception as e:  # one server failing under load is a finding
                summary_errors[f"{key} point"] = f"{type(e).__name__}: {e}"[:300]
    summary: dict[str, Any] = {"point": {}}
    for key, runs in runs_of.items():
        if runs:
            mid = sorted(runs, key=lambda x: x["rps"])[len(runs) // 2]
            summary["point"][key] = mid | {"rps_runs": [round(x["rps"]) for x in runs]}
    summary["group_by_repeated"] = {}
    for key in ("kzmig", "oxigraph", "virtuoso"):
        if key in running:
            url = servers.query_url(running[key].base, queries["group_by"])
            try:
                summary["group_by_repeated"][key] = load(url, seconds=cfg.wrk_seconds).as_dict()
            except Exception as e:
                summary_errors[f"{key} group_by"] = f"{type(e).__name__}: {e}"[:300]
    summary["errors"] = summary_errors
    return summary


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load1 = os.getloadavg()[0]
    summary = f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"
    return {"when": when, "summary": summary, "loadavg_at_start": load1}


@contextlib.contextmanager
def section(name: str, res: dict[str, Any]) -> Iterator[dict[str, Any]]:
    out: dict[str, Any] = {}
    res[name] = out
    try:
        yield out
    except Exception as e:  # one failing section is reported; the others still run
        import traceback

        out["error"] = f"{type(e).__name__}: {e}"
        log(f"{name} failed:\n{traceback.format_exc()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="reduced run (seed-sized data)")
    ap.add_argument("--sizes", type=lambda s: [scale.parse_size(x) for x in s.split(",")])
    ap.add_argument("--reason-triples", type=scale.parse_size)
    ap.add_argument("--repeat", type=int)
    ap.add_argument("--seconds", type=float, help="wrk duration per run")
    ap.add_argument(
        "--only", help="comma-separated: build,builds,reason,validate,dumps,http,pages,editor"
    )
    ap.add_argument("--max-minutes", type=float, default=60.0, help="skip what is left after")
    ap.add_argument("--out", type=Path, help="JSON file (default bench/results/<date>.json)")
    args = ap.parse_args(argv)
    cfg = Config(args)
    started = time.perf_counter()
    res: dict[str, Any] = {"machine": machine(), "mode": "quick" if cfg.quick else "full"}
    log(f"preparing data in {cfg.work}")
    d = Data(cfg)
    res["seed"] = "the repository's sources and claim sheets"
    res["profile"] = vars(d.profile)
    for name, fn in (
        ("build", bench_build),
        ("builds", _bench_builds),
        ("reason", bench_reason),
        ("validate", bench_validate),
        ("dumps", bench_dumps),
        ("http", bench_http),
        ("editor", lambda cfg, d, out: editor.bench_editor(REPO, max(5, cfg.repeat), out)),
        ("pages", pages.bench_pages),  # uncached resource, source and search pages (#18)
    ):
        if cfg.wants(name):
            if time.monotonic() > cfg.deadline:
                res[name] = {"skipped": "time budget (--max-minutes) spent"}
                continue
            with section(name, res) as out:
                fn(cfg, d, out)
    res["elapsed_s"] = time.perf_counter() - started
    res["targets"] = report.targets(res)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = (
        args.out or RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{res['mode']}.json"
    )
    text = json.dumps(res, indent=2, default=str)
    path.write_text(text)
    if cfg.only is None and args.sizes is None:  # a partial run never replaces a whole one
        (RESULTS / f"latest-{res['mode']}.json").write_text(text)
        if not cfg.quick:  # the published figures are a whole run's own
            report.write_docs(res, REPO / "docs" / "performance.md")
    print(report.table(res))
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    print(f"\n(elapsed {res['elapsed_s']:.0f} s; JSON: {shown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

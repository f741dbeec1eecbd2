"""The editor's loop (#18), as an editor runs it (a fresh process each time, start-up
included): `kzmig check` and `kzmig fmt --check` on the repository, a build of the seed,
and an edit of one claim until the running server serves it.

The edit runs on a temporary copy of the repository's inputs (never the real sources),
with `kzmig serve` started in it as `make run` starts it (`kzmig build --if-changed`, then
`kzmig serve --host --port`; the data directory is the copy's ./var, given as --data-dir
so that a KZMIG_DATA_DIR in the environment cannot point both elsewhere). Each round changes the
English label a claim gives a flow, runs `kzmig build`, and polls /sparql for the new
label (each poll a distinct query: another LIMIT, so no cache can answer) until it is
served. Its pieces: the build's own stage timings, its process wall time, and the pickup
(from the build's exit to the first answer with the new label).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import servers

COMMANDS = {"check": ["check"], "fmt --check": ["fmt", "--check"]}
TARGETS_S = {
    "check": 1.5,
    "fmt --check": 1.0,
    "seed build": 5.0,
    "edit to served": 3.0,
}
SHEET = Path("sources/migration-in-kazakhstan/claims.yaml")
FLOW = "https://w3id.org/kzmig/resource/flow/migration-in-kazakhstan"
LABEL = '"Migration in Kazakhstan"@en'


def _once(root: Path, args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", *args, "--root", str(root)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: findings, still a full run; anything else: a crash
        raise RuntimeError(f"kzmig {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed


def _build(cwd: Path, *extra: str) -> tuple[float, dict[str, float]]:
    """`kzmig build --json` in a fresh process: its wall time and stage timings."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", "build", "--json", *extra],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kzmig build failed: {done.stderr.decode()[-2000:]}")
    return elapsed, json.loads(done.stdout)["timings"]


def copy_inputs(root: Path, target: Path) -> Path:
    """The inputs of a build (ontology/, shapes/, sources/, rules/), copied to edit."""
    for folder in ("ontology", "shapes", "sources", "rules"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, target / folder)
    return target


def _served_labels(base: str, poll: int) -> set[str]:
    query = f"SELECT ?l WHERE {{ <{FLOW}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    body = servers.get(servers.query_url(base, f"{query} LIMIT {1000 + poll}"), timeout=10)
    return {b["l"]["value"] for b in json.loads(body)["results"]["bindings"]}


def bench_edit_to_served(root: Path, repeat: int, out: dict[str, Any]) -> None:
    """Edit one claim, `kzmig build`, and wait for the running server to serve the change."""
    with tempfile.TemporaryDirectory(prefix="kzmig-edit-") as tmp:
        copy = copy_inputs(root, Path(tmp))
        var = ("--data-dir", str(copy / "var"))
        _build(copy, "--if-changed", *var)
        port = servers.free_port()
        cmd = [sys.executable, "-m", "kzmig.graph.cli", "serve"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), *var]
        with servers.start(
            "kzmig", cmd, f"http://127.0.0.1:{port}/sparql", copy / "serve.log", cwd=copy
        ) as server:
            sheet = copy / SHEET
            text = sheet.read_text(encoding="utf-8")
            if text.count(LABEL) != 1:
                raise RuntimeError(f"{SHEET} no longer gives {LABEL} once: update bench/editor.py")
            rounds = []
            polls = 0
            for i in range(repeat):
                label = f"Migration in Kazakhstan, edit {i + 1}"
                sheet.write_text(text.replace(LABEL, f'"{label}"@en'), encoding="utf-8")
                started = time.perf_counter()
                build_s, timings = _build(copy, *var)
                built = time.perf_counter()
                while True:
                    polls += 1
                    if label in _served_labels(server.base, polls):
                        break
                    if time.perf_counter() - built > 60:
                        raise TimeoutError(f"the server did not serve {label!r} within 60 s")
                    time.sleep(0.005)
                done = time.perf_counter()
                rounds.append(
                    {
                        "total_s": done - started,
                        "build_s": build_s,
                        "pickup_s": done - built,
                        "stages": timings,
                    }
                )
    out["edit to served"] = {
        "median_s": statistics.median(r["total_s"] for r in rounds),
        "build_median_s": statistics.median(r["build_s"] for r in rounds),
        "pickup_median_s": statistics.median(r["pickup_s"] for r in rounds),
        "stages_median_s": {
            k: round(statistics.median(r["stages"][k] for r in rounds), 4)
            for k in rounds[0]["stages"]
        },
        "runs_s": [r["total_s"] for r in rounds],
    }


def bench_seed_build(root: Path, repeat: int, out: dict[str, Any]) -> None:
    """`kzmig build` of the repository's seed, end to end, into a new data directory."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="kzmig-seed-") as data:
            runs.append(_build(root, "--root", str(root), "--data-dir", data, "--keep", "1"))
    out["seed build"] = {
        "median_s": statistics.median(w for w, _ in runs),
        "stages_median_s": {
            k: round(statistics.median(t[k] for _, t in runs), 4) for k in runs[0][1]
        },
        "runs_s": [w for w, _ in runs],
    }


def bench_editor(root: Path, repeat: int, out: dict[str, Any]) -> None:
    """Median wall time of each command over ``repeat`` runs, the two alternating; then the
    seed build and the edit to a served release."""
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, args in COMMANDS.items():
            runs[name].append(_once(root, args))
    for name, times in runs.items():
        out[name] = {"median_s": statistics.median(times), "runs_s": times}
    bench_seed_build(root, repeat, out)
    bench_edit_to_served(root, repeat, out)


def targets(res: dict[str, Any]) -> list[tuple[str, float, bool]]:
    """(target, measured median in seconds, met) for each of the loop's four targets."""
    e = res.get("editor", {})
    names = {
        "check": "kzmig check on the seed",
        "fmt --check": "kzmig fmt --check on the seed",
        "seed build": "seed build (kzmig build, end to end)",
        "edit to served": "edit of one claim to a served release",
    }
    return [
        (f"{names[name]} <= {limit:g} s", e[name]["median_s"], e[name]["median_s"] <= limit)
        for name, limit in TARGETS_S.items()
        if name in e
    ]


if __name__ == "__main__":  # python -m bench.editor [repeat]: this section alone, as JSON
    result: dict[str, Any] = {}
    bench_editor(Path(__file__).resolve().parents[1], int((sys.argv[1:] or ["3"])[0]), result)
    print(json.dumps({"editor": result, "targets": targets({"editor": result})}, indent=1))

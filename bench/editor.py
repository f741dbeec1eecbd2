"""The editor's loop (#18): `kzmig check` and `kzmig fmt --check` on the repository, as an
editor runs them (a fresh process each time, start-up included)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

COMMANDS = {"check": ["check"], "fmt --check": ["fmt", "--check"]}
TARGETS_S = {"check": 1.5, "fmt --check": 1.0}


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


def bench_editor(root: Path, repeat: int, out: dict[str, Any]) -> None:
    """Median wall time of each command over ``repeat`` runs, the two alternating."""
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, args in COMMANDS.items():
            runs[name].append(_once(root, args))
    for name, times in runs.items():
        out[name] = {"median_s": statistics.median(times), "runs_s": times}


def targets(res: dict[str, Any]) -> list[tuple[str, float, bool]]:
    """(target, measured median in seconds, met) for each command measured."""
    e = res.get("editor", {})
    return [
        (
            f"kzmig {name} on the seed <= {limit:g} s",
            e[name]["median_s"],
            e[name]["median_s"] <= limit,
        )
        for name, limit in TARGETS_S.items()
        if name in e
    ]

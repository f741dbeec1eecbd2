"""Builds with the design's engines (issue 18): cold, unchanged, and after one edited text.

    python -m bench.run --only builds --sizes 1M      # what `make bench` runs for this part

On a copy of the grown project (bench/scale.py), into one data directory, in child
processes (`kzmig build --json`), three builds in a row:

- ``cold``: an empty data directory (no release, no cache): the whole build;
- ``unchanged``: the same inputs again (`kzmig build` without --if-changed: a new release,
  reusing every text's validation report, the reasoning and the rules from the cache);
- ``one_changed``: after one text's source.yaml changed (its title): that text is
  validated again, the reasoning and rules recomputed, the rest reused.

Each records wall time, per-stage wall and CPU seconds (the build's report: the process
and its forked workers), what was reused and computed, CPU/wall of the whole process tree
and its peak RSS (the largest of the build and its workers, from wait4).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import scale

STAGES_IN_PARALLEL = ("validate", "claims")


def run_build(root: Path, data: Path) -> dict[str, Any]:
    """`kzmig build --json` in a child process (keeping ``data``): report, wall, CPU, RSS."""
    cmd = [sys.executable, "-m", "kzmig.graph.cli", "build", "--root", str(root)]
    cmd += ["--data-dir", str(data), "--json", "--keep", "1"]
    errors = data.parent / f"{data.name}.stderr"
    data.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with errors.open("wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"build of {root} failed:\n{errors.read_text()[-2000:]}")
    report = json.loads(out)
    cpu = usage.ru_utime + usage.ru_stime
    counts = report["counts"]
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_per_wall": round(cpu / wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "stages": report["timings"],
        "stage_cpu": report.get("cpu", {}),
        "reused": counts.get("reused", []),
        "computed": counts.get("computed", []),
        "quads": counts["quads"],
    }


def _edit_one(project: Path) -> str:
    """Change one text's title (a new input for that text only); return its id."""
    first = sorted(p for p in (project / "sources").iterdir() if p.is_dir())[0]
    meta = first / "source.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    return first.name


def bench_builds(work: Path, project: Path, size: str, out: dict[str, Any], log=print) -> None:
    """The three builds of ``project`` (copied first: it is edited), recorded under ``size``."""
    copy, data = work / "builds-project", work / "builds-data"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(project, copy)
    row: dict[str, Any] = {}
    log(f"builds: {size} cold (empty data directory)")
    row["cold"] = run_build(copy, data)
    log(f"builds: {size} again, nothing changed")
    row["unchanged"] = run_build(copy, data)
    edited = _edit_one(copy)
    log(f"builds: {size} after one text changed ({edited})")
    row["one_changed"] = run_build(copy, data)
    row["one_changed"]["edited"] = edited
    for r in row.values():
        r["parallel"] = {
            s: round(r["stage_cpu"][s] / r["stages"][s], 2)
            for s in STAGES_IN_PARALLEL
            if r["stage_cpu"].get(s) and r["stages"].get(s, 0) > 0.05
        }
    out[size] = row
    shutil.rmtree(copy, ignore_errors=True)


def targets(res: dict[str, Any]) -> list[tuple[str, float | None, str | bool, str]]:
    """This part's rows of issue 18's targets table (see bench/report.py)."""
    rows: list[tuple[str, float | None, str | bool, str]] = []
    for size, row in res.get("builds", {}).items():
        if not isinstance(row, dict) or "cold" not in row:
            continue
        cold, same, one = row["cold"], row["unchanged"], row["one_changed"]
        if size == "1M":
            s = cold["wall_s"]
            rows.append(("build at 1M quads <= 150 s (empty cache)", s, s <= 150, "{:.1f} s"))
            v = cold["parallel"].get("validate")
            if v is not None:
                rows.append(
                    ("build at 1M uses both cores: validate CPU/wall > 1.3", v, v > 1.3, "{:.2f}")
                )
        rows.append(
            (f"build at {size}, nothing changed (cache)", same["wall_s"], "report", "{:.1f} s")
        )
        rows.append((f"build at {size}, one text changed", one["wall_s"], "report", "{:.1f} s"))
        rows.append(
            (f"build at {size}: CPU/wall, process tree", cold["cpu_per_wall"], "report", "{:.2f}")
        )
        rows.append((f"build at {size}: peak RSS", cold["peak_rss_mb"], "report", "{:.0f} MB"))
    return rows


def table(res: dict[str, Any]) -> str:
    """Markdown: per stage, wall (CPU) seconds of each of the three builds."""
    out = []
    for size, row in res.get("builds", {}).items():
        if not isinstance(row, dict) or "cold" not in row:
            continue
        runs = ("cold", "unchanged", "one_changed")
        out.append(f"\n### Builds at {size}: wall s (CPU s) per stage\n")
        out.append("| stage | " + " | ".join(runs) + " |")
        out.append("|---|" + "---|" * len(runs))
        for stage in row["cold"]["stages"]:
            cells = [
                f"{row[r]['stages'].get(stage, 0):.2f} ({row[r]['stage_cpu'].get(stage, 0):.2f})"
                for r in runs
            ]
            out.append(f"| {stage} | " + " | ".join(cells) + " |")
        out.append(
            "| wall (process) | " + " | ".join(f"{row[r]['wall_s']:.1f}" for r in runs) + " |"
        )
        out.append(
            "| CPU/wall | " + " | ".join(f"{row[r]['cpu_per_wall']:.2f}" for r in runs) + " |"
        )
        out.append("| peak RSS MB | " + " | ".join(f"{row[r]['peak_rss_mb']}" for r in runs) + " |")
        out.append("| reused | " + " | ".join(str(len(row[r]["reused"])) for r in runs) + " |")
    return "\n".join(out)


def size_of(quads: int) -> str:
    return scale.size_name(quads) if quads else "seed"

"""The red-team tests' server is the benchmarked one: bench/servers.py's `kzmig serve`
arguments, with only limits lowered so that the tests are quick (issue #18: the security
tests run against the configuration the benchmark measures)."""

from __future__ import annotations

from pathlib import Path

from bench.servers import kzmig_serve_args

# the only flags a red-team server may add to the benchmarked ones: lower deadlines and caps
LOWERED = ("--timeout", "--max-query-memory")


def serve_args(data_dir: Path, **lowered: float) -> list[str]:
    """The benchmarked server's arguments for ``data_dir``, plus lowered limits
    (``timeout=2`` gives ``--timeout 2``)."""
    args = kzmig_serve_args(data_dir)
    for name, value in lowered.items():
        flag = "--" + name.replace("_", "-")
        if flag not in LOWERED:
            raise ValueError(f"{flag} is not a limit a red-team server may lower")
        args += [flag, f"{value:g}"]
    return args


def without_lowered(cmdline: list[str]) -> list[str]:
    """A server's command line without its lowered limits: a red-team server's must then
    be the benchmarked server's (bench.servers.kzmig_command)."""
    out, i = [], 0
    while i < len(cmdline):
        if cmdline[i] in LOWERED:
            i += 2
            continue
        out.append(cmdline[i])
        i += 1
    return out

"""HTTP load on loopback, bounded in time: wrk when installed, else a Python stand-in.

wrk -t2 -c8 -d<seconds> --latency: requests/s, p50 and p99 latency, errors.
``wrk_script`` runs a wrk Lua script that makes each request's path (bench/lookups.py:
every request distinct, so that no cache can answer it); the stand-in then asks for
``fallback(k)``, request k. The stand-in (8 threads of keep-alive http.client) is much
slower than wrk and says so in its result: its numbers are a floor, not comparable.
"""

from __future__ import annotations

import http.client
import itertools
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers and socket errors
    tool: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"wrk latency {text!r}")
    return float(m.group(1)) * _UNIT[m.group(2)]


def wrk(url: str, *, seconds: float, connections: int = 8, threads: int = 2) -> Load:
    return _parse_wrk(_run_wrk([], url, seconds, connections, threads))


def wrk_script(
    url: str,
    script: Path,
    *,
    seconds: float,
    fallback: Callable[[int], str],
    connections: int = 8,
    threads: int = 2,
) -> Load:
    """wrk with the Lua ``script`` making each request; without wrk, the stand-in asks for
    ``fallback(0)``, ``fallback(1)``... (the same paths)."""
    if not shutil.which("wrk"):
        return python_load(url, seconds=seconds, connections=connections, path_of=fallback)
    return _parse_wrk(_run_wrk(["-s", str(script)], url, seconds, connections, threads))


def _run_wrk(script: list[str], url: str, seconds: float, connections: int, threads: int) -> str:
    return subprocess.run(
        [
            "wrk",
            *script,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            "Accept: application/sparql-results+json",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout


def _parse_wrk(out: str) -> Load:
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise RuntimeError(f"wrk printed no latency distribution:\n{out[-600:]}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(x) for x in m.groups())
    return Load(rps, _ms(latency["50"]), _ms(latency["99"]), total, errors, "wrk")


def python_load(
    url: str, *, seconds: float, connections: int = 8, path_of: Callable[[int], str] | None = None
) -> Load:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = itertools.count()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            asked = path if path_of is None else path_of(next(counter))
            try:
                conn.request("GET", asked, headers={"Accept": "application/sparql-results+json"})
                r = conn.getresponse()
                r.read()
                if r.status >= 300:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(n - 1, int(p * n))] * 1000 if n else 0.0

    return Load(n / elapsed, pct(0.5), pct(0.99), n, errors[0], "python (wrk missing)")


def load(url: str, *, seconds: float, connections: int = 8) -> Load:
    """The same request again and again."""
    if shutil.which("wrk"):
        return wrk(url, seconds=seconds, connections=connections)
    return python_load(url, seconds=seconds, connections=connections)

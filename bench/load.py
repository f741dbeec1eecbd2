"""HTTP load on loopback, bounded in time: wrk when installed, else a Python stand-in.

wrk -t2 -c8 -d<seconds> --latency: requests/s, p50 and p99 latency, errors.
``distinct=True`` ends every request's query with a comment of its own (a wrk Lua
script), so that no cache can answer it: the uncached path, request after request.
The stand-in (8 threads of keep-alive http.client) is much slower than wrk and
says so in its result: its numbers are a floor, not comparable to wrk's.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
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


# Each request: the URL (whose last parameter is the query) + "\n#<thread>-<n>", encoded.
_DISTINCT_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "%0A%23" .. id .. "-" .. n)
end
"""


def wrk(
    url: str, *, seconds: float, connections: int = 8, threads: int = 2, distinct: bool = False
) -> Load:
    with tempfile.TemporaryDirectory(prefix="kzmig-wrk-") as tmp:
        script: list[str] = []
        if distinct:
            lua = Path(tmp) / "distinct.lua"
            lua.write_text(_DISTINCT_LUA, encoding="utf-8")
            script = ["-s", str(lua)]
        out = _run_wrk(script, url, seconds, connections, threads)
    return _parse_wrk(out)


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


def python_load(url: str, *, seconds: float, connections: int = 8, distinct: bool = False) -> Load:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        me = threading.get_ident()
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            asked = f"{path}%0A%23{me}-{len(mine)}" if distinct else path
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


def load(url: str, *, seconds: float, connections: int = 8, distinct: bool = False) -> Load:
    if shutil.which("wrk"):
        return wrk(url, seconds=seconds, connections=connections, distinct=distinct)
    return python_load(url, seconds=seconds, connections=connections, distinct=distinct)

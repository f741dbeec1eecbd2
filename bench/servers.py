"""The HTTP servers the benchmark compares, each started on a free loopback port.

Every server is a process group we start and stop ourselves (never by name).
``start`` returns once the server answers a real SPARQL query, and records how
long that took (start-up to first answer). Peak RSS is read from /proc
(VmHWM of each process of the group).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PY = sys.executable
BIN = Path(PY).parent
ASK = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wsgi_server() -> tuple[str, int, int]:
    """The WSGI server `kzmig serve` uses, its default worker count and threads per worker."""
    from kzmig.server import wsgi

    params = inspect.signature(wsgi.run).parameters
    server = params["server"].default if "server" in params else "gunicorn"
    workers = 2
    threads = 1
    if hasattr(wsgi, "threads_per_worker"):
        threads = int(wsgi.threads_per_worker({}, workers))
    return str(server), workers, threads


@dataclass
class Running:
    name: str
    base: str  # the SPARQL endpoint URL
    proc: subprocess.Popen[bytes]
    startup_s: float
    log: Path
    notes: list[str] = field(default_factory=list)

    def pids(self) -> list[int]:
        try:
            import psutil

            p = psutil.Process(self.proc.pid)
            return [p.pid, *(c.pid for c in p.children(recursive=True))]
        except Exception:
            return [self.proc.pid]

    def peak_rss_mb(self) -> tuple[float, float]:
        """(largest process, whole group) peak RSS in MB, from VmHWM."""
        return self._rss_mb("VmHWM:")

    def rss_mb(self) -> tuple[float, float]:
        """(largest process, whole group) RSS now, in MB, from VmRSS: at rest when idle."""
        return self._rss_mb("VmRSS:")

    def _rss_mb(self, field: str) -> tuple[float, float]:
        sizes = []
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field):
                        sizes.append(int(line.split()[1]) / 1024)
        return (max(sizes, default=0.0), sum(sizes))


def query_url(base: str, query: str) -> str:
    return base + "?" + urllib.parse.urlencode({"query": query})


def get(url: str, accept: str = "application/sparql-results+json", timeout: float = 60) -> bytes:
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def _answering(base: str) -> bool:
    try:
        get(query_url(base, ASK), timeout=5)
        return True
    except Exception:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def start(
    name: str,
    cmd: list[str],
    base: str,
    log: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> Iterator[Running]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answering(base):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} not answering after {timeout}s; see {log}")
            time.sleep(0.05)
        yield Running(name, base, proc, time.perf_counter() - t0, log)
    finally:
        stop(proc)


# -- the servers -----------------------------------------------------------------------------


def kzmig_serve_args(data_dir: Path) -> list[str]:
    """`kzmig serve`'s arguments for the benchmarked server, host and port aside: a release,
    every other setting at its default. The red-team tests start their servers from this
    too (tests/support/benchmarked.py), so that they test what is measured."""
    return ["--data-dir", str(data_dir)]


def kzmig_command(data_dir: Path, port: int) -> list[str]:
    serve = [PY, "-m", "kzmig.graph.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return [*serve, *kzmig_serve_args(data_dir)]


def kzmig(data_dir: Path, logs: Path) -> contextlib.AbstractContextManager[Running]:
    port = free_port()
    cmd = kzmig_command(data_dir, port)
    return start("kzmig", cmd, f"http://127.0.0.1:{port}/sparql", logs / "kzmig.log")


def wsgi_app(
    app: str, logs: Path, *, data: Path | None = None
) -> contextlib.AbstractContextManager[Running]:
    """A bench.apps factory under the same WSGI server, workers and threads as kzmig."""
    server, workers, threads = wsgi_server()
    if app == "rdflib":
        threads = 1  # rdflib's SPARQL engine is not thread-safe; one request at a time
    port = free_port()
    env = {"BENCH_DATA": str(data)} if data else {}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    if server == "granian":
        cmd = [str(BIN / "granian"), "--interface", "wsgi", "--factory", "--host", "127.0.0.1"]
        cmd += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
        # granian's default backpressure, as `kzmig serve` (server/wsgi.py says why)
        cmd += ["--blocking-threads", str(threads)]
        cmd += [f"bench.apps:{app}"]
    else:
        cmd = [str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        cmd += ["--threads", str(threads), f"bench.apps:{app}()"]
    base = f"http://127.0.0.1:{port}/sparql"
    name = f"flask-{app} ({server})"
    return start(name, cmd, base, logs / f"flask-{app}.log", env=env)


def rdflib_endpoint(data: Path, logs: Path) -> contextlib.AbstractContextManager[Running]:
    port = free_port()
    cmd = [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1"]
    cmd += ["--port", str(port)]
    return start(
        "rdflib-endpoint (uvicorn)", cmd, f"http://127.0.0.1:{port}/", logs / "rdflib-endpoint.log"
    )


def oxigraph_load(nquads: Path, location: Path) -> float:
    """Load the N-Quads into an Oxigraph server store; return seconds."""
    shutil.rmtree(location, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def oxigraph(location: Path, logs: Path) -> contextlib.AbstractContextManager[Running]:
    port = free_port()
    cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location)]
    cmd += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return start("oxigraph server (Rust)", cmd, f"http://127.0.0.1:{port}/query", logs / "ox.log")


# -- Virtuoso ---------------------------------------------------------------------------------


def virtuoso_missing() -> str | None:
    if not shutil.which("virtuoso-t") or not shutil.which("isql-vt"):
        return "Virtuoso 7 is not installed (apt-get install virtuoso-opensource)"
    try:
        from kzmig.graph.remote.virtuoso import local_config  # noqa: F401
    except ImportError:
        return "kzmig.graph.remote.virtuoso.local_config is missing"
    return None


@contextlib.contextmanager
def virtuoso(nquads: Path, folder: Path, logs: Path) -> Iterator[Running]:
    """A throw-away Virtuoso 7 with the N-Quads bulk-loaded (buffers sized for 2 GB)."""
    from kzmig.graph.remote.virtuoso import local_config

    shutil.rmtree(folder, ignore_errors=True)
    http_port, sql_port = free_port(), free_port()
    ini = local_config(folder, http_port=http_port, sql_port=sql_port)
    text = ini.read_text().replace("NumberOfBuffers = 10000", "NumberOfBuffers = 170000")
    ini.write_text(text.replace("MaxDirtyBuffers = 6000", "MaxDirtyBuffers = 130000"))
    try:
        os.link(nquads, folder / "data.nq")
    except OSError:
        shutil.copy(nquads, folder / "data.nq")
    base = f"http://127.0.0.1:{http_port}/sparql"
    with start(
        "virtuoso 7", ["virtuoso-t", "-f", "-c", str(ini)], base, logs / "virt.log", cwd=folder
    ) as running:
        t = time.perf_counter()
        sql = (
            "ld_dir('.', 'data.nq', 'urn:kzmig:bench'); rdf_loader_run(); checkpoint; "
            "select count(*) from DB.DBA.load_list where ll_error is not null;"
        )
        out = subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
        running.notes.append(f"bulk load {time.perf_counter() - t:.1f} s")
        if "Error" in out.stdout or "Error" in out.stderr:
            raise RuntimeError(f"Virtuoso load failed: {out.stdout[-500:]} {out.stderr[-500:]}")
        yield running

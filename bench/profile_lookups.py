"""Distinct point lookups driven in-process through the whole WSGI stack, for profiling.

The stack is the one `kzmig serve` hands granian (bodies guard, access log, replay cache,
host pinning, fast lane, Flask: server/wsgi.py's app_from_env), the requests are
bench/lookups.py's; the logs go to /dev/null. Blocks of requests alternate between the
fast lane and the Flask path (the lane told to decline everything), and the CPU time of
each is printed: an A/B in one process, steadier than HTTP on a shared machine.

    python -m bench.profile_lookups DATA_DIR [distinct_subject|distinct_limit]
    py-spy record --function -f raw -o out.raw -- python -m bench.profile_lookups DATA_DIR
        # KZMIG_PROFILE_ONLY=fast (or flask) profiles one path
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from . import lookups


def stack(data: Path) -> tuple[Any, Any, list[str]]:
    """(the WSGI app as granian calls it, the fast lane, the subjects) for a data dir."""
    from kzmig.server import access_log, bodies, runtime, wsgi
    from kzmig.server.app import create_app

    wsgi._logging()
    quiet = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 (lives as long as we do)
    for name in ("kzmig.query", "kzmig.access"):
        logging.getLogger(name).handlers = [quiet]
    app = create_app({"DATA_DIR": str(data), "PUBLIC_URL": "http://127.0.0.1:8000"})
    access_log.install(app)
    limits = runtime.get(app).limits
    top = bodies.guard(app, max(limits.max_upload_bytes, limits.max_query_bytes))
    subjects = lookups.subjects(app.extensions["kzmig.store"].oxigraph())
    return top, app.extensions["kzmig.fastlane"], subjects


def environ(path: str) -> dict[str, Any]:
    route, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/sparql-results+json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "REMOTE_ADDR": "127.0.0.1",
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    data = Path(args[0])
    kind = args[1] if len(args) > 1 else "distinct_subject"
    top, lane, subjects = stack(data)
    work = lookups.workloads("http://127.0.0.1:8000/sparql", subjects, subjects[0])[kind]
    statuses: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    def request(k: int) -> None:
        body = top(environ(work.path(k)), start)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    real = lane._answer
    modes = {"fast": real, "flask": lambda environ, started: None}
    only = os.environ.get("KZMIG_PROFILE_ONLY")
    if only:
        modes = {only: modes[only]}
    for k in range(50):  # warm
        request(10**7 + k)
    cpu: dict[str, list[float]] = {m: [] for m in modes}
    k = 0
    for _ in range(8):
        for mode, answer in modes.items():
            lane._answer = answer
            began = time.thread_time()
            for _ in range(300):
                request(k)
                k += 1
            cpu[mode].append((time.thread_time() - began) / 300 * 1e6)
    assert all(s.startswith("200") for s in statuses), set(statuses)
    for mode, times in cpu.items():
        print(f"{kind} {mode}: median {statistics.median(times):.0f} us of CPU a request")
    sys.stdout.flush()
    os._exit(0)  # the query workers need no orderly goodbye


if __name__ == "__main__":
    main()

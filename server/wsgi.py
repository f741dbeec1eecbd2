"""Running the app under a production WSGI server: granian (default) or gunicorn.

gunicorn is optional (``pip install 'kzmig[gunicorn]'``): the fallback for a platform
granian has no wheel for.

granian (a Rust HTTP server) is the default: on loopback it serves the endpoint's
point lookups about twice as fast as gunicorn's sync workers (docs/endpoint.md).
Neither server is asked to kill slow requests: queries run in the executor's worker
processes, which the endpoint kills itself at the deadline, so the HTTP workers stay
responsive whatever the queries do.

The app's configuration reaches the HTTP worker processes as JSON in
$KZMIG_SERVE_CONFIG (granian starts its workers fresh, not by fork).
$KZMIG_HTTP_THREADS overrides the HTTP threads per worker (for benchmarks).

Stopping (server/lifecycle.py): the main process and each HTTP worker route SIGINT and
SIGTERM to a thread that acts on them, HTTP workers die with the main process, and a
worker that has not stopped ``KILL_AFTER`` seconds after being asked is killed. The
port is claimed before granian binds it (server/ports.py), so a second server on the
same port exits instead of sharing it.

granian's ``backpressure`` is left at its default (backlog / workers): it counts
connections, not requests, so set to the thread count it let keep-alive clients
hold every slot while clients past them got no answer at all
(tests/test_limits.py::test_more_keep_alive_clients_than_http_threads_are_all_served).
Requests past the threads wait for one, in turn.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

SERVERS = ("granian", "gunicorn")
CONFIG_ENV = "KZMIG_SERVE_CONFIG"
KILL_AFTER = 3  # seconds an HTTP worker has to stop once asked, before SIGKILL
HEADER_DEADLINE = 10.0  # seconds a client has to send a request's headers


def _logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("kzmig.query", "kzmig.access"):  # formats: docs/cli.md, "Access log"
        log = logging.getLogger(name)
        if not log.handlers:
            log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def app_from_env() -> Any:
    """The WSGI app, built from $KZMIG_SERVE_CONFIG (the factory granian calls)."""
    from . import bodies, lifecycle, runtime
    from .app import create_app

    lifecycle.die_with_parent()
    # before granian starts this worker's threads; SIGTERM from the main process stops it
    lifecycle.route_stop_signals(ignore=frozenset({signal.SIGINT}))
    _logging()
    from .access_log import install

    app = create_app(json.loads(os.environ[CONFIG_ENV]))
    install(app)  # one access-log line per request (server/access_log.py)
    limits = runtime.get(app).limits  # start the query workers now, not on the first request
    # no view waits on a slow client: bodies are read first, under a deadline
    served = bodies.guard(app, max(limits.max_upload_bytes, limits.max_query_bytes))
    # the app as built lives as long as the worker: out of the garbage collector's full
    # passes, which walked it all, a pause of every request in the worker (50 ms measured
    # on a 111k-quad release; 0.0 ms once frozen). Distinct lookups' p99 in one A/B on a
    # busy machine: 77 -> 47 ms (subjects), 114 -> 95 ms (LIMITs)
    gc.freeze()
    return served


SLOW_BODY_THREADS = 64  # threads per HTTP worker that clients slow to send a body may hold


def threads_per_worker(config: Mapping[str, Any], workers: int) -> int:
    """HTTP threads per worker: one per query worker, plus some for requests that wait for
    one, cache hits, pages, dumps and /health (a thread waiting on a pipe costs little),
    plus room for clients slow to send their bodies, each of which holds a thread for up
    to the body deadline (server/bodies.py). granian starts threads as they are needed."""
    from .limits import Limits

    return Limits.from_config({**config, "WORKERS": workers}).pool_size + 8 + SLOW_BODY_THREADS


def run(
    config: Mapping[str, Any], *, host: str, port: int, workers: int, server: str = "granian"
) -> None:
    """Serve until stopped; PortInUse (before anything starts) when the port is taken."""
    from . import lifecycle, ports, sandbox
    from .app import create_app

    if server == "granian":  # before any thread starts (loading --data starts some)
        lifecycle.route_stop_signals()
    held = ports.claim(host, port)
    port = int(held.getsockname()[1])

    config = sandbox.startup({**config, "WORKERS": workers}, host)
    config.setdefault("PUBLIC_URL", f"http://{host}:{port}")  # the command checks and sets it
    # fail fast, in the foreground, when there is nothing to serve; --data files are
    # loaded here once, into the on-disk store every worker then opens
    app = create_app(config)
    config = {k: app.config[k] for k in config} | {"DATA_STORE": app.config.get("DATA_STORE")}
    os.environ[CONFIG_ENV] = json.dumps(config)
    threads = int(os.environ.get("KZMIG_HTTP_THREADS") or threads_per_worker(config, workers))
    from .startup import announce_when_up, granian_logging

    # the banner, once /health answers (server/startup.py)
    announce_when_up(host, port, search=any(r.rule == "/search" for r in app.url_map.iter_rules()))
    if server == "gunicorn":
        held.close()  # gunicorn binds without SO_REUSEPORT: its own bind is exclusive
        _gunicorn(config, host=host, port=port, workers=workers, threads=threads)
        return
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    Granian(
        "kzmig.server.wsgi:app_from_env",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        factory=True,
        respawn_failed_workers=True,
        workers_kill_timeout=KILL_AFTER,
        # headers: granian's own deadline (it closes the connection); bodies: bodies.py
        http1_settings=HTTP1Settings(header_read_timeout=int(HEADER_DEADLINE * 1000)),
        log_access=False,
        websockets=False,  # a WSGI app has none; granian said so on every start
        log_level=LogLevels.warning,  # its INFO start-up lines give way to the banner
        log_dictconfig=granian_logging(),
    ).serve()
    held.close()


def _gunicorn(
    config: Mapping[str, Any], *, host: str, port: int, workers: int, threads: int
) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        sys.exit(
            "kzmig serve --server gunicorn: gunicorn is not installed; install it with "
            "pip install 'kzmig[gunicorn]', or use the default, --server granian"
        )

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 120,
                "errorlog": "-",
                "loglevel": "warning",
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_from_env()

    _Gunicorn().run()

"""Running the app under a production WSGI server: granian (default) or gunicorn.

granian (a Rust HTTP server) is the default: on loopback it serves the endpoint's
point lookups about twice as fast as gunicorn's sync workers (README, "SPARQL
endpoint"). Neither server is asked to kill slow requests: queries run in the
executor's worker processes, which the endpoint kills itself at the deadline,
so the HTTP workers stay responsive whatever the queries do.

The app's configuration reaches the HTTP worker processes as JSON in
$KZMIG_SERVE_CONFIG (granian starts its workers fresh, not by fork).
$KZMIG_HTTP_THREADS overrides the HTTP threads per worker (for benchmarks).

granian's ``backpressure`` is left at its default (backlog / workers): it counts
connections, not requests, so set to the thread count it let keep-alive clients
hold every slot while clients past them got no answer at all
(tests/test_limits.py::test_more_keep_alive_clients_than_http_threads_are_all_served).
Requests past the threads wait for one, in turn.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

SERVERS = ("granian", "gunicorn")
CONFIG_ENV = "KZMIG_SERVE_CONFIG"


def _logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("kzmig.query", "kzmig.access"):  # formats: docs/logging.md
        log = logging.getLogger(name)
        if not log.handlers:
            log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def app_from_env() -> Any:
    """The WSGI app, built from $KZMIG_SERVE_CONFIG (the factory granian calls)."""
    from . import runtime
    from .app import create_app

    _logging()
    from .access_log import install

    app = create_app(json.loads(os.environ[CONFIG_ENV]))
    install(app)  # one access-log line per request (server/access_log.py)
    runtime.get(app)  # start the query workers now, not on the first request
    return app


def threads_per_worker(config: Mapping[str, Any], workers: int) -> int:
    """HTTP threads per worker: one per query worker, plus some for requests that wait for
    one, cache hits, pages, dumps and /health (a thread waiting on a pipe costs little)."""
    from .limits import Limits

    return Limits.from_config({**config, "WORKERS": workers}).pool_size + 8


def run(
    config: Mapping[str, Any], *, host: str, port: int, workers: int, server: str = "granian"
) -> None:
    """Serve until stopped."""
    from .app import create_app

    config = {**config, "WORKERS": workers}
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
        _gunicorn(config, host=host, port=port, workers=workers, threads=threads)
        return
    from granian import Granian
    from granian.constants import Interfaces
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
        log_access=False,
        websockets=False,  # a WSGI app has none; granian said so on every start
        log_level=LogLevels.warning,  # its INFO start-up lines give way to the banner
        log_dictconfig=granian_logging(),
    ).serve()


def _gunicorn(
    config: Mapping[str, Any], *, host: str, port: int, workers: int, threads: int
) -> None:
    from gunicorn.app.base import BaseApplication

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

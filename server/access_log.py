"""The access log: one line for every request the app answers (docs/cli.md, "Access log").

    2026-12-07T22:50:01Z GET /dumps/kzmig.nq.gz route=/dumps/<name> status=200 ms=3.4 bytes=71233

Written on the ``kzmig.access`` logger (stderr under `kzmig serve`) when the
response has been sent in full, so ``bytes`` is what went out (a streamed dump
counts every chunk) and ``ms`` runs from the request's arrival to its last byte.
``route`` is the app's route pattern (``-`` when none matched: a 404), which keeps
IRIs and other user text out of the field operators group by; the path is
written with its query string cut off (a SPARQL query can be large or private:
the query log has its hash). Headers, tokens and bodies are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import querylog

log = logging.getLogger("kzmig.access")
ROUTE_KEY = "kzmig.route"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def line(method: str, path: str, route: str, status: int, ms: float, size: int) -> str:
    """One access-log line (the format docs/cli.md documents under "Access log")."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    shown = path.encode("unicode_escape").decode("ascii").replace(" ", "%20") or "/"
    return f"{stamp} {method} {shown} route={route} status={status} ms={ms:.1f} bytes={size}"


class _Counted:
    """The response body, passed through chunk by chunk, logged when closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]):
        self.body, self.done, self.size = body, done, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.size)


def wrap(app: WsgiApp) -> WsgiApp:
    """The WSGI app ``app``, logging one access line per request."""

    def logged(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = [0]

        def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = int(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        def done(size: int) -> None:
            querylog.info(
                log,
                line(
                    environ.get("REQUEST_METHOD", "-"),
                    environ.get("PATH_INFO", ""),
                    environ.get(ROUTE_KEY, "-"),
                    status[0],
                    (time.perf_counter() - started) * 1000,
                    size,
                ),
            )

        try:
            body = app(environ, start)
        except BaseException:
            status[0] = status[0] or 500
            done(0)
            raise
        return _Counted(body, done)

    return logged


def install(flask_app: Any) -> None:
    """Log every request of a Flask app: its route pattern, then the line when it is sent."""
    from flask import request

    @flask_app.before_request
    def _route() -> None:
        if request.url_rule is not None:
            request.environ[ROUTE_KEY] = request.url_rule.rule

    flask_app.wsgi_app = wrap(flask_app.wsgi_app)

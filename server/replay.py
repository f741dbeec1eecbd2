"""Replaying kept responses before Flask sees the request: the hot path of repeated reads.

A release never changes, so a response that a view marks as replayable (a cached
query result, a resource page) is the same for the same request on the same
release. This WSGI middleware keeps such a response as the bytes and headers
Flask sent, keyed by everything the views read to make it (method, path, query
string, body, Accept, Accept-Language, scheme, mount point; not the client's Host,
which no answer depends on: server/urls.py), and sends it
again without building a request object, routing, or running hooks. It roughly
doubles what one HTTP worker answers per second from the cache (docs/performance.md).

Anything out of the ordinary goes to Flask as before: conditional requests
(If-None-Match, so 304s and their ETags stay the views' business), HEAD, bodies
that are chunked or over ``MAX_BODY``, and every request while ``--cache-mb 0``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request

from . import querylog
from .cache import ResultCache

MARK = "kzmig.replay"  # the environ key a view sets to say "this response may be replayed"
MAX_BODY = 16 * 1024  # request bodies kept as part of the key; bigger ones are not replayed
_KEY_HEADERS = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "CONTENT_TYPE",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
)

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Mark:
    """What a view says of its response: the release it belongs to, and what to log."""

    version: str
    log_rows: int | None = None  # set for /sparql answers, which log a line per request
    log_text: str | None = None


@dataclass(frozen=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    mark: Mark
    query_hash: str | None


def mark(version: str, *, rows: int | None = None, text: str | None = None) -> None:
    """Let the response to the current request be replayed while ``version`` is served."""
    request.environ[MARK] = Mark(str(version), rows, text)


class Replay:
    """WSGI middleware around ``app.wsgi_app``; ``limit`` bytes of kept responses (0: off)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]], limit: int):
        self.app = app
        self.wsgi_app = wsgi_app
        self.kept = ResultCache(limit)
        self.replayed = 0  # responses sent from here (tests and /health read it)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        key = self._key(environ) if self.kept.limit > 0 else None
        version = None
        if key is not None:
            try:
                version = str(self.app.extensions["kzmig.store"].version)
            except Exception:  # a store out of reach: the views answer (503)
                key = None
        if key is not None and version is not None:
            kept = self.kept.get(version, key)
            if kept is not None:
                return self._send(kept["kept"], environ, start_response, started)
            return self._capture(environ, start_response, key)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[Any, ...] | None:
        """The request as a key, or None when it is not one to replay (reads a small body)."""
        method = environ.get("REQUEST_METHOD")
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            return None
        body = b""
        if method == "POST":
            if "HTTP_TRANSFER_ENCODING" in environ:
                return None
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return None
            if length > MAX_BODY:
                return None
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # the views read it again on a miss
        elif method != "GET":
            return None
        return (*(environ.get(name) for name in _KEY_HEADERS), body)

    def _capture(
        self, environ: dict[str, Any], start_response: StartResponse, key: tuple[Any, ...]
    ) -> Iterable[bytes]:
        """Run the app; keep its answer when a view marked it and it is a plain 200."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *exc_info)

        result = self.wsgi_app(environ, capture)
        mark_: Mark | None = environ.get(MARK)
        if mark_ is None or not seen.get("status", "").startswith("200 "):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "x-query-time"]
        kept = Kept(
            seen["status"],
            headers,
            body,
            mark_,
            querylog.query_hash(mark_.log_text) if mark_.log_text else None,
        )
        self.kept.put(mark_.version, key, {"kept": kept, "body": body})
        return [body]

    def _send(
        self, kept: Kept, environ: dict[str, Any], start_response: StartResponse, started: float
    ) -> list[bytes]:
        headers = list(kept.headers)
        if kept.mark.log_text is not None:
            headers.append(("X-Query-Time", f"{time.perf_counter() - started:.4f}"))
            querylog.record(
                environ.get("PATH_INFO", ""),
                200,
                started,
                rows=kept.mark.log_rows,
                query_hash=kept.query_hash,
                cache="hit",
            )
        start_response(kept.status, headers)
        self.replayed += 1
        return [kept.body]


def install(app: Flask, limit: int) -> None:
    app.wsgi_app = Replay(app, app.wsgi_app, limit)  # type: ignore[method-assign]

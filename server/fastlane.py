"""GET /sparql point lookups answered before Flask: the same answer, without the framework.

A distinct point lookup (every request a new one, so the replay cache cannot help) spent
most of its time in Flask, not in the store: request context, routing, the before and
after hooks, werkzeug's Response and Headers, werkzeug's Accept parsing (profile:
bench/results/profiles/). This WSGI layer sits where the request is already the app's
(inside the replay cache, the access log and the host pinning, so those see and do
exactly what they did) and answers, itself, only a request that is all of:

- ``GET /sparql`` without ``If-None-Match`` (304s stay the view's), on a release;
- a query string of ``query`` (once) and at most ``format``, strict UTF-8, under the
  URL limit;
- a query that lookup.py's strict grammar accepts (it never hands text to the engine:
  issue #14), in a media type the client accepts.

Everything else, and anything that fails on the way, goes to Flask untouched, which
answers it as before (errors, 406s, every other parameter). What this sends is what the
view sends: the same status, headers (CORS, nosniff, Vary, ETag, row cap) and body;
the query log's line and the access log's route; the replay mark
(tests/test_fastlane.py compares the two paths, header by header and byte by byte).

Measured on a shared, busy 2-core machine, the lane against the view in the same run:
in-process through the full WSGI stack (bench/profile_lookups.py, seed release), 468 ->
226 us of CPU a distinct-subject lookup; over HTTP (wrk -t2 -c8, bench/lookups.py's
requests, alternating) on a 111k-quad release, the server's CPU 660 -> 390 us a request
and 1,522 -> 2,717 req/s for distinct subjects, 578 -> 312 us and 1,752 -> 3,419 req/s for
distinct LIMITs. Profiles: bench/results/profiles/lookup-distinct-{flask,fast}.txt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from . import (
    access_log,
    cache,
    cors,
    lookup,
    querylog,
    replay,
    runtime,
    sparql,
    urls,
)

PATH = "/sparql"
PARAMS = frozenset({"query", "format"})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class FastLane:
    """WSGI middleware: lookups answered here, everything else passed to ``inner``."""

    def __init__(self, app: Flask, inner: WsgiApp):
        self.app = app
        self.inner = inner
        self.answered = 0  # requests answered here (tests read it)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != PATH
            or "HTTP_IF_NONE_MATCH" in environ
        ):
            return self.inner(environ, start_response)
        started = time.perf_counter()
        try:
            ready = self._answer(environ, started)
        except Exception:  # the view answers it, errors and all
            ready = None
        if ready is None:
            return self.inner(environ, start_response)
        headers, body = ready
        start_response("200 OK", headers)
        self.answered += 1
        return [body]

    def _answer(
        self, environ: dict[str, Any], started: float
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        rt = runtime.get(self.app)
        raw = environ.get("QUERY_STRING", "")
        if rt.spec.kind != "release" or len(raw) > rt.limits.max_query_bytes:
            return None
        try:  # as sparql.url_params reads it (WSGI gives the bytes as latin-1)
            params = parse_qsl(
                raw.encode("latin-1").decode("utf-8"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
            )
        except UnicodeError:
            return None
        texts = [v for k, v in params if k == "query"]
        if len(texts) != 1 or not {k for k, _ in params} <= PARAMS:
            return None
        text = texts[0]
        found = lookup.parse(text)
        if found is None:
            return None
        base = urls.base_of(self.app.config) + PATH  # sparql.endpoint_url, outside a request
        job = sparql.query_job(text, params, base, environ.get("HTTP_ACCEPT"), rt.limits)
        release = self.app.extensions["kzmig.store"].release  # a ReleaseStore: one readlink
        version = release.version
        reply = lookup.answer(release.store, found, job, version)
        if reply["status"] != 200:  # a 406: the view's to answer
            return None
        media: str = reply["media"]
        body: bytes = reply["body"]
        max_rows = rt.limits.max_rows
        headers = [
            ("Content-Type", media + ("; charset=utf-8" if media.startswith("text/") else "")),
            ("Content-Length", str(len(body))),
            ("Vary", "Accept"),
            ("X-SPARQL-MaxRows", str(max_rows)),
        ]
        if reply["truncated"]:
            headers.append(("X-SPARQL-Truncated", sparql.truncated_note(max_rows)))
        tagged = cache.cacheable(text)
        if tagged:
            headers.append(("ETag", cache.etag(version, sparql.job_key(job))))
        headers += [
            ("X-Query-Time", f"{time.perf_counter() - started:.4f}"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", cors.EXPOSE),
            ("X-Content-Type-Options", "nosniff"),
        ]
        environ[access_log.ROUTE_KEY] = PATH
        if tagged:
            environ[replay.MARK] = replay.Mark(version, reply["rows"], text)
        querylog.record(
            PATH, 200, started, rows=reply["rows"], text=text, cache="miss" if tagged else "-"
        )
        return headers, body


def install(app: Flask) -> FastLane:
    """Answer lookups before ``app.wsgi_app`` (install inside urls.install and replay)."""
    lane = FastLane(app, app.wsgi_app)
    app.wsgi_app = lane  # type: ignore[method-assign]
    app.extensions["kzmig.fastlane"] = lane
    return lane

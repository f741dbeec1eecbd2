"""The SPARQL 1.1 Protocol on /sparql: query by GET, form POST or direct POST.

Every query runs in a killable worker process (executor.py) under the server's
timeout, which a request may lower with ``timeout=``, with no network and a memory
cap (sandbox.py); the serving process never hands query text to the engine (it answers
point lookups of a strict grammar itself, from an index scan: lookup.py). Results are capped at
MAX_ROWS (headers ``X-SPARQL-MaxRows`` and, when cut, ``X-SPARQL-Truncated``);
repeated queries on the same store version come from a cache, with ETags.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, g, request

from . import cache, lanes, lookup, querylog, replay, runtime, sandbox, urls
from .errors import ProtocolError
from .executor import Busy, OutOfMemory, TimedOut, WorkerLost

bp = Blueprint("sparql", __name__)
log = logging.getLogger("kzmig.query")

CORS_EXPOSE = "ETag, Retry-After, X-SPARQL-MaxRows, X-SPARQL-Truncated, X-Query-Time"


@bp.before_request
def _start() -> None:
    g.kz_started = time.perf_counter()
    g.kz_arrived = time.monotonic()
    g.kz_log = {"text": None, "rows": None, "cache": "-"}


@bp.after_request
def _finish(response: Response) -> Response:
    if request.endpoint == "sparql.sparql" and request.method != "OPTIONS":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
        info = getattr(g, "kz_log", {})
        querylog.record(
            request.path,
            response.status_code,
            getattr(g, "kz_started", time.perf_counter()),
            rows=info.get("rows"),
            text=info.get("text"),
            cache=info.get("cache", "-"),
        )
    return response


def decode_utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProtocolError(
            400,
            f"{what} is not UTF-8 (invalid byte at offset {e.start}); "
            "SPARQL requests must be encoded in UTF-8",
        ) from None


def check_charset() -> None:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(
            400, f"charset={charset} is not supported: send the request body as UTF-8"
        )


def read_body(limit: int) -> bytes:
    """The request body, or 413 past ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise ProtocolError(
            413, f"the request body is {request.content_length} bytes; the limit is {limit}"
        )
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
    return data


def form_params(limit: int) -> list[tuple[str, str]]:
    """A form-encoded body, decoded strictly as UTF-8 (a bad byte is a 400, not a '?')."""
    check_charset()
    text = decode_utf8(read_body(limit), "the form body")
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise ProtocolError(400, f"a form field is not UTF-8 once percent-decoded: {e}") from None


def url_params(limit: int) -> list[tuple[str, str]]:
    if len(request.query_string) > limit:
        raise ProtocolError(414, f"the URL is over the limit of {limit} bytes: POST the query")
    text = decode_utf8(request.query_string, "the URL")
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise ProtocolError(400, f"a URL parameter is not UTF-8 once decoded: {e}") from None


def _all(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def read_query(limit: int) -> tuple[str, list[tuple[str, str]]]:
    """The query and all other parameters, from GET, form POST or direct POST."""
    params = url_params(limit)
    if request.method in ("GET", "HEAD"):  # HEAD: the GET's headers, no body (werkzeug)
        queries = _all(params, "query")
    else:
        ctype = (request.mimetype or "").lower()
        if ctype == "application/x-www-form-urlencoded":
            form = form_params(limit)
            if _all(form, "update"):
                raise ProtocolError(400, "this is the query endpoint: POST updates to /update")
            queries = _all(params, "query") + _all(form, "query")
            params = params + form
        elif ctype == "application/sparql-query":
            check_charset()
            queries = [decode_utf8(read_body(limit), "the query")]
            if _all(params, "query"):
                raise ProtocolError(
                    400, "a direct POST carries the query in the body, not also in the URL"
                )
        elif ctype == "application/sparql-update":
            raise ProtocolError(400, "this is the query endpoint: POST updates to /update")
        else:
            raise ProtocolError(
                415 if ctype else 400,
                "POST a query with Content-Type application/x-www-form-urlencoded (query=...) "
                f"or application/sparql-query (the query as the body), not {ctype or 'none'}",
            )
    if not queries:
        if _all(params, "update"):
            raise ProtocolError(400, "updates are sent with POST to /update, not to /sparql")
        raise ProtocolError(400, "missing the `query` parameter")
    if len(queries) > 1:
        raise ProtocolError(400, f"the `query` parameter is given {len(queries)} times; give one")
    return queries[0], params


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    if request.method == "OPTIONS":
        return preflight()
    rt = runtime.get(current_app)
    if request.method in ("GET", "HEAD") and b"query=" not in request.query_string:
        params = url_params(rt.limits.max_query_bytes)
        if _all(params, "update"):
            raise ProtocolError(400, "updates are sent with POST to /update, not with GET")
        if not _all(params, "query") and {k for k, _ in params} <= {"format"}:
            from .service import service_description

            return service_description()
    text, params = read_query(rt.limits.max_query_bytes)
    g.kz_log["text"] = text
    timeout = rt.limits.request_timeout(dict(params).get("timeout"))
    job = query_job(text, params, endpoint_url(), request.headers.get("Accept"), rt.limits)
    job["timeout"] = timeout
    return answer(job, timeout, text)


def query_job(
    text: str, params: list[tuple[str, str]], base: str, accept: str | None, limits: Any
) -> dict[str, Any]:
    """The query job of a request (without its timeout); fastlane.py builds the same."""
    return {
        "op": "query",
        "query": text,
        "default": _all(params, "default-graph-uri"),
        "named": _all(params, "named-graph-uri"),
        "base": base,
        "accept": accept,
        "format": dict(params).get("format"),
        "max_rows": limits.max_rows,
        "timeout": limits.timeout,
    }


def job_key(job: dict[str, Any]) -> tuple[Any, ...]:
    """What a job asks, as the cache and the ETag see it (its timeout changes no answer)."""
    return tuple(
        (k, tuple(v) if isinstance(v, list) else v)
        for k, v in sorted(job.items())
        if k != "timeout"
    )


def truncated_note(max_rows: int) -> str:
    return (
        f"true; the result has more than {max_rows} rows and was cut there; "
        "add LIMIT/OFFSET to page through it"
    )


def endpoint_url() -> str:
    """This endpoint's URL, the base of relative IRIs: under the public URL, never the
    request's Host (server/urls.py)."""
    return urls.here()


def answer(job: dict[str, Any], timeout: float, text: str) -> Response:
    """Run a read job and respond; a deterministic one is tagged (ETag) and kept by the one
    cache, replay.py, which answers it again while the store's version is the same."""
    rt = runtime.get(current_app)
    key = job_key(job)
    version = current_app.extensions["kzmig.store"].version
    tagged = cache.cacheable(text)
    if tagged:
        tag = cache.etag(version, key)
        if request.if_none_match.contains(tag.strip('"')):
            g.kz_log["cache"] = "304"
            response = Response(status=304)
            response.headers["ETag"] = tag
            response.headers["Vary"] = "Accept"
            return response
    # user text is evaluated only in a query worker, under its deadline, kill, memory cap and
    # without network (server/sandbox.py); here, only a lookup of lookup.py's strict grammar
    # is answered, from an index scan (no text reaches the engine)
    found = None
    if rt.spec.kind == "release" and not job["default"] and not job["named"]:
        found = lookup.parse(text)
    if found is not None:
        store = current_app.extensions["kzmig.store"]
        reply = lookup.answer(store.oxigraph(), found, job, store.version)
    else:
        reply = run_job(job, timeout, shape=lanes.shape(text))
    if reply["status"] == 200 and tagged:
        g.kz_log["cache"] = "miss"
        version = reply.get("version", version)
        replay.mark(version, rows=reply.get("rows"), text=text)
        return respond(reply, rt.limits.max_rows, cache.etag(version, key))
    return respond(reply, rt.limits.max_rows, None)


def run_job(job: dict[str, Any], timeout: float, *, shape: str | None = None) -> dict[str, Any]:
    """Run a job in a query worker; the limits' failures become protocol errors.

    ``shape`` (lanes.shape of a query) lets a query that has been quick before take the
    quick lane, and records how long this one took.
    """
    rt = runtime.get(current_app)
    retry = {"Retry-After": str(rt.limits.retry_after)}
    started = getattr(g, "kz_arrived", None)
    try:
        reply = rt.executor.run(job, timeout, started=started, quick=rt.costs.is_quick(shape))
        rt.costs.record(shape, reply.get("seconds", 0.0))
        return reply
    except Busy:
        raise ProtocolError(
            503,
            f"the server is running as many queries as it allows ({rt.limits.pool_size} per "
            "process); try again shortly",
            retry,
        ) from None
    except TimedOut:
        rt.costs.record(shape, float("inf"))
        raise ProtocolError(
            503,
            f"the query ran past the time limit of {timeout:g} s and was stopped; make it more "
            "selective (LIMIT, a narrower pattern) or ask for less",
            retry,
        ) from None
    except OutOfMemory:
        rt.costs.record(shape, float("inf"))
        log.warning("kzmig: a query worker went past its memory cap and was replaced")
        raise ProtocolError(503, sandbox.TOO_MUCH_MEMORY, retry) from None
    except WorkerLost as e:
        rt.costs.record(shape, float("inf"))
        log.warning("kzmig: a query worker died while running a job (%s); replaced", e)
        raise ProtocolError(
            500, f"the query process died while running it ({e}); it has been replaced", retry
        ) from None


def respond(reply: dict[str, Any], max_rows: int, tag: str | None) -> Response:
    status = int(reply["status"])
    if status >= 400:
        retry = {"Retry-After": str(runtime.get(current_app).limits.retry_after)}
        raise ProtocolError(
            status, reply.get("message") or "the query failed", retry if status == 503 else None
        )
    g.kz_log["rows"] = reply.get("rows")
    media = reply.get("media")
    content_type = None
    if media:
        content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    response = Response(reply.get("body") or b"", status=status, content_type=content_type)
    response.headers["Vary"] = "Accept"
    if media:
        response.headers["X-SPARQL-MaxRows"] = str(max_rows)
        if reply.get("truncated"):
            response.headers["X-SPARQL-Truncated"] = truncated_note(max_rows)
    if tag:
        response.headers["ETag"] = tag
    response.headers["X-Query-Time"] = f"{time.perf_counter() - g.kz_started:.4f}"
    return response


def preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def register(app: Flask) -> None:
    app.register_blueprint(bp)

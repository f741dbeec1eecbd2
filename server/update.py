"""SPARQL 1.1 Update on /update and the Graph Store HTTP Protocol on /store.

Both are off unless the server runs with ``--allow-update`` (config ALLOW_UPDATE),
and then every request must carry ``Authorization: Bearer <token>`` with the
token from ``$KZMIG_UPDATE_TOKEN`` (config UPDATE_TOKEN), compared in constant
time. Without it: 401. Updates run in a query worker like queries do, under the
same timeout, and are all or nothing.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from kzmig.graph.settings import UPDATE_TOKEN_ENV

from . import querylog, runtime
from .errors import ProtocolError
from .sparql import (
    _all,
    check_charset,
    decode_utf8,
    endpoint_url,
    form_params,
    read_body,
    respond,
    run_job,
    url_params,
)

bp = Blueprint("update", __name__)

TOKEN_ENV = UPDATE_TOKEN_ENV  # the one name, graph/settings.py


@bp.before_request
def _start() -> None:
    g.kz_started = time.perf_counter()
    g.kz_arrived = time.monotonic()
    g.kz_log = {"text": None, "rows": None, "cache": "-"}


@bp.after_request
def _finish(response: Response) -> Response:
    info = getattr(g, "kz_log", {})
    querylog.record(
        request.path,
        response.status_code,
        getattr(g, "kz_started", time.perf_counter()),
        rows=info.get("rows"),
        text=info.get("text"),
    )
    return response


def authorize() -> None:
    """403 when updates are off; 401 without the right bearer token."""
    if not current_app.config.get("ALLOW_UPDATE"):
        raise ProtocolError(
            403,
            "this server is read-only; updates and the Graph Store Protocol are on only "
            "when it is started with --allow-update",
        )
    expected = current_app.config.get("UPDATE_TOKEN") or os.environ.get(TOKEN_ENV) or ""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="kzmig update"'}
    if not expected:
        raise ProtocolError(
            401, "no update token is configured (set KZMIG_UPDATE_TOKEN)", challenge
        )
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), expected.encode("utf-8")
    ):
        raise ProtocolError(
            401, "send Authorization: Bearer <token> with the server's update token", challenge
        )


WRITES = ("PUT", "POST", "DELETE")


def _run_write(job: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run a write job; if its process is lost, answer from whether it was applied."""
    job["ticket"] = secrets.token_hex(16)
    try:
        return run_job(job, timeout)
    except ProtocolError as failure:
        if failure.status < 500:
            raise
        store = current_app.extensions["kzmig.store"]
        outcome = getattr(store, "outcome", None)
        if outcome is None:  # no journal (a remote store): say what the executor saw
            raise
        result = outcome(job["ticket"])
        if result == "applied":
            g.kz_log["rows"] = None
            return {"status": 204, "body": b"", "media": None}
        if result == "not applied":
            raise ProtocolError(
                failure.status,
                failure.message.rstrip() + "; the write was not applied",
                failure.headers,
            ) from None
        raise ProtocolError(
            500,
            "the write's process died after it had begun writing; whether it was applied "
            "is unknown (it was applied whole or not at all): query the data to check",
        ) from None


@bp.route("/update", methods=["GET", "POST"])
def update() -> Response:
    if request.method == "GET":
        raise ProtocolError(405, "send updates with POST", {"Allow": "POST"})
    authorize()
    rt = runtime.get(current_app)
    limit = rt.limits.max_query_bytes
    params = url_params(limit)
    ctype = (request.mimetype or "").lower()
    if ctype == "application/x-www-form-urlencoded":
        form = form_params(limit)
        if _all(form, "query"):
            raise ProtocolError(400, "this is the update endpoint: send queries to /sparql")
        updates = _all(params, "update") + _all(form, "update")
        params = params + form
    elif ctype == "application/sparql-update":
        check_charset()
        updates = [decode_utf8(read_body(limit), "the update")]
        if _all(params, "update"):
            raise ProtocolError(400, "a direct POST carries the update in the body only")
    else:
        raise ProtocolError(
            415 if ctype else 400,
            "POST an update with Content-Type application/x-www-form-urlencoded (update=...) "
            f"or application/sparql-update (the update as the body), not {ctype or 'none'}",
        )
    if not updates:
        raise ProtocolError(400, "missing the `update` parameter")
    if len(updates) > 1:
        raise ProtocolError(400, f"the `update` parameter is given {len(updates)} times; give one")
    g.kz_log["text"] = updates[0]
    timeout = rt.limits.request_timeout(dict(params).get("timeout"))
    job = {
        "op": "update",
        "update": updates[0],
        "using": _all(params, "using-graph-uri"),
        "using_named": _all(params, "using-named-graph-uri"),
        "base": endpoint_url(),
        "timeout": timeout,
    }
    return respond(_run_write(job, timeout), rt.limits.max_rows, None)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def store() -> Response:
    authorize()
    rt = runtime.get(current_app)
    params = url_params(rt.limits.max_query_bytes)
    graphs = _all(params, "graph")
    default = any(k == "default" for k, _ in params)
    if len(graphs) + int(default) != 1:
        raise ProtocolError(400, "name one graph: ?graph=<IRI> or ?default")
    job: dict[str, Any] = {
        "op": "gsp",
        "method": request.method,
        "graph": graphs[0] if graphs else None,
        "accept": request.headers.get("Accept"),
        "format": dict(params).get("format"),
        "base": graphs[0] if graphs else endpoint_url(),
        "max_rows": 10**12,  # a graph is returned whole
    }
    if request.method in ("PUT", "POST"):
        job["media"] = (request.mimetype or "").lower()
        job["body"] = read_body(rt.limits.max_upload_bytes)
    g.kz_log["text"] = f"{request.method} {job['graph'] or 'default'}"
    reply = (
        _run_write(job, rt.limits.timeout)
        if job["method"] in WRITES
        else run_job(job, rt.limits.timeout)
    )
    response = respond(reply, 10**12, None)
    if request.method == "HEAD":
        response.set_data(b"")
    return response

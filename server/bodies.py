"""Request bodies arrive within a deadline, or the connection is closed.

granian reads headers under a deadline (``http1_settings.header_read_timeout``) but
has none for bodies (upstream issue emmett-framework/granian#728, closed as
"wontfix"): a client that declares ``Content-Length: 10000`` and sends a byte a
second holds an HTTP thread for hours, and a few dozen such clients took every
thread (issue #14). A read of granian's ``wsgi.input`` blocks in Rust and cannot
be interrupted, so this middleware does the read in a thread of its own and waits
for it at most ``BODY_DEADLINE`` seconds: past it, the request is answered 408 with
``Connection: close``, granian closes the connection, and the pending read ends with
it. The HTTP thread is free again after the deadline either way, and the body the
app sees is the bytes read, so no view ever waits on a client.

A body larger than the largest the endpoint accepts is not read here: the view
refuses it (413) from its Content-Length without reading it.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

BODY_DEADLINE = 10.0  # seconds a client has to send a request body, from the first read
QUICK_READ = 0.01  # a read that took less than this found its bytes already there
MAX_STEP = 256 * 1024  # the largest single read

StartResponse = Callable[..., Any]


class BrokenOff(Exception):
    """The client went away before the whole body arrived."""


WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def guard(inner: WSGIApp, limit: int, deadline: float = BODY_DEADLINE) -> WSGIApp:
    """``inner`` with bodies of up to ``limit`` bytes read first, within ``deadline`` s.

    The outermost layer, where the HTTP server hands a request over: every layer
    inside (the replay cache reads small bodies too) then reads from memory.
    """

    def wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = _length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (length is None and not chunked) or length == 0 or (length or 0) > limit:
            return inner(environ, start_response)
        try:
            body = _read(environ["wsgi.input"], (length or limit + 1), deadline)
            if body is not None and length is not None and len(body) < length:
                raise BrokenOff()
        except BrokenOff:  # never run a view (an update!) on part of a body
            return _refuse(start_response, "400 Bad Request", "the request body ended early\n")
        if body is None:
            return _refuse(
                start_response,
                "408 Request Timeout",
                f"the request body did not arrive within {deadline:g} s; "
                "send it at once, or send a smaller one\n",
            )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return inner(environ, start_response)

    return wsgi_app


def _refuse(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    """Answer without running the app, and close the connection."""
    message = text.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(message))),
            ("Connection", "close"),
        ],
    )
    return [message]


def _length(environ: dict[str, Any]) -> int | None:
    try:
        return int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _read(stream: Any, size: int, deadline: float) -> bytes | None:
    """Up to ``size`` bytes of ``stream``, or None if they took longer than ``deadline``;
    BrokenOff if the client went away first.

    granian's ``read(n)`` returns only once ``n`` bytes (or the end) have arrived, so the
    reader asks for little while the client is slow and for more while it is fast (the
    step doubles after each quick read, back to one byte after a slow one): a trickling
    client is noticed within a byte of the deadline, and then the reader stops and
    drops the body, which lets granian close the connection after the 408.
    """
    chunks: list[bytes] = []
    failed: list[bool] = []
    done = threading.Event()
    expired = threading.Event()

    def read() -> None:
        got, step = 0, 1
        try:
            while got < size and not expired.is_set():
                began = time.monotonic()
                chunk = stream.read(min(step, size - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                quick = time.monotonic() - began < QUICK_READ
                step = min(step * 2, MAX_STEP) if quick else 1
        except Exception:  # the client went away mid-body
            failed.append(True)
        finally:
            done.set()

    threading.Thread(target=read, name="kzmig-body", daemon=True).start()
    if not done.wait(deadline):
        expired.set()
        return None
    if failed:
        raise BrokenOff()
    return b"".join(chunks)

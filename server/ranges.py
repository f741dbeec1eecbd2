"""Several byte ranges of one file: 206 ``multipart/byteranges`` (RFC 9110, 14.6).

werkzeug serves one range and answers 416 to ``Range: bytes=0-9,20-29``, which
is satisfiable. This answers such requests itself; one range, or none, is left
to werkzeug (``send_file``). Ranges that overlap, come out of order, or number
more than ``MAX_RANGES`` are ignored (the whole file, 200), as the RFC allows:
they cost the server more than they save the client.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Response, request
from werkzeug.http import http_date, is_resource_modified, parse_range_header

MAX_RANGES = 32
BLOCK = 1 << 20


def _spans(size: int) -> list[tuple[int, int]] | None:
    """The satisfiable (start, stop) spans asked for; None when Range isn't a multi-range."""
    header = request.headers.get("Range", "")
    parsed = parse_range_header(header)
    if parsed is None and "," in header:  # werkzeug refuses overlapping or unordered ranges
        request.environ.pop("HTTP_RANGE", None)  # ignored: the whole file, as RFC 9110 allows
        return None
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) < 2:
        return None
    spans = []
    for start, stop in parsed.ranges:
        if start < 0:  # the last -start bytes
            start, stop = max(size + start, 0), size
        else:
            stop = size if stop is None else min(stop, size)
        if start < stop:
            spans.append((start, stop))
    return spans


def multipart(path: Path, media: str, etag: str, last_modified: datetime | None) -> Response | None:
    """The answer to a multi-range request for ``path``; None to let send_file answer."""
    if "Range" not in request.headers:
        return None
    size = path.stat().st_size
    spans = _spans(size)
    if spans is None:
        return None
    env = request.environ
    if "HTTP_IF_RANGE" in env and is_resource_modified(
        env, etag, None, last_modified, ignore_if_range=False
    ):
        env.pop("HTTP_RANGE", None)  # If-Range no longer matches: the whole file
        return None
    if not is_resource_modified(env, etag, None, last_modified):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    ordered = all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    if len(spans) > MAX_RANGES or not ordered:
        env.pop("HTTP_RANGE", None)
        return None
    if not spans:
        response = Response(f"none of the ranges asked for is within the {size} bytes\n", 416)
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    boundary = secrets.token_hex(16)
    part = "--{}\r\nContent-Type: {}\r\nContent-Range: bytes {}-{}/{}\r\n\r\n"
    heads = [part.format(boundary, media, a, b - 1, size).encode() for a, b in spans]
    tail = f"--{boundary}--\r\n".encode()
    length = sum(len(h) + (b - a) + 2 for h, (a, b) in zip(heads, spans, strict=True)) + len(tail)

    def body() -> Iterator[bytes]:
        with path.open("rb") as f:
            for head, (start, stop) in zip(heads, spans, strict=True):
                yield head
                f.seek(start)
                left = stop - start
                while left > 0:
                    block = f.read(min(BLOCK, left))
                    if not block:
                        break
                    left -= len(block)
                    yield block
                yield b"\r\n"
        yield tail

    kind = f"multipart/byteranges; boundary={boundary}"
    response = Response(body(), status=206, content_type=kind)
    response.headers["Content-Length"] = str(length)
    response.headers["Accept-Ranges"] = "bytes"
    response.set_etag(etag)
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return response

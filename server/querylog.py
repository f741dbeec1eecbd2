"""One log line per request: time, endpoint, status, duration, rows, a hash of the query.

The query text itself is not logged (it may be large or private); its hash lets
an operator match repeated queries. Tokens and other headers are never logged.
"""

from __future__ import annotations

import hashlib
import logging
import time

log = logging.getLogger("kzmig.query")


def info(logger: logging.Logger, message: str, *args: object) -> None:
    """``logger.info(message, *args)`` without logging's walk up the stack for the caller's
    file, line and function, which no format of ours shows: that walk was 8% of a distinct
    lookup's time (bench/results/profiles/lookup-distinct-fast.txt: Logger.findCaller)."""
    if logger.isEnabledFor(logging.INFO):
        logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, message, args, None))


def query_hash(text: str) -> str:
    return _hash(text)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def record(
    endpoint: str,
    status: int,
    started: float,
    *,
    rows: int | None = None,
    text: str | None = None,
    query_hash: str | None = None,
    cache: str = "-",
) -> None:
    """Log one request; ``query_hash`` may be given instead of ``text`` (already hashed)."""
    duration = (time.perf_counter() - started) * 1000
    info(
        log,
        "%s %s status=%d ms=%.1f rows=%s cache=%s query=%s",
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        endpoint,
        status,
        duration,
        "-" if rows is None else rows,
        cache,
        query_hash or (_hash(text) if text else "-"),
    )

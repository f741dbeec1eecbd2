"""The endpoint's limits, in one place: their defaults, and how a request may lower them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ProtocolError

DEFAULTS: dict[str, Any] = {
    "QUERY_TIMEOUT": 30.0,  # seconds; a request may lower it with timeout=, never raise it
    "MAX_ROWS": 10_000,  # rows (or triples) per result; more are cut, and a header says so
    "MAX_QUERY_BYTES": 1_000_000,  # a query or update request body or URL, in bytes (413/414)
    "MAX_UPLOAD_BYTES": 64_000_000,  # a Graph Store Protocol upload, in bytes (413)
    "MAX_CONCURRENT": 6,  # queries running at once in the whole server (503 past it)
    "WORKERS": 1,  # HTTP worker processes; each runs MAX_CONCURRENT / WORKERS queries
    # of each HTTP worker's query workers, how many are kept for quick queries (lanes.py);
    # None: one when it has three or more, else none
    "QUICK_WORKERS": None,
    "QUEUE_WAIT": 2.0,  # seconds a request waits for a free query worker before 503
    "RETRY_AFTER": 5,  # seconds, in Retry-After of a 503
    "CACHE_BYTES": 64_000_000,  # the result cache per HTTP worker; 0 turns it off
    "ALLOW_UPDATE": False,  # /update and /store answer only with --allow-update
    "UPDATE_TOKEN": None,  # the bearer token for them ($KZMIG_UPDATE_TOKEN)
    "MAX_QUERY_MEMORY": 1 << 30,  # bytes of data one query worker may use (0: no cap)
    # "required": a query worker that can't be cut off the network does not start;
    # "best": it starts, and the log says only the guard remains (server/sandbox.py)
    "NETWORK_ISOLATION": "best",
}


@dataclass(frozen=True)
class Limits:
    timeout: float
    max_rows: int
    max_query_bytes: int
    max_upload_bytes: int
    pool_size: int
    quick_workers: int
    queue_wait: float
    retry_after: int
    cache_bytes: int
    max_query_memory: int = DEFAULTS["MAX_QUERY_MEMORY"]
    network_isolation: str = "best"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        def get(key: str) -> Any:
            value = config.get(key)
            return DEFAULTS[key] if value is None else value

        workers = max(1, int(get("WORKERS")))
        pool_size = max(1, math.ceil(int(get("MAX_CONCURRENT")) / workers))
        asked = get("QUICK_WORKERS")
        quick = (1 if pool_size >= 3 else 0) if asked is None else int(asked)
        quick = max(0, min(quick, pool_size - 1))
        return cls(
            timeout=float(get("QUERY_TIMEOUT")),
            max_rows=int(get("MAX_ROWS")),
            max_query_bytes=int(get("MAX_QUERY_BYTES")),
            max_upload_bytes=int(get("MAX_UPLOAD_BYTES")),
            pool_size=pool_size,
            quick_workers=quick,
            queue_wait=float(get("QUEUE_WAIT")),
            retry_after=int(get("RETRY_AFTER")),
            cache_bytes=int(get("CACHE_BYTES")),
            max_query_memory=int(get("MAX_QUERY_MEMORY")),
            network_isolation=str(get("NETWORK_ISOLATION")),
        )

    def request_timeout(self, asked: str | None) -> float:
        """The server's timeout, or the lower one a request asks for with ``timeout=``."""
        if asked is None or asked == "":
            return self.timeout
        try:
            value = float(asked)
        except ValueError:
            raise ProtocolError(
                400, f"timeout={asked!r} is not a number of seconds (e.g. timeout=5)"
            ) from None
        if not value > 0 or math.isinf(value):
            raise ProtocolError(400, f"timeout={asked!r} must be a positive number of seconds")
        return min(value, self.timeout)

"""The endpoint's limits: read from the app configuration, and how a request may lower them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kzmig.graph.settings import config_defaults

from .errors import ProtocolError

# Every setting's default, from the one table of graph/settings.py (docs/settings.md).
DEFAULTS: dict[str, Any] = config_defaults()


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

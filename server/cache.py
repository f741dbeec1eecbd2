"""The LRU store of the one cache (replay.py), keyed by the store's version; and ETags.

A release never changes once published, so the same request on the same version
gets the same bytes: replay.py keeps them here (LRU, bounded in bytes). A query's
ETag is a hash of what it asks on which version, so a client's If-None-Match is
answered 304 without running anything. Queries whose answer may change between
runs (RAND, NOW, UUID, STRUUID, BNODE) are neither kept nor tagged.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

_VOLATILE = re.compile(r"\b(RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cacheable(text: str) -> bool:
    """No volatile call (each needs a "(": looked for first, 0.1 us instead of the regex's 4)."""
    return "(" not in text or not _VOLATILE.search(text)


def etag(version: str, key: tuple[Any, ...]) -> str:
    digest = hashlib.blake2b(repr((version, key)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


class ResultCache:
    """Replies by (version, key), least recently used out first, at most ``limit`` bytes."""

    def __init__(self, limit: int, *, max_item: int = 4_000_000):
        self.limit = limit
        self.max_item = min(max_item, limit)
        self._items: OrderedDict[tuple[str, tuple[Any, ...]], dict[str, Any]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
        if self.limit <= 0:
            return None
        with self._lock:
            reply = self._items.get((version, key))
            if reply is not None:
                self._items.move_to_end((version, key))
            return reply

    def put(self, version: str, key: tuple[Any, ...], reply: dict[str, Any]) -> None:
        size = len(reply.get("body") or b"") + 200
        if self.limit <= 0 or size > self.max_item:
            return
        with self._lock:
            old = self._items.pop((version, key), None)
            if old is not None:
                self._size -= len(old.get("body") or b"") + 200
            self._items[(version, key)] = reply
            self._size += size
            while self._size > self.limit and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped.get("body") or b"") + 200

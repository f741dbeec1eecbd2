"""What `kzmig serve` says when it starts: one banner with the URLs, and no noise.

The banner is printed once the server answers ``/health`` (not merely once the
port is bound), so every URL in it works when a person reads it. It lists the
query UI, the SPARQL endpoint, the dumps, the ontology, and the search page when
the app has one, and says how to stop the server.

granian's start-up lines are cut to what a person can act on:

- websockets are turned off (a WSGI app has none, and granian said so at INFO);
- its thread-count warning ("Configuration allows spawning up to N Python
  threads ... quite high") is dropped: the endpoint's HTTP threads mostly wait
  on a query worker's pipe, not on the interpreter, so N above the core count is
  intended (server/wsgi.py, ``threads_per_worker``);
- its INFO lines ("Starting granian", "Spawning worker") give way to the banner;
  warnings and errors (a worker that died and was respawned) are still shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import IO, Any

DROPPED = ("Configuration allows spawning up to",)


class DropExplained(logging.Filter):
    """Drops granian's log lines that the module docstring explains (nothing to act on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DROPPED)


def granian_logging() -> dict[str, Any]:
    """granian's ``log_dictconfig``: its own format and stream, plus :class:`DropExplained`."""
    return {
        "filters": {"explained": {"()": f"{__name__}.DropExplained"}},
        "handlers": {
            "console": {
                "formatter": "generic",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["explained"],
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
        },
    }


def base_url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "localhost", "::": "localhost", "": "localhost"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _answers(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)
    except (OSError, ValueError):
        return 0


def banner_lines(base: str, search: bool) -> list[str]:
    """The banner: what a person points a browser (or a client) at, and how to stop."""
    rows = [
        ("Query UI", f"{base}/"),
        ("SPARQL endpoint", f"{base}/sparql"),
        ("Dumps", f"{base}/dumps/"),
        ("Ontology", f"{base}/ontology"),
    ]
    if search:
        rows.append(("Search", f"{base}/search"))
    width = max(len(r[0]) for r in rows)
    lines = ["", "kzmig is serving the graph:"]
    lines += [f"  {name:<{width}}  {url}" for name, url in rows]
    lines += ["Press Ctrl+C to stop.", ""]
    return lines


def announce_when_up(
    host: str,
    port: int,
    *,
    search: bool = False,
    stream: IO[str] | None = None,
    timeout: float = 300,
) -> threading.Thread:
    """Print the banner on ``stream`` (stderr) as soon as /health answers 200.

    ``search``: whether the app has a /search page (from its routes, so that the
    banner costs one request, not one per URL).
    """
    base = base_url(host, port)

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _answers(f"{base}/health", timeout=2) == 200:
                out = stream or sys.stderr
                print("\n".join(banner_lines(base, search)), file=out, flush=True)
                return
            time.sleep(0.2)

    thread = threading.Thread(target=wait, name="kzmig-banner", daemon=True)
    thread.start()
    return thread

"""The SPARQL endpoint's options of `kzmig serve`: limits, updates, the HTTP server.

Kept apart from cli.py so that the endpoint's knobs live in one place; pure click
(kzmig.graph never imports the server). Defaults are documented in the README,
section "SPARQL endpoint".
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

F = TypeVar("F", bound=Callable[..., Any])

TOKEN_ENV = "KZMIG_UPDATE_TOKEN"


def endpoint_options(command: F) -> F:
    """Add the endpoint's options to a click command (they arrive as keyword arguments)."""
    options = [
        click.option(
            "--allow-update",
            is_flag=True,
            help="Turn on SPARQL Update (/update) and the Graph Store Protocol (/store), "
            f"for requests carrying Authorization: Bearer ${TOKEN_ENV}. Needs --data.",
        ),
        click.option(
            "--store-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="With --data: keep the store in this folder, so that writes (--allow-update) "
            "survive a restart. The first start loads the --data files into it; later starts "
            "serve it as it was left and do not load them again. Without it, --data is loaded "
            "into a temporary store deleted when the server stops: writes last only as long "
            "as the process.",
        ),
        click.option(
            "--timeout",
            "query_timeout",
            type=click.FloatRange(min=0.1),
            default=30.0,
            show_default=True,
            help="Seconds a query may run before it is stopped (503); requests may lower it.",
        ),
        click.option(
            "--max-rows",
            type=click.IntRange(1),
            default=10_000,
            show_default=True,
            help="Rows (or triples) per result; more are cut and X-SPARQL-Truncated says so.",
        ),
        click.option(
            "--max-concurrent",
            type=click.IntRange(1),
            default=6,
            show_default=True,
            help="Queries running at once (one worker process each), over all HTTP workers; "
            "past it, a query waits briefly, then 503.",
        ),
        click.option(
            "--quick-workers",
            type=click.IntRange(0),
            default=None,
            help="Of each HTTP worker's query workers, how many are kept for quick queries "
            "(point lookups) so that they never wait behind slow ones. "
            "Default: 1 when it has 3 or more.",
        ),
        click.option(
            "--max-request-bytes",
            type=click.IntRange(1024),
            default=1_000_000,
            show_default=True,
            help="Largest query or update request (413 past it).",
        ),
        click.option(
            "--cache-mb",
            type=click.IntRange(0),
            default=64,
            show_default=True,
            help="Result cache per HTTP worker, in MB (0: off).",
        ),
        click.option(
            "--public-url",
            default=None,
            metavar="URL",
            help="The server's public URL (https://example.org), the base of the absolute "
            "URLs in VoID, DCAT, the service description and the dump listing; never taken "
            "from a request's Host header. Default: http://HOST:PORT on a loopback --host; "
            "required with any other --host.",
        ),
        click.option(
            "--server",
            "http_server",
            type=click.Choice(["granian", "gunicorn"]),
            default="granian",
            show_default=True,
            help="The HTTP server to run the app in.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def endpoint_config(options: Mapping[str, Any], data_files: bool) -> dict[str, Any]:
    """The app configuration for the endpoint options; refuses an unusable combination."""
    allow = bool(options.get("allow_update"))
    if allow and not os.environ.get(TOKEN_ENV):
        raise click.UsageError(f"--allow-update needs a token: set {TOKEN_ENV}")
    if allow and not data_files and not options.get("store_dir"):
        raise click.UsageError(
            "--allow-update needs --data FILE... (or --store-dir DIR): a published release "
            "is read-only"
        )
    store_dir = options.get("store_dir")
    if store_dir and not data_files and not (Path(store_dir) / "store.version").exists():
        raise click.UsageError(
            f"--store-dir {store_dir} holds no store yet: give --data FILE... to load into it"
        )
    return {
        "STORE_DIR": str(store_dir) if store_dir else None,
        "ALLOW_UPDATE": allow,
        "QUERY_TIMEOUT": options["query_timeout"],
        "MAX_ROWS": options["max_rows"],
        "MAX_CONCURRENT": options["max_concurrent"],
        "QUICK_WORKERS": options.get("quick_workers"),
        "MAX_QUERY_BYTES": options["max_request_bytes"],
        "CACHE_BYTES": options["cache_mb"] * 1_000_000,
    }


def public_url(given: str | None, host: str, port: int) -> str:
    """The server's public URL: ``given`` (checked), or ``http://HOST:PORT`` on loopback.

    On any other address the URL clients reach the server by is not known here (a
    proxy, a name, TLS in front), and guessing it from requests would hand it to
    whoever writes the Host header: so it must be given.
    """
    if given:
        parts = urlsplit(given)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(
                f"{given!r} is not an http(s) URL such as https://example.org",
                param_hint="--public-url",
            )
        if parts.query or parts.fragment:
            raise click.BadParameter(
                f"{given!r}: give the server's root URL, without ?query or #fragment",
                param_hint="--public-url",
            )
        return given.rstrip("/")
    if not _loopback(host):
        raise click.UsageError(
            f"--host {host} serves beyond this machine: give the URL clients use to reach "
            "it with --public-url (e.g. --public-url https://kzmig.example.org); it is the "
            "base of the absolute URLs in VoID, DCAT and the dump listing"
        )
    name = f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

"""Which adapter a store URL asks for: the kind in its scheme, else its Server header."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

from .adapter import Adapter, StoreUnavailable
from .oxigraph import OxigraphServer
from .virtuoso import Virtuoso


def split_kind(url: str) -> tuple[str | None, str, dict[str, str]]:
    """``virtuoso+http://h:8890?x=y`` -> ("virtuoso", "http://h:8890", {"x": "y"})."""
    kind = None
    scheme, rest = url.split(":", 1) if ":" in url else ("", url)
    if "+" in scheme:
        kind, scheme = scheme.split("+", 1)
        url = f"{scheme}:{rest}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(
            f"store URL {url!r}: use http:// or https://, optionally prefixed by the kind "
            "(oxigraph+http://…, virtuoso+http://…, sparql+http://…)"
        )
    params = dict(parse_qsl(parts.query))
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return kind, base, params


def adapter_for(kind: str, base: str, params: Mapping[str, str]) -> Adapter:

    kinds: dict[str, type[Adapter]] = {
        "oxigraph": OxigraphServer,
        "virtuoso": Virtuoso,
        "sparql": Adapter,
    }
    if kind not in kinds:
        raise ValueError(f"unknown store kind {kind!r}; known: {', '.join(sorted(kinds))}")
    return kinds[kind](base, params)


def detect(base: str, session: requests.Session, timeout: float = 10) -> str:
    """The kind of store at ``base``, from its Server header; "sparql" when unknown."""
    try:
        response = session.get(base, timeout=timeout)
    except requests.RequestException as e:
        raise StoreUnavailable(f"{base}: store unreachable ({e})") from e
    server = response.headers.get("Server", "").lower()
    if server.startswith("oxigraph"):
        return "oxigraph"
    if server.startswith("virtuoso"):
        return "virtuoso"
    return "sparql"

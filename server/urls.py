"""The server's own absolute URLs: from configuration, never from the request.

A request's ``Host`` header is whatever the client wrote; URLs built from it let
anyone make VoID, DCAT, the service description and the dump listing advertise
their own host (``Host: evil.example`` gave ``http://evil.example/sparql``, issue
#14), and a cache or proxy in front then serves that to everyone. So links are
relative wherever the format allows (HTML, ``Link`` headers, redirects), and where
an absolute URL is needed it is ``PUBLIC_URL`` (``kzmig serve --public-url``; by
default ``http://HOST:PORT`` of a loopback bind) followed by the route's path.

Below that, :func:`install` pins the WSGI environ's host and scheme to the public
URL's before Flask sees a request, so that whatever else builds a URL from the
request (Werkzeug's redirect to a trailing slash, a future ``url_for(...,
_external=True)``) names the public host too, never the client's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for

# What an app built without a public URL (tests, `kzmig serve --get`) calls itself:
# the host Flask's test client sends, so its answers read as they always did.
FALLBACK = "http://localhost"


def public_base() -> str:
    """The configured public URL of the server's root, without a trailing '/'."""
    return base_of(current_app.config)


def base_of(config: Mapping[str, Any]) -> str:
    """``public_base`` of an app's ``config``, outside a request."""
    return str(config.get("PUBLIC_URL") or FALLBACK).rstrip("/")


def local(path: str) -> str:
    """An absolute URL for ``path`` (a path from the app's root, starting with '/')."""
    return public_base() + path


def external(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, ...)`` as an absolute URL under the public URL."""
    path = url_for(endpoint, **values)
    root = request.script_root if request else ""
    return local(path[len(root) :] if root and path.startswith(root) else path)


def here() -> str:
    """The absolute URL of the current request's path (no query string)."""
    return local(request.path)


def install(app: Flask) -> None:
    """Pin every request's host and scheme to the public URL's (a WSGI middleware)."""
    parts = urlsplit(str(app.config.get("PUBLIC_URL") or FALLBACK))
    scheme = parts.scheme
    port = str(parts.port or (443 if scheme == "https" else 80))
    pinned = {
        "HTTP_HOST": parts.netloc,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": port,
        "wsgi.url_scheme": scheme,
    }
    inner = app.wsgi_app

    def pin(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.update(pinned)
        return inner(environ, start_response)

    app.wsgi_app = pin  # type: ignore[method-assign]

"""CORS for every read: a page on any origin may GET, HEAD and preflight the read routes.

Everything this server publishes is open data, so reads carry
``Access-Control-Allow-Origin: *`` (no credentials are ever involved: the
wildcard forbids them). Writes never do: ``/update`` and ``/store`` answer
without any CORS header, so a page on another origin can't read what they
return, and a browser refuses to send them anything but a simple request,
which the token (``Authorization``) check refuses.
"""

from __future__ import annotations

from flask import Flask, Response, request

WRITE_PATHS = ("/update", "/store")
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# headers a script may read beyond the CORS-safelisted ones
EXPOSE = (
    "Content-Length, Content-Location, Content-Range, Accept-Ranges, Digest, Repr-Digest, "
    "ETag, Last-Modified, Link, Location, Retry-After, Vary, X-SPARQL-MaxRows, "
    "X-SPARQL-Truncated, X-Query-Time"
)
ALLOW_HEADERS = (
    "Accept, Accept-Language, Content-Type, If-Match, If-Modified-Since, If-None-Match, "
    "If-Range, Range"
)
MAX_AGE = "86400"


def is_write_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in WRITE_PATHS)


def _add(response: Response) -> Response:
    if is_write_path(request.path):
        names = {name for name, _ in response.headers.items()}
        for name in names:
            if name.lower().startswith("access-control-"):
                del response.headers[name]
        return response
    if request.method not in READ_METHODS and request.path != "/sparql":
        return response  # a query POSTed to /sparql is a read: sparql.py already allows it
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSE
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        methods = "GET, HEAD, POST, OPTIONS" if request.path == "/sparql" else "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response


def install(app: Flask) -> None:
    """Add the headers after every view (and every error answer) of ``app``."""
    app.after_request(_add)

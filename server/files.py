"""Files (dumps, vendored scripts) sent in 1 MiB blocks instead of werkzeug's 8 KiB.

granian offers no ``wsgi.file_wrapper``, so werkzeug's FileWrapper hands the file
to the server block by block from Python, and every block takes the GIL from the
worker's other requests: a 300 MB dump was ~37,000 of them. Memory stays flat: one
block per download in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from flask import Flask
from werkzeug.wsgi import FileWrapper

BLOCK = 1 << 20


def _wrapper(file: IO[bytes], buffer_size: int = 8192) -> FileWrapper:
    return FileWrapper(file, max(buffer_size, BLOCK))


def install(app: Flask) -> None:
    inner: Callable[..., Iterable[bytes]] = app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.setdefault("wsgi.file_wrapper", _wrapper)
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]

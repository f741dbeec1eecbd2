"""Protocol errors: a status and a message a person can act on, as plain text.

A browser asking for HTML gets the same refusal as a page (errorpages.py).
"""

from __future__ import annotations

from flask import Flask, Response
from kzmig.graph.remote.adapter import StoreUnavailable
from werkzeug.exceptions import HTTPException

from . import errorpages

# How long a client should wait before retrying when the store is out of reach.
STORE_RETRY_AFTER = 5


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def register(app: Flask) -> None:
    @app.errorhandler(ProtocolError)
    def _protocol(error: ProtocolError) -> Response:
        response = Response(
            error.message + "\n", status=error.status, content_type="text/plain; charset=utf-8"
        )
        response.headers.update(error.headers)
        return response

    @app.errorhandler(StoreUnavailable)
    def _store_unavailable(error: StoreUnavailable) -> Response:
        """A remote store out of reach is the server's trouble: 503, worth a retry."""
        return _protocol(
            ProtocolError(
                503,
                f"the store behind this server could not answer: {error}",
                {"Retry-After": str(STORE_RETRY_AFTER)},
            )
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        shown = errorpages.page(error) if errorpages.wanted() else None
        if shown is not None:  # a browser: the page in the reader's language
            return shown
        response = Response(
            f"{error.code} {error.name}: {error.description}\n",
            status=error.code or 500,
            content_type="text/plain; charset=utf-8",
        )
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

"""Error pages for people: a browser that asks for HTML gets the site's frame, in its language.

Programs keep the plain-text errors of ``errors.py`` (a SPARQL client, curl's
``*/*``): only a request that prefers ``text/html`` to ``text/plain`` gets a page.
The page's words come from the catalogues; the server's own explanation (English,
from the code that refused) is shown below them, marked as English, when it says
more than the status does.
"""

from __future__ import annotations

from flask import Response, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from . import conneg, i18n, iris
from .i18n import N_

# Titles of the statuses a reader may meet; any other shows its number and English name.
TITLES = {
    400: N_("Bad request"),
    403: N_("Forbidden"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    406: N_("Not acceptable"),
    410: N_("Gone"),
    413: N_("Request too large"),
    414: N_("Address too long"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}


class UnknownResource(NotFound):
    """A 404 for an IRI under the resource namespace that the store knows nothing about."""

    def __init__(self, iri: str):
        super().__init__(
            f"this server has nothing about <{iri}>. Resources live under "
            f"{iris.resource_ns()}; try the SPARQL endpoint at /sparql."
        )
        self.iri = iri


def wanted() -> bool:
    """Does the client prefer an HTML page to plain text?"""
    offered = ["text/plain", "text/html"]
    return conneg.negotiate(request.headers.get("Accept"), offered) == "text/html"


def page(error: HTTPException) -> Response | None:
    """The HTML page for ``error``, or None when it can't be made (the caller sends text)."""
    code = error.code or 500
    detail = error.description or ""
    default = type(error).description
    try:
        body = render_template(
            "error.html",
            code=code,
            title=i18n.gettext(TITLES[code]) if code in TITLES else f"{code} {error.name}",
            iri=getattr(error, "iri", None),
            resource_ns=iris.resource_ns(),
            detail=detail if detail != default and not isinstance(error, UnknownResource) else "",
        )
    except Exception:  # the store out of reach while drawing the frame: plain text it is
        return None
    response = Response(body, status=code, content_type="text/html; charset=utf-8")
    for key, value in error.get_headers():
        if key.lower() != "content-type":
            response.headers[key] = value
    response.vary.add("Accept")
    return response

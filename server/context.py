"""``/context.jsonld``: the JSON-LD context the server's compacted documents name.

Made from the release (jsonld.context_for), so it is versioned with it: the
ETag is the release version, and a new release may add terms.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from . import jsonld

bp = Blueprint("context", __name__)


def context_url() -> str:
    return url_for("context.context", _external=True)


@bp.route("/context.jsonld")
def context() -> Response:
    store = current_app.extensions["kzmig.store"]
    body = jsonld.context_document(jsonld.context_for(store))
    response = Response(body, content_type="application/ld+json")
    response.set_etag(f"context-{store.version}")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)  # type: ignore[return-value]

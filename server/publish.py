"""Publishing the dataset: health (dumps, VoID and DCAT join here)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

bp = Blueprint("publish", __name__)


@bp.route("/health")
def health() -> Response:
    store = current_app.extensions["kzmig.store"]
    try:
        ok = bool(store.query("ASK { ?s ?p ?o }"))
    except Exception as e:
        return Response(f"store unavailable: {e}\n", status=503, content_type="text/plain")
    return jsonify(status="ok", version=store.version, data=ok)

"""Pages for people: the home page with a query box and example queries."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)

QUERIES = Path(__file__).parent / "queries"


def example_queries() -> list[dict[str, str]]:
    """The example queries (server/queries/*.rq): title from the first comment line."""
    out = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        out.append({"name": path.stem, "title": first.lstrip("# ").strip(), "query": text})
    return out


@bp.route("/")
def home() -> str:
    store = current_app.extensions["kzmig.store"]
    return render_template("home.html", examples=example_queries(), version=store.version)

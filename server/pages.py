"""Pages for people: the home page with YASGUI and the example queries; the site frame.

YASGUI (``@zazuko/yasgui`` from npm) is installed into ``node_modules/`` by
``make`` (``npm ci``) and served by this app under ``/vendor/yasgui/``: no CDN,
no prefix service, nothing fetched from elsewhere. Its build folder is found at
the YASGUI_DIR setting or ``$KZMIG_YASGUI_DIR``, else in ``node_modules/`` of the
current directory, else of the checkout the code runs from (docs/settings.md).
Every HTML page carries a Content-Security-Policy that allows only this app's own
assets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
    url_for,
)
from kzmig.graph.settings import YASGUI_ENV
from kzmig.names import KZO

from . import iris, publish, replay
from .querypage import display_prefixes

bp = Blueprint("pages", __name__)

QUERIES = Path(__file__).parent / "queries"
YASGUI_IN_NODE_MODULES = Path("node_modules", "@zazuko", "yasgui", "build")
YASGUI_FILES = {"yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map"}
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # YASGUI sets style attributes; no other origin
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


def example_queries() -> list[dict[str, str]]:
    """The example queries (server/queries/*.rq).

    The first comment line is the title (the editor's tab name); the comment
    lines after it say what the query asks and why.
    """
    out = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        title = lines[0].lstrip("# ").strip() if lines else path.stem
        about = []
        for line in lines[1:]:
            if not line.startswith("#"):
                break
            about.append(line.lstrip("# ").strip())
        out.append(
            {"name": path.stem, "title": title, "description": " ".join(about), "query": text}
        )
    return out


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '</script>' can close it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def yasgui_dir() -> Path:
    """YASGUI's build folder: the setting, else the first node_modules/ that has it."""
    explicit = current_app.config.get("YASGUI_DIR") or os.environ.get(YASGUI_ENV)
    if explicit:
        return Path(explicit)
    return find_yasgui()


def find_yasgui() -> Path:
    """``node_modules/`` in the current directory, else in the code's checkout (editable)."""
    places = [Path.cwd(), Path(__file__).resolve().parents[1]]
    for place in places:
        if (place / YASGUI_IN_NODE_MODULES / "yasgui.min.js").is_file():
            return place / YASGUI_IN_NODE_MODULES
    return places[0] / YASGUI_IN_NODE_MODULES


@bp.route("/")
def home() -> str:
    examples = example_queries()
    replay.mark(current_app.extensions["kzmig.store"].version)  # the same for a release
    return render_template(
        "home.html",
        examples=examples,
        examples_json=_script_json(
            [{"name": e["name"], "title": e["title"], "query": e["query"]} for e in examples]
        ),
        yasgui=(yasgui_dir() / "yasgui.min.js").is_file(),
        resource_ns=iris.resource_ns(),
        ontology_ns=str(KZO),
        # longest namespace first: YASR shortens with the first prefix that fits (querypage.py)
        prefixes_json=_script_json(display_prefixes()),
    )


@bp.route("/vendor/yasgui/<name>")
def vendor(name: str) -> Response:
    if name not in YASGUI_FILES:
        abort(404)
    folder = yasgui_dir()
    if not (folder / name).is_file():
        abort(404, description="YASGUI is not installed here: run `npm ci` (make does it)")
    response = send_from_directory(folder, name, max_age=86400)
    return response


@bp.app_context_processor
def site_context() -> dict[str, Any]:
    return {"site": site()}


def site() -> dict[str, Any]:
    """What every page's header and footer show: title, licence, attribution, release."""
    store = current_app.extensions["kzmig.store"]
    release = publish.release_of(store)
    manifest = release.manifest if release else {}
    return {
        "title": publish.TITLE,
        "version": store.version,
        "created": manifest.get("created"),
        "licence": publish.LICENCE,
        "licence_name": "CC BY-SA 4.0",
        "attribution": [s.get("attribution", "") for s in manifest.get("sources", [])],
        "void": url_for("publish.void"),
        "dcat": url_for("publish.dcat"),
        "dumps": url_for("publish.dumps"),
        "validation": url_for("publish.validation"),
        "sparql": url_for("sparql.sparql"),
    }


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """nosniff on every response (plain-text errors echo what was asked); CSP on HTML."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response

"""Full-text search: ``/search?q=…`` over labels, definitions, figures, quotes and sentences.

The index is the release's ``search.sqlite`` (kzmig.graph.release.search_index),
opened read-only. A server that serves RDF files rather than a release builds the
same index once per process and data version, into a temporary file.

User text never reaches FTS5's query syntax: the query is cut into words
(``\\w+``) and each word is quoted as a phrase (the last one as a prefix), so
``"``, ``*``, ``NEAR``, ``-`` and parentheses are plain characters, never operators.

Order: a thing whose label (any language, folded) equals the query; then bm25
with field weights (label 10, alt label 6, definition 2, figures 4, quotes 1)
times the kind's weight; each thing is followed by the passages that are its
evidence, when they match too.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from kzmig.graph.release.search_index import FILENAME, build_index, fold
from markupsafe import Markup, escape

from . import conneg, describe, i18n, iris, publish
from .i18n import N_

bp = Blueprint("search", __name__)

WORD = re.compile(r"\w+")
MAX_QUERY = 300  # characters read from ?q=
MAX_WORDS = 12
PAGE = 20
MAX_PAGE = 100
OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around matches in snippets
WEIGHTS = "10.0, 6.0, 2.0, 4.0, 1.0"  # label, alt, definition, figures, body
SNIPPET_COLUMNS = (0, 1, 2, 4)  # figures (3) are spelled for matching, not for reading
KIND_WORDS = {"passage": N_("passage"), "sentence": N_("sentence of a source text")}
_built: dict[tuple[int, str], Path] = {}
_lock = threading.Lock()


@bp.app_context_processor
def header_context() -> dict[str, Any]:
    """What the header's search box needs on every page."""
    return {"lang_explicit": i18n.explicit(), "search_query": ""}


def match_expression(text: str) -> str | None:
    """The FTS5 MATCH expression for what a person typed; None when it has no words."""
    words = WORD.findall(text[:MAX_QUERY])[:MAX_WORDS]
    if not words:
        return None
    phrases = [f'"{w}"' for w in words]
    phrases[-1] += "*"  # the last word may be half typed
    return " ".join(phrases)


def index_path() -> Path | None:
    """The index of the data being served; None when it can't be had."""
    store = current_app.extensions["kzmig.store"]
    release = publish.release_of(store)
    if release is not None:
        path = release.folder / FILENAME
        return path if path.is_file() else None
    key = (os.getpid(), str(store.version))
    with _lock:
        if key not in _built:
            folder = Path(tempfile.mkdtemp(prefix="kzmig-search-"))
            atexit.register(shutil.rmtree, folder, True)
            build_index(
                lambda q: store.query(q),
                folder / FILENAME,
                provenance=iris.resource("graph/provenance"),
            )
            _built[key] = folder / FILENAME
        return _built[key]


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def _mark(snippet: str) -> Markup:
    return Markup(str(escape(snippet)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def search(db: sqlite3.Connection, text: str, limit: int, offset: int = 0) -> dict[str, Any]:
    """The hits for ``text``, best first, and how many there are in all (up to 500)."""
    expr = match_expression(text)
    if expr is None:
        return {"hits": [], "total": 0}
    rows = db.execute(
        f"""SELECT d.id, d.iri, d.fragment, d.kind, d.class, d.labels,
               bm25(fts, {WEIGHTS}) * d.weight AS score
            FROM fts JOIN docs d ON d.id = fts.rowid
            WHERE fts MATCH ? ORDER BY score LIMIT 500""",
        (expr,),
    ).fetchall()
    exact = {r[0] for r in db.execute("SELECT doc FROM names WHERE name = ?", (fold(text),))}
    ranked = sorted(rows, key=lambda r: (r["id"] not in exact, r["score"]))
    by_id = {r["id"]: r for r in ranked}
    evidence: dict[int, list[int]] = {}
    for thing, passage in db.execute(
        f"SELECT thing, passage FROM evidence WHERE thing IN ({','.join('?' * len(by_id))})",
        list(by_id),
    ):
        evidence.setdefault(thing, []).append(passage)
    order: list[sqlite3.Row] = []
    placed: set[int] = set()
    for r in ranked:
        if r["id"] in placed:
            continue
        order.append(r)
        placed.add(r["id"])
        for p in sorted(
            (by_id[p] for p in evidence.get(r["id"], []) if p in by_id and p not in placed),
            key=lambda p: p["score"],
        ):
            order.append(p)
            placed.add(p["id"])
    shown = order[offset : offset + limit]
    return {
        "hits": shown,
        "snippets": snippets(db, expr, [r["id"] for r in shown]),
        "total": len(order),
    }


def snippets(db: sqlite3.Connection, expr: str, ids: list[int]) -> dict[int, dict[int, str]]:
    """The snippets of the hits shown, by row and column.

    Read apart from the ranking: in the ranking statement SQLite computed them for
    every match before sorting (3,483 matches of 'Ethnic Kaz' at 1M: 12.2 -> 5.4 ms
    ranking, plus 0.5 ms for a page's 20 here, thanks to the prefix index; 20 reads by
    ``rowid = ?`` cost more than one ``rowid IN``: 1.6 vs 1.1 ms per search at 1M).
    """
    if not ids:
        return {}
    cols = ", ".join(f"snippet(fts, {c}, '{OPEN}', '{CLOSE}', '…', 14)" for c in SNIPPET_COLUMNS)
    rows = db.execute(
        f"SELECT rowid, {cols} FROM fts WHERE fts MATCH ? AND rowid IN "
        f"({','.join('?' * len(ids))})",
        [expr, *ids],
    )
    return {r[0]: dict(zip(SNIPPET_COLUMNS, r[1:], strict=True)) for r in rows}


def _class_labels(db: sqlite3.Connection, classes: set[str]) -> dict[str, dict[str, str]]:
    if not classes:
        return {}
    rows = db.execute(
        f"SELECT iri, labels FROM docs WHERE fragment IS NULL AND iri IN "
        f"({','.join('?' * len(classes))})",
        sorted(classes),
    )
    return {r["iri"]: json.loads(r["labels"]) for r in rows}


def present(
    db: sqlite3.Connection,
    rows: list[sqlite3.Row],
    lang: str,
    snips: dict[int, dict[int, str]] | None = None,
) -> list[dict[str, Any]]:
    """What a page or a JSON client gets for each hit."""
    classes = _class_labels(db, {r["class"] for r in rows if r["class"]})
    out = []
    for r in rows:
        labels = json.loads(r["labels"])
        label = describe.pick([(t, k) for k, t in labels.items()], [lang]) or ("", "")
        iri, url = r["iri"], iris.href(r["iri"])
        if r["fragment"]:
            iri = f"{iri}#{r['fragment']}"
            url = f"{url}#{r['fragment']}" if url else None
        s = (snips or {}).get(r["id"], {})
        snippet = next(
            (s[c] for c in SNIPPET_COLUMNS if OPEN in (s.get(c) or "")),
            s.get(4) or s.get(2) or "",
        )
        if r["kind"] in ("thing", "term"):
            kind = describe.local_name(r["class"]) if r["class"] else r["kind"]
            kind_label = describe.pick(
                [(t, k) for k, t in classes.get(r["class"], {}).items()], [lang]
            ) or (kind, "")
        else:
            kind = r["kind"]
            kind_label = (i18n.gettext(KIND_WORDS[kind]), lang)
        out.append(
            {
                "iri": iri,
                "url": url,
                "label": label[0] or describe.local_name(r["iri"]),
                "label_lang": label[1],
                "kind": kind,
                "kind_label": kind_label[0],
                "snippet": _mark(snippet),
                "score": round(-float(r["score"]), 4),
            }
        )
    return out


def _int_arg(name: str, default: int, top: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return max(0, min(value, top))


def _wants_json() -> bool:
    fmt = request.args.get("format", "").strip().lower()
    if fmt:
        return fmt == "json"
    return conneg.negotiate(request.headers.get("Accept"), ["text/html", "application/json"]) == (
        "application/json"
    )


@bp.route("/search")
def search_page() -> Response | str:
    text = request.args.get("q", "")[:MAX_QUERY].strip()
    limit = _int_arg("limit", PAGE, MAX_PAGE) or PAGE
    page = max(1, _int_arg("page", 1, 10_000))
    path = index_path()
    result: dict[str, Any] = {"hits": [], "total": 0}
    hits: list[dict[str, Any]] = []
    if path is not None and text:
        db = _connect(path)
        try:
            result = search(db, text, limit, (page - 1) * limit)
            hits = present(db, result["hits"], i18n.current(), result.get("snippets"))
        finally:
            db.close()
    if _wants_json():
        response = jsonify(
            {
                "query": text,
                "total": result["total"],
                "hits": [
                    {
                        k: str(h[k]) if k == "snippet" else h[k]
                        for k in ("iri", "url", "label", "kind", "snippet", "score")
                    }
                    for h in hits
                ],
            }
        )
        response.vary.add("Accept")
        return response
    body = render_template(
        "search.html",
        query=text,
        search_query=text,
        hits=hits,
        total=result["total"],
        page=page,
        limit=limit,
        words=match_expression(text) is not None,
        indexed=path is not None,
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response

"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from kzmig.graph.release.layout import data_dir
from kzmig.graph.release.store import QueryStore, ReleaseStore

from . import errors, files, i18n, ontology, pages, publish, replay, resources, sparql, update
from .charts import bp as charts_bp
from .limits import Limits

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": None,  # the data directory; None: $KZMIG_DATA_DIR or ./var
    "DATA_FILES": [],  # RDF files to serve from memory instead of a release
}


def open_store(config: Mapping[str, Any]) -> QueryStore:
    if config.get("STORE_URL"):  # a release pushed to a remote SPARQL store
        from kzmig.graph.remote.store import RemoteStore

        return RemoteStore(config["STORE_URL"], data=data_dir(config.get("DATA_DIR")))
    files = [Path(f) for f in config.get("DATA_FILES") or []]
    if files or config.get("DATA_STORE"):
        from .runtime import open_app_store  # --data: one on-disk store shared with workers

        return open_app_store(config)  # type: ignore[arg-type]
    return ReleaseStore(data_dir(config.get("DATA_DIR")))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides DEFAULTS (and any Flask setting)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)
    app.extensions["kzmig.store"] = open_store(app.config)
    errors.register(app)
    i18n.install(app)  # pages in the reader's language: en, kk, ru
    app.register_blueprint(sparql.bp)
    app.register_blueprint(update.bp)
    app.register_blueprint(publish.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(ontology.bp)
    app.register_blueprint(charts_bp)  # /timeline, /flows, /statistics
    limits = Limits.from_config(app.config)
    files.install(app)
    replay.install(app, limits.cache_bytes // 4)  # 0 (--cache-mb 0): off (outermost)
    return app

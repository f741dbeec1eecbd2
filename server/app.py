"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from kzmig.graph.settings import config_defaults

from . import (
    browse,
    charts,
    context,
    cors,
    errors,
    fastlane,
    files,
    fragments,
    i18n,
    ontology,
    pages,
    publish,
    querypage,
    replay,
    resources,
    runtime,
    search,
    sparql,
    update,
    urls,
)
from .limits import Limits

# Every setting's default (graph/settings.py, docs/settings.md).
DEFAULTS: dict[str, Any] = config_defaults()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides DEFAULTS (and any Flask setting)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if config:
        app.config.update(config)
    app.extensions["kzmig.store"] = runtime.open_app_store(app.config)
    errors.register(app)
    i18n.install(app)  # pages in the reader's language: en, kk, ru
    app.register_blueprint(sparql.bp)
    app.register_blueprint(update.bp)
    app.register_blueprint(publish.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(ontology.bp)
    app.register_blueprint(fragments.bp)  # Triple Pattern Fragments (linked-data clients)
    app.register_blueprint(context.bp)  # /context.jsonld
    cors.install(app)  # every read route, never /update or /store
    app.register_blueprint(search.bp)  # /search, from the release's search.sqlite
    app.register_blueprint(browse.bp)
    app.register_blueprint(querypage.bp)
    app.register_blueprint(charts.bp)  # /timeline, /flows, /statistics
    limits = Limits.from_config(app.config)
    files.install(app)
    fastlane.install(app)  # GET /sparql lookups, answered before Flask
    urls.install(app)  # no view sees the client's Host
    replay.install(app, limits.cache_bytes)  # the one cache; 0 (--cache-mb 0): off
    return app

"""The web face of kzmig: SPARQL endpoint, pages, dumps (a Flask app factory)."""

from .app import create_app

__all__ = ["create_app"]

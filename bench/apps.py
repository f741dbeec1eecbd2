"""The baseline WSGI apps, served by the same HTTP server as kzmig.

- ``hello``: a Flask hello-world: the Python framework floor.
- ``rdflib``: the same SPARQL route shape over rdflib's in-memory Dataset
  (union default graph), loading $BENCH_DATA (N-Quads).

    granian --interface wsgi --factory bench.apps:hello
"""

from __future__ import annotations

import os
import threading

from flask import Flask, Response, request


def hello() -> Flask:
    app = Flask(__name__)

    @app.route("/sparql")
    def sparql() -> Response:
        return Response("Hello, World!", content_type="text/plain")

    @app.route("/health")
    def health() -> Response:
        return Response("ok", content_type="text/plain")

    return app


def rdflib() -> Flask:
    from rdflib import Dataset

    data = Dataset(default_union=True)
    data.parse(os.environ["BENCH_DATA"], format="nquads")
    lock = threading.Lock()  # rdflib's SPARQL parser is not thread-safe
    app = Flask(__name__)

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        query = request.values.get("query", "")
        with lock:
            body = data.query(query).serialize(format="json")
        return Response(body, content_type="application/sparql-results+json")

    @app.route("/health")
    def health() -> Response:
        return Response("ok", content_type="text/plain")

    return app

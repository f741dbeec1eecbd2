"""The fast lane (server/fastlane.py) sends what the Flask view sends, or leaves it to Flask.

Each request goes once through the fast lane and once straight to the Flask app below it,
on the same release: the status, every header (X-Query-Time aside: a duration), the body,
the replay mark, the access log's route and the query-log line must be the same, for every
results format and way of asking for one. Requests that are not plain GET lookups must
not be answered by the lane at all.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
from flask import Flask
from kzmig.server import access_log, replay, results
from kzmig.server.app import create_app
from kzmig.server.fastlane import FastLane

from tests.support.servers import kzmig_serve
from tests.test_lookup import LOOKUPS, NOT_LOOKUPS

ACCEPTS = [  # every type a result table is offered in, then what clients also send
    *results.TABLE_TYPES,
    None,
    "*/*",
    "text/csv;q=0.5, application/sparql-results+xml",
]
FORMATS = ["json", "xml", "csv", "tsv", "text/csv,application/json"]
PROGRAM = "https://w3id.org/kzmig/ontology#Program"


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Flask:
    made = create_app({"DATA_DIR": str(data_dir), "PUBLIC_URL": "http://kz.example:8080"})
    access_log.install(made)  # as `kzmig serve` does: its hook names the route in the environ
    return made


@pytest.fixture(scope="module")
def small_cap(data_dir: Path) -> Flask:
    made = create_app({"DATA_DIR": str(data_dir), "MAX_ROWS": 2})
    access_log.install(made)
    return made


def environ(query_string: str, **extra: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": query_string,
        "SERVER_NAME": "kz.example",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "kz.example:8080",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "REMOTE_ADDR": "127.0.0.1",
        **extra,
    }


class QueryLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def query_log() -> Iterator[QueryLog]:
    handler = QueryLog()
    log = logging.getLogger("kzmig.query")
    old = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield handler
    log.removeHandler(handler)
    log.setLevel(old)


def call(wsgi: Any, env: dict[str, Any], log: QueryLog) -> dict[str, Any]:
    """One request: status, headers, body, what it left in the environ, its query-log line."""
    seen: dict[str, Any] = {}

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    before = len(log.lines)
    body = b"".join(wsgi(env, start))
    lines = [" ".join(w for w in x.split()[1:] if not w.startswith("ms=")) for x in log.lines]
    headers = [(k, v) for k, v in seen["headers"] if k != "X-Query-Time"]
    return {
        "status": seen["status"],
        "headers": headers,
        "timed": any(k == "X-Query-Time" for k, _ in seen["headers"]),
        "body": body,
        "mark": env.get(replay.MARK),
        "route": env.get(access_log.ROUTE_KEY),
        "log": lines[before:],
    }


def lane(app: Flask) -> FastLane:
    found = app.extensions["kzmig.fastlane"]
    assert isinstance(found, FastLane)
    return found


def both(app: Flask, query_string: str, log: QueryLog, **extra: str) -> tuple[dict, dict, int]:
    """(fast lane's answer, Flask's answer, how many the lane answered itself)."""
    fast = lane(app)
    before = fast.answered
    mine = call(fast, environ(query_string, **extra), log)
    theirs = call(fast.inner, environ(query_string, **extra), log)
    return mine, theirs, fast.answered - before


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", LOOKUPS)
def test_a_lookup_is_answered_as_the_view_answers_it(
    app: Flask, query_log: QueryLog, query: str, accept: str | None
) -> None:
    extra = {"HTTP_ACCEPT": accept} if accept is not None else {}
    mine, theirs, answered = both(app, urlencode({"query": query}), query_log, **extra)
    assert answered == 1, "the fast lane did not answer it"
    assert mine["status"] == theirs["status"] == "200 OK"
    assert mine["headers"] == theirs["headers"]
    assert mine["body"] == theirs["body"]
    assert mine["timed"] and theirs["timed"]
    assert mine["mark"] == theirs["mark"] is not None
    assert mine["route"] == theirs["route"] == "/sparql"
    assert mine["log"] == theirs["log"] and len(mine["log"]) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_parameter(app: Flask, query_log: QueryLog, fmt: str) -> None:
    qs = urlencode({"query": LOOKUPS[0], "format": fmt})
    mine, theirs, answered = both(app, qs, query_log, HTTP_ACCEPT="text/html")
    assert answered == 1
    assert (mine["status"], mine["headers"], mine["body"]) == (
        theirs["status"],
        theirs["headers"],
        theirs["body"],
    )


def test_a_capped_answer_says_so(small_cap: Flask, query_log: QueryLog) -> None:
    query = f"SELECT ?s ?p WHERE {{ ?s ?p <{PROGRAM}> }}"
    mine, theirs, answered = both(small_cap, urlencode({"query": query}), query_log)
    assert answered == 1
    assert ("X-SPARQL-Truncated" in dict(mine["headers"])) and mine["headers"] == theirs["headers"]
    assert mine["body"] == theirs["body"]


def test_a_volatile_looking_iri_is_not_tagged(app: Flask, query_log: QueryLog) -> None:
    """cache.py keeps no query that names RAND( ... , even inside an IRI: nor does the lane."""
    query = "SELECT ?p ?o WHERE { <urn:x:RAND(1)> ?p ?o }"
    mine, theirs, answered = both(app, urlencode({"query": query}), query_log)
    assert answered == 1
    assert "ETag" not in dict(mine["headers"]) and mine["headers"] == theirs["headers"]
    assert mine["mark"] is None and theirs["mark"] is None
    assert mine["log"] == theirs["log"]


@pytest.mark.parametrize(
    ("query_string", "extra"),
    [
        *[(urlencode({"query": q}), {}) for q in NOT_LOOKUPS],
        (urlencode({"query": LOOKUPS[0], "timeout": "1"}), {}),
        (urlencode({"query": LOOKUPS[0], "default-graph-uri": "urn:g"}), {}),
        (urlencode([("query", LOOKUPS[0]), ("query", LOOKUPS[1])]), {}),
        (urlencode({"query": LOOKUPS[0]}), {"HTTP_IF_NONE_MATCH": '"x"'}),
        (urlencode({"query": LOOKUPS[0]}), {"REQUEST_METHOD": "HEAD"}),
        (urlencode({"query": LOOKUPS[0]}), {"HTTP_ACCEPT": "text/html"}),  # the view's 406
        (urlencode({"query": LOOKUPS[0]}), {"PATH_INFO": "/sparql/"}),
        ("query=" + quote(LOOKUPS[0]) + "%FF", {}),  # not UTF-8: the view's 400
        ("", {}),
    ],
)
def test_anything_else_is_left_to_flask(
    app: Flask, query_string: str, extra: dict[str, str]
) -> None:
    """(Flask itself is not run here: a runaway among these would run to its deadline.)"""
    passed: list[dict[str, Any]] = []

    def flask(env: dict[str, Any], start: Any) -> list[bytes]:
        passed.append(env)
        start("204 No Content", [])
        return []

    fast = FastLane(app, flask)
    env = environ(query_string, **extra)
    assert fast(env, lambda *a: None) == []
    assert passed == [env] and fast.answered == 0
    assert replay.MARK not in env and access_log.ROUTE_KEY not in env


@pytest.mark.slow
def test_over_http_on_the_benchmarked_server(data_dir: Path) -> None:
    """A real server: a lookup through every layer (replay, access log, host pinning, CORS)
    answers as the view does; an unknown parameter sends the same request to the view."""
    from tests.support.benchmarked import serve_args

    with kzmig_serve(serve_args(data_dir)) as base:
        for accept in ACCEPTS[:4]:
            asked = {"Accept": accept, "Host": "evil.example"}
            fast = requests.get(base + "/sparql", {"query": LOOKUPS[0]}, headers=asked, timeout=30)
            view = requests.get(
                base + "/sparql", {"query": LOOKUPS[0], "x": "1"}, headers=asked, timeout=30
            )
            assert fast.status_code == view.status_code == 200
            assert fast.content == view.content
            drop = {"date", "x-query-time"}
            assert {k: v for k, v in fast.headers.items() if k.lower() not in drop} == {
                k: v for k, v in view.headers.items() if k.lower() not in drop
            }

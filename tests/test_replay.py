"""Kept responses sent again before Flask (server/replay.py): the same bytes, never the
wrong ones. Through the app's test client, which runs the same WSGI stack as a server."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kzmig.server.replay import MAX_BODY, Replay
from werkzeug.test import TestResponse

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
JSON = "application/sparql-results+json"


def fresh(query: str = f"SELECT ?p ?o WHERE {{ <{ENBEK}> ?p ?o }}") -> str:
    """The query, made unique by a comment, so that no earlier test has kept it."""
    return f"# {uuid.uuid4()}\n{query}"


def replayer(app: Flask) -> Replay:
    assert isinstance(app.wsgi_app, Replay)
    return app.wsgi_app


def same_response(first: TestResponse, second: TestResponse) -> None:
    assert second.status == first.status
    assert second.data == first.data
    strip = {"X-Query-Time"}
    assert [h for h in second.headers if h[0] not in strip] == [
        h for h in first.headers if h[0] not in strip
    ]
    assert float(second.headers["X-Query-Time"]) >= 0


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_repeated_query_is_sent_again_byte_for_byte(
    app: Flask, client: FlaskClient, how: str
) -> None:
    query = fresh()

    def ask() -> TestResponse:
        if how == "get":
            return client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
        if how == "form":
            return client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
        return client.post(
            "/sparql",
            data=query.encode(),
            headers={"Accept": JSON, "Content-Type": "application/sparql-query"},
        )

    before = replayer(app).replayed
    first = ask()
    assert first.status_code == 200, first.text
    assert replayer(app).replayed == before  # the first answer came from the views
    second = ask()
    assert replayer(app).replayed == before + 1
    same_response(first, second)
    assert second.headers["Access-Control-Allow-Origin"] == "*"
    assert second.headers["ETag"] and second.headers["Vary"] == "Accept"
    assert len(second.json["results"]["bindings"]) >= 5


def test_what_the_answer_depends_on_is_part_of_the_key(app: Flask, client: FlaskClient) -> None:
    query = fresh()
    as_json = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    as_csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert as_json.mimetype == JSON and as_csv.mimetype == "text/csv"
    # a relative IRI is resolved against the endpoint's public URL, never the client's Host
    # (server/urls.py): whatever Host the first asker sent, the kept answer names no host
    relative = fresh("SELECT ?x WHERE { BIND(<thing> AS ?x) }")
    seen = set()
    for host in ("one.example", "two.example", "one.example"):
        r = client.get(
            "/sparql",
            query_string={"query": relative},
            headers={"Accept": "text/csv", "Host": host},
        )
        seen.add(r.text.split()[-1])
    assert seen == {"http://localhost/thing"}
    # another body is another question
    a = client.post("/sparql", data={"query": fresh("ASK { ?s ?p ?o }")}, headers={"Accept": JSON})
    b = client.post("/sparql", data={"query": fresh("ASK { <urn:no> ?p ?o }")})
    assert a.json["boolean"] is True and b.json["boolean"] is False


def test_conditional_requests_go_to_the_views(app: Flask, client: FlaskClient) -> None:
    query = fresh()
    first = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    before = replayer(app).replayed
    conditional = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]},
    )
    assert conditional.status_code == 304
    assert conditional.headers["ETag"] == first.headers["ETag"]
    assert replayer(app).replayed == before


def test_errors_and_uncacheable_answers_are_never_sent_again(
    app: Flask, client: FlaskClient
) -> None:
    before = replayer(app).replayed
    for _ in range(2):
        bad = client.get("/sparql", query_string={"query": "SELECT * WHERE {"})
        assert bad.status_code == 400 and "syntax" in bad.text
    volatile = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = {
        client.get(
            "/sparql", query_string={"query": volatile}, headers={"Accept": "text/csv"}
        ).text.split()[-1]
        for _ in range(2)
    }
    assert len(answers) == 2
    assert replayer(app).replayed == before


def test_a_big_body_is_answered_but_not_kept(app: Flask, client: FlaskClient) -> None:
    query = fresh() + "\n#" + "x" * MAX_BODY
    before = replayer(app).replayed
    for _ in range(2):
        r = client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
        assert r.status_code == 200, r.text
    assert replayer(app).replayed == before


def test_sent_again_answers_are_logged_with_their_hash(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kzmig.query")
    query = fresh()
    for _ in range(2):
        client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    lines = [r.getMessage() for r in caplog.records if r.name == "kzmig.query"]
    hashes = [re.search(r"query=(\w+)", line).group(1) for line in lines]  # type: ignore[union-attr]
    assert len(lines) == 2 and hashes[0] == hashes[1] != "-"
    assert "cache=miss" in lines[0] and "cache=hit" in lines[1]
    assert "status=200" in lines[1] and "rows=" in lines[1] and "rows=-" not in lines[1]


def test_resource_pages_are_kept_per_language(app: Flask, client: FlaskClient) -> None:
    path = "/resource/program/enbek"
    before = replayer(app).replayed
    pages = {}
    for lang in ("ru", "en", "ru", "en"):
        r = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
        assert r.status_code == 200
        if lang in pages:
            same = pages[lang]
            assert r.data == same.data and list(r.headers) == list(same.headers)
        pages[lang] = r
    assert pages["ru"].data != pages["en"].data
    assert replayer(app).replayed >= before + 2
    assert pages["ru"].headers["Content-Security-Policy"]


@pytest.fixture
def writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    from kzmig.server.app import create_app

    data = tmp_path / "data.ttl"
    data.write_text("<urn:s> <urn:p> 1 .\n", encoding="utf-8")
    monkeypatch.setenv("KZMIG_UPDATE_TOKEN", "replay-token")
    app = create_app({"DATA_FILES": [str(data)], "ALLOW_UPDATE": True})
    yield app
    state = app.extensions.get("kzmig.runtime")
    if state is not None:
        state.executor.close()


def test_a_changed_store_is_never_answered_from_before(writable: Flask) -> None:
    client = writable.test_client()
    count = {"query": "SELECT (COUNT(*) AS ?n) { <urn:s> <urn:p> ?o }"}
    csv = {"Accept": "text/csv"}

    def ask() -> str:
        return client.get("/sparql", query_string=count, headers=csv).text.split()[-1]

    assert [ask() for _ in range(3)] == ["1"] * 3
    assert replayer(writable).replayed == 2
    ok = client.post(
        "/update",
        data={"update": "INSERT DATA { <urn:s> <urn:p> 2 }"},
        headers={"Authorization": "Bearer replay-token"},
    )
    assert ok.status_code == 204, ok.text
    assert [ask() for _ in range(2)] == ["2"] * 2
    assert replayer(writable).replayed == 3


def test_nothing_is_kept_when_the_cache_is_off(data_dir: Path) -> None:
    from kzmig.server.app import create_app

    app = create_app({"DATA_DIR": str(data_dir), "CACHE_BYTES": 0})
    client = app.test_client()
    query = fresh()
    try:
        for _ in range(3):
            r = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
            assert r.status_code == 200
            assert client.get("/resource/program/enbek").status_code == 200
        assert replayer(app).replayed == 0
    finally:
        state = app.extensions.get("kzmig.runtime")
        if state is not None:
            state.executor.close()

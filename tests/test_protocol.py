"""The SPARQL protocol as clients meet it: formats, errors, service description, CORS,
caching, updates and their token. Through the app's test client (queries still run
in the real worker processes); the W3C suites and the limits run against live servers.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse as Response

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
SELECT = f"SELECT DISTINCT ?p ?o WHERE {{ <{ENBEK}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{ENBEK}> ?p ?o }} WHERE {{ <{ENBEK}> ?p ?o }}"
TOKEN = "protocol-test-token"


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str) -> Response:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


# --- result formats and content negotiation --------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*;q=0.8, application/*;q=0.1", "text/csv"),
        ("text/tab-separated-values;q=1, text/*;q=0.5", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_negotiates_q_values_and_wildcards(
    client: FlaskClient, accept: str | None, media: str
) -> None:
    response = get(client, SELECT, accept)
    assert response.status_code == 200, response.text
    assert response.mimetype == media
    assert response.headers["Vary"] == "Accept"
    rows = _rows(response.data, media)
    assert len(rows) >= 5
    assert any(o.endswith("PolicyInstrument") for o in rows)


def _rows(body: bytes, media: str) -> list[str]:
    """The ?o values of a SELECT ?p ?o result, in any of the four formats."""
    if media.endswith("json"):
        return [b["o"]["value"] for b in json.loads(body)["results"]["bindings"]]
    if media.endswith("xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        root = ElementTree.fromstring(body)
        return ["".join(b.itertext()) for b in root.iter(ns + "binding") if b.get("name") == "o"]
    if media == "text/csv":
        return [row["o"] for row in csv.DictReader(io.StringIO(body.decode()))]
    lines = body.decode().splitlines()
    assert lines[0].split("\t") == ["?p", "?o"]
    return [line.split("\t")[1].strip("<>") for line in lines[1:]]


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", "application/trig", ox.RdfFormat.TRIG),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/rdf+xml;q=0.2, text/turtle;q=0.9", "text/turtle", ox.RdfFormat.TURTLE),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_in_every_rdf_format(
    client: FlaskClient, accept: str, media: str, fmt: ox.RdfFormat
) -> None:
    response = get(client, CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert response.mimetype == media
    triples = list(ox.parse(response.data, format=fmt))
    assert len(triples) >= 5
    assert all(str(t.subject) == f"<{ENBEK}>" for t in triples)


def test_ask_is_json_or_xml(client: FlaskClient) -> None:
    response = get(client, f"ASK {{ <{ENBEK}> ?p ?o }}", "application/sparql-results+xml")
    assert response.status_code == 200
    assert b"<boolean>true</boolean>" in response.data
    assert json.loads(get(client, "ASK { <urn:no> ?p ?o }").data) == {
        "head": {},
        "boolean": False,
    }
    assert get(client, "ASK {}", "text/csv").status_code == 406


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = get(client, SELECT, "text/html", format="csv")
    assert response.mimetype == "text/csv"
    response = get(client, CONSTRUCT, "text/html", format="nt")
    assert response.mimetype == "application/n-triples"
    wrong = get(client, CONSTRUCT, None, format="csv")
    assert wrong.status_code == 406
    assert "format='csv'" in wrong.text


def test_406_when_nothing_acceptable(client: FlaskClient) -> None:
    response = get(client, SELECT, "image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    assert get(client, CONSTRUCT, "text/csv").status_code == 406


# --- errors: a 4xx with a message a person can act on -------------------------------


def test_syntax_error_gives_the_parsers_message_and_position(client: FlaskClient) -> None:
    response = get(client, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400
    assert "syntax error" in response.text
    assert "1:" in response.text  # line:column from the parser


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"method": "GET"}, 400, "missing the `query`"),
        ({"method": "GET", "query_string": "query=ASK{}&query=ASK{}"}, 400, "2 times"),
        ({"method": "POST", "data": "ASK {}", "content_type": "text/plain"}, 415, "Content-Type"),
        ({"method": "POST", "data": "query=ASK%20%7B%7D"}, 400, "Content-Type"),
        (
            {
                "method": "POST",
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query",
            },
            400,
            "UTF-8",
        ),
        (
            {"method": "POST", "data": b"ASK { \xff }", "content_type": "application/sparql-query"},
            400,
            "not UTF-8",
        ),
        (
            {
                "method": "POST",
                "data": "query=ASK%20%7B%FF%7D",
                "content_type": "application/x-www-form-urlencoded",
            },
            400,
            "UTF-8",
        ),
        ({"method": "PUT", "data": "ASK {}"}, 405, "Method Not Allowed"),
        ({"method": "GET", "query_string": "update=CLEAR%20ALL"}, 400, "/update"),
        ({"method": "GET", "query_string": "query=ASK{}&timeout=soon"}, 400, "timeout"),
    ],
)
def test_bad_requests(client: FlaskClient, kwargs: dict, status: int, words: str) -> None:
    method = kwargs.pop("method")
    if method == "GET" and "query_string" not in kwargs:
        kwargs["query_string"] = "format=json&default-graph-uri=urn:x"
    response = client.open("/sparql", method=method, **kwargs)
    assert response.status_code == status, response.text
    assert words in response.text


def test_request_size_cap_413_and_414(data_dir: Path) -> None:
    from kzmig.server.app import create_app

    app = create_app({"DATA_DIR": str(data_dir), "MAX_QUERY_BYTES": 2000})
    client = app.test_client()
    big = "ASK {} #" + "x" * 3000
    response = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert response.status_code == 413
    assert "2000" in response.text
    assert client.post("/sparql", data={"query": big}).status_code == 413
    assert client.get("/sparql", query_string={"query": big}).status_code == 414


# --- service description, CORS, health -----------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_service_description(client: FlaskClient, accept: str, fmt: ox.RdfFormat) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    assert response.headers["Vary"] == "Accept"
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(response.data, fmt))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    ask = f"""PREFIX sd: <{sd}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    ASK {{ ?s a sd:Service ; sd:endpoint ?e ; sd:feature sd:UnionDefaultGraph ;
           sd:supportedLanguage sd:SPARQL11Query ;
           sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ;
           sd:defaultDataset ?d . ?d rdfs:seeAlso ?void .
           FILTER(STRENDS(STR(?void), "/.well-known/void") && STRENDS(STR(?e), "/sparql")) }}"""
    assert bool(store.query(ask))
    update = f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Update> }}"
    assert not bool(store.query(update))  # read-only by default
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_cors_for_reads_and_preflight(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-MaxRows" in response.headers["Access-Control-Expose-Headers"]
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "content-type" in pre.headers["Access-Control-Allow-Headers"].lower()


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


# --- caching, ETags, the row cap, the query log --------------------------------------


def test_etag_and_304(client: FlaskClient) -> None:
    first = get(client, SELECT, "text/csv")
    tag = first.headers["ETag"]
    again = client.get(
        "/sparql",
        query_string={"query": SELECT},
        headers={"Accept": "text/csv", "If-None-Match": tag},
    )
    assert again.status_code == 304
    assert again.data == b""
    other = get(client, SELECT, "application/sparql-results+json")
    assert other.headers["ETag"] != tag  # another representation, another tag
    assert "ETag" not in get(client, "SELECT (RAND() AS ?r) {}").headers  # volatile


def test_row_cap_is_signalled_in_a_header(data_dir: Path) -> None:
    from kzmig.server.app import create_app

    app = create_app({"DATA_DIR": str(data_dir), "MAX_ROWS": 7})
    client = app.test_client()
    response = get(client, "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert response.status_code == 200
    assert response.headers["X-SPARQL-MaxRows"] == "7"
    assert response.headers["X-SPARQL-Truncated"].startswith("true")
    assert len(response.json["results"]["bindings"]) == 7
    small = get(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "application/sparql-results+json")
    assert "X-SPARQL-Truncated" not in small.headers
    assert len(small.json["results"]["bindings"]) == 3


def test_query_log_line_has_status_rows_and_hash(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kzmig.query")
    get(client, SELECT, "text/csv", timeout="9")
    get(client, "SELECT * WHERE {")
    lines = [r.getMessage() for r in caplog.records if r.name == "kzmig.query"]
    assert any("/sparql status=200" in line and "rows=" in line for line in lines), lines
    assert any("status=400" in line for line in lines), lines
    assert all("SELECT" not in line for line in lines)  # a hash, never the text


# --- updates: off by default, then behind the token -----------------------------------


@pytest.fixture
def writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    from kzmig.server.app import create_app

    data = tmp_path / "data.ttl"
    data.write_text("<urn:s> <urn:p> 1 .\n", encoding="utf-8")
    monkeypatch.setenv("KZMIG_UPDATE_TOKEN", TOKEN)
    app = create_app({"DATA_FILES": [str(data)], "ALLOW_UPDATE": True})
    yield app.test_client()
    _close(app)


def _close(app: Flask) -> None:
    state = app.extensions.get("kzmig.runtime")
    if state is not None:
        state.executor.close()


def test_updates_are_off_by_default(client: FlaskClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = client.post("/update", data={"update": "CLEAR ALL"}, headers=auth)
    assert response.status_code == 403
    assert "--allow-update" in response.text
    assert client.get("/store?default", headers=auth).status_code == 403


def test_update_needs_the_bearer_token(
    writable: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kzmig.query")
    insert = {"update": "INSERT DATA { <urn:s> <urn:p> 2 }"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = writable.post("/update", data=insert, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    count = "SELECT (COUNT(*) AS ?n) { <urn:s> <urn:p> ?o }"
    assert get(writable, count, "text/csv").text.split()[-1] == "1"
    ok = writable.post("/update", data=insert, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 204, ok.text
    assert get(writable, count, "text/csv").text.split()[-1] == "2"  # the cache moved on too
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_update_refuses_load_and_bad_syntax(writable: FlaskClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    load = writable.post("/update", data={"update": "LOAD <http://127.0.0.1:9/x>"}, headers=auth)
    assert load.status_code == 400
    assert "LOAD" in load.text
    bad = writable.post("/update", data={"update": "CLEAR XYZ"}, headers=auth)
    assert bad.status_code == 400
    assert "syntax error" in bad.text


def test_graph_store_protocol(writable: FlaskClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    url = "/store?graph=urn:g"
    assert writable.get(url, headers=auth).status_code == 404
    put = writable.put(
        url, data="<urn:a> <urn:b> <urn:c> .", content_type="text/turtle", headers=auth
    )
    assert put.status_code == 201
    post = writable.post(
        url, data="<urn:a> <urn:b> <urn:d> .", content_type="application/n-triples", headers=auth
    )
    assert post.status_code == 204
    got = writable.get(url, headers={**auth, "Accept": "application/n-triples"})
    assert got.status_code == 200
    assert sorted(got.text.split("\n"))[1:] == [
        "<urn:a> <urn:b> <urn:c> .",
        "<urn:a> <urn:b> <urn:d> .",
    ]
    bad = writable.put(url, data="<urn:a> <urn:b> .", content_type="text/turtle", headers=auth)
    assert bad.status_code == 400
    assert writable.delete(url, headers=auth).status_code == 204
    assert writable.get(url, headers=auth).status_code == 404
    assert writable.get(url).status_code == 401


def test_deep_nesting_is_refused_before_the_parser(client: FlaskClient) -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    response = client.post("/sparql", data=deep, content_type="application/sparql-query")
    assert response.status_code == 400
    assert "nested more than 200 levels" in response.text
    assert get(client, "ASK {}").status_code == 200  # and the worker lived


def test_format_json_of_a_graph_is_json_ld(client: FlaskClient) -> None:
    """SPARQLWrapper sends format=json whatever the query form."""
    response = get(client, CONSTRUCT, None, format="json")
    assert response.mimetype == "application/ld+json"
    assert len(list(ox.parse(response.data, format=ox.RdfFormat.JSON_LD))) >= 5

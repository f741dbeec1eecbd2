"""Linked-data details (#19): CORS, JSON-LD, fragments, ranges, digests, protocol corners.

In-process (Flask's test client) against the release built from the repo; the real
clients (Comunica, SPARQLWrapper, rdflib, pyld, Chromium) are in test_ld_clients.py.

Long because: one in-process release fixture serves every linked-data corner case;
splitting it would build the release again per file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from pyld import jsonld as pyld
from rdflib.compare import isomorphic

from tests.support.servers import ROOT

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
POLICY = "https://w3id.org/kzmig/ontology#PolicyInstrument"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
JSONLD = "http://www.w3.org/ns/json-ld#"
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"


def sparql(client: FlaskClient, query: str, accept: str = "", **params: str) -> Any:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def release_count(client: FlaskClient) -> int:
    body = sparql(client, DISTINCT_TRIPLES, "application/sparql-results+json").get_json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def fetch(client: FlaskClient, path: str, **headers: str) -> Any:
    """GET a dump (read whole, then closed: send_file's file must not leak)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def dump_names(client: FlaskClient) -> list[str]:
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    return [f["name"] for f in listing["files"]]


# -- CORS ------------------------------------------------------------------------------------

READ_PATHS = [
    "/",
    "/sparql",
    "/resource/program/enbek",
    "/resource/program/enbek.jsonld",
    "/.well-known/void",
    "/catalog",
    "/ontology",
    "/dumps/",
    "/fragments",
    "/context.jsonld",
    "/validation",
    "/health",
    "/resource/no/such/thing",  # a 404 is readable too: the page can show why
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_every_read_route_allows_any_origin(client: FlaskClient, path: str) -> None:
    origin = {"Origin": "https://notebook.example"}
    for method in (client.get, client.head):
        response = method(path, headers=origin)
        assert response.headers.get("Access-Control-Allow-Origin") == "*", (path, method)
    pre = client.options(
        path,
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept, range",
        },
    )
    assert pre.status_code < 300
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    allowed = pre.headers["Access-Control-Allow-Headers"].lower()
    assert "accept" in allowed and "range" in allowed


def test_dump_files_allow_any_origin_and_expose_their_headers(client: FlaskClient) -> None:
    response = fetch(client, "/dumps/" + dump_names(client)[0], Range="bytes=0-9")
    assert response.status_code == 206
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"]
    for name in ("Content-Range", "ETag", "Repr-Digest", "Link", "X-SPARQL-Truncated"):
        assert name in exposed


@pytest.mark.parametrize("path", ["/update", "/store", "/store?default"])
def test_write_routes_never_carry_cors(client: FlaskClient, path: str) -> None:
    origin = {"Origin": "https://evil.example"}
    answers = [
        client.get(path, headers=origin),
        client.post(path, headers=origin, data="x"),
        client.options(path, headers={**origin, "Access-Control-Request-Method": "POST"}),
    ]
    for response in answers:
        names = [name for name, _ in response.headers.items()]
        assert not [h for h in names if h.lower().startswith("access-control")]


# -- protocol details ------------------------------------------------------------------------


def test_format_takes_a_list_and_the_first_offered_wins(client: FlaskClient) -> None:
    construct = f"CONSTRUCT {{ <{ENBEK}> ?p ?o }} WHERE {{ <{ENBEK}> ?p ?o }}"
    # what SPARQLWrapper sends for JSON-LD
    r = sparql(client, construct, format="application/ld+json,application/x-json+ld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    r = sparql(client, "SELECT * { ?s ?p ?o } LIMIT 1", format="image/png, csv ,json")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert sparql(client, "ASK {}", format="png,gif").status_code == 406
    r = client.get("/resource/program/enbek?format=xhtml,ttl,nt")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    r = client.get("/.well-known/void?format=rdfa,nt")
    assert r.status_code == 200 and r.mimetype == "application/n-triples"


@pytest.mark.parametrize("accept", ["text/xml", "application/xml"])
def test_xml_types_give_sparql_xml(client: FlaskClient, accept: str) -> None:
    select = sparql(client, f"SELECT ?o {{ <{ENBEK}> a ?o }}", accept)
    assert select.status_code == 200 and select.mimetype == accept
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(select.data)
    assert POLICY in {u.text for u in root.iterfind(".//r:uri", ns)}
    ask = sparql(client, f"ASK {{ <{ENBEK}> a <{POLICY}> }}", accept)
    assert ElementTree.fromstring(ask.data).find("r:boolean", ns).text == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "path",
    [
        "/sparql?query=" + quote(f"SELECT ?o {{ <{ENBEK}> a ?o }}"),
        "/sparql",
        "/resource/program/enbek",
        "/fragments?predicate=" + quote(RDF_TYPE, safe=""),
        "/.well-known/void",
        "/context.jsonld",
    ],
)
def test_head_answers_wherever_get_does(client: FlaskClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_describe_sends_each_triple_once(client: FlaskClient) -> None:
    r = sparql(client, f"DESCRIBE <{ENBEK}>", "application/n-triples")
    lines = [line for line in r.data.decode().splitlines() if line.strip()]
    assert lines and len(lines) == len(set(lines))
    wanted = sparql(
        client,
        f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?p ?o {{ GRAPH ?g {{ <{ENBEK}> ?p ?o }} }} }}",
        "application/sparql-results+json",
    ).get_json()["results"]["bindings"][0]["n"]["value"]
    assert len(lines) == int(wanted)


def test_service_description_input_formats_only_with_updates(
    client: FlaskClient, tmp_path: Path
) -> None:
    from kzmig.server.app import create_app

    sd_input = "http://www.w3.org/ns/sparql-service-description#inputFormat"
    read_only = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert b"sparql-service-description#Service" in read_only.data
    assert sd_input.encode() not in read_only.data
    data = tmp_path / "x.ttl"
    data.write_text("<http://example.org/a> <http://example.org/b> 1 .\n", encoding="utf-8")
    writable: Flask = create_app({"DATA_FILES": [str(data)], "ALLOW_UPDATE": True})
    body = writable.test_client().get("/sparql", headers={"Accept": "application/n-triples"}).data
    assert sd_input.encode() in body


def test_row_cap_is_stated_in_the_service_description_and_void(
    client: FlaskClient, app: Flask
) -> None:
    from kzmig.server.limits import Limits

    cap = f"{Limits.from_config(app.config).max_rows:,}"
    for path in ("/sparql", "/.well-known/void"):
        text = client.get(path, headers={"Accept": "application/n-triples"}).get_data(True)
        assert f"capped at {cap} rows" in text, path
        assert "/fragments" in text


# -- dumps: digests and several ranges -------------------------------------------------------


def test_dump_digests_are_base64_sha256(client: FlaskClient) -> None:
    name = dump_names(client)[0]
    response = fetch(client, "/dumps/" + name)
    digest = hashlib.sha256(response.data).digest()
    b64 = base64.b64encode(digest).decode()
    assert response.headers["Digest"] == f"sha-256={b64}"
    assert response.headers["Repr-Digest"] == f"sha-256=:{b64}:"


def _parts(response: Any) -> list[tuple[str, bytes]]:
    boundary = response.mimetype_params["boundary"].encode()
    out = []
    for chunk in response.data.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, body = chunk.partition(b"\r\n\r\n")
        match = re.search(rb"Content-Range: bytes (\d+)-(\d+)/(\d+)", head)
        assert match, head
        out.append((match.group(0).decode(), body[: -len(b"\r\n")]))
    return out


def test_several_ranges_give_a_multipart_answer(client: FlaskClient) -> None:
    name = dump_names(client)[0]
    whole = fetch(client, "/dumps/" + name).data
    r = fetch(client, "/dumps/" + name, Range="bytes=0-9,20-29,-5")
    assert r.status_code == 206 and r.mimetype == "multipart/byteranges"
    assert int(r.headers["Content-Length"]) == len(r.data)
    n = len(whole)
    assert _parts(r) == [
        (f"Content-Range: bytes 0-9/{n}", whole[0:10]),
        (f"Content-Range: bytes 20-29/{n}", whole[20:30]),
        (f"Content-Range: bytes {n - 5}-{n - 1}/{n}", whole[-5:]),
    ]
    etag = r.headers["ETag"]
    stale = fetch(client, "/dumps/" + name, Range="bytes=0-1,5-6", **{"If-Range": '"x"'})
    assert stale.status_code == 200 and stale.data == whole
    fresh = fetch(client, "/dumps/" + name, Range="bytes=0-1,5-6", **{"If-Range": etag})
    assert fresh.status_code == 206
    overlapping = fetch(client, "/dumps/" + name, Range="bytes=0-99,50-60")
    assert overlapping.status_code == 200 and overlapping.data == whole
    beyond = fetch(client, "/dumps/" + name, Range=f"bytes={n}-{n + 5},{n + 9}-")
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{n}"


# -- JSON-LD ---------------------------------------------------------------------------------


def _graph(data: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=fmt)


def test_resource_json_ld_is_compacted_typed_and_the_same_graph(client: FlaskClient) -> None:
    r = client.get("/resource/program/enbek", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = json.loads(r.data)
    assert isinstance(doc["@context"], dict)  # inline: readers need no loader
    nodes = doc.get("@graph", [doc])
    enbek = next(n for n in nodes if n["@id"] in ("program:enbek", ENBEK))
    assert "PolicyInstrument" in enbek["@type"]
    assert RDF_TYPE not in json.dumps(doc)
    turtle = client.get("/resource/program/enbek", headers={"Accept": "text/turtle"}).data
    assert isomorphic(_graph(r.data, "json-ld"), _graph(turtle, "turtle"))
    # pyld, the reference implementation, reads the same triples
    nquads = pyld.to_rdf(doc, {"format": "application/n-quads"})
    assert isomorphic(_graph(nquads.encode(), "nt"), _graph(turtle, "turtle"))
    framed = pyld.frame(doc, {"@context": doc["@context"], "@type": "PolicyInstrument"})
    found = framed.get("@graph", [framed])
    assert [n["@id"] for n in found] == ["program:enbek"]


@pytest.mark.parametrize(
    ("profile", "check"),
    [
        ("expanded", lambda d: isinstance(d, list) and "@context" not in json.dumps(d)),
        ("compacted", lambda d: "@context" in d and "@graph" in d),
        ("flattened", lambda d: "@context" in d and all("@id" in n for n in d["@graph"])),
    ],
)
def test_json_ld_profiles(client: FlaskClient, profile: str, check: Any) -> None:
    accept = f'application/ld+json;profile="{JSONLD}{profile}", text/turtle;q=0.5'
    turtle = client.get("/resource/program/enbek", headers={"Accept": "text/turtle"}).data
    for path in ("/resource/program/enbek", "/.well-known/void", "/sparql"):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == "application/ld+json", path
        assert r.mimetype_params.get("profile") == JSONLD + profile
        assert check(json.loads(r.data)), (path, r.data[:300])
        if path.startswith("/resource"):
            assert isomorphic(_graph(r.data, "json-ld"), _graph(turtle, "turtle"))


def test_plain_json_on_a_resource_is_its_json_ld(client: FlaskClient) -> None:
    r = client.get("/resource/program/enbek", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    ld = client.get("/resource/program/enbek", headers={"Accept": "application/ld+json"})
    assert r.data == ld.data
    # pyld's requests loader (2.x, 3.x) fails on a response with several rel=alternate links
    assert "Link" not in r.headers and "Link" not in ld.headers


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog", "/sparql"])
def test_publishing_documents_in_json_ld_match_their_turtle(client: FlaskClient, path: str) -> None:
    ld = client.get(path, headers={"Accept": "application/ld+json"})
    assert "@type" in ld.get_data(True) and "@context" in json.loads(ld.data)
    turtle = client.get(path, headers={"Accept": "text/turtle"}).data
    assert isomorphic(_graph(ld.data, "json-ld"), _graph(turtle, "turtle"))


def test_construct_json_ld_is_compacted_and_the_same_graph(client: FlaskClient) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{ENBEK}>) }}"
    ld = sparql(client, query, "application/ld+json")
    assert "PolicyInstrument" in json.loads(ld.data)["@type"]
    nt = sparql(client, query, "application/n-triples").data
    assert isomorphic(_graph(ld.data, "json-ld"), _graph(nt, "nt"))


def test_published_context_types_the_properties(client: FlaskClient, app: Flask) -> None:
    r = client.get("/context.jsonld")
    ctx = json.loads(r.data)["@context"]
    assert ctx["@version"] == 1.1
    assert ctx["prov"] == "http://www.w3.org/ns/prov#"
    assert ctx["approvedBy"] == {"@id": "kzo:approvedBy", "@type": "@id"}
    assert ctx["startYear"]["@type"] == "xsd:gYear"
    assert r.headers["ETag"].strip('"') == "context-" + app.extensions["kzmig.store"].version
    again = client.get("/context.jsonld", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    # every term the context defines names a property the release uses
    used = {
        b["p"]["value"]
        for b in sparql(
            client, "SELECT DISTINCT ?p { GRAPH ?g { ?s ?p ?o } }", "application/json"
        ).get_json()["results"]["bindings"]
    }
    kzo = ctx["@vocab"]
    for term, definition in ctx.items():
        if isinstance(definition, dict):  # {"@id": "kzo:x", ...}, or "prov:y": {"@type": ...}
            iri = definition.get("@id", term)
            prefix, _, local = iri.partition(":")
            assert ctx.get(prefix, kzo if prefix == "kzo" else "") + local in used, term


# -- Triple Pattern Fragments ----------------------------------------------------------------


def _page(client: FlaskClient, url: str, accept: str = "application/trig") -> ox.Dataset:
    r = client.get(url, headers={"Accept": accept})
    assert r.status_code == 200, r.data[:300]
    return ox.Dataset(ox.parse(r.data, format=ox.RdfFormat.TRIG))


def _control(meta: list[ox.Quad], here: str, name: str) -> str | None:
    for q in meta:
        if q.subject.value == here and q.predicate.value == HYDRA + name:
            return str(q.object.value)
    return None


def crawl(client: FlaskClient, start: str) -> tuple[list[ox.Triple], int, int]:
    """Every page from ``start``: (the data triples, the pages read, the count stated)."""
    url: str | None = start
    triples: list[ox.Triple] = []
    pages, stated = 0, -1
    while url:
        local = url.split("://", 1)[1].split("/", 1)[1]
        ds = _page(client, "/" + local)
        pages += 1
        data = [q for q in ds if isinstance(q.graph_name, ox.DefaultGraph)]
        meta = [q for q in ds if not isinstance(q.graph_name, ox.DefaultGraph)]
        assert len(data) <= 1000
        assert {q.graph_name.value for q in meta} == {url + "#metadata"}
        triples += [q.triple for q in data]
        stated = int(_control(meta, url, "totalItems") or -1)
        url = _control(meta, url, "next")
    return triples, pages, stated


def test_fragments_with_no_pattern_page_through_every_distinct_triple(
    client: FlaskClient,
) -> None:
    triples, pages, stated = crawl(client, "http://localhost/fragments")
    total = release_count(client)
    assert len(triples) == len(set(triples)) == total == stated
    assert pages == -(-total // 1000)


def test_a_pattern_lists_each_matching_triple_once(client: FlaskClient) -> None:
    # triples that several claim graphs assert: the fragment still lists each once
    rows = sparql(
        client,
        "SELECT ?s ?p ?o (COUNT(?g) AS ?n) { GRAPH ?g { ?s ?p ?o } } "
        "GROUP BY ?s ?p ?o HAVING(COUNT(?g) > 1) LIMIT 1",
        "application/sparql-results+json",
    ).get_json()["results"]["bindings"]
    assert rows, "the release has no triple asserted twice: this test would prove nothing"
    s = rows[0]["s"]["value"]
    url = "http://localhost/fragments?subject=" + quote(s, safe="")
    triples, _, stated = crawl(client, url)
    want = sparql(
        client,
        f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?p ?o {{ GRAPH ?g {{ <{s}> ?p ?o }} }} }}",
        "application/sparql-results+json",
    ).get_json()["results"]["bindings"][0]["n"]["value"]
    assert len(triples) == len(set(triples)) == stated == int(want)
    assert all(t.subject.value == s for t in triples)


def test_literal_and_typed_patterns(client: FlaskClient) -> None:
    lang = '"Enbek"@en'
    ds = _page(client, "/fragments?object=" + quote(lang))
    data = [q for q in ds if isinstance(q.graph_name, ox.DefaultGraph)]
    assert any(q.subject.value == ENBEK for q in data)
    typed = '"2017"^^http://www.w3.org/2001/XMLSchema#gYear'
    ds = _page(client, f"/fragments?subject={quote(ENBEK)}&object={quote(typed)}")
    data = [q for q in ds if isinstance(q.graph_name, ox.DefaultGraph)]
    assert [q.predicate.value for q in data] == ["https://w3id.org/kzmig/ontology#startYear"]
    empty = _page(client, "/fragments?subject=" + quote('"a literal"'))
    assert not [q for q in empty if isinstance(q.graph_name, ox.DefaultGraph)]


def test_a_graph_narrows_to_one_claim(client: FlaskClient) -> None:
    claim = (
        sparql(client, f"SELECT ?g {{ GRAPH ?g {{ <{ENBEK}> a <{POLICY}> }} }} LIMIT 1", "text/csv")
        .get_data(True)
        .splitlines()[1]
    )
    ds = _page(client, f"/fragments?subject={quote(ENBEK)}&graph={quote(claim)}")
    data = [q for q in ds if not q.graph_name.value.endswith("#metadata")]
    assert data and {q.graph_name.value for q in data} == {claim}


@pytest.mark.parametrize(
    "query",
    ["subject=%22unclosed", "predicate=not%20an%20iri", "graph=%22lit%22", "page=0", "page=x"],
)
def test_bad_patterns_are_400_with_the_reason(client: FlaskClient, query: str) -> None:
    r = client.get("/fragments?" + query)
    assert r.status_code == 400
    assert r.mimetype == "text/plain" and len(r.data) > 20


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-quads", "application/ld+json"])
def test_fragments_in_each_format(client: FlaskClient, accept: str) -> None:
    url = "/fragments?subject=" + quote(ENBEK)
    r = client.get(url, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    fmt = {
        "text/turtle": "turtle",
        "application/n-quads": "nquads",
        "application/ld+json": "json-ld",
    }
    g = rdflib.Dataset().parse(data=r.data, format=fmt[accept])
    triples = {(s, p, o) for s, p, o, _ in g.quads()}
    assert (rdflib.URIRef(ENBEK), rdflib.RDF.type, rdflib.URIRef(POLICY)) in triples
    assert any(p == rdflib.URIRef(HYDRA + "search") for _, p, _ in triples)


def test_void_and_home_page_link_the_fragments(client: FlaskClient) -> None:
    void = _graph(client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, "turtle")
    lookup = list(void.objects(None, rdflib.URIRef(VOID + "uriLookupEndpoint")))
    assert [str(x) for x in lookup] == ["http://localhost/fragments?subject="]
    templates = [str(t) for t in void.objects(None, rdflib.URIRef(HYDRA + "template"))]
    assert templates == ["http://localhost/fragments{?subject,predicate,object}"]
    assert 'href="/fragments"' in client.get("/").get_data(True)


def test_fragments_docs_exist() -> None:
    doc = (ROOT / "docs" / "linked-data.md").read_text(encoding="utf-8")
    for word in ("/fragments", "/context.jsonld", "Access-Control-Allow-Origin", "Comunica"):
        assert word in doc


def test_fragments_over_served_files(tmp_path: Path) -> None:
    """`kzmig serve --data FILE` (an on-disk store shared with workers) has fragments too."""
    from kzmig.server.app import create_app

    data = tmp_path / "x.trig"
    data.write_text(
        "<http://example.org/g1> { <http://example.org/a> <http://example.org/p> 1 . }\n"
        "<http://example.org/g2> { <http://example.org/a> <http://example.org/p> 1 .\n"
        "  <http://example.org/b> <http://example.org/p> 2 . }\n",
        encoding="utf-8",
    )
    files = create_app({"DATA_FILES": [str(data)]}).test_client()
    lines = files.get("/fragments", headers={"Accept": "application/n-quads"}).get_data(True)
    data_lines = [line for line in lines.splitlines() if line.count("<http://example.org/") == 2]
    assert len(data_lines) == 2  # the triple both graphs assert, once
    ds = _page(files, "/fragments?graph=" + quote("http://example.org/g2"))
    assert len([q for q in ds if q.graph_name.value == "http://example.org/g2"]) == 2


def test_pages_asked_for_from_different_threads(app: Flask) -> None:
    """HTTP threads take turns: page 2 served by another thread than page 1 must neither
    resume page 1's store iterator (pyo3 panics: the worker died) nor differ."""
    import threading

    from kzmig.server import fragments

    store = app.extensions["kzmig.store"]
    source = fragments.quad_source(store)
    assert source is not None
    pattern = (None, ox.NamedNode(RDF_TYPE), None, None)
    pages: dict[int, list[ox.Quad]] = {}
    errors: list[BaseException] = []

    def serve(page: int) -> None:
        try:
            with app.app_context():
                pages[page] = fragments.page_of(source, "t-" + store.version, pattern, page)[0]
        except BaseException as e:  # pyo3's PanicException is a BaseException
            errors.append(e)

    for page in (1, 2, 3):
        worker = threading.Thread(target=serve, args=(page,))
        worker.start()
        worker.join()
    assert not errors, errors
    with app.app_context():
        again = fragments.page_of(source, "u-" + store.version, pattern, 2)[0]
    assert pages[2] == again and len(pages[1]) == len(pages[2]) == 1000
    assert not set(pages[1]) & set(pages[2])

"""The same questions to the embedded store and to a real Oxigraph server: same answers.

The release built from the repo is pushed (`kzmig push`) into `oxigraph serve`
on a loopback port, next to a foreign graph that reuses our IRIs (other data in
a shared store must not leak into answers); `kzmig serve --store` then answers
from it, and every query, page and count must match `kzmig serve --data-dir`.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.servers import ROOT, kzmig_serve
from tests.support.stores import oxigraph_server, rows, triples, warm

PROV = "https://w3id.org/kzmig/resource/graph/provenance"
ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
PREFIXES = """PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

SELECTS = {
    "graphs": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    "quads per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "default graph size": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "enbek claims with quotes": f"""SELECT DISTINCT ?claim ?p ?o ?quote WHERE {{
        GRAPH ?claim {{ <{ENBEK}> ?p ?o }}
        GRAPH <{PROV}> {{ ?claim a kzo:Claim ; kzo:evidence/oa:hasSelector/oa:exact ?quote }}
    }}""",
    "provenance counts": f"""SELECT ?src (COUNT(DISTINCT ?claim) AS ?claims)
        (COUNT(DISTINCT ?ev) AS ?evidence) WHERE {{
        GRAPH <{PROV}> {{ ?claim a kzo:Claim ; prov:wasDerivedFrom ?src ; kzo:evidence ?ev }}
    }} GROUP BY ?src""",
    "claims lacking provenance": f"""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{
        GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/kzmig/resource/claim/"))
        FILTER NOT EXISTS {{ GRAPH <{PROV}> {{ ?g a kzo:Claim }} }}
    }}""",
    "evidence offsets": f"""SELECT ?claim ?exact ?start ?end WHERE {{
        GRAPH <{PROV}> {{ ?claim kzo:evidence/oa:hasSelector ?q , ?pos .
            ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end }}
    }}""",
    "claim graph contents": """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/kzmig/resource/claim/")) }""",
    "labels in the union": "SELECT DISTINCT ?s ?label WHERE { ?s rdfs:label ?label }",
    "everything, counted": """SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?objects)
        WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }""",
    "ask true": f"ASK {{ GRAPH ?c {{ <{ENBEK}> ?p ?o }} }}",
    "ask false": "ASK { GRAPH ?g { <urn:kzmig:test:nothing> ?p ?o } }",
    "ask foreign": "ASK { ?s <urn:kzmig:test:foreign> ?o }",
}
CONSTRUCTS = {
    "provenance graph": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PROV}> {{ ?s ?p ?o }} }}",
    "enbek in the union": f"CONSTRUCT {{ <{ENBEK}> ?p ?o }} WHERE {{ <{ENBEK}> ?p ?o }}",
}


def example_queries() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "server/queries").glob("*.rq")}


def ask(base: str, query: str, accept: str = "application/sparql-results+json", **extra: str):
    return requests.post(
        base + "/sparql",
        data={"query": query, **extra},
        headers={"Accept": accept},
        timeout=60,
    )


def kzmig(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kzmig.graph.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("oxigraph") / "store"
    with oxigraph_server(folder) as base:
        # Someone else's data in the same store, about our things.
        foreign = f"<{ENBEK}> <urn:kzmig:test:foreign> <urn:kzmig:test:x> .\n"
        requests.post(
            base + "/store",
            params={"graph": "urn:kzmig:test:other-data"},
            data=foreign,
            headers={"Content-Type": "application/n-triples"},
            timeout=10,
        ).raise_for_status()
        done = kzmig("push", "--store", base, "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        yield base


@pytest.fixture(scope="module")
def remote(oxigraph: str, data_dir: Path) -> Iterator[str]:
    with kzmig_serve(["--store", oxigraph, "--data-dir", str(data_dir)]) as base:
        warm(base)
        yield base


@pytest.mark.parametrize("name", sorted(SELECTS))
def test_select_answers_are_identical(name: str, live_server: str, remote: str) -> None:
    query = PREFIXES + SELECTS[name]
    embedded, pushed = rows(ask(live_server, query)), rows(ask(remote, query))
    assert pushed == embedded
    if not isinstance(embedded, bool):
        assert embedded or name == "claims lacking provenance", "the query must find something"


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_example_queries_are_identical(live_server: str, remote: str) -> None:
    examples = example_queries()
    assert examples
    for name, query in examples.items():
        assert rows(ask(remote, query), query) == rows(ask(live_server, query), query), name


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_construct_answers_are_identical(name: str, live_server: str, remote: str) -> None:
    query = CONSTRUCTS[name]
    embedded = ask(live_server, query, "application/n-triples")
    pushed = ask(remote, query, "application/n-triples")
    assert embedded.status_code == pushed.status_code == 200, pushed.text
    assert triples(pushed.content) == triples(embedded.content)
    assert triples(embedded.content)


def test_protocol_dataset_is_forwarded(live_server: str, remote: str) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    query += " GROUP BY ?g"
    params = {"default-graph-uri": PROV, "named-graph-uri": PROV}
    embedded = rows(ask(live_server, query, **params))
    assert rows(ask(remote, query, **params)) == embedded
    assert len(embedded) == 2  # the default graph (no ?g) and the one named graph


def test_the_foreign_graph_stays_out(remote: str, oxigraph: str) -> None:
    # It is in the store...
    direct = requests.post(
        oxigraph + "/query",
        data={"query": "ASK { GRAPH ?g { ?s <urn:kzmig:test:foreign> ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert direct.json()["boolean"] is True
    # ...and never in what kzmig serves.
    assert rows(ask(remote, SELECTS["ask foreign"])) is False


def test_pages_and_descriptions_are_identical(live_server: str, remote: str) -> None:
    checked = 0
    for path, accept in [
        ("/resource/program/enbek", "application/n-triples"),
        ("/.well-known/void", "application/n-triples"),
        ("/dumps/", "application/json"),
        ("/health", "application/json"),
    ]:
        a = requests.get(live_server + path, headers={"Accept": accept}, timeout=30)
        b = requests.get(remote + path, headers={"Accept": accept}, timeout=30)
        assert a.status_code == b.status_code, (path, b.text)
        if a.status_code != 200:
            continue
        checked += 1
        # The two servers differ by their port, in the IRIs of their own documents.
        mine = a.content.replace(live_server.encode(), b"http://server")
        theirs = b.content.replace(remote.encode(), b"http://server")
        if accept == "application/n-triples":
            assert triples(theirs) == triples(mine), path
        else:
            assert json.loads(theirs) == json.loads(mine), path
    assert checked >= 2


def test_a_query_past_the_timeout_answers_503(remote: str) -> None:
    # A cross product no store finishes in a second; Oxigraph was started with
    # --timeout-s, and kzmig stops waiting at the request's timeout regardless.
    started = time.monotonic()
    response = ask(
        remote,
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        timeout="1",
    )
    assert response.status_code == 503, response.text
    assert time.monotonic() - started < 10


def test_a_bad_query_answers_400_with_the_parser_message(remote: str) -> None:
    response = ask(remote, "SELECT ?x WHERE { ?x ?y }")
    assert response.status_code == 400
    assert "syntax" in response.text.lower() or "expected" in response.text.lower()


def test_the_store_level_timeout_holds_without_the_endpoint(oxigraph: str) -> None:
    from kzmig.graph.remote.adapter import StoreTimeout
    from kzmig.graph.remote.store import GRACE, RemoteStore

    store = RemoteStore(oxigraph)
    started = time.monotonic()
    with pytest.raises(StoreTimeout):
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.5)
    assert time.monotonic() - started < 0.5 + GRACE + 2


def test_the_dump_streams_the_release(oxigraph: str, data_dir: Path) -> None:
    import pyoxigraph as ox
    from kzmig.graph.release.layout import Release
    from kzmig.graph.remote.store import RemoteStore

    dumped = b"".join(RemoteStore(oxigraph).dump("nq"))
    local = Release.current(data_dir).store
    mine = {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in local}
    theirs = {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in ox.parse(dumped, format=ox.RdfFormat.N_QUADS)
    }

    def named(quads: set[tuple[str, str, str, str]]) -> set[tuple[str, str, str, str]]:
        return {q for q in quads if not (q[0].startswith("_:") or q[2].startswith("_:"))}

    assert named(theirs) == named(mine)
    assert len(theirs) == len(mine)


def test_a_plain_sparql_store_works_through_the_generic_adapter(
    tmp_path: Path, data_dir: Path
) -> None:
    # The `sparql` kind knows nothing of Oxigraph: only the three URLs it is given.
    from kzmig.graph.release.layout import Release
    from kzmig.graph.release.store import ReleaseStore
    from kzmig.graph.remote.push import push
    from kzmig.graph.remote.store import RemoteStore

    with oxigraph_server(tmp_path / "store") as base:
        url = f"sparql+{base}/query?update={base}/update&store={base}/store"
        pushed = push(data_dir, url)
        assert pushed.version == Release.current(data_dir).version
        remote, embedded = RemoteStore(url), ReleaseStore(data_dir)
        assert remote.kind == "sparql" and remote.version == pushed.version
        for query in (SELECTS["quads per graph"], PREFIXES + SELECTS["provenance counts"]):
            assert sorted(map(str, remote.query(query))) == sorted(map(str, embedded.query(query)))


def test_store_credentials_come_from_the_url_or_the_environment() -> None:
    from kzmig.graph.remote.adapter import Adapter
    from kzmig.graph.remote.store import make_auth
    from kzmig.graph.remote.virtuoso import Virtuoso

    def header(auth: object, url: str = "http://store/sparql") -> str:
        request = requests.Request("GET", url, auth=auth).prepare()  # type: ignore[arg-type]
        return request.headers.get("Authorization", "")

    plain = Adapter("http://store")
    assert make_auth("http://store", plain, {}) is None
    assert header(make_auth("http://store", plain, {"KZMIG_STORE_TOKEN": "s3cret"})) == (
        "Bearer s3cret"
    )
    basic = make_auth("oxigraph+http://ann:pw@store", plain, {})
    assert header(basic) == "Basic " + base64.b64encode(b"ann:pw").decode()
    env = {"KZMIG_STORE_USER": "dba", "KZMIG_STORE_PASSWORD": "pw"}
    digest = make_auth("virtuoso+http://store", Virtuoso("http://store"), env)
    assert isinstance(digest, requests.auth.HTTPDigestAuth) and digest.username == "dba"
    with pytest.raises(ValueError, match="KZMIG_STORE_AUTH"):
        make_auth("http://store", plain, {**env, "KZMIG_STORE_AUTH": "kerberos"})


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_a_store_that_goes_away_answers_503_with_retry_after(
    tmp_path: Path, data_dir: Path
) -> None:
    """An unreachable store is the server's trouble, not the client's: 503, never 400."""
    store = oxigraph_server(tmp_path / "store")
    base = store.__enter__()
    try:
        done = kzmig("push", "--store", base, "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        with kzmig_serve(["--store", base, "--data-dir", str(data_dir)]) as served:
            warm(served)
            assert ask(served, "ASK { ?s ?p ?o }").status_code == 200
            store.__exit__(None, None, None)  # the store goes away; we keep serving
            base = ""
            response = ask(served, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
            assert response.status_code == 503, response.text
            assert "unreachable" in response.text
            assert int(response.headers["Retry-After"]) > 0
    finally:
        if base:
            store.__exit__(None, None, None)

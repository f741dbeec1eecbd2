"""Linked-data clients nobody here wrote, against a live `kzmig serve` (#19).

Comunica 4 (npm), SPARQLWrapper, rdflib's SPARQLStore, pyld and a page on another
origin in Chromium each run the same five tasks (a provenance SELECT, an ASK, a
CONSTRUCT, a DESCRIBE and a 3,000-row SELECT) and must get what the endpoint's
own SPARQL JSON / N-Triples say. Comunica also reads a resource document and
counts every distinct triple of the release through the fragments interface.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import rdflib
import requests
from pyld import jsonld as pyld
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, SPARQLWrapper

from tests.support.needs import need
from tests.support.servers import ROOT

ENBEK = "https://w3id.org/kzmig/resource/program/enbek"
PROVENANCE_GRAPH = "https://w3id.org/kzmig/resource/graph/provenance"
PROVENANCE = f"""PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?p ?o ?claim ?source ?quote WHERE {{
  GRAPH ?claim {{ <{ENBEK}> ?p ?o }}
  GRAPH <{PROVENANCE_GRAPH}> {{
    ?claim prov:wasDerivedFrom ?source ; kzo:evidence/oa:hasSelector/oa:exact ?quote }}
}} ORDER BY ?p ?o ?claim ?quote"""
ASK = f"ASK {{ <{ENBEK}> a <https://w3id.org/kzmig/ontology#PolicyInstrument> }}"
CONSTRUCT = f"CONSTRUCT {{ <{ENBEK}> ?p ?o }} WHERE {{ <{ENBEK}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{ENBEK}>"
BIG = """SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o LIMIT 3000"""
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
SELECTS = {"provenance SELECT": PROVENANCE, "3,000-row SELECT": BIG}
GRAPHS = {"CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}
COMUNICA = ROOT / "node_modules" / "@comunica" / "query-sparql"
CHROMIUM = "/usr/bin/chromium"

Row = frozenset[tuple[str, tuple[str, str, str, str]]]


# -- what the endpoint itself says -----------------------------------------------------------


def _term(b: dict[str, Any]) -> tuple[str, str, str, str]:
    kind = "literal" if b["type"] == "typed-literal" else b["type"]
    return (kind, b["value"], b.get("xml:lang", ""), b.get("datatype", ""))


def rows_of(doc: dict[str, Any]) -> Counter[Row]:
    """SPARQL JSON results as a multiset of rows (order-free; ORDER BY is checked apart)."""
    return Counter(
        frozenset((var, _term(term)) for var, term in binding.items())
        for binding in doc["results"]["bindings"]
    )


def own_json(base: str, query: str) -> dict[str, Any]:
    r = requests.get(
        base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


def own_graph(base: str, query: str) -> rdflib.Graph:
    r = requests.get(
        base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    r.raise_for_status()
    return rdflib.Graph().parse(data=r.text, format="nt")


@pytest.fixture(scope="module")
def expected(live_server: str) -> dict[str, Any]:
    out: dict[str, Any] = {name: own_json(live_server, q) for name, q in SELECTS.items()}
    out |= {name: own_graph(live_server, q) for name, q in GRAPHS.items()}
    out["ASK"] = own_json(live_server, ASK)["boolean"]
    assert out["ASK"] is True
    assert len(out["3,000-row SELECT"]["results"]["bindings"]) == 3000
    assert len(out["provenance SELECT"]["results"]["bindings"]) >= 10
    assert len(out["CONSTRUCT"]) >= 20
    return out


def check_select(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert rows_of(got) == rows_of(want)
    order = [_row_key(b) for b in got["results"]["bindings"]]
    assert order == [_row_key(b) for b in want["results"]["bindings"]]  # ORDER BY kept


def _row_key(binding: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, _term(v)) for k, v in binding.items()))


# -- SPARQLWrapper ---------------------------------------------------------------------------


# SPARQLWrapper 2.0 parses JSON-LD into rdflib's ConjunctiveGraph, which rdflib 7 deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper(live_server: str, expected: dict[str, Any]) -> None:
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setReturnFormat(JSON)
    for name, query in SELECTS.items():
        wrapper.setQuery(query)
        check_select(wrapper.query().convert(), expected[name])  # type: ignore[arg-type]
    wrapper.setQuery(ASK)
    assert wrapper.query().convert()["boolean"] is expected["ASK"]  # type: ignore[index]
    wrapper.setReturnFormat(JSONLD)  # format=application/ld+json,application/x-json+ld
    for name, query in GRAPHS.items():
        wrapper.setQuery(query)
        graph = wrapper.query().convert()
        assert isinstance(graph, rdflib.Graph)
        assert isomorphic(graph, expected[name]), name


# -- rdflib's SPARQLStore --------------------------------------------------------------------


def _rdflib_rows(result: Any) -> dict[str, Any]:
    """An rdflib SELECT result as SPARQL JSON (its own serializer), to compare like with like."""
    return json.loads(result.serialize(format="json"))  # type: ignore[no-any-return]


def test_rdflib_sparqlstore(live_server: str, expected: dict[str, Any]) -> None:
    # its defaults: SPARQL XML for tables, RDF/XML for graphs (returnFormat="json" can't
    # ask for a graph at all: it accepts only SPARQL JSON)
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql"))
    for name, query in SELECTS.items():
        check_select(_rdflib_rows(graph.query(query)), expected[name])
    assert graph.query(ASK).askAnswer is expected["ASK"]
    for name, query in GRAPHS.items():
        got = graph.query(query).graph
        assert got is not None and isomorphic(got, expected[name]), name


# -- pyld ------------------------------------------------------------------------------------


def _pyld_graph(doc: Any) -> rdflib.Graph:
    nquads = pyld.to_rdf(doc, {"format": "application/n-quads"})
    return rdflib.Graph().parse(data=nquads, format="nt")


def test_pyld_reads_construct_describe_and_frames_by_type(
    live_server: str, expected: dict[str, Any]
) -> None:
    """pyld is a JSON-LD processor, not a SPARQL client: it loads the CONSTRUCT and
    DESCRIBE answers by URL with its own document loader, and a resource page."""
    loader = pyld.requests_document_loader(timeout=30)
    for name, query in GRAPHS.items():
        url = requests.Request("GET", live_server + "/sparql", params={"query": query}).prepare()
        doc = pyld.expand(url.url, {"documentLoader": loader})
        assert isomorphic(_pyld_graph(doc), expected[name]), name
    resource = live_server + "/resource/program/enbek"
    doc = loader(resource, {})["document"]
    framed = pyld.frame(doc, {"@context": doc["@context"], "@type": "PolicyInstrument"})
    assert [n["@id"] for n in framed.get("@graph", [framed])] == ["program:enbek"]
    compacted = pyld.compact(pyld.expand(resource, {"documentLoader": loader}), doc["@context"])
    assert isomorphic(_pyld_graph(compacted), _pyld_graph(doc))


# -- Comunica --------------------------------------------------------------------------------


def comunica(query: str, *sources: str) -> str:
    node = shutil.which("node")
    if node is None or not COMUNICA.is_dir():
        need("Comunica needs Node.js and `npm ci` (make node_modules/.installed)")
    script = ROOT / "tests" / "support" / "comunica.mjs"
    done = subprocess.run(
        [node, str(script), query, *sources],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def comunica_version() -> str:
    package = json.loads((COMUNICA / "package.json").read_text(encoding="utf-8"))
    return str(package["version"])


@pytest.mark.slow
def test_comunica_on_the_endpoint(live_server: str, expected: dict[str, Any]) -> None:
    assert comunica_version().startswith("4.")
    source = "sparql@" + live_server + "/sparql"
    for name, query in SELECTS.items():
        check_select(json.loads(comunica(query, source)), expected[name])
    assert json.loads(comunica(ASK, source))["boolean"] is expected["ASK"]
    for name, query in GRAPHS.items():
        got = rdflib.Graph().parse(data=comunica(query, source), format="nt")
        assert isomorphic(got, expected[name]), name


@pytest.mark.slow
def test_comunica_reads_a_resource_document(live_server: str) -> None:
    query = f"SELECT DISTINCT ?p ?o WHERE {{ <{ENBEK}> ?p ?o }}"
    got = json.loads(comunica(query, live_server + "/resource/program/enbek"))
    assert rows_of(got) == rows_of(own_json(live_server, query))


@pytest.mark.slow
def test_comunica_counts_every_distinct_triple_through_the_fragments(live_server: str) -> None:
    want = own_json(live_server, DISTINCT_TRIPLES)["results"]["bindings"][0]["n"]["value"]
    got = json.loads(comunica("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", live_server + "/fragments"))
    assert got["results"]["bindings"][0]["n"]["value"] == want
    assert int(want) > 10_000  # over the endpoint's row cap: no truncation on this path


@pytest.mark.slow
def test_comunica_federated_count_through_the_fragments_is_exact(live_server: str) -> None:
    """The issue's case: a federated COUNT(*) with a local file. Over /sparql Comunica got the
    first 10,000 rows and never read X-SPARQL-Truncated; over /fragments nothing is cut."""
    local = "<urn:x:a> <urn:x:p> 1 . <urn:x:b> <urn:x:p> 2 . <urn:x:c> <urn:x:p> 3 ."
    want = own_json(live_server, DISTINCT_TRIPLES)["results"]["bindings"][0]["n"]["value"]
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    got = json.loads(comunica(query, live_server + "/fragments", "turtle@" + local))
    assert int(got["results"]["bindings"][0]["n"]["value"]) == int(want) + 3


# -- a page on another origin in Chromium ----------------------------------------------------


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>another origin</title><p>notebook"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def other_origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(other_origin: str) -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        need(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.goto(other_origin + "/")
            yield tab
        finally:
            browser.close()


FETCH = """async ([url, init]) => {
  try {
    const r = await fetch(url, init);
    return {status: r.status, type: r.headers.get('content-type'), body: await r.text(),
            range: r.headers.get('content-range'), digest: r.headers.get('repr-digest')};
  } catch (e) { return {error: String(e)}; }
}"""


def browser_fetch(page: Any, url: str, **init: Any) -> dict[str, Any]:
    return page.evaluate(FETCH, [url, init])  # type: ignore[no-any-return]


def browser_query(page: Any, base: str, query: str, accept: str) -> dict[str, Any]:
    from urllib.parse import quote

    got = browser_fetch(page, f"{base}/sparql?query={quote(query)}", headers={"Accept": accept})
    assert got.get("status") == 200, got
    return got


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_on_another_origin_reads_everything(
    page: Any, live_server: str, expected: dict[str, Any]
) -> None:
    assert not page.url.startswith(live_server)
    for name, query in SELECTS.items():
        got = browser_query(page, live_server, query, "application/sparql-results+json")
        check_select(json.loads(got["body"]), expected[name])
    got = browser_query(page, live_server, ASK, "application/sparql-results+json")
    assert json.loads(got["body"])["boolean"] is expected["ASK"]
    for name, query in GRAPHS.items():
        got = browser_query(page, live_server, query, "application/ld+json")  # JSON-LD in a page
        graph = rdflib.Graph().parse(data=got["body"], format="json-ld")
        assert isomorphic(graph, expected[name]), name
    # the linked-data routes, with headers that need a preflight (Accept with a profile, Range)
    profile = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'
    for path in ("/resource/program/enbek", "/.well-known/void", "/catalog", "/context.jsonld"):
        got = browser_fetch(page, live_server + path, headers={"Accept": profile})
        assert got.get("status") == 200 and "@context" in got["body"], (path, got)
    got = browser_fetch(page, live_server + "/fragments", headers={"Accept": "application/trig"})
    assert got.get("status") == 200 and "hydra:next" in got["body"]
    listing = json.loads(
        browser_fetch(page, live_server + "/dumps/", headers={"Accept": "application/json"})["body"]
    )
    dump = listing["files"][0]["url"]
    got = browser_fetch(page, dump, headers={"Range": "bytes=0-9"})
    assert got["status"] == 206 and got["range"].startswith("bytes 0-9/")
    assert got["digest"].startswith("sha-256=:")
    # a write from the other origin: the preflight gets no CORS answer, so the browser refuses
    refused = browser_fetch(
        page,
        live_server + "/update",
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
        body="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    )
    assert "error" in refused, refused


def test_the_documented_comunica_is_the_installed_one() -> None:
    """package.json pins Comunica exactly; the docs name that version."""
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"]["@comunica/query-sparql"]
    assert pinned.startswith("4.")  # 5.x needs Node.js >= 22
    doc = (ROOT / "docs" / "linked-data.md").read_text(encoding="utf-8")
    assert f"@comunica/query-sparql {pinned}" in doc


@pytest.mark.slow
def test_concurrent_comunica_crawls_are_all_exact(live_server: str) -> None:
    """Several clients paging at once: HTTP threads take turns serving their pages (a store
    iterator resumed in another thread once took the worker down, and the crawls failed)."""
    node = shutil.which("node")
    if node is None or not COMUNICA.is_dir():
        need("Comunica needs Node.js and `npm ci` (make node_modules/.installed)")
    want = own_json(live_server, DISTINCT_TRIPLES)["results"]["bindings"][0]["n"]["value"]
    script = str(ROOT / "tests" / "support" / "comunica.mjs")
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    crawls = [
        subprocess.Popen(
            [node, script, query, live_server + "/fragments"],  # type: ignore[list-item]
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(4)
    ]
    answers = []
    try:
        answers = [(c.communicate(timeout=300), c.returncode) for c in crawls]
    finally:
        for crawl in crawls:
            if crawl.poll() is None:
                crawl.kill()
                crawl.communicate()
    for (out, err), code in answers:
        assert code == 0, err[-2000:]
        assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == want
    assert requests.get(live_server + "/health", timeout=10).status_code == 200

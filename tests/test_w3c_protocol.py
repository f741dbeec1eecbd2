"""The W3C SPARQL 1.1 Protocol tests, run over HTTP against a real `kzmig serve`.

Each test in sparql11/protocol/manifest.ttl is a list of HTTP exchanges (ht:Request
with method, path, headers, body; ht:Response with the expected status class, result
format and boolean). This runner sends each request to a live server started with
`--data FILE... --allow-update`, the bearer token added to every request, and checks
the answers. The manifest's paths all start with /sparql/; a request that is an
update operation goes to /update (the Protocol lets query and update endpoints
differ). Before each test the dataset is reset to the test's ut:graphData, through
/update and the Graph Store Protocol.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest
import rdflib
import requests
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from tests.support.servers import kzmig_serve
from tests.support.w3c import available, sparql11

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
TOKEN = "w3c-protocol-test-token"
RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": (
        "application/rdf+xml",
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/n-quads",
        "application/trig",
    ),
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    boolean: bool | None
    fmt: str | None


@dataclass
class ProtocolTest:
    name: str
    label: str
    graphs: dict[str, Path] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)


def _manifest() -> Path:
    return sparql11() / "protocol" / "manifest.ttl"


def load_tests() -> list[ProtocolTest]:
    path = _manifest()
    g = rdflib.Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(node).rsplit("#", 1)[-1], str(g.value(node, MF.name)))
        for data in g.objects(node, UT.graphData):
            file = Path(urlsplit(str(g.value(data, UT.graph))).path)
            test.graphs[str(g.value(data, RDFS.label))] = file
        action = g.value(node, MF.action)
        for request in Collection(g, g.value(action, HT.requests)):
            headers = {}
            header_list = g.value(request, HT.headers)
            if header_list is not None:
                for h in Collection(g, header_list):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            body_node = g.value(request, HT.body)
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower())
            resp = g.value(request, HT.resp)
            expected_bool = g.value(resp, MF.expectedBoolean)
            expected_fmt = g.value(resp, MF.expectedFormat)
            test.exchanges.append(
                Exchange(
                    method=str(g.value(request, HT.methodName)),
                    path=str(g.value(request, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses={str(s).removeprefix(HTS) for s in g.objects(resp, MF.expectedStatus)},
                    boolean=None if expected_bool is None else bool(expected_bool.toPython()),
                    fmt=None if expected_fmt is None else str(expected_fmt),
                )
            )
        tests.append(test)
    return tests


def _is_update(test: ProtocolTest, ex: Exchange) -> bool:
    ctype = next((v for k, v in ex.headers.items() if k.lower() == "content-type"), "")
    params = dict(parse_qsl(urlsplit(ex.path).query))
    if ex.body and ctype.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(ex.body.decode("utf-8", "replace")))
    if ctype.startswith("application/sparql-query") or "query" in params:
        return False
    return (
        ctype.startswith("application/sparql-update")
        or "update" in params
        or ("update" in test.name)
    )


def _url(base: str, test: ProtocolTest, ex: Exchange) -> str:
    assert ex.path.startswith("/sparql/"), ex.path
    endpoint = "/update" if _is_update(test, ex) else "/sparql"
    rest = ex.path[len("/sparql/") :]
    return base + endpoint + rest


def _parse_boolean(response: requests.Response) -> bool:
    media = response.headers["Content-Type"].split(";")[0].strip()
    if media == "application/sparql-results+json":
        return bool(json.loads(response.content)["boolean"])
    root = ElementTree.fromstring(response.content)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None, response.text
    return node.text == "true"


def _check_format(response: requests.Response, fmt: str) -> None:
    media = response.headers["Content-Type"].split(";")[0].strip()
    assert media in RESULT_TYPES[fmt], f"{media} is not a {fmt} result type"
    if fmt == "RDF":
        rdflib_format = {
            "application/rdf+xml": "xml",
            "text/turtle": "turtle",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
            "application/n-quads": "nquads",
            "application/trig": "trig",
        }[media]
        rdflib.Dataset().parse(data=response.content, format=rdflib_format)
    elif fmt == "tabular" and media == "application/sparql-results+json":
        assert "results" in json.loads(response.content)


ALL_TESTS = load_tests() if available() else []


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    tests = load_tests()
    graphs = {iri: path for t in tests for iri, path in t.graphs.items()}
    with tempfile.TemporaryDirectory() as tmp:
        # start with every graph the manifest names, as named graphs in one TriG file
        dataset = rdflib.Dataset()
        for iri, path in graphs.items():
            dataset.graph(rdflib.URIRef(iri)).parse(path, format="nt")
        start = Path(tmp) / "protocol-data.trig"
        dataset.serialize(start, format="trig")
        with kzmig_serve(
            ["--data", str(start), "--allow-update", "--timeout", "10"],
            env={"KZMIG_UPDATE_TOKEN": TOKEN},
        ) as base:
            yield base


def _reset(base: str, test: ProtocolTest) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = requests.post(base + "/update", data={"update": "DROP ALL"}, headers=auth, timeout=30)
    assert r.status_code == 204, r.text
    for iri, path in test.graphs.items():
        r = requests.put(
            base + "/store",
            params={"graph": iri},
            data=path.read_bytes(),
            headers={**auth, "Content-Type": "application/n-triples"},
            timeout=30,
        )
        assert r.status_code in (201, 204), r.text


@pytest.mark.parametrize("test", ALL_TESTS, ids=[t.name for t in ALL_TESTS])
def test_protocol(server: str, test: ProtocolTest) -> None:
    _reset(server, test)
    for number, ex in enumerate(test.exchanges, 1):
        headers = {**ex.headers, "Authorization": f"Bearer {TOKEN}"}
        response = requests.request(
            ex.method, _url(server, test, ex), data=ex.body, headers=headers, timeout=30
        )
        where = f"{test.name} ({test.label}), request {number}: {ex.method} {ex.path}"
        status_class = f"{response.status_code // 100}xx"
        assert status_class in ex.statuses, (
            f"{where}: status {response.status_code}, expected {sorted(ex.statuses)}\n"
            f"{response.text[:500]}"
        )
        if ex.fmt:
            _check_format(response, ex.fmt)
        if ex.boolean is not None:
            assert _parse_boolean(response) is ex.boolean, f"{where}: {response.text}"


def test_the_manifest_has_all_34_tests() -> None:
    assert len(load_tests()) == 34

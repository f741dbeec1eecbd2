"""Fuzzing the live server: whatever arrives, the answer is 2xx/3xx/4xx, in time.

Hypothesis makes random and mutated SPARQL, random methods, paths (with
percent-encodings and invalid UTF-8), headers, Accept values, parameters and
bodies, and sends them as raw HTTP to a real `kzmig serve`. A 5xx is a failure,
except the endpoint's deliberate 503s (query time limit, all workers busy),
which are counted. A reply slower than the query timeout plus slack is a hang.

The default run is derandomized and bounded; `-m slow` runs many more examples
with fresh seeds. Anything found is kept below as an explicit @example.

Long because: one live server, fuzzed through each of its routes in turn.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kzmig.graph.build.pipeline import build

from tests.fixtures.faults.kit import POINT, ask, copy_project, serving

TIMEOUT = 3.0
HANG = TIMEOUT + 2.0 + 10.0  # the time limit, the issue's +2 s, and a loaded machine's slack
DEFAULT_EXAMPLES = int(os.environ.get("KZMIG_FUZZ_EXAMPLES", "120"))
SLOW_EXAMPLES = int(os.environ.get("KZMIG_FUZZ_SLOW_EXAMPLES", "2000"))

SEEDS = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    "SELECT ?o WHERE { <https://w3id.org/kzmig/resource/program/enbek> ?p ?o }",
    "PREFIX kzo: <https://w3id.org/kzmig/ontology#> "
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a kzo:Program } } GROUP BY ?g",
    "ASK { ?s ?p ?o FILTER(REGEX(STR(?o), '^E', 'i')) }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5",
    "DESCRIBE <https://w3id.org/kzmig/resource/program/enbek>",
    "SELECT ?x WHERE { VALUES ?x { 1 2.5 'a'@en \"b\"^^<urn:t> } } ORDER BY DESC(?x)",
    'SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } FILTER(LANG(?o) = "en") } OFFSET 2',
]
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    "*",
    ".",
    ";",
    ",",
    "GRAPH",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "BIND",
    "AS",
    "VALUES",
    "SERVICE",
    "LOAD",
    "INSERT",
    "DELETE",
    "DATA",
    "FROM",
    "NAMED",
    "PREFIX",
    "BASE",
    "<urn:x>",
    "<http://127.0.0.1:9/x>",
    "<file:///etc/passwd>",
    '"a"',
    "'b'",
    '"""c"""',
    "1",
    "1e9",
    "-0.5",
    "true",
    "a",
    "^",
    "/",
    "|",
    "+",
    "?",
    "!",
    "COUNT",
    "SUM",
    "GROUP BY",
    "ORDER BY",
    "LIMIT",
    "OFFSET",
    "HAVING",
    "REGEX",
    "CONCAT",
    "STR",
    "#",
    "\n",
    "_:b",
    "[]",
    "@en",
    "^^",
    "<>",
    "\\u0000",
    "\\",
    "%",
    "\x00",
    "\ufffd",
    "ж",
    "🙂",
]
PATHS = [
    "/",
    "/sparql",
    "/update",
    "/store",
    "/health",
    "/dumps/",
    "/dumps/x",
    "/resource/",
    "/resource/program/enbek",
    "/resource/source/mini",
    "/validation",
    "/.well-known/void",
    "/catalog",
    "/ontology",
    "/fragments",
    "/context.jsonld",
    "/vendor/yasgui/yasgui.min.js",
    "/static/kzmig.css",
    "/nope",
]
ACCEPTS = [
    "*/*",
    "text/html",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/json",
    "text/*;q=0.5, */*;q=0.1",
    "application/sparql-results+json;q=0",
    "image/png",
    "text/html;q=abc",
    ";;;",
    "*/*;q=1.5",
    "application/*;level=1;q=0.9",
]
CTYPES = [
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
    "text/turtle",
    "application/n-triples",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/json",
    "application/sparql-query; charset=latin-1",
    "",
    ";",
    "a/b/c",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]


@dataclass
class Tally:
    sent: int = 0
    deliberate_503: int = 0
    server_errors: list[str] = field(default_factory=list)


TALLY = Tally()


@dataclass(frozen=True)
class Served:
    base: str
    host: str
    port: int


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("fuzz")
    build(copy_project(tmp / "project"), tmp / "data")
    with serving(
        ["--data-dir", str(tmp / "data"), "--timeout", str(TIMEOUT)], tmp / "server.log"
    ) as server:
        parts = urlsplit(server.base)
        yield Served(server.base, parts.hostname or "127.0.0.1", parts.port or 80)
        assert requests.get(server.base + "/health", timeout=30).status_code == 200
        assert ask(server.base, POINT).status_code == 200
    print(
        f"\nfuzz: {TALLY.sent} requests, {len(TALLY.server_errors)} 5xx, "
        f"{TALLY.deliberate_503} deliberate 503s"
    )


def send(
    served: Served,
    method: str,
    target: str | bytes,
    headers: list[tuple[str, str | bytes]],
    body: bytes,
) -> tuple[int, bytes, float]:
    """One raw HTTP/1.1 request, byte for byte; the reply is read even when the server
    answered (413) and closed before taking the whole body, as a browser would."""
    head = [
        (
            method.encode()
            + b" "
            + (target if isinstance(target, bytes) else target.encode())
            + b" HTTP/1.1"
        ),
        f"Host: {served.host}:{served.port}".encode(),
        b"Connection: close",
    ]
    for name, value in headers:
        head.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode()))
    if body or method in ("POST", "PUT", "PATCH"):
        head.append(f"Content-Length: {len(body)}".encode())
    request = b"\r\n".join(head) + b"\r\n\r\n" + body
    started = time.monotonic()
    with socket.create_connection((served.host, served.port), timeout=HANG) as sock:
        # the server may stop reading (413): its answer is on the way all the same
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    reply = b"".join(chunks)
    took = time.monotonic() - started
    if not reply.startswith(b"HTTP/"):
        raise ConnectionError(f"no HTTP reply ({reply[:100]!r})")
    status = int(reply.split(b" ", 2)[1])
    return status, reply.partition(b"\r\n\r\n")[2], took


def check(served: Served, method: str, target: str | bytes, headers, body: bytes) -> None:  # type: ignore[no-untyped-def]
    TALLY.sent += 1
    try:
        status, data, took = send(served, method, target, headers, body)
    except (TimeoutError, ConnectionError) as e:
        TALLY.server_errors.append(f"{method} {target!r}: {e!r}")
        raise AssertionError(f"no answer to {method} {target!r} {headers!r}: {e!r}") from e
    assert took < HANG, f"{method} {target!r} took {took:.1f}s"
    if status == 503 and (b"time limit" in data or b"as many queries" in data):
        TALLY.deliberate_503 += 1
        return
    if status >= 500:
        TALLY.server_errors.append(f"{status} {method} {target!r}")
    assert 200 <= status < 500, (
        f"{status} for {method} {target!r} headers={headers!r} body={body[:200]!r}: {data[:300]!r}"
    )


# -- strategies -------------------------------------------------------------------------------


@st.composite
def mutated_query(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "token", "dup"]))
        if kind == "insert":
            text = text[:at] + draw(st.text(max_size=3)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        elif kind == "token":
            text = text[:at] + " " + draw(st.sampled_from(TOKENS)) + " " + text[at:]
        else:
            text = text[:at] + text[at : at + draw(st.integers(1, 20))] * 2 + text[at:]
    return text


token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
queries = st.one_of(mutated_query(), token_soup, st.text(max_size=200))


def _pct(data: bytes) -> str:
    return "".join(f"%{b:02X}" for b in data)


segment = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12).map(
        lambda s: quote(s, safe="")
    ),
    st.binary(max_size=8).map(_pct),  # percent-encoded bytes, invalid UTF-8 included
    st.sampled_from(["..", ".", "%2e%2e", "%2f", "%00", "%ff%fe", "%c0%af", "~", "%25", ""]),
)
paths = st.one_of(
    st.sampled_from(PATHS),
    st.tuples(st.sampled_from(PATHS), st.lists(segment, max_size=4)).map(
        lambda t: t[0].rstrip("/") + "/" + "/".join(t[1])
    ),
)
param_names = st.sampled_from(
    [
        "query",
        "update",
        "format",
        "timeout",
        "default-graph-uri",
        "named-graph-uri",
        "graph",
        "default",
        "char",
        "subject",
        "predicate",
        "object",
        "page",
        "callback",
        "q",
        "x",
    ]
)
param_values = st.one_of(
    queries,
    st.sampled_from(["json", "xml", "csv", "ttl", "nq", "-1", "0", "1e309", "nan", "inf"]),
    st.binary(max_size=16).map(_pct),
    st.text(max_size=30),
)
params = st.lists(st.tuples(param_names, param_values), max_size=5)
header_values = st.one_of(
    st.sampled_from(ACCEPTS),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
    st.binary(max_size=20).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
)
headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "Accept",
                "Content-Type",
                "Accept-Language",
                "If-None-Match",
                "Range",
                "Authorization",
                "Origin",
                "Access-Control-Request-Method",
                "X-Anything",
                "Accept-Encoding",
                "Cookie",
                "Transfer-Encoding-Not",
                "Referer",
            ]
        ),
        header_values,
    ),
    max_size=5,
)
bodies = st.one_of(
    st.just(b""),
    queries.map(lambda q: q.encode("utf-8", "surrogatepass")),
    params.map(lambda ps: "&".join(f"{k}={quote(v, safe='')}" for k, v in ps).encode()),
    st.binary(max_size=300),  # invalid UTF-8 and NUL bytes included
)


def target_of(path: str, ps: list[tuple[str, str]]) -> str:
    if not ps:
        return path
    return path + "?" + "&".join(f"{quote(k)}={quote(v, safe='%')}" for k, v in ps)


FUZZ = settings(
    max_examples=DEFAULT_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_SLOW = settings(FUZZ, max_examples=SLOW_EXAMPLES, derandomize=False)


# -- the fuzzers ------------------------------------------------------------------------------


def _sparql(served: Served, query: str, how: str, accept: str) -> None:
    encoded = query.encode("utf-8", "surrogatepass")
    if how == "get":
        check(served, "GET", "/sparql?query=" + quote(encoded, safe=""), [("Accept", accept)], b"")
    elif how == "form":
        body = b"query=" + quote(encoded, safe="").encode()
        check(
            served,
            "POST",
            "/sparql",
            [("Accept", accept), ("Content-Type", "application/x-www-form-urlencoded")],
            body,
        )
    else:
        check(
            served,
            "POST",
            "/sparql",
            [("Accept", accept), ("Content-Type", "application/sparql-query")],
            encoded,
        )


# Regressions: kept as explicit examples (found by hand and by this fuzzer).
@example(query="SELECT * WHERE { ?s ?p ?o } #\udcff", how="direct", accept="*/*")
@example(query="\x00", how="get", accept="text/csv")
@example(query="ASK {}", how="form", accept="text/csv")
@example(query="SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999", how="get", accept="*/*")
@example(query='SELECT (STRDT("1", <urn:x>) AS ?x) {}', how="get", accept="text/csv")
@example(query="DESCRIBE ?x", how="get", accept="application/n-quads")
@example(query="SELECT * { BIND(1/0 AS ?x) }", how="direct", accept="*/*")
@given(
    query=queries,
    how=st.sampled_from(["get", "form", "direct"]),
    accept=st.sampled_from(ACCEPTS),
)
@FUZZ
def test_fuzz_sparql(served: Served, query: str, how: str, accept: str) -> None:
    _sparql(served, query, how, accept)


@example(method="GET", path="/dumps/%ff%fe", ps=[], hs=[], body=b"")
@example(method="GET", path="/resource/%c0%af", ps=[], hs=[], body=b"")
@example(method="POST", path="/sparql", ps=[], hs=[("Content-Type", "")], body=b"\xff")
@example(
    method="POST",
    path="/sparql",
    ps=[],
    hs=[("Content-Type", "application/sparql-query; charset=latin-1")],
    body=b"ASK {}",
)
@example(method="GET", path="/sparql", ps=[("timeout", "1e309")], hs=[], body=b"")
@example(method="GET", path="/sparql", ps=[("query", "ASK{}"), ("query", "ASK{}")], hs=[], body=b"")
@example(method="GET", path="/resource/source/mini", ps=[("char", "9" * 40)], hs=[], body=b"")
@example(method="GET", path="/", ps=[], hs=[("Accept", "*/*;q=1.5")], body=b"")
@example(method="GET", path="/dumps/x", ps=[], hs=[("Range", "bytes=99999999999-")], body=b"")
@example(method="OPTIONS", path="/sparql", ps=[], hs=[("Origin", "\x7f")], body=b"")
@example(method="PUT", path="/store", ps=[("graph", "%ff")], hs=[], body=b"\x00")
@given(
    method=st.sampled_from(METHODS),
    path=paths,
    ps=params,
    hs=headers,
    body=bodies,
)
@FUZZ
def test_fuzz_requests(
    served: Served,
    method: str,
    path: str,
    ps: list[tuple[str, str]],
    hs: list[tuple[str, str | bytes]],
    body: bytes,
) -> None:
    check(served, method, target_of(path, ps), hs, body)


@given(
    what=st.sampled_from(["query", "path", "param", "header", "body"]),
    size=st.sampled_from([10_000, 100_000, 999_000, 1_000_001, 3_000_000]),
    fill=st.sampled_from(["a", "{", "(", "?x ", "%ff", "\u0416", "\x00"]),
)
@settings(FUZZ, max_examples=max(10, DEFAULT_EXAMPLES // 6))
def test_fuzz_very_long_inputs(served: Served, what: str, size: int, fill: str) -> None:
    blob = (fill * (size // len(fill) + 1))[:size]
    if what == "query":
        _sparql(served, "SELECT * WHERE { ?s ?p ?o } #" + blob, "direct", "*/*")
    elif what == "path":
        check(served, "GET", "/resource/" + quote(blob[:70_000], safe="%"), [], b"")
    elif what == "param":
        check(served, "GET", "/sparql?query=" + quote(blob[:70_000], safe="%"), [], b"")
    elif what == "header":
        check(served, "GET", "/sparql?query=ASK%7B%7D", [("Accept", blob[:60_000])], b"")
    else:
        check(
            served,
            "POST",
            "/sparql",
            [("Content-Type", "application/x-www-form-urlencoded")],
            b"query=" + blob.encode("utf-8", "surrogatepass"),
        )


@pytest.mark.slow
@given(
    query=queries, how=st.sampled_from(["get", "form", "direct"]), accept=st.sampled_from(ACCEPTS)
)
@FUZZ_SLOW
def test_fuzz_sparql_long_run(served: Served, query: str, how: str, accept: str) -> None:
    _sparql(served, query, how, accept)


@pytest.mark.slow
@given(method=st.sampled_from(METHODS), path=paths, ps=params, hs=headers, body=bodies)
@FUZZ_SLOW
def test_fuzz_requests_long_run(
    served: Served,
    method: str,
    path: str,
    ps: list[tuple[str, str]],
    hs: list[tuple[str, str | bytes]],
    body: bytes,
) -> None:
    check(served, method, target_of(path, ps), hs, body)


def test_server_is_still_whole_after_fuzzing(served: Served) -> None:
    """Runs last in this module: the server answers as before, with no 5xx seen."""
    assert ask(served.base, POINT).status_code == 200
    assert TALLY.server_errors == [], TALLY.server_errors[:10]
    assert TALLY.sent > 0

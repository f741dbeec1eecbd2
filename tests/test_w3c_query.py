"""The W3C SPARQL 1.1 query-evaluation tests, over HTTP against a real `kzmig serve`.

From manifest-sparql11-query.ttl (which leaves out entailment/ and service/): each
QueryEvaluationTest's data is loaded through the Graph Store Protocol (default graph
data into one named graph that is then named with default-graph-uri; qt:graphData
graphs under their file IRIs, named with named-graph-uri), the query is sent to
/sparql, and the answer is compared with the expected results: SELECT as a multiset
of solutions up to blank-node renaming (in order when the query has ORDER BY), ASK
as a boolean, CONSTRUCT/DESCRIBE as graphs up to isomorphism. Syntax tests check
that a good query is not refused and that a bad one gets 400.

Failures we accept are listed with their reasons in w3c_query_expected_failures.txt;
a listed test that passes fails the run too, so the list stays true.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import RDF, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.query import Result

from tests.support.servers import kzmig_serve
from tests.support.w3c import available, sparql11

pytestmark = pytest.mark.slow

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
TOKEN = "w3c-query-test-token"
DEFAULT = "urn:kzmig:test:default-graph"
KINDS = {"QueryEvaluationTest", "PositiveSyntaxTest11", "NegativeSyntaxTest11"}
EXPECTED_FAILURES = Path(__file__).with_name("w3c_query_expected_failures.txt")


@dataclass
class QueryTest:
    id: str
    kind: str
    query: Path
    data: list[Path] = field(default_factory=list)
    graphs: list[Path] = field(default_factory=list)
    result: Path | None = None


def _path(node: rdflib.term.Node) -> Path:
    return Path(unquote(urlsplit(str(node)).path))


def load_tests() -> list[QueryTest]:
    top = sparql11() / "manifest-sparql11-query.ttl"
    g = rdflib.Graph()
    g.parse(top, format="turtle", publicID=top.as_uri())
    tests = []
    for include in Collection(g, next(g.objects(None, MF.include))):
        path = _path(include)
        if path.parent.name in ("entailment", "service"):
            continue
        m = rdflib.Graph()
        m.parse(path, format="turtle", publicID=path.as_uri())
        manifest = next(m.subjects(RDF.type, MF.Manifest))
        for node in Collection(m, m.value(manifest, MF.entries)):
            kind = str(m.value(node, RDF.type)).rsplit("#", 1)[-1]
            if kind not in KINDS:
                continue
            test_id = f"{path.parent.name}/{str(node).rsplit('#', 1)[-1]}"
            action = m.value(node, MF.action)
            if kind != "QueryEvaluationTest":
                tests.append(QueryTest(test_id, kind, _path(action)))
                continue
            result = m.value(node, MF.result)
            tests.append(
                QueryTest(
                    test_id,
                    kind,
                    _path(m.value(action, QT.query)),
                    data=sorted(_path(d) for d in m.objects(action, QT.data)),
                    graphs=sorted(_path(d) for d in m.objects(action, QT.graphData)),
                    result=None if result is None else _path(result),
                )
            )
    return tests


def expected_failures() -> dict[str, str]:
    out = {}
    for line in EXPECTED_FAILURES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            test_id, _, reason = line.partition(" ")
            out[test_id] = reason.strip()
    return out


SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
}


def _as_ntriples(path: Path) -> bytes:
    """The file as N-Triples with absolute IRIs (its base is its own file IRI)."""
    triples = ox.parse(path=str(path), format=SUFFIX_FORMATS[path.suffix], base_iri=path.as_uri())
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


class Client:
    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"

    def reset(self, test: QueryTest) -> None:
        r = self.session.post(self.base + "/update", data={"update": "DROP ALL"}, timeout=30)
        assert r.status_code == 204, r.text
        loads = [(DEFAULT, p) for p in test.data] + [(p.as_uri(), p) for p in test.graphs]
        for graph, path in loads:
            r = self.session.post(
                self.base + "/store",
                params={"graph": graph},
                data=_as_ntriples(path),
                headers={"Content-Type": "application/n-triples"},
                timeout=30,
            )
            assert r.status_code in (201, 204), r.text

    def query(self, test: QueryTest, accept: str) -> requests.Response:
        text = test.query.read_text(encoding="utf-8")
        params: list[tuple[str, str]] = []
        if not re.search(r"\bFROM\b", text, re.IGNORECASE):
            params.append(("default-graph-uri", DEFAULT))
            params += [("named-graph-uri", p.as_uri()) for p in test.graphs]
        body = f"BASE <{test.query.as_uri()}>\n{text}".encode()
        return self.session.post(
            self.base + "/sparql",
            params=[*params, ("timeout", "10")],
            data=body,
            headers={"Content-Type": "application/sparql-query", "Accept": accept},
            timeout=60,
        )


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.nt"
        empty.write_text("", encoding="utf-8")
        with kzmig_serve(
            ["--data", str(empty), "--allow-update", "--max-rows", "100000"],
            env={"KZMIG_UPDATE_TOKEN": TOKEN},
        ) as base:
            yield Client(base)


# --- comparing results ---------------------------------------------------------------

RS = Namespace("urn:kzmig:test:results#")


def _solutions_graph(variables: list[str], rows: list[dict[str, rdflib.term.Node]]) -> rdflib.Graph:
    """Solutions as a graph (one blank node per row), so isomorphism handles blank nodes."""
    g = rdflib.Graph()
    head = rdflib.BNode()
    for name in variables:
        g.add((head, RS.variable, rdflib.Literal(name)))
    for row in rows:
        node = rdflib.BNode()
        g.add((head, RS.row, node))
        for name, value in row.items():
            binding = rdflib.BNode()
            g.add((node, RS.binding, binding))
            g.add((binding, RS.name, rdflib.Literal(name)))
            g.add((binding, RS.value, value))
    return g


def _ordered_graph(rows: list[dict[str, rdflib.term.Node]]) -> rdflib.Graph:
    g = rdflib.Graph()
    for index, row in enumerate(rows):
        node = rdflib.BNode()
        g.add((node, RS["position"], rdflib.Literal(index)))
        for name, value in row.items():
            binding = rdflib.BNode()
            g.add((node, RS.binding, binding))
            g.add((binding, RS.name, rdflib.Literal(name)))
            g.add((binding, RS.value, value))
    return g


def _parse_results(data: bytes, suffix: str) -> Result:
    fmt = {".srx": "xml", ".srj": "json", ".json": "json", ".xml": "xml"}[suffix]
    return Result.parse(source=io.BytesIO(data), format=fmt)


def _rows(result: Result) -> tuple[list[str], list[dict[str, rdflib.term.Node]]]:
    variables = [str(v) for v in (result.vars or [])]
    rows = []
    for binding in result.bindings:
        rows.append({str(k): _normalize(v) for k, v in binding.items() if v is not None})
    return variables, rows


def _normalize(term: rdflib.term.Node) -> rdflib.term.Node:
    """Literals compared as RDF terms: lexical form, datatype, language (lower case)."""
    if isinstance(term, rdflib.Literal):
        if term.language:
            return rdflib.Literal(str(term), lang=term.language.lower())
        datatype = term.datatype
        if datatype == rdflib.XSD.string:
            datatype = None
        lexical = _canonical_number(str(term), datatype)
        return rdflib.Literal(lexical, datatype=datatype, normalize=False)
    return term


NUMERIC = {
    str(rdflib.XSD.integer): int,
    str(rdflib.XSD.decimal): Decimal,
    str(rdflib.XSD.double): float,
    str(rdflib.XSD.float): float,
}


def _canonical_number(lexical: str, datatype: rdflib.URIRef | None) -> str:
    """Numbers compared by value within their datatype ("1.0" and "1" as xsd:decimal)."""
    kind = NUMERIC.get(str(datatype)) if datatype is not None else None
    if kind is None:
        return lexical
    try:
        value = kind(lexical.strip())
    except (ValueError, ArithmeticError):
        return lexical
    if kind is Decimal:
        value = value.normalize()
        return format(value, "f") if value == value.to_integral() else str(value)
    return repr(value)


def check_select(test: QueryTest, response: requests.Response) -> None:
    assert test.result is not None
    expected = _parse_results(test.result.read_bytes(), test.result.suffix)
    actual = _parse_results(response.content, ".srj")
    if expected.type == "ASK":
        assert actual.askAnswer == expected.askAnswer, response.text
        return
    exp_vars, exp_rows = _rows(expected)
    act_vars, act_rows = _rows(actual)
    compare_rows(test, act_vars, act_rows, exp_vars, exp_rows)


def compare_rows(
    test: QueryTest,
    act_vars: list[str],
    act_rows: list[dict[str, rdflib.term.Node]],
    exp_vars: list[str],
    exp_rows: list[dict[str, rdflib.term.Node]],
) -> None:
    assert set(act_vars) == set(exp_vars), f"variables {act_vars} != {exp_vars}"
    assert len(act_rows) == len(exp_rows), (
        f"{len(act_rows)} rows, expected {len(exp_rows)}:\n{act_rows[:10]}\nexpected\n"
        f"{exp_rows[:10]}"
    )
    text = test.query.read_text(encoding="utf-8")
    if re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE) and not re.search(
        r"\bORDER\s+BY\b[^}]*\}\s*\}", text, re.IGNORECASE
    ):
        assert isomorphic(_ordered_graph(act_rows), _ordered_graph(exp_rows)), (
            f"rows differ (ordered):\n{act_rows}\nexpected\n{exp_rows}"
        )
    assert isomorphic(_solutions_graph(exp_vars, act_rows), _solutions_graph(exp_vars, exp_rows)), (
        f"rows differ:\n{act_rows}\nexpected\n{exp_rows}"
    )


DAWG_RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")


def _expected_graph(test: QueryTest) -> rdflib.Graph:
    assert test.result is not None
    expected = rdflib.Graph()
    fmt = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}[test.result.suffix]
    expected.parse(test.result, format=fmt, publicID=test.result.as_uri())
    return expected


def _result_set(graph: rdflib.Graph) -> tuple[list[str], list[dict[str, rdflib.term.Node]]]:
    """An expected SELECT result written as an RDF graph (the DAWG result-set vocabulary)."""
    rs = next(graph.subjects(RDF.type, DAWG_RS.ResultSet))
    variables = [str(v) for v in graph.objects(rs, DAWG_RS.resultVariable)]
    rows = []
    for solution in graph.objects(rs, DAWG_RS.solution):
        row = {}
        for binding in graph.objects(solution, DAWG_RS.binding):
            name = str(graph.value(binding, DAWG_RS.variable))
            row[name] = _normalize(graph.value(binding, DAWG_RS.value))
        rows.append(row)
    return variables, rows


def check_graph(test: QueryTest, response: requests.Response) -> None:
    expected = _expected_graph(test)
    actual = rdflib.Graph()
    actual.parse(data=response.content, format="nt")
    norm = rdflib.Graph()
    for s, p, o in expected:
        norm.add((s, p, _normalize(o)))
    got = rdflib.Graph()
    for s, p, o in actual:
        got.add((s, p, _normalize(o)))
    assert isomorphic(got, norm), (
        f"graphs differ:\n{sorted(to_isomorphic(got))[:20]}\nexpected\n"
        f"{sorted(to_isomorphic(norm))[:20]}"
    )


def run_test(client: Client, test: QueryTest) -> None:
    if test.kind == "NegativeSyntaxTest11":
        client.reset(QueryTest(test.id, test.kind, test.query))
        response = client.query(test, "application/sparql-results+json")
        assert response.status_code == 400, f"{response.status_code}: {response.text[:300]}"
        return
    if test.kind == "PositiveSyntaxTest11":
        client.reset(QueryTest(test.id, test.kind, test.query))
        response = client.query(test, "application/sparql-results+json, application/n-triples")
        assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
        return
    client.reset(test)
    assert test.result is not None
    graph_result = test.result.suffix in (".ttl", ".nt", ".rdf")
    if graph_result and (None, RDF.type, DAWG_RS.ResultSet) in _expected_graph(test):
        response = client.query(test, "application/sparql-results+json")
        assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
        exp_vars, exp_rows = _result_set(_expected_graph(test))
        act_vars, act_rows = _rows(_parse_results(response.content, ".srj"))
        compare_rows(test, act_vars, act_rows, exp_vars, exp_rows)
        return
    accept = "application/n-triples" if graph_result else "application/sparql-results+json"
    response = client.query(test, accept)
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    if graph_result:
        check_graph(test, response)
    else:
        check_select(test, response)


ALL = load_tests() if available() else []


@pytest.mark.parametrize("test", ALL, ids=[t.id for t in ALL])
def test_query_evaluation(client: Client, test: QueryTest) -> None:
    reason = expected_failures().get(test.id)
    if reason is None:
        run_test(client, test)
        return
    try:
        run_test(client, test)
    except AssertionError:
        pytest.xfail(reason)
    pytest.fail(f"{test.id} is listed as an expected failure ({reason}) but passes: unlist it")


def test_the_suite_is_there() -> None:
    assert len(load_tests()) > 250


def test_every_expected_failure_names_a_test() -> None:
    ids = {t.id for t in load_tests()}
    unknown = set(expected_failures()) - ids
    assert not unknown, f"{EXPECTED_FAILURES.name} lists unknown tests: {sorted(unknown)}"

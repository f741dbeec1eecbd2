"""Declared rules (rules/*.rq): what they derive lands in the inferred graph, with provenance.

The rules fill kzo:startYear / kzo:endYear however a claim dated a thing; the example query
14-what-happened-when checks the answers. Here: where the derived triples go, what the
provenance says, and that a rule file that is not a CONSTRUCT is refused by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from kzmig.graph.semantics.derive import derive, read_rules
from kzmig.loaders.errors import InputError
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from tests.support.servers import ROOT

KZO = "https://w3id.org/kzmig/ontology#"
R = "https://w3id.org/kzmig/resource/"


def ask(client: FlaskClient, query: str) -> bool:
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def test_derived_years_are_in_the_inferred_graph_only(client: FlaskClient) -> None:
    kurultai = f"<{R}event/third-world-kurultai-of-kazakhs>"
    year = f'"2005"^^<{XSD.gYear}>'
    inferred = f"<{R}graph/inferred>"
    assert ask(client, f"ASK {{ GRAPH {inferred} {{ {kurultai} <{KZO}startYear> {year} }} }}")
    elsewhere = f"GRAPH ?g {{ {kurultai} <{KZO}startYear> ?y }} FILTER(?g != {inferred})"
    assert not ask(client, f"ASK {{ {elsewhere} }}")


def test_provenance_names_the_rule_files(client: FlaskClient) -> None:
    for path in sorted((ROOT / "rules").glob("*.rq")):
        rel = path.relative_to(ROOT).as_posix()
        assert ask(
            client,
            f"""ASK {{ GRAPH <{R}graph/provenance> {{
                <{R}graph/inferred> <http://www.w3.org/ns/prov#wasGeneratedBy> ?activity .
                ?activity <http://www.w3.org/ns/prov#used> <{R}file/{rel}> }} }}""",
        ), rel


def test_a_rule_never_overrides_an_asserted_year() -> None:
    thing, period = URIRef(R + "program/p"), URIRef(R + "period/q")
    asserted = [
        (thing, URIRef(KZO + "activePeriod"), period),
        (thing, URIRef(KZO + "startYear"), Literal("2017", datatype=XSD.gYear)),
        (period, URIRef(KZO + "startYear"), Literal("2015", datatype=XSD.gYear)),
        (period, URIRef(KZO + "endYear"), Literal("2020", datatype=XSD.gYear)),
    ]
    derived = {t for d in derive(read_rules(ROOT), asserted) for t in d.triples}
    assert (thing, URIRef(KZO + "endYear"), Literal("2020", datatype=XSD.gYear)) in derived
    assert not any(p == URIRef(KZO + "startYear") and s == thing for s, p, _ in derived)


def test_a_rule_that_is_not_a_construct_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.rq").write_text("# Not a rule.\nSELECT * { ?s ?p ?o }\n")
    with pytest.raises(InputError) as caught:
        derive(read_rules(tmp_path), [])
    assert "rules/bad.rq" in str(caught.value.problems[0]) and "CONSTRUCT" in str(
        caught.value.problems[0]
    )

"""Figures from many sources: statistics of one fact that differ are reported, not refused.

The second text gives counts of returnees from several sources at several dates: a
series, not a conflict. Two statistics of the same indicator, group, flow, place, unit
and reference date with different values are a conflict: the build reports the pair as a
warning (build report, `/validation` as HTML and JSON) and publishes both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kzmig.graph.build.figures import differences
from kzmig.graph.build.pipeline import build
from kzmig.loaders.sheets import Claim
from kzmig.names import KZO, PREFIXES
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from tests.support.repocopy import append_claim, copy_inputs

SECOND = Path("sources/return-of-ethnic-kazakhs/claims.yaml")


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def statistic(name: str, value: int, date: str, **changes: str) -> Claim:
    """A claim stating one count of returnees, as the second text's sheet does."""
    s = iri(f"stat:{name}")
    fields = {
        "indicator": "concept:number-of-returnees",
        "measuredGroup": "group:oralmans",
        "refPlace": "place:kazakhstan",
        "unit": "concept:persons",
    } | changes
    triples = [(s, RDF.type, KZO.Statistic), (s, KZO.value, Literal(value))]
    triples += [(s, KZO[p], iri(o)) for p, o in fields.items() if o]
    triples.append((s, KZO.refDate, Literal(date, datatype=XSD.gYearMonth)))
    return Claim("t", name, iri(f"stat:{name}-claim"), tuple(triples), "q", (), 7, "t.yaml")


def test_same_fact_different_values_is_one_difference() -> None:
    found = differences([statistic("a", 600000, "2007-08"), statistic("b", 650000, "2007-08")])
    [d] = found
    assert d.values == ("600000", "650000")
    assert "stat:a = 600000 (t.yaml:7)" in d.message and "stat:b = 650000" in d.message
    assert "concept:number-of-returnees" in d.message and "2007-08" in d.message


@pytest.mark.parametrize(
    "other",
    [
        statistic("b", 600000, "2007-08"),  # the same value: they agree
        statistic("b", 1000000, "2011-11"),  # another date: a series
        statistic("b", 300000, "2007-08", unit="concept:families"),  # another unit
        statistic("b", 80000, "2007-08", refPlace="place:mongolia"),  # another place
        statistic("b", 80000, "2007-08", indicator="concept:returnee-arrivals"),
    ],
)
def test_a_series_or_another_fact_is_no_difference(other: Claim) -> None:
    assert differences([statistic("a", 600000, "2007-08"), other]) == []


@pytest.mark.slow
def test_a_planted_conflict_is_a_warning_in_the_report_and_on_validation(tmp_path: Path) -> None:
    from kzmig.server.app import create_app

    root = copy_inputs(tmp_path / "repo")
    data = tmp_path / "var"
    assert build(root, data).report["validation"]["differing_figures"] == [], "the texts agree"

    # a second reading of the 2011 sentence that takes 300,000 as persons, not families
    line = append_claim(
        root,
        "planted-returnees-2011",
        "In November 2011 officials spoke of about 300,000 families",
        """stat:planted-returnees-2011 a kzo:Statistic ;
    rdfs:label "Planted: returnees by November 2011"@en ;
    kzo:value 300000 ;
    kzo:unit concept:persons ;
    kzo:indicator concept:number-of-returnees ;
    kzo:measuredGroup group:oralmans ;
    kzo:measuredFlow flow:return-of-ethnic-kazakhs-since-1991 ;
    kzo:refPlace place:kazakhstan ;
    kzo:refDate "2011-11"^^xsd:gYearMonth .""",
        sheet=SECOND,
    )
    outcome = build(root, data)
    assert outcome.built, "a difference is a warning, not an error"
    [d] = outcome.report["validation"]["differing_figures"]
    assert set(d["statistics"]) == {
        str(iri("stat:returnees-2011-persons")),
        str(iri("stat:planted-returnees-2011")),
    }
    assert set(d["values"]) == {"1000000", "300000"}
    assert f"{SECOND}:{line}" in d["claims"], d

    client = create_app({"DATA_DIR": str(data), "TESTING": True}).test_client()
    page = client.get("/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "stat:planted-returnees-2011 = 300000" in page
    as_json = client.get("/validation", headers={"Accept": "application/json"}).get_json()
    assert as_json["validation"]["differing_figures"] == [d]

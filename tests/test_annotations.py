"""Mentions and figures as Web Annotations: in memory, then over the built release."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from kzmig.graph.build.annotations import annotate
from kzmig.graph.build.provenance import Run
from kzmig.graph.release.layout import Release
from kzmig.graph.semantics.quads import Quads, to_ox_quads
from kzmig.loaders.patterns import find
from kzmig.loaders.sources import SourceText
from kzmig.loaders.text import segment
from rdflib import Graph

R = "https://w3id.org/kzmig/resource/"
TEXT_GRAPH = f"<{R}graph/text/t>"
PROV = f"<{R}graph/provenance>"
PREFIXES = """
PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
TEXT = (
    "Resettlement\n\n"
    "The Government approved the Enbek program five years ago. "
    "It moved 32 thousand people, more than 80% of them to Pavlodar, from 2017 to 2021.\n\n"
    "At the end of February 2022 the ministers signed it. It was published on February 23.\n\n"
    "https://example.org/report-2019/Pavlodar-32000\n"
)
ONTOLOGY = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{R}program/enbek> rdfs:label "Enbek"@en .
<{R}place/pavlodar-region> rdfs:label "Pavlodar Region"@en ; skos:altLabel "Pavlodar"@en .
<{R}agency/government> skos:altLabel "the Government"@en .
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    source = SourceText(
        id="t",
        folder=Path("."),
        text=TEXT,
        sha256="",
        title="T",
        language="en",
        licence="x",
        attribution="x",
        reference_year=2022,
    )
    q = Quads()
    counts = annotate(
        source,
        segment(TEXT),
        Graph().parse(data=ONTOLOGY, format="turtle"),
        Run("v1", "0.1.0", datetime(2026, 1, 1, tzinfo=UTC)),
        q,
    )
    assert counts["mention"] == 3 and counts["quantity"] == 1
    s = ox.Store()
    s.bulk_extend(to_ox_quads(q))
    return s


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query)
    return sorted(tuple(t.value if t is not None else "" for t in row) for row in result)  # type: ignore[union-attr]


def test_each_annotation_targets_its_words_with_both_selectors(store: ox.Store) -> None:
    found = rows(
        store,
        f"""SELECT ?exact ?start ?end ?prefix ?suffix WHERE {{ GRAPH {TEXT_GRAPH} {{
          ?a a oa:Annotation ; oa:hasTarget ?t .
          ?t a oa:SpecificResource ; oa:hasSource <{R}source/t> ; oa:hasSelector ?q , ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . }} }}""",
    )
    assert len(found) >= 12
    for exact, start, end, prefix, suffix in found:
        assert TEXT[int(start) : int(end)] == exact
        assert TEXT[: int(start)].endswith(prefix) and TEXT[int(end) :].startswith(suffix)
    # nothing is read from inside a link
    link = TEXT.index("https://")
    assert all(int(start) < link for _, start, *_ in found)


def test_mentions_identify_entities_in_their_sentence(store: ox.Store) -> None:
    found = rows(
        store,
        f"""SELECT ?exact ?entity ?n WHERE {{ GRAPH {TEXT_GRAPH} {{
          ?a oa:motivatedBy oa:identifying ; oa:hasBody ?entity ;
             oa:hasTarget [ oa:hasSelector/oa:exact ?exact ; kzo:inSentence ?s ] . }}
          BIND(STRAFTER(STR(?s), "/sentence/") AS ?n) }}""",
    )
    assert found == [
        ("Enbek", f"{R}program/enbek", "1"),
        ("Pavlodar", f"{R}place/pavlodar-region", "2"),
        ("The Government", f"{R}agency/government", "1"),
    ]


def test_figures_are_typed_values_and_relative_dates_are_marked_resolved(
    store: ox.Store,
) -> None:
    found = rows(
        store,
        f"""SELECT ?exact ?kind ?value ?type ?resolved ?bound WHERE {{ GRAPH {TEXT_GRAPH} {{
          ?a oa:motivatedBy oa:describing ; oa:hasBody ?b ;
             oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          ?b kzo:valueKind ?kind ; kzo:resolved ?resolved ; rdf:value ?value .
          OPTIONAL {{ ?b kzo:bound ?bound }}
          BIND(STRAFTER(STR(DATATYPE(?value)), "#") AS ?type) }} }}""",
    )
    assert ("32 thousand", "quantity", "32000", "integer", "false", "") in found
    assert ("80%", "percent", "80", "decimal", "false", "lower") in found
    assert ("five years ago", "year", "2017", "gYear", "true", "") in found
    assert ("2021", "year", "2021", "gYear", "false", "") in found
    assert ("February 2022", "year-month", "2022-02", "gYearMonth", "false", "") in found
    # the day takes its year from the paragraph, and says so
    assert ("February 23", "date", "2022-02-23", "date", "true", "") in found
    # "23" of the date, "five" of "five years ago" are not counts of anything
    assert not [f for f in found if f[0] in {"23", "five"}]


def test_ranges_are_time_intervals(store: ox.Store) -> None:
    found = rows(
        store,
        f"""SELECT ?exact ?begin ?end WHERE {{ GRAPH {TEXT_GRAPH} {{
          ?a oa:hasBody ?b ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          ?b a time:Interval ; time:hasBeginning/time:inXSDgYear ?begin .
          OPTIONAL {{ ?b time:hasEnd/time:inXSDgYear ?end }} }} }}""",
    )
    assert found == [("from 2017 to 2021", "2017", "2021")]


def test_provenance_gives_method_confidence_and_activity(store: ox.Store) -> None:
    found = rows(
        store,
        f"""SELECT ?method (COUNT(?a) AS ?n) (MIN(?c) AS ?low) (MAX(?c) AS ?high) WHERE {{
          GRAPH {TEXT_GRAPH} {{ ?a a oa:Annotation }}
          GRAPH {PROV} {{ ?a kzo:method ?method ; kzo:confidence ?c ;
                           prov:wasGeneratedBy <{R}run/v1> ; prov:wasDerivedFrom <{R}source/t> }}
        }} GROUP BY ?method""",
    )
    by_method = {m.rsplit("/", 1)[-1]: (int(n), float(lo), float(hi)) for m, n, lo, hi in found}
    assert set(by_method) == {"method-gazetteer", "method-pattern-extractor"}
    assert by_method["method-gazetteer"][0] == 3
    for _, low, high in by_method.values():
        assert 0 < low <= high <= 1
    total = rows(
        store, f"SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH {TEXT_GRAPH} {{ ?a a oa:Annotation }} }}"
    )
    assert sum(n for n, _, _ in by_method.values()) == int(total[0][0])


# -- over the release built from the repository -----------------------------------------


def test_the_release_annotates_the_seed_text(data_dir: Path) -> None:
    release = Release.current(data_dir)
    text = release.source_text("migration-in-kazakhstan")
    assert text is not None
    graph = f"<{R}graph/text/migration-in-kazakhstan>"
    found = rows(
        release.store,
        f"""SELECT ?exact ?start ?end ?body ?method WHERE {{
          GRAPH {graph} {{ ?a a oa:Annotation ; oa:hasBody ?body ;
                           oa:hasTarget/oa:hasSelector ?q , ?p .
                           ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }}
          GRAPH {PROV} {{ ?a kzo:method ?method }} }}""",
    )
    assert found
    for exact, start, end, _, _ in found:
        assert text[int(start) : int(end)] == exact
    # every method named is a concept of the ontology graph
    methods = {m for *_, m in found}
    known = rows(
        release.store,
        f"""SELECT ?m WHERE {{ GRAPH <{R}graph/ontology> {{ ?m a ?type }}
              VALUES ?m {{ {" ".join(f"<{m}>" for m in methods)} }} }}""",
    )
    assert {m for (m,) in known} == methods
    # the figures the issue names are found where the text states them
    stated = {(exact, body) for exact, _, _, body, _ in found}
    values = rows(
        release.store,
        f"""SELECT ?exact ?value WHERE {{ GRAPH {graph} {{
          ?a oa:hasBody/rdf:value ?value ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }} }}""",
    )
    for expected in [
        ("89 thousand", "89000"),
        ("71.3 thousand", "71300"),
        ("780 thousand", "780000"),
        ("111 thousand", "111000"),
        ("five years ago", "2017"),
    ]:
        assert expected in values
    assert ("Kazakhstan", f"{R}place/kazakhstan") in stated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Soviet Era (1920s-1991)", [(1920, 1991)]),
        ("Post-Soviet Period (1991-present)", [(1991,)]),
        ("from 2006 to 2010 there was an increase", [(2006, 2010)]),
        ("the Concept for 2022-2026", [(2022, 2026)]),
        ("However, since 2014, there has been", [(2014,)]),
        ("Starting in 2013, the number", [(2013,)]),
        ("between the 1950s and 1960s", []),  # "the" breaks it: two decades, not a range
        ("between 1950s and 1960s", [(1950, 1969)]),
        ("from 2010 to 2006", []),  # backwards: not a range
        ("emigrated from Kazakhstan in 2014", []),
    ],
)
def test_ranges_found_by_the_patterns(text: str, expected: list[tuple[int, ...]]) -> None:
    assert [m.value for m in find(text) if m.kind == "range"] == expected

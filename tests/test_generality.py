"""The loader is not specific to one article: a second text builds with no code change.

The fixture tests/fixtures/texts/kyrgyz-workers-in-kazakhstan/ (a short fictional
text, its claim sheet, its coverage.yaml and the named individuals it needs in
ontology.ttl) is copied with the repository's ontology/, shapes/ and sources/
into a temporary project, built, and queried. The repository's sources come
along because the shapes ask of some named individuals of ontology/ facts that
only the seed's claim sheet states (an agreement's parties, for one). In-text
attribution is checked end to end here too, over both texts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from kzmig.graph.build.pipeline import build
from kzmig.graph.cli.main import main
from kzmig.graph.release.layout import Release
from kzmig.loaders.sheets import read_sheet
from kzmig.loaders.sources import read_source
from kzmig.loaders.text import segment

FIXTURE_ID = "kyrgyz-workers-in-kazakhstan"
FIXTURE = Path(__file__).parent / "fixtures" / "texts" / FIXTURE_ID
R = "https://w3id.org/kzmig/resource/"
PROV = f"<{R}graph/provenance>"
PREFIXES = """
PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query)
    return sorted(tuple(t.value if t is not None else "" for t in row) for row in result)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def project(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's inputs plus the fixture text and the individuals it needs."""
    copy = tmp_path_factory.mktemp("generality")
    for folder in ("ontology", "shapes", "sources"):
        shutil.copytree(root / folder, copy / folder)
    shutil.copy(FIXTURE / "ontology.ttl", copy / "ontology" / f"fixture-{FIXTURE_ID}.ttl")
    target = copy / "sources" / FIXTURE_ID
    target.mkdir(parents=True)
    for name in ("text.txt", "source.yaml", "claims.yaml", "coverage.yaml"):
        shutil.copy(FIXTURE / name, target / name)
    return copy


@pytest.fixture(scope="module")
def release(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Release:
    return build(project, tmp_path_factory.mktemp("generality-data")).release


def test_every_claim_of_the_second_text_is_built_with_its_verified_quote(
    project: Path, release: Release
) -> None:
    source = read_source(project / "sources" / FIXTURE_ID)
    seg = segment(source.text, run_in_headings=source.run_in_headings)
    claims = read_sheet(source.sheet_path, source, seg)
    found = rows(
        release.store,
        f"""SELECT ?id ?exact ?start ?end WHERE {{ GRAPH {PROV} {{
          ?c a kzo:Claim ; prov:wasDerivedFrom <{R}source/{FIXTURE_ID}> ;
             <http://purl.org/dc/terms/identifier> ?id ;
             kzo:evidence/oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }} }}""",
    )
    assert {r[0] for r in found} == {c.id for c in claims}
    for _, exact, start, end in found:
        assert source.text[int(start) : int(end)] == exact
    # each claim graph holds exactly the triples of its sheet entry
    for claim in claims:
        [(n,)] = rows(
            release.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{claim.iri}> {{ ?s ?p ?o }} }}"
        )
        assert int(n) == len(claim.triples)


def test_relative_dates_of_the_second_text_resolve_against_its_own_year(
    release: Release,
) -> None:
    found = rows(
        release.store,
        f"""SELECT ?quoted ?value ?year WHERE {{ GRAPH {PROV} {{
          <{R}claim/{FIXTURE_ID}/pension-agreement-signed> kzo:figure ?f .
          ?f kzo:quotedAs ?quoted ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?value ;
             kzo:resolved true ; kzo:referenceYear ?year }} }}""",
    )
    assert found == [("Three years ago", "2020", "2023")]


def test_mentions_use_the_fixture_individuals_and_the_repository_ontology(
    release: Release,
) -> None:
    graph = f"<{R}graph/text/{FIXTURE_ID}>"
    found = rows(
        release.store,
        f"""SELECT DISTINCT ?exact ?entity WHERE {{ GRAPH {graph} {{
          ?a oa:motivatedBy oa:identifying ; oa:hasBody ?entity ;
             oa:hasTarget/oa:hasSelector/oa:exact ?exact }} }}""",
    )
    assert ("the Osh Region", f"{R}place/osh-region") in found  # a fixture alt label
    assert (
        "Ministry of Labour of the Kyrgyz Republic",
        f"{R}agency/ministry-of-labour-kyrgyzstan",
    ) in found  # longer than the repository's "Kyrgyz Republic" inside it
    assert ("Kazakhstan", f"{R}place/kazakhstan") in found  # the repository's ontology
    assert ("Eurasian Economic Union", f"{R}organization/eaeu") in found


def test_the_second_text_is_fully_covered(project: Path, tmp_path: Path) -> None:
    shutil.copytree(project / "sources" / FIXTURE_ID, tmp_path / "sources" / FIXTURE_ID)
    result = CliRunner().invoke(main, ["report", "coverage", "--root", str(tmp_path), "--strict"])
    assert result.exit_code == 0, result.output
    source = read_source(tmp_path / "sources" / FIXTURE_ID)
    total = len(segment(source.text, run_in_headings=source.run_in_headings).sentences)
    assert f"{total - 2} covered / {total - 2} factual / {total} sentences" in result.output
    assert "§4 Remittances" in result.output  # the run-in heading opens a section


# -- in-text attribution (issue 4, item 5) --------------------------------------------


def attribution_rows(store: ox.Store) -> list[tuple[str, ...]]:
    return rows(
        store,
        f"""SELECT ?id ?agent ?source ?label WHERE {{
          GRAPH {PROV} {{ ?c a kzo:Claim ; <http://purl.org/dc/terms/identifier> ?id ;
                           prov:wasDerivedFrom ?source ; prov:hadPrimarySource ?agent }}
          OPTIONAL {{ GRAPH <{R}graph/ontology> {{ ?agent rdfs:label ?label }} }} }}""",
    )


@pytest.mark.parametrize("which", ["seed", "fixture"])
def test_in_text_attribution_becomes_the_primary_source(
    which: str, root: Path, project: Path, release: Release, data_dir: Path
) -> None:
    if which == "seed":
        store, folder = Release.current(data_dir).store, root / "sources/migration-in-kazakhstan"
    else:
        store, folder = release.store, project / "sources" / FIXTURE_ID
    source = read_source(folder)
    seg = segment(source.text, run_in_headings=source.run_in_headings)
    expected = {
        (c.id, str(c.attribution))
        for c in read_sheet(source.sheet_path, source, seg)
        if c.attribution is not None
    }
    assert expected, f"{folder.name}: the sheet attributes no claim"
    found = [r for r in attribution_rows(store) if r[2] == f"{R}source/{source.id}"]
    assert {(cid, agent) for cid, agent, _, _ in found} == expected
    for cid, agent, document, label in found:
        assert agent != document  # who says so, distinct from where it was read
        assert label, f"{cid}: the primary source <{agent}> is not a named thing of the ontology"

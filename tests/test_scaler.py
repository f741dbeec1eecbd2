"""The benchmark's data scaler: deterministic, and it keeps the real graph's shape."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from kzmig.names import GRAPH_PROVENANCE
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from bench import scale


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale.seed_root()


def shape(root: Path) -> dict[str, object]:
    """What 'the shape of the graph' means here: its vocabulary and literal mix."""
    s = scale.stages(root)
    claim_graphs = {c.iri for cs in s.claims.values() for c in cs}
    in_claims = [(a, p, o) for a, p, o, g in s.quads if g in claim_graphs]
    literals = [o for _, _, o, _ in s.quads if isinstance(o, Literal)]
    return {
        "classes": {o for _, p, o in in_claims if p == RDF.type},
        "predicates": {p for _, p, _, _ in s.quads},
        "graph_kinds": {
            str(g).rsplit("/graph/", 1)[-1].split("/")[0]
            for *_, g in s.quads
            if "/graph/" in str(g)
        },
        "datatypes": {str(o.datatype) for o in literals},
        "label_languages": {o.language for _, p, o in in_claims if p == RDFS.label},
        "claims": len(claim_graphs),
        "claims_with_provenance": len(
            {a for a, p, _, g in s.quads if g == GRAPH_PROVENANCE and p == PROV.wasDerivedFrom}
            & claim_graphs
        ),
        "quads": len(s.quads),
        "claim_datatype_mix": Counter(
            str(o.datatype) for _, _, o in in_claims if isinstance(o, Literal)
        ),
    }


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_growing_is_deterministic(seed: Path, tmp_path: Path) -> None:
    a = tree_digest(scale.grow(seed, tmp_path / "a", 40, seed_value=8))
    b = tree_digest(scale.grow(seed, tmp_path / "b", 40, seed_value=8))
    assert a == b


def test_the_random_seed_picks_the_shared_pool() -> None:
    """A shared thing the ontology does not define comes from a seeded pool: the same seed
    picks the same variants, another seed others; minted things are always their copy's."""
    picks = {
        seed: [scale._pick(seed, copy, "agency", "some-body", 400) for copy in range(400)]
        for seed in (8, 9)
    }
    assert picks[8] == [scale._pick(8, copy, "agency", "some-body", 400) for copy in range(400)]
    assert picks[8] != picks[9]
    assert set(picks[8]) <= set(range(round(400 * scale.POOL_SHARE)))
    assert [scale._pick(8, copy, "program", "x", 400) for copy in range(5)] == list(range(5))


def test_a_seed_without_claim_sheets_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sources" / "t").mkdir(parents=True)
    with pytest.raises(SystemExit, match="no claim sheet"):
        scale.seed_root(tmp_path)


@pytest.mark.slow  # >= 3 s: the default suite stays under ~4 min
def test_a_grown_graph_keeps_the_seed_shape(seed: Path, tmp_path: Path) -> None:
    one = shape(seed)
    three = shape(scale.grow(seed, tmp_path / "three", 3))
    for key in ("classes", "predicates", "graph_kinds", "datatypes", "label_languages"):
        assert three[key] == one[key], key
    assert three["claims"] == 3 * one["claims"]
    assert three["claims_with_provenance"] == three["claims"], "every claim has provenance"
    mix = three["claim_datatype_mix"]
    assert {k: v / 3 for k, v in mix.items()} == dict(one["claim_datatype_mix"])


def test_things_the_ontology_defines_stay_shared(seed: Path, tmp_path: Path) -> None:
    """Places and bodies named in ontology/ keep their IRI in every copy; minted things are
    renamed per copy, so the claims of different copies don't collapse into one."""
    grown = scale.stages(scale.grow(seed, tmp_path / "two", 2))
    defined = scale._defined_in_ontology(seed)
    objects = Counter(
        str(o)
        for cs in grown.claims.values()
        for c in cs
        for _, _, o in c.triples
        if isinstance(o, URIRef) and str(o).startswith(scale.RESOURCE)
    )
    shared = [o for o in objects if o[len(scale.RESOURCE) :] in defined]
    minted = [o for o in objects if o[len(scale.RESOURCE) :] not in defined]
    assert shared and minted
    assert all("-v" not in o.rsplit("/", 1)[-1] for o in shared)
    assert all(o.rsplit("-v", 1)[-1].isdigit() for o in minted)


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_the_profile_predicts_the_size(seed: Path, tmp_path: Path) -> None:
    prof = scale.profile(seed, tmp_path)
    copies = 4
    grown = scale.stages(scale.grow(seed, tmp_path / "four", copies))
    assert len(grown.quads) == prof.fixed + copies * prof.per_copy
    assert prof.copies(prof.fixed + copies * prof.per_copy) == copies


def test_sizes_parse() -> None:
    assert [scale.parse_size(x) for x in ("10k", "1M", "2500", "1.5M")] == [
        10_000,
        1_000_000,
        2_500,
        1_500_000,
    ]
    assert scale.size_name(1_000_000) == "1M" and scale.size_name(100_000) == "100k"

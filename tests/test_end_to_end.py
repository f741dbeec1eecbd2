"""Build from sources/ into a temporary data dir, serve it for real, ask over HTTP."""

from __future__ import annotations

from pathlib import Path

import requests

PROV = "https://w3id.org/kzmig/resource/graph/provenance"
PREFIXES = """
PREFIX kzo: <https://w3id.org/kzmig/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def select(base: str, query: str) -> list[dict[str, str]]:
    response = requests.post(
        base + "/sparql",
        data={"query": PREFIXES + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def test_enbek_claims_come_with_their_verbatim_quotes(live_server: str, root: Path) -> None:
    text = (root / "sources/migration-in-kazakhstan/text.txt").read_text(encoding="utf-8")
    rows = select(
        live_server,
        f"""
        SELECT DISTINCT ?claim ?p ?o ?quote WHERE {{
          GRAPH ?claim {{ <https://w3id.org/kzmig/resource/program/enbek> ?p ?o }}
          GRAPH <{PROV}> {{ ?claim a kzo:Claim ; kzo:evidence/oa:hasSelector/oa:exact ?quote }}
        }}""",
    )
    claims = {r["claim"] for r in rows}
    assert len(claims) >= 5, rows
    for r in rows:
        assert r["quote"] in text
    # the figures of the program's results are stated by their quotes
    figures = select(
        live_server,
        f"""
        SELECT DISTINCT ?value ?quote WHERE {{
          GRAPH ?claim {{ ?stat ?p ?value . FILTER(?value = 32000) }}
          GRAPH <{PROV}> {{ ?claim kzo:evidence/oa:hasSelector/oa:exact ?quote }}
        }}""",
    )
    assert figures and all("32 thousand" in r["quote"] for r in figures)


def test_no_claim_graph_lacks_provenance(live_server: str) -> None:
    rows = select(
        live_server,
        f"""
        SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/kzmig/resource/claim/"))
          FILTER NOT EXISTS {{
            GRAPH <{PROV}> {{
              ?g a kzo:Claim ; prov:wasDerivedFrom ?src ; prov:wasGeneratedBy ?run ;
                 kzo:evidence/oa:hasSelector/oa:exact ?quote .
            }}
          }}
        }}""",
    )
    assert rows == [{"n": "0"}]
    counted = select(
        live_server,
        f"""
        SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH <{PROV}> {{ ?g a kzo:Claim }} }}""",
    )
    assert int(counted[0]["n"]) >= 25


def test_every_evidence_quote_is_at_its_offsets(live_server: str, root: Path) -> None:
    text = (root / "sources/migration-in-kazakhstan/text.txt").read_text(encoding="utf-8")
    rows = select(
        live_server,
        f"""
        SELECT ?ev ?exact ?prefix ?suffix ?start ?end WHERE {{
          GRAPH <{PROV}> {{
            ?claim kzo:evidence ?ev .
            ?ev oa:hasSource <https://w3id.org/kzmig/resource/source/migration-in-kazakhstan> ;
                oa:hasSelector ?q , ?pos .
            ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
            ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          }}
        }}""",
    )
    assert len(rows) >= 25
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert text[start:end] == r["exact"], r["ev"]
        assert text[:start].endswith(r["prefix"]) and text[end:].startswith(r["suffix"])


def test_repeated_passage_gives_one_claim_with_two_pieces_of_evidence(live_server: str) -> None:
    rows = select(
        live_server,
        f"""
        SELECT ?claim (COUNT(DISTINCT ?ev) AS ?n) WHERE {{
          GRAPH <{PROV}> {{ ?claim a kzo:Claim ; kzo:evidence ?ev }}
        }} GROUP BY ?claim HAVING (COUNT(DISTINCT ?ev) > 1)""",
    )
    assert rows, "the Enbek paragraphs are repeated in the text: some claims have two quotes"
    assert all(r["n"] == "2" for r in rows)


def test_published_dump_conforms_to_the_shapes(data_dir: Path, root: Path) -> None:
    """What the store publishes is what was validated (no datatype drift on the way)."""
    import pyshacl
    import rdflib
    from kzmig.graph.release.layout import Release

    release = Release.current(data_dir)
    [nq] = [d["name"] for d in release.manifest["dumps"] if d["name"].endswith(".nq")]
    dataset = rdflib.Dataset()
    dataset.parse(release.folder / "dumps" / nq, format="nquads")
    data = rdflib.Graph()
    for s, p, o, g in dataset.quads():
        if not str(g).endswith(("/graph/shapes", "/graph/inferred")):
            data.add((s, p, o))
    shapes = rdflib.Graph()
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path)
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text

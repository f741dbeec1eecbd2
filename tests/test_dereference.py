"""Every IRI the server publishes answers at /resource/..., in the form the client asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from tests.support.servers import kzmig_serve

NS = "https://w3id.org/kzmig/resource/"
PROV = NS + "graph/provenance"
KZO = "https://w3id.org/kzmig/ontology#"
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def select(app: Flask, query: str) -> list[Any]:
    return list(app.extensions["kzmig.store"].query(query))


@pytest.fixture(scope="module")
def sample(app: Flask) -> dict[str, str]:
    """A sample of IRIs of every kind, taken from the release itself."""
    claim = select(
        app,
        f"""SELECT ?c WHERE {{ GRAPH <{PROV}> {{ ?c a <https://w3id.org/kzmig/ontology#Claim> ;
              <http://www.w3.org/ns/prov#hadPrimarySource> ?who }} }} ORDER BY ?c LIMIT 1""",
    )[0]["c"].value
    thing = select(
        app, f"SELECT ?s WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }} ORDER BY ?s LIMIT 1"
    )[0]["s"].value
    evidence = select(
        app,
        f"SELECT ?e WHERE {{ GRAPH <{PROV}> {{ <{claim}> <{KZO}evidence> ?e }} }} LIMIT 1",
    )[0]["e"].value
    source = select(
        app,
        f"SELECT ?s WHERE {{ GRAPH <{PROV}> {{ ?s a <https://w3id.org/kzmig/ontology#SourceText> }}"
        " } LIMIT 1",
    )[0]["s"].value
    return {
        "thing": thing,
        "claim": claim,
        "evidence": evidence,
        "source": source,
        "sentence": source + "/sentence/1",
        "graph": PROV,
        "text-graph": NS + "graph/text/" + source.rsplit("/", 1)[-1],
    }


def path(iri: str) -> str:
    assert iri.startswith(NS)
    return "/resource/" + iri[len(NS) :]


def parse(response: Any, media: str) -> list[Any]:
    """Quads for TriG / N-Quads, triples for the rest."""
    quads = list(ox.parse(response.data, format=RDF_TYPES[media], base_iri="http://localhost/"))
    if media in ("application/trig", "application/n-quads"):
        return quads
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


KINDS = ["thing", "claim", "evidence", "source", "sentence", "graph", "text-graph"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("media", sorted(RDF_TYPES))
def test_matrix_every_kind_of_iri_in_every_rdf_form(
    client: FlaskClient, sample: dict[str, str], kind: str, media: str
) -> None:
    iri = sample[kind]
    response = client.get(path(iri), headers={"Accept": media})
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    statements = parse(response, media)
    assert statements, f"{media} of {iri} is empty"
    node = ox.NamedNode(iri)
    assert any(node in (s.subject, s.object) for s in statements) or any(
        isinstance(s, ox.Quad) and s.graph_name == node for s in statements
    )
    if media in ("application/trig", "application/n-quads"):
        # the statements in the default graph (for triple readers), each also in the named
        # graphs that assert it (for quad readers), and nothing else there
        default = {s.triple for s in statements if isinstance(s.graph_name, ox.DefaultGraph)}
        named = {s.triple for s in statements if isinstance(s.graph_name, ox.NamedNode)}
        assert all(isinstance(s.graph_name, ox.NamedNode | ox.DefaultGraph) for s in statements)
        assert default <= named
        if kind not in ("claim", "graph", "text-graph"):  # a graph also sends its content
            assert default == named


@pytest.mark.parametrize("kind", KINDS)
def test_matrix_html_for_browsers(client: FlaskClient, sample: dict[str, str], kind: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(path(sample[kind]), headers={"Accept": browser})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    assert sample[kind] in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/html;q=0.1, text/turtle", "text/turtle"),
        ("*/*;q=0.1, application/n-triples", "application/n-triples"),
        ("application/rdf+xml;q=0.3, text/*;q=0.2", "application/rdf+xml"),
        ("text/*", "text/html"),
        ("application/trig;q=1.0, application/n-quads;q=0.99", "application/trig"),
        ("application/n-quads, text/html;q=0", "application/n-quads"),
        ("text/turtle;q=0, */*;q=0.5", "text/html"),
        (None, "text/html"),
    ],
)
def test_q_values_pick_the_preferred_form(
    client: FlaskClient, sample: dict[str, str], accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(path(sample["thing"]), headers=headers)
    assert response.status_code == 200
    assert response.mimetype == expected


def test_nothing_acceptable_is_406_with_the_offer(
    client: FlaskClient, sample: dict[str, str]
) -> None:
    response = client.get(path(sample["thing"]), headers={"Accept": "image/png, text/html;q=0"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


SUFFIXES = [
    (".ttl", "text/turtle"),
    (".nt", "application/n-triples"),
    (".jsonld", "application/ld+json"),
    (".rdf", "application/rdf+xml"),
    (".trig", "application/trig"),
    (".nq", "application/n-quads"),
    (".html", "text/html"),
]
FORMATS = [
    ("ttl", "text/turtle"),
    ("nt", "application/n-triples"),
    ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"),
    ("trig", "application/trig"),
    ("nq", "application/n-quads"),
    ("html", "text/html"),
]


@pytest.mark.parametrize(("suffix", "media"), SUFFIXES)
def test_suffix_overrides_accept(
    client: FlaskClient, sample: dict[str, str], suffix: str, media: str
) -> None:
    response = client.get(path(sample["thing"]) + suffix, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media
    assert response.headers["Content-Location"].endswith(suffix)


@pytest.mark.parametrize(("fmt", "media"), FORMATS)
def test_format_parameter_overrides_accept(
    client: FlaskClient, sample: dict[str, str], fmt: str, media: str
) -> None:
    response = client.get(path(sample["claim"]) + f"?format={fmt}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media


def test_unknown_format_is_406(client: FlaskClient, sample: dict[str, str]) -> None:
    response = client.get(path(sample["thing"]) + "?format=png")
    assert response.status_code == 406
    assert "format='png'" in response.get_data(as_text=True)


def test_alternates_are_announced(client: FlaskClient, sample: dict[str, str]) -> None:
    response = client.get(path(sample["thing"]), headers={"Accept": "text/turtle"})
    link = response.headers["Link"]
    for media in RDF_TYPES:
        assert f'type="{media}"' in link
    assert response.headers["Content-Location"] == path(sample["thing"]) + ".ttl"


def test_description_equals_what_the_store_says(
    app: Flask, client: FlaskClient, sample: dict[str, str]
) -> None:
    iri = sample["thing"]
    response = client.get(path(iri), headers={"Accept": "application/n-triples"})
    served = set(parse(response, "application/n-triples"))
    out = {
        ox.Triple(ox.NamedNode(iri), r["p"], r["o"])
        for r in select(app, f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    }
    into = {
        ox.Triple(r["s"], r["p"], ox.NamedNode(iri))
        for r in select(app, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }}")
    }
    assert served == out | into


def test_claim_in_trig_keeps_its_graph_and_provenance(
    app: Flask, client: FlaskClient, sample: dict[str, str]
) -> None:
    claim = sample["claim"]
    quads = parse(client.get(path(claim) + ".trig"), "application/trig")
    own = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if q.graph_name == ox.NamedNode(claim)
    }
    stored = {
        ox.Triple(r["s"], r["p"], r["o"])
        for r in select(app, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}")
    }
    assert own == stored and own
    prov = [q for q in quads if q.graph_name == ox.NamedNode(PROV)]
    # the claim's evidence (an owned node) and its quote come along
    assert any(q.predicate.value == "http://www.w3.org/ns/oa#exact" for q in prov)
    assert any(q.subject == ox.NamedNode(claim) for q in prov)


def test_owned_nodes_of_a_claim_are_described(client: FlaskClient, sample: dict[str, str]) -> None:
    triples = parse(client.get(path(sample["claim"]) + ".ttl"), "text/turtle")
    subjects = {t.subject for t in triples}
    assert ox.NamedNode(sample["evidence"]) in subjects


def test_conditional_get_gives_304(client: FlaskClient, sample: dict[str, str]) -> None:
    first = client.get(path(sample["thing"]), headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    again = client.get(
        path(sample["thing"]), headers={"Accept": "text/turtle", "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert not again.data
    other = client.get(
        path(sample["thing"]), headers={"Accept": "application/ld+json", "If-None-Match": etag}
    )
    assert other.status_code == 200, "the ETag names one form only"


def test_unknown_iri_is_404(client: FlaskClient) -> None:
    for p in ("/resource/program/no-such-thing", "/resource/a b", "/resource/x<y>", "/resource/"):
        response = client.get(p)
        assert response.status_code == 404, p


def test_an_iri_that_ends_like_a_suffix_is_served_as_itself(
    app: Flask, client: FlaskClient
) -> None:
    rows = select(
        app,
        f"""SELECT DISTINCT ?f WHERE {{ ?f ?p ?o FILTER(STRSTARTS(STR(?f), "{NS}file/")
             && STRENDS(STR(?f), ".ttl")) }} LIMIT 1""",
    )
    assert rows, "the build describes its input files (ontology/*.ttl)"
    iri = rows[0]["f"].value
    response = client.get(path(iri), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert iri in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def other_base_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    data = folder / "data.trig"
    data.write_text(
        """
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <http://example.org/kz/resource/claim/x> {
          <http://example.org/kz/resource/thing/a> rdfs:label "A thing"@en ;
             rdfs:seeAlso <https://w3id.org/kzmig/resource/program/enbek> .
        }
        """,
        encoding="utf-8",
    )
    return data


def test_base_iri_is_configurable(other_base_data: Path) -> None:
    from kzmig.server.app import create_app

    app = create_app(
        {
            "DATA_FILES": [str(other_base_data)],
            "BASE_IRI": "http://example.org/kz/",
            "TESTING": True,
        }
    )
    client = app.test_client()
    response = client.get("/resource/thing/a", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert "<http://example.org/kz/resource/thing/a>" in response.get_data(as_text=True)
    # the default namespace is not answered for under another base
    assert client.get("/resource/program/enbek").status_code == 404
    page = client.get("/resource/thing/a", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/resource/claim/x"' in page  # links stay on this server


def test_serve_base_iri_flag(other_base_data: Path) -> None:
    with kzmig_serve(
        ["--data", str(other_base_data), "--base-iri", "http://example.org/kz/", "--workers", "1"]
    ) as base:
        response = requests.get(
            base + "/resource/thing/a", headers={"Accept": "text/turtle"}, timeout=10
        )
        assert response.status_code == 200
        triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
        assert ox.NamedNode("http://example.org/kz/resource/thing/a") in {
            t.subject for t in triples
        }


def test_default_answers_under_any_host(live_server: str, sample: dict[str, str]) -> None:
    """The IRIs are https://w3id.org/...; the server answers for them on 127.0.0.1."""
    response = requests.get(
        live_server + path(sample["thing"]), headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Vary"].startswith("Accept")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    assert ox.NamedNode(sample["thing"]) in {t.subject for t in triples} | {
        t.object for t in triples
    }
    again = requests.get(
        live_server + path(sample["thing"]),
        headers={"Accept": "text/turtle", "If-None-Match": response.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304

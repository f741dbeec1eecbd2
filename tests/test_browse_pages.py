"""Browse (/browse), the query page (/query, /terms) and the publishing pages as HTML."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

NS = "https://w3id.org/kzmig/resource/"
KZO = "https://w3id.org/kzmig/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, (url, response.data[:300])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def count(app: Flask, cls: str) -> int:
    [row] = app.extensions["kzmig.store"].query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> <{cls}> FILTER(isIRI(?s)) }}"
    )
    return int(row["n"].value)


def table_rows(markup: str, css: str) -> list[str]:
    body = markup.split(f'<table class="{css}">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(.*?)</tr>", body, re.S)


# -- browse -------------------------------------------------------------------------------------


def test_browse_lists_classes_with_their_counts(app: Flask, client: FlaskClient) -> None:
    markup = page(client, "/browse")
    for name in ("Statistic", "Country", "MigrationFlow"):
        n = count(app, KZO + name)
        assert n > 0
        row = re.search(rf'href="/browse/{name}">.*?<td class="num">(\d+)</td>', markup, re.S)
        assert row and int(row.group(1)) == n, name


def test_a_class_lists_its_members_with_facets(app: Flask, client: FlaskClient) -> None:
    markup = page(client, "/browse/Statistic")
    rows = table_rows(markup, "members")
    assert len(rows) == count(app, KZO + "Statistic")
    assert any('href="/resource/statistic/enbek-resettled"' in r for r in rows)
    # the period facet links keep the class and narrow the table
    period = NS + "period/enbek-first-phase"
    link = f"/browse/Statistic?period={period}"
    assert html.escape(link) in markup or link in markup
    narrowed = table_rows(page(client, f"/browse/Statistic?period={quote(period)}"), "members")
    assert 0 < len(narrowed) < len(rows)
    assert all('href="/resource/period/enbek-first-phase"' in r for r in narrowed)


def test_browse_pages_through_a_long_class(app: Flask, client: FlaskClient) -> None:
    total = count(app, KZO + "Claim")
    assert total > 50
    first = page(client, "/browse/Claim")
    assert len(table_rows(first, "members")) == 50
    assert 'rel="next" href="/browse/Claim?page=2"' in first
    last_page = -(-total // 50)
    last = page(client, f"/browse/Claim?page={last_page}")
    assert len(table_rows(last, "members")) == total - 50 * (last_page - 1)
    assert 'rel="next"' not in last


def test_browse_refuses_unknown_classes(client: FlaskClient) -> None:
    page(client, "/browse/NoSuchClass", status=404)
    page(client, "/browse/Statistic%3E%20%7D", status=404)  # no text of the URL into SPARQL


# -- the query page -----------------------------------------------------------------------------

QUERY = f"""SELECT ?stat ?claim ?type WHERE {{
  GRAPH ?claim {{ ?stat a ?type ; <{KZO}value> ?v }} }} ORDER BY ?stat LIMIT 5"""


def test_query_page_shows_a_table_with_local_links(client: FlaskClient) -> None:
    markup = page(client, "/query?query=" + quote(QUERY))
    rows = table_rows(markup, "results")
    assert 0 < len(rows) <= 5
    assert 'href="/resource/statistic/' in markup
    assert re.search(r'href="/resource/claim/[^"]+" title="[^"]+">claim:', markup), "claim:"
    assert 'href="/ontology#Statistic"' in markup, "ontology terms link here"
    assert ">kzo:Statistic<" in markup and ">stat:" in markup


def test_query_page_ask_and_construct(client: FlaskClient) -> None:
    assert "<strong>yes</strong>" in page(client, "/query?query=" + quote("ASK { ?s ?p ?o }"))
    markup = page(
        client,
        "/query?query="
        + quote(f"CONSTRUCT {{ ?s a <{KZO}Country> }} WHERE {{ ?s a <{KZO}Country> }} LIMIT 2"),
    )
    assert len(table_rows(markup, "results")) == 2


def test_query_page_bad_query_is_a_400_page(client: FlaskClient) -> None:
    markup = page(client, "/query?query=" + quote("SELECT ?x WHERE { ?x"), status=400)
    assert 'role="alert"' in markup and "status 400" in markup


def test_home_form_can_show_a_table(client: FlaskClient) -> None:
    assert 'formaction="/query"' in page(client, "/")


def test_terms_for_completion(client: FlaskClient) -> None:
    body: dict[str, Any] = client.get("/terms").get_json()
    assert KZO + "Statistic" in body["classes"]
    assert KZO + "value" in body["properties"]
    assert RDF_TYPE in body["properties"]


# -- publishing pages, the 404, the ontology's namespaces --------------------------------------


def test_void_dcat_and_service_description_are_tables(client: FlaskClient) -> None:
    for url, expected in (
        ("/.well-known/void", "void:Dataset"),
        ("/catalog", "dcat:Catalog"),
        ("/sparql", "sd:Service"),
    ):
        markup = page(client, url)
        assert '<table class="rdf">' in markup, url
        assert expected in markup, url
        main = markup.split("<main>", 1)[1]
        assert main.find("<table") < main.find("<pre"), "tables first, Turtle folded below"
    sd = page(client, "/sparql")
    assert re.search(r'sd:endpoint</a></th>\s*<td><a href="http://localhost/sparql">', sd)


def test_the_404_page_has_a_search_box(client: FlaskClient) -> None:
    for url in ("/no/such/page", "/resource/place/nowhere"):
        markup = page(client, url, status=404)
        assert re.search(r'<form class="search-big"[^>]*action="/search"', markup)


def test_every_page_has_the_search_box_and_navigation(client: FlaskClient) -> None:
    for url in ("/", "/ontology", "/search", "/browse", "/catalog", "/resource/program/enbek"):
        markup = page(client, url)
        assert re.search(r'<form class="search"[^>]*action="/search"', markup), url
        nav = markup.split('<nav class="site"', 1)[1].split("</nav>", 1)[0]
        for href in ("/browse", "/timeline", "/flows", "/statistics", "/ontology"):
            assert f'href="{href}"' in nav, (url, href)
        assert 'rel="icon"' in markup


def test_ontology_lists_only_namespaces_it_uses(client: FlaskClient) -> None:
    markup = page(client, "/ontology")
    section = markup.split('id="namespaces"', 1)[1]
    for unused in ("brick:", "odrl:", "wgs:", "https://www.w3.org/2003/01/geo/wgs84_pos#"):
        assert unused not in section, unused
    assert "<code>kzo:</code>" in section and "<code>prov:</code>" in section

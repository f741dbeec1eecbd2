"""Search (/search) over the release's FTS5 index: ranking, languages, JSON, hostile input."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kzmig.graph.release.layout import Release
from kzmig.graph.release.search_index import FILENAME, figure_forms, fold
from kzmig.server.search import match_expression

NS = "https://w3id.org/kzmig/resource/"
PROV = NS + "graph/provenance"
KZO = "https://w3id.org/kzmig/ontology#"
SOURCE = NS + "source/migration-in-kazakhstan"
OA = "http://www.w3.org/ns/oa#"
ENBEK_STAT = NS + "statistic/enbek-resettled"


def hits(client: FlaskClient, q: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/search", query_string={"q": q, "format": "json", **params})
    assert response.status_code == 200, response.data[:300]
    body = response.get_json()
    assert body["query"] == q.strip()
    return list(body["hits"])


def evidence_spans(app: Flask, thing: str) -> set[str]:
    """The passages (#char=) of the claims whose graph states something about ``thing``."""
    rows = app.extensions["kzmig.store"].query(
        f"""SELECT DISTINCT ?src ?start ?end WHERE {{
          GRAPH ?c {{ <{thing}> ?p ?o }}
          GRAPH <{PROV}> {{ ?c <{KZO}evidence> ?ev . ?ev <{OA}hasSource> ?src ;
            <{OA}hasSelector> ?pos . ?pos <{OA}start> ?start ; <{OA}end> ?end }} }}"""
    )
    return {f"{r['src'].value}#char={r['start'].value},{r['end'].value}" for r in rows}


def test_the_index_is_built_into_the_release(data_dir: Path) -> None:
    release = Release.current(data_dir)
    path = release.folder / FILENAME
    assert path.is_file()
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM docs GROUP BY kind").fetchall())
        assert kinds["thing"] > 100 and kinds["passage"] > 100 and kinds["sentence"] > 0
        with pytest.raises(sqlite3.OperationalError):  # the server's way of opening it
            db.execute("DELETE FROM docs")
    finally:
        db.close()


def test_32_thousand_finds_the_enbek_statistic_then_its_passage(
    app: Flask, client: FlaskClient
) -> None:
    found = hits(client, "32 thousand")
    assert found[0]["iri"] == ENBEK_STAT
    assert found[0]["url"] == "/resource/statistic/enbek-resettled"
    assert found[0]["kind"] == "Statistic"
    assert "<mark>32</mark> <mark>thousand</mark>" in found[0]["snippet"]
    second = found[1]
    assert second["kind"] == "passage"
    assert second["iri"] in evidence_spans(app, ENBEK_STAT), "its own evidence"
    start, end = map(int, second["iri"].rsplit("#char=", 1)[1].split(","))
    text = Release.current(Path(app.config["DATA_DIR"])).source_text("migration-in-kazakhstan")
    assert text is not None and "32 thousand" in text[start:end]
    assert second["url"] == f"/resource/source/migration-in-kazakhstan#char={start},{end}"


def test_the_figure_in_other_spellings(client: FlaskClient) -> None:
    for q in ("32000", "32,000", "32 000"):
        assert hits(client, q)[0]["iri"] == ENBEK_STAT, q
    assert figure_forms(32000) == ["32000", "32,000", "32 000", "32 thousand"]
    assert figure_forms(1_500_000)[-1] == "1.5 million"
    assert figure_forms(71300)[-1] == "71.3 thousand"
    assert figure_forms(123) == ["123", "123", "123"]


@pytest.mark.parametrize(
    "q, iri",
    [
        ("Германия", NS + "place/germany"),  # ru and kk label
        ("германия", NS + "place/germany"),  # case
        ("GERMANY", NS + "place/germany"),
        ("Gérmany", NS + "place/germany"),  # diacritics
        ("ФРГ", NS + "place/germany"),  # an alt label
        ("Қазақстан", NS + "place/kazakhstan"),  # kk label, exact match first
        ("Казахстан", NS + "place/kazakhstan"),  # ru
    ],
)
def test_labels_in_every_language(client: FlaskClient, q: str, iri: str) -> None:
    assert hits(client, q)[0]["iri"] == iri


def test_the_label_shown_is_in_the_readers_language(client: FlaskClient) -> None:
    assert hits(client, "Germany", lang="ru")[0]["label"] == "Германия"
    assert hits(client, "Германия", lang="en")[0]["label"] == "Germany"


def test_html_page_lists_hits_with_links_and_marks(client: FlaskClient) -> None:
    response = client.get("/search?q=Германия", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'href="/resource/place/germany"' in page
    assert "<mark>Германия</mark>" in page
    assert 'value="Германия"' in page, "the header's box keeps the query"


def test_json_by_accept_header_and_its_shape(client: FlaskClient) -> None:
    response = client.get("/search?q=Enbek", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"query", "hits"} and body["query"] == "Enbek"
    assert body["hits"], "Enbek is in the graph"
    for h in body["hits"]:
        assert set(h) == {"iri", "url", "label", "kind", "snippet", "score"}
        assert isinstance(h["score"], float) and h["score"] > 0
        assert h["url"].startswith("/")
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    "q",
    ['"', "*", "NEAR(", ")(", 'a" OR "b', "-", "^", "label:x", "AND", "x" * 5000, "\x00", "؟"],
)
def test_hostile_or_empty_queries_never_fail(client: FlaskClient, q: str) -> None:
    for accept in ("text/html", "application/json"):
        response = client.get("/search", query_string={"q": q}, headers={"Accept": accept})
        assert response.status_code == 200, (q, response.data[:200])


def test_operators_are_plain_words(client: FlaskClient) -> None:
    assert match_expression('a" OR NEAR(b') == '"a" "OR" "NEAR" "b"*'
    assert match_expression("*-()") is None
    # "OR" as an operator would find every Enbek or Germany; as a word, nothing has all three
    assert hits(client, "Enbek OR Germany") == []


def test_friendly_pages_for_nothing_to_search(client: FlaskClient) -> None:
    def text(q: str) -> str:
        page = client.get("/search", query_string={"q": q}, headers={"Accept": "text/html"})
        return html.unescape(re.sub(r"<[^>]+>", "", page.get_data(as_text=True)))

    assert "Try Enbek" in " ".join(text("").split())
    assert "no words to search for" in text("*** ((")
    assert "Nothing matches" in text("zzqxv")


def test_paging(client: FlaskClient) -> None:
    first = hits(client, "Kazakhstan", limit="5")
    second = hits(client, "Kazakhstan", limit="5", page="2")
    assert len(first) == 5 and len(second) == 5
    assert not {h["iri"] for h in first} & {h["iri"] for h in second}


def test_fold() -> None:
    assert fold("  Gérmany ") == "germany"
    assert fold("ҚАЗАҚСТАН") == "қазақстан"


def test_a_server_of_rdf_files_builds_its_own_index(tmp_path: Path) -> None:
    from kzmig.server.app import create_app

    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/kzmig/resource/place/aral>\n"
        '  rdfs:label "Aral Sea"@en, "Арал теңізі"@kk ;\n'
        '  <http://www.w3.org/2004/02/skos/core#definition> "A lake that shrank."@en .\n',
        encoding="utf-8",
    )
    client = create_app({"DATA_FILES": [str(data)], "TESTING": True}).test_client()
    for q in ("арал", "shrank", "Aral Sea"):
        found = hits(client, q)
        assert [h["iri"] for h in found] == [NS + "place/aral"], q
    assert hits(client, "Germany") == []


@pytest.mark.parametrize("q", ["migra", "Kaz", "32 thousand", "Kazakhstan"])
def test_snippets_read_apart_equal_the_ranking_statements(data_dir: Path, q: str) -> None:
    """The snippets of a page's hits, read after ranking, are those of one MATCH over all."""
    from kzmig.server import search as s

    path = Release.current(data_dir).folder / FILENAME
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        cols = ", ".join(
            f"snippet(fts, {c}, '{s.OPEN}', '{s.CLOSE}', '…', 14)" for c in s.SNIPPET_COLUMNS
        )
        expr = match_expression(q)
        whole = {
            r[0]: dict(zip(s.SNIPPET_COLUMNS, r[1:], strict=True))
            for r in db.execute(f"SELECT rowid, {cols} FROM fts WHERE fts MATCH ?", (expr,))
        }
        total = s.search(db, q, 5)["total"]
        assert total > 5, "more than a page"
        for offset in range(0, total, 5):
            page = s.search(db, q, 5, offset)
            assert len(page["hits"]) == min(5, total - offset)
            for row in page["hits"]:
                assert page["snippets"][row["id"]] == whole[row["id"]]
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'fts'").fetchone()[0]
        assert "prefix" in sql, "the half-typed last word reads a prefix index"
        plan = db.execute("EXPLAIN QUERY PLAN SELECT passage FROM evidence WHERE thing IN (1, 2)")
        assert "evidence_thing" in " ".join(str(r[-1]) for r in plan), "no table scan"
    finally:
        db.close()

"""Pages for people: resource pages, source pages, the home page, the site frame."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.needs import need

NS = "https://w3id.org/kzmig/resource/"
PROV = NS + "graph/provenance"
KZO = "https://w3id.org/kzmig/ontology#"
HTML_PAGES = ["/", "/dumps/", "/validation", "/.well-known/void", "/catalog"]


def rows(app: Flask, query: str) -> list[Any]:
    return list(app.extensions["kzmig.store"].query(query))


def path(iri: str) -> str:
    return "/resource/" + iri[len(NS) :]


def page(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, (url, response.data[:300])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.fixture(scope="module")
def source(app: Flask, root: Path) -> tuple[str, str]:
    """(the IRI of the source text, the text as in sources/)."""
    query = f"SELECT ?s WHERE {{ GRAPH <{PROV}> {{ ?s a <{KZO}SourceText> }} }} ORDER BY ?s LIMIT 1"
    iri = rows(app, query)[0]["s"].value
    text = (root / "sources" / iri.rsplit("/", 1)[-1] / "text.txt").read_text(encoding="utf-8")
    return iri, text


# -- resource pages --------------------------------------------------------------------------


def test_label_follows_accept_language(app: Flask, client: FlaskClient) -> None:
    """A thing labelled in English and Kazakh shows the reader's language, else English."""
    found = rows(
        app,
        f"""SELECT ?x ?en ?kk WHERE {{
              ?x <http://www.w3.org/2000/01/rdf-schema#label> ?en , ?kk .
              FILTER(lang(?en) = "en" && lang(?kk) = "kk" && STRSTARTS(STR(?x), "{NS}"))
            }} ORDER BY ?x LIMIT 1""",
    )
    assert found, "the ontology labels named things in English and Kazakh"
    iri, en, kk = found[0]["x"].value, found[0]["en"].value, found[0]["kk"].value
    h1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)

    def title(accept_language: str) -> str:
        body = page(client, path(iri), **{"Accept-Language": accept_language})
        return text_of(h1.search(body).group(1))  # type: ignore[union-attr]

    def labels(lang: str) -> set[str]:
        found = rows(
            app,
            f"""SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l
                  FILTER(lang(?l) = "{lang}") }}""",
        )
        return {r["l"].value for r in found}

    assert title("kk-KZ, kk;q=0.9, en;q=0.5") in labels("kk")
    assert title("de, fr;q=0.8") in labels("en")
    assert en != kk


def test_resource_page_shows_statements_with_their_provenance(
    app: Flask, client: FlaskClient, source: tuple[str, str]
) -> None:
    """Each statement: its claim, the quote with a passage link, the attribution, the method."""
    found = rows(
        app,
        f"""SELECT ?s ?c ?who ?exact ?start ?end WHERE {{
              GRAPH ?c {{ ?s ?p ?o }}
              GRAPH <{PROV}> {{ ?c <http://www.w3.org/ns/prov#hadPrimarySource> ?who ;
                  <http://www.w3.org/ns/prov#wasDerivedFrom> <{source[0]}> ;
                  <{KZO}evidence> ?ev . ?ev <http://www.w3.org/ns/oa#hasSelector> ?q , ?pos .
                  ?q <http://www.w3.org/ns/oa#exact> ?exact .
                  ?pos <http://www.w3.org/ns/oa#start> ?start ;
                       <http://www.w3.org/ns/oa#end> ?end }}
              FILTER(STRSTARTS(STR(?s), "{NS}"))
            }} ORDER BY ?c LIMIT 1""",
    )
    r = found[0]
    iri, claim, who = r["s"].value, r["c"].value, r["who"].value
    start, end = int(r["start"].value), int(r["end"].value)
    body = page(client, path(iri))
    assert f'href="{path(claim)}"' in body
    assert f'href="{path(source[0])}#char={start},{end}"' in body
    assert html.escape(r["exact"].value, quote=True) in body or r["exact"].value in text_of(body)
    assert source[1][start:end] == r["exact"].value
    assert f'href="{path(who)}"' in body  # the in-text attribution
    assert "method" in body and 'href="/resource/concept/method-' in body


def test_incoming_statements_are_shown(app: Flask, client: FlaskClient) -> None:
    r = rows(
        app,
        f"""SELECT ?s ?o WHERE {{ GRAPH ?c {{ ?s ?p ?o }} FILTER(isIRI(?o)
              && STRSTARTS(STR(?o), "{NS}") && STRSTARTS(STR(?c), "{NS}claim/")) }} LIMIT 1""",
    )[0]
    body = page(client, path(r["o"].value))
    section = body.split('class="incoming"', 1)[1]
    assert f'href="{path(r["s"].value)}"' in section


def test_ontology_terms_link_to_the_ontology_page(app: Flask, client: FlaskClient) -> None:
    r = rows(
        app,
        f"""SELECT ?s ?t WHERE {{ GRAPH ?c {{ ?s a ?t }} FILTER(STRSTARTS(STR(?t), "{KZO}")
              && STRSTARTS(STR(?c), "{NS}claim/")) }} LIMIT 1""",
    )[0]
    body = page(client, path(r["s"].value))
    assert f'href="/ontology#{r["t"].value[len(KZO) :]}"' in body


def test_markup_in_labels_is_shown_as_text(tmp_path: Path) -> None:
    from kzmig.server.app import create_app

    data = tmp_path / "evil.trig"
    data.write_text(
        """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/kzmig/resource/claim/t/x> {
          <https://w3id.org/kzmig/resource/thing/evil> rdfs:label "<script>alert(1)</script>"@en ;
             rdfs:comment "a \\"quoted\\" <b>bold</b> & more" ;
             rdfs:seeAlso <https://w3id.org/kzmig/resource/thing/x> .
          <https://w3id.org/kzmig/resource/thing/x> rdfs:label "<img src=x onerror=alert(2)>" .
        }""",
        encoding="utf-8",
    )
    client = create_app({"DATA_FILES": [str(data)], "TESTING": True}).test_client()
    body = page(client, "/resource/thing/evil")
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(2)&gt;" in body


def test_claim_page_shows_what_it_states_and_its_evidence(
    app: Flask, client: FlaskClient, source: tuple[str, str]
) -> None:
    claim = rows(
        app, f"SELECT ?c WHERE {{ GRAPH <{PROV}> {{ ?c a <{KZO}Claim> }} }} ORDER BY ?c LIMIT 1"
    )[0]["c"].value
    body = page(client, path(claim))
    stated = rows(app, f"SELECT ?s WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}")
    assert 'class="content"' in body
    for r in stated:
        assert f'href="{path(r["s"].value)}"' in body
    assert f"{path(source[0])}#char=" in body


def test_sentence_page_links_to_its_passage(
    app: Flask, client: FlaskClient, source: tuple[str, str]
) -> None:
    r = rows(
        app,
        f"""SELECT ?b ?e WHERE {{ <{source[0]}/sentence/2>
              <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> ?b ;
              <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#endIndex> ?e }}""",
    )[0]
    body = page(client, path(source[0] + "/sentence/2"))
    assert f'href="{path(source[0])}#char={r["b"].value},{r["e"].value}"' in body


# -- source pages ----------------------------------------------------------------------------


def test_source_page_holds_the_exact_text_with_every_evidence_highlighted(
    app: Flask, client: FlaskClient, source: tuple[str, str]
) -> None:
    iri, text = source
    body = page(client, path(iri))
    m = re.search(r'<div class="source-text" id="text" data-length="(\d+)">(.*?)</div>', body, re.S)
    assert m, "the text block"
    assert int(m.group(1)) == len(text)
    assert text_of(m.group(2)) == text, "the page shows the text exactly, offsets hold"
    spans = {
        (int(r["s"].value), int(r["e"].value))
        for r in rows(
            app,
            f"""SELECT DISTINCT ?s ?e WHERE {{ GRAPH <{PROV}> {{ ?c <{KZO}evidence> ?ev .
                  ?ev <http://www.w3.org/ns/oa#hasSource> <{iri}> ;
                      <http://www.w3.org/ns/oa#hasSelector> ?p .
                  ?p <http://www.w3.org/ns/oa#start> ?s ; <http://www.w3.org/ns/oa#end> ?e }} }}""",
        )
    }
    assert spans
    for s, e in spans:
        # each passage has its entry (linked to its claims) and is highlighted in the text
        entry = re.search(rf'<li id="p-{s}-{e}">(.*?)</li>', body, re.S)
        assert entry, (s, e)
        assert 'href="/resource/claim/' in entry.group(1)
        assert f'href="#char={s},{e}"' in entry.group(1)
    highlighted = set()
    for a in re.finditer(r'<a class="ev" href="#p-(\d+)-(\d+)"', m.group(2)):
        highlighted.add((int(a.group(1)), int(a.group(2))))
    assert highlighted <= spans
    covered = set()
    for piece in re.finditer(r'data-start="(\d+)" data-end="(\d+)"', m.group(2)):
        covered.add((int(piece.group(1)), int(piece.group(2))))
    assert covered == highlighted
    # every evidence character lies inside some highlight
    chars = {i for s, e in spans for i in range(s, e)}
    in_marks: set[int] = set()
    pos, inside = 0, False
    for chunk in re.split(r"(<[^>]+>)", m.group(2)):
        if chunk.startswith("<a "):
            inside = 'class="ev"' in chunk
        elif chunk == "</a>":
            inside = False
        elif not chunk.startswith("<"):
            plain = html.unescape(chunk)
            if inside:
                in_marks.update(range(pos, pos + len(plain)))
            pos += len(plain)
    assert chars <= in_marks


def test_server_side_passage_highlight(client: FlaskClient, source: tuple[str, str]) -> None:
    iri, text = source
    start, end = 40, 120
    body = page(client, path(iri) + f"?char={start},{end}")
    marked = "".join(re.findall(r'<mark class="target">(.*?)</mark>', body, re.S))
    assert text_of(marked) == text[start:end]
    # malformed or reversed ranges are ignored, not errors
    for bad in ("x", "9,3", "-1,4"):
        assert '<mark class="target">' not in page(client, path(iri) + f"?char={bad}")


def test_kept_pages_follow_the_passage_asked_for(
    client: FlaskClient, source: tuple[str, str]
) -> None:
    """Pages are kept once rendered: a second passage of the same page is its own answer,
    with its own ETag, and a page asked for again is the same bytes with the same ETag."""
    iri, text = source
    seen = {}
    for start, end in [(40, 120), (200, 260), (40, 120)]:
        r = client.get(path(iri) + f"?char={start},{end}", headers={"Accept": "text/html"})
        marked = "".join(re.findall(r'<mark class="target">(.*?)</mark>', r.text, re.S))
        assert text_of(marked) == text[start:end]
        seen.setdefault((start, end), set()).add((r.headers["ETag"], r.data))
    assert len(seen[(40, 120)]) == 1
    assert seen[(40, 120)] != seen[(200, 260)]
    again = client.get(
        path(iri) + "?char=40,120",
        headers={"Accept": "text/html", "If-None-Match": next(iter(seen[(40, 120)]))[0]},
    )
    assert again.status_code == 304


# -- home page, frame, security ---------------------------------------------------------------


def test_home_page_offers_yasgui_and_the_examples(client: FlaskClient) -> None:
    from kzmig.server.pages import example_queries, yasgui_dir

    body = page(client, "/")
    examples = example_queries()
    assert len(examples) >= 10
    for ex in examples:
        assert f'id="example-{ex["name"]}"' in body
    assert 'id="kzmig-examples"' in body
    assert "/vendor/yasgui/yasgui.min.js" in body and "/static/home.js" in body
    with client.application.app_context():
        if not (yasgui_dir() / "yasgui.min.js").is_file():
            need("YASGUI is not in node_modules/: `make` installs it with npm (Node.js)")
    with client.get("/vendor/yasgui/yasgui.min.js") as vendor:
        assert vendor.status_code == 200 and b"Yasgui" in vendor.data
    assert client.get("/vendor/yasgui/package.json").status_code == 404
    assert client.get("/vendor/yasgui/..%2fpackage.json").status_code == 404


def test_share_links_carry_the_query(client: FlaskClient) -> None:
    from urllib.parse import parse_qs, unquote

    from kzmig.server.pages import example_queries

    body = page(client, "/")
    first = example_queries()[0]
    link = re.search(
        rf'<li id="example-{first["name"]}">.*?<a class="share" href="([^"]+)"', body, re.S
    )
    assert link
    fragment = html.unescape(link.group(1)).split("#", 1)[1]
    params = parse_qs(fragment)
    assert unquote(params["query"][0]) == first["query"] or params["query"][0] == first["query"]


@pytest.mark.parametrize("url", HTML_PAGES)
def test_every_html_page_has_the_footer_and_a_strict_csp(
    app: Flask, client: FlaskClient, url: str
) -> None:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    footer = body.split("<footer>", 1)[1]
    release = app.extensions["kzmig.store"].release
    assert release.version in footer
    assert release.manifest["created"] in footer
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in footer
    assert "Migration in Kazakhstan" in footer  # title and attribution
    assert 'href="/.well-known/void"' in footer and 'href="/catalog"' in footer
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp, "no other origin is allowed"
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S):
        attributes, _ = script
        assert 'src="/' in attributes or 'type="application/json"' in attributes, script
    assert not re.search(r'(src|href)="(https?:)?//', body.split("<footer>")[0].split("<main>")[0])


def test_resource_pages_have_the_frame_too(app: Flask, client: FlaskClient) -> None:
    response = client.get(path(PROV), headers={"Accept": "text/html"})
    assert "Content-Security-Policy" in response.headers
    assert 'href="/.well-known/void"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("cache_bytes", "kept"), [(0, False), (None, True)])
def test_pages_are_kept_unless_the_cache_is_off(
    data_dir: Path, cache_bytes: int | None, kept: bool
) -> None:
    """`kzmig serve --cache-mb 0` turns the page cache off too; by default pages are kept."""
    from kzmig.server.app import create_app

    app = create_app({"DATA_DIR": str(data_dir), "CACHE_BYTES": cache_bytes})
    assert app.test_client().get("/resource/program/enbek").status_code == 200
    assert (app.wsgi_app.kept.limit > 0) is kept  # type: ignore[attr-defined]  (replay.py)

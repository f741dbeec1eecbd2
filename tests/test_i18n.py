"""Pages in the reader's language: catalogues, language choice, translated chrome and labels.

The catalogues (server/translations) must be complete and in step with the
templates and code; ``?lang=`` then ``Accept-Language`` choose the language; the
page's own words and the labels of things, properties and classes follow it.

Long because: every page's chrome in each language, the catalogues and the caches are
checked over one built release fixture, which costs seconds to make.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.support.servers import ROOT

NS = "https://w3id.org/kzmig/resource/"
KZO = "https://w3id.org/kzmig/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CATALOGUES = ROOT / "server" / "translations"
TRANSLATED = ("kk", "ru")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PUNCTUATION = " :·,.;()"


def catalogue(lang: str) -> Catalog:
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def keys(cat: Catalog) -> set[tuple[str | None, str]]:
    """(context, msgid) of every message; a plural message by its singular."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in cat if m.id}


def forms(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def rows(app: Flask, query: str) -> list[Any]:
    return list(app.extensions["kzmig.store"].query(query))


def get(client: FlaskClient, url: str, status: int = 200, /, **headers: str) -> str:
    response = client.get(url, headers={"Accept": BROWSER, **headers})
    assert response.status_code == status, (url, response.data[:300])
    assert response.mimetype == "text/html", url
    return response.get_data(as_text=True)


# -- what a page says in its own words --------------------------------------------------------


class _Chrome(HTMLParser):
    """The page's own words: its text less the data it shows.

    Left out: whatever is marked with a language of its own (``lang``: labels, literals,
    texts of sources and queries, even in the page's language), names of things (links
    and spans carrying the IRI as ``title``), literal values, quotes and source texts,
    code, and the footer's attribution.
    """

    SKIP_TAGS: ClassVar = {"script", "style", "pre", "code", "textarea", "blockquote", "q", "title"}
    SKIP_CLASSES: ClassVar = {
        "literal",
        "attribution",
        "source-text",
        "label",
        "group",
        "iri",
        "version",
    }
    VOID: ClassVar = {
        "br",
        "img",
        "input",
        "link",
        "meta",
        "hr",
        "wbr",
        "source",
        "col",
        "area",
        "base",
    }

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) skipped?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = bool(self.stack and self.stack[-1])
        classes = set((a.get("class") or "").split())
        if (
            tag in self.SKIP_TAGS
            or classes & self.SKIP_CLASSES
            or (tag in ("a", "span") and a.get("title"))
            or (tag != "html" and a.get("lang"))
        ):
            skipped = True
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def literal_parts(message: str) -> list[str]:
    """The words of a message as a reader sees them: no markup, placeholders cut out."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", message))
    return [" ".join(p.split()) for p in re.split(r"%\(\w+\)s", text) if p.strip()]


def _whole(part: str) -> str:
    """A regex for ``part`` as whole words (not "triples" in "n-triples")."""
    before = r"(?<![\w\-/])" if re.match(r"\w", part) else ""
    after = r"(?![\w\-/])" if re.search(r"\w$", part) else ""
    return before + re.escape(part) + after


class Words:
    """The page's own words (see _Chrome), text node by text node, whitespace folded."""

    def __init__(self, page: str):
        parser = _Chrome()
        parser.feed(page)
        self.nodes = [t for t in (" ".join(p.split()) for p in parser.parts) if t]
        self.text = " ".join(self.nodes)
        self._segments: set[str] | None = None

    @property
    def segments(self) -> set[str]:
        """Text nodes cut at punctuation."""
        if self._segments is None:
            self._segments = {x.strip() for n in self.nodes for x in re.split(r"[:·,;()]", n)}
        return self._segments

    def say(self, message: str) -> bool:
        """A one-word message must be all of a text node between punctuation (so "query"
        is not found in "query page"); longer ones are looked for as whole words."""
        parts = literal_parts(message)
        if len(parts) == 1 and " " not in parts[0]:
            return parts[0].strip(PUNCTUATION) in self.segments
        return all(re.search(_whole(part), self.text) for part in parts)

    def consume(self, message: str) -> None:
        """Blank ``message`` out, so that a shorter one inside it is not found there."""
        for part in literal_parts(message):
            pattern = re.compile(_whole(part))
            self.text = pattern.sub("\0", self.text)
            self.nodes = [pattern.sub("\0", n) if part in n else n for n in self.nodes]
        self._segments = None


def distinct_messages(lang: str) -> list[tuple[str, str]]:
    """(English, translation) of the messages worth looking for in a page, longest first:
    translated differently, and long enough not to occur by chance inside other words."""
    out = []
    for m in catalogue(lang):
        if not m.id:
            continue
        for en, tr in zip(forms(m.id), forms(m.string), strict=False):
            if tr and tr != en and len(" ".join(literal_parts(en))) >= 5:
                out.append((en, tr))
    return sorted(out, key=lambda m: -len(" ".join(literal_parts(m[0]))))


def shown_messages(page: str, lang: str) -> list[tuple[str, str]]:
    """The messages an English page shows; one inside a longer one (the heading
    "Validation report" inside "Validation report of release …") counts as the longer."""
    words = Words(page)
    out = []
    for en, tr in distinct_messages(lang):
        if words.say(en):
            out.append((en, tr))
            words.consume(en)
    return out


def html_lang(page: str) -> str:
    m = re.search(r"<html[^>]*\slang=\"([^\"]*)\"", page)
    assert m, "the page has <html lang>"
    return m.group(1)


# -- the catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    """No empty, fuzzy or obsolete entry; the same placeholders and markup as the English."""
    cat = catalogue(lang)
    assert len(keys(cat)) > 100
    assert not cat.obsolete, f"{lang}: obsolete entries: {list(cat.obsolete)}"
    problems = []
    for m in cat:
        if not m.id:
            continue
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        english = forms(m.id)
        for translated in forms(m.string):
            if not translated.strip():
                problems.append(f"untranslated: {english[0]!r}")
                continue
            for name, pattern in (
                ("placeholders", r"%\(\w+\)s"),
                ("markup", r"</?[a-z]+\b[^>]*>"),
            ):
                want = sorted(re.findall(pattern, english[-1]))
                if sorted(re.findall(pattern, translated)) != want:
                    problems.append(f"{name} differ: {english[-1]!r} -> {translated!r}")
            if "%" in re.sub(r"%\(\w+\)s", "", translated):
                problems.append(f"a bare % (write %%): {translated!r}")
        problems += [f"{m.id!r}: {e}" for e in m.check(cat)]
    assert problems == [], f"{lang}:\n" + "\n".join(problems)


def test_catalogues_are_in_step_with_the_templates_and_code(tmp_path: Path) -> None:
    """`pybabel extract` over the server finds exactly the messages the catalogues hold."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        extracted = keys(read_po(f))
    assert len(extracted) > 100, "the extraction found the templates"
    with (CATALOGUES / "messages.pot").open("rb") as f:
        template = keys(read_po(f))
    new, gone = sorted(extracted - template, key=str), sorted(template - extracted, key=str)
    assert template == extracted, f"messages.pot is stale (`make messages`): +{new} -{gone}"
    for lang in TRANSLATED:
        held = keys(catalogue(lang))
        missing, extra = sorted(extracted - held, key=str), sorted(held - extracted, key=str)
        assert held == extracted, f"{lang}: `make messages`, translate: +{missing} -{extra}"


def test_words_the_code_hands_to_templates_are_in_the_catalogues(tmp_path: Path) -> None:
    """The ontology page translates fact names, kinds and constraint words by value."""
    from kzmig.graph.build.vocabulary import read_turtle, turtle_files
    from kzmig.graph.editor import docs
    from kzmig.server import publish

    from tests.support import miniproject

    wanted = {publish.TITLE, "VoID description", "DCAT catalog", "Other"}
    wanted |= set(docs._PROPERTY_TYPES.values()) | set(docs._CHARACTERISTICS.values())
    wanted |= {word for _, word in docs._CONSTRAINTS} | {"class", "individual"}
    project = miniproject.write(tmp_path / "project")
    for root in (ROOT, project):
        doc = docs.document(
            read_turtle(turtle_files(root / "ontology"), root),
            read_turtle(turtle_files(root / "shapes"), root),
        )
        wanted |= {key for key, _ in doc.metadata}
        for entry in doc.terms:
            wanted |= {key for key, _ in entry.facts} | {entry.kind}
    from kzmig.server.messages import PLURALS

    assert set(PLURALS) == set(docs._PROPERTY_TYPES.values())
    wanted |= set(PLURALS.values())
    for lang in TRANSLATED:
        cat = catalogue(lang)
        missing = sorted(w for w in wanted if not getattr(cat.get(w), "string", None))
        assert missing == [], f"{lang}: add these to server/messages.py, then `make messages`"


# -- choosing the language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept_language", "expected"),
    [
        ("", "", "en"),
        ("", "kk", "kk"),
        ("", "kk-KZ, kk;q=0.9, en;q=0.5", "kk"),
        ("", "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("", "en;q=0.3, ru;q=0.8", "ru"),  # q-values, not order
        ("", "de, fr;q=0.8", "en"),  # none of ours: English
        ("", "ru;q=0, en", "en"),  # q=0 means "not this one"
        ("?lang=ru", "kk", "ru"),  # ?lang= wins
        ("?lang=KK", "", "kk"),
        ("?lang=xx", "ru", "ru"),  # not one of ours: Accept-Language decides
    ],
)
def test_the_language_is_chosen_by_lang_then_accept_language(
    client: FlaskClient, query: str, accept_language: str, expected: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/" + query, headers={"Accept": BROWSER, **headers})
    page = response.get_data(as_text=True)
    assert html_lang(page) == expected
    assert response.headers["Content-Language"] == expected
    assert "Accept-Language" in response.headers["Vary"]


# -- the page's words in each language --------------------------------------------------------


@pytest.fixture(scope="module")
def rich_resource(app: Flask) -> str:
    """A thing with a class labelled in Kazakh and several statements with provenance."""
    found = rows(
        app,
        f"""SELECT ?s (COUNT(DISTINCT ?p) AS ?n) WHERE {{
              GRAPH ?c {{ ?s ?p ?o }} ?s a ?t . ?t <{RDFS_LABEL}> ?kk FILTER(lang(?kk) = "kk")
              FILTER(STRSTARTS(STR(?s), "{NS}") && STRSTARTS(STR(?c), "{NS}claim/"))
            }} GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1""",
    )
    assert found
    return "/resource/" + found[0]["s"].value[len(NS) :]


PAGES = ["home", "resource", "ontology", "not-found", "unknown-resource", "dumps", "validation"]


def page_url(name: str, rich_resource: str) -> tuple[str, int]:
    return {
        "home": ("/", 200),
        "resource": (rich_resource, 200),
        "ontology": ("/ontology", 200),
        "not-found": ("/no/such/page", 404),
        "unknown-resource": ("/resource/place/atlantis", 404),
        "dumps": ("/dumps/", 200),
        "validation": ("/validation", 200),
    }[name]


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("name", PAGES)
def test_the_chrome_is_in_the_readers_language(
    client: FlaskClient, rich_resource: str, name: str, lang: str
) -> None:
    """Every catalogue message the English page shows appears translated; none in English."""
    url, status = page_url(name, rich_resource)
    shown = shown_messages(get(client, url, status), lang)
    assert len(shown) >= 8, f"{url}: the English page shows catalogue messages: {shown}"
    for how in ({"Accept-Language": f"{lang}, en;q=0.5"}, {"query": f"lang={lang}"}):
        target = url + ("?" + how["query"] if "query" in how else "")
        headers = {k: v for k, v in how.items() if k != "query"}
        page = get(client, target, status, **headers)
        assert html_lang(page) == lang
        words = Words(page)
        untranslated = [en for en, _ in shown if words.say(en)]
        assert untranslated == [], f"{target} ({lang}) shows English: {untranslated}"
        missing = [tr for _, tr in shown if not words.say(tr)]
        assert missing == [], f"{target} ({lang}) lacks: {missing}"


def test_error_pages_are_html_for_browsers_and_text_for_programs(client: FlaskClient) -> None:
    for url in ("/no/such/page", "/resource/place/atlantis"):
        for accept in ("*/*", "text/plain", "application/sparql-results+json", ""):
            response = client.get(url, headers={"Accept": accept} if accept else {})
            assert response.status_code == 404
            assert response.mimetype == "text/plain", (url, accept)
            assert response.get_data(as_text=True).startswith("404 Not Found: ")
    page = get(client, "/resource/place/atlantis", 404, **{"Accept-Language": "ru"})
    assert "https://w3id.org/kzmig/resource/place/atlantis" in page
    assert "На этом сервере нет сведений о" in page


# -- labels of things, properties and classes -------------------------------------------------


class _Terms(HTMLParser):
    """(IRI, lang attribute, text) of every labelled term link in the statements and types."""

    def __init__(self, everywhere: bool = False) -> None:
        super().__init__()
        self.everywhere = everywhere
        self.inside = 0  # depth inside <dt> or <p class="types">
        self.current: dict[str, str] | None = None
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "dt" or (tag == "p" and a.get("class") == "types"):
            self.inside += 1
        elif (
            (self.inside or self.everywhere)
            and tag in ("a", "span")
            and a.get("title", "").startswith("http")
        ):
            self.current = {"iri": a["title"], "lang": a.get("lang", ""), "text": ""}

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if self.current is not None and tag in ("a", "span"):
            c = self.current
            self.found.append((c["iri"], c["lang"], html.unescape(c["text"]).strip()))
            self.current = None
        elif tag in ("dt", "p") and self.inside:
            self.inside -= 1


def shown_terms(page: str, everywhere: bool = False) -> list[tuple[str, str, str]]:
    """Terms named on a page: of its statements and types, or ``everywhere``."""
    parser = _Terms(everywhere)
    parser.feed(page)
    return parser.found


def labels_of(app: Flask, iri: str) -> dict[str, set[str]]:
    """Language -> the labels the pages may show (rdfs:label, skos:prefLabel, dcterms:title)."""
    from kzmig.server.describe import LABELS

    preds = " ".join(f"<{p}>" for p in LABELS)
    out: dict[str, set[str]] = {}
    query = f"SELECT DISTINCT ?l WHERE {{ VALUES ?p {{ {preds} }} <{iri}> ?p ?l }}"
    for r in rows(app, query):
        out.setdefault((r["l"].language or "").lower(), set()).add(r["l"].value)
    return out


@pytest.mark.parametrize("lang", TRANSLATED)
def test_properties_and_classes_show_their_label_in_the_readers_language(
    app: Flask, client: FlaskClient, rich_resource: str, lang: str
) -> None:
    """Each property and class on a page: its label in that language whenever the graph
    has one (else English), marked with its language."""
    page = get(client, rich_resource + f"?lang={lang}")
    terms = shown_terms(page)
    assert len(terms) >= 5
    in_lang = 0
    for iri, attr, text in terms:
        labels = labels_of(app, iri)
        if labels.get(lang):
            in_lang += 1
            assert (text, attr) in {(x, lang) for x in labels[lang]}, (iri, text, attr)
        elif labels.get("en"):
            assert text in labels["en"] and attr == "en", (iri, text, attr)
    assert in_lang >= 1, "the page shows some term labelled in the reader's language"


FIXTURE = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
@prefix place: <https://w3id.org/kzmig/resource/place/> .
<https://w3id.org/kzmig/ontology> {
  kzo:Village rdfs:label "Village"@en , "Ауыл"@kk , "Деревня"@ru .
  kzo:liesIn rdfs:label "lies in"@en , "орналасқан жері"@kk , "находится в"@ru .
  kzo:population rdfs:label "population"@en , "тұрғындар саны"@kk , "численность населения"@ru .
  kzo:twinnedWith rdfs:label "twinned with"@en , "бауырлас елді мекені"@kk , "город-побратим"@ru .
  place:region rdfs:label "Sample region"@en , "Үлгі облыс"@kk , "Образцовая область"@ru .
  place:other rdfs:label "Other village"@en , "Басқа ауыл"@kk , "Другая деревня"@ru .
}
<https://w3id.org/kzmig/resource/claim/t/village> {
  place:village a kzo:Village ;
    rdfs:label "Sample village"@en , "Үлгі ауыл"@kk , "Образцовая деревня"@ru ;
    kzo:liesIn place:region ;
    kzo:population 1200 .
  place:other kzo:twinnedWith place:village .
}
"""
ENGLISH_LABELS = [
    "Village",
    "lies in",
    "population",
    "twinned with",
    "Sample region",
    "Other village",
    "Sample village",
]


@pytest.fixture(scope="module")
def labelled_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    from kzmig.server.app import create_app

    data = tmp_path_factory.mktemp("labelled") / "village.trig"
    data.write_text(FIXTURE, encoding="utf-8")
    return create_app({"DATA_FILES": [str(data)], "TESTING": True}).test_client()


@pytest.mark.parametrize("lang", ["en", *TRANSLATED])
def test_no_english_label_when_the_ontology_has_the_readers_language(
    labelled_client: FlaskClient, lang: str
) -> None:
    """Every property, class and thing labelled in kk and ru: a kk or ru page has no
    English label at all (the English page, for contrast, has them all)."""
    page = get(labelled_client, f"/resource/place/village?lang={lang}")
    names = {text for _, _, text in shown_terms(page, everywhere=True)}
    title = re.search(r"<h1[^>]*>([^<]*)</h1>", page)
    assert title
    names.add(html.unescape(title.group(1)))
    words = Words(page).text  # all else but data marked with its language
    shown = [
        label
        for label in ENGLISH_LABELS
        if label in names or re.search(rf"(?<![\w:/-]){label}(?![\w:/-])", words)
    ]
    if lang == "en":
        assert shown == ENGLISH_LABELS
    else:
        assert shown == [], f"{lang}: English labels on the page: {shown}"
        expected = set(re.findall(rf'"([^"]+)"@{lang}', FIXTURE))
        assert expected <= names, "every term is named in the reader's language"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_ontology_page_names_terms_in_the_readers_language(
    app: Flask, client: FlaskClient, lang: str
) -> None:
    found = rows(
        app,
        f"""SELECT ?c ?l WHERE {{ ?c a <http://www.w3.org/2002/07/owl#Class> ;
              <{RDFS_LABEL}> ?l FILTER(lang(?l) = "{lang}" && STRSTARTS(STR(?c), "{KZO}")) }}""",
    )
    assert found
    page = get(client, f"/ontology?lang={lang}")
    for r in found:
        anchor = r["c"].value[len(KZO) :]
        m = re.search(rf'id="{re.escape(anchor)}">\s*<h3><span class="label">([^<]*)</span>', page)
        assert m, anchor
        assert html.unescape(m.group(1)) in {x for x in labels_of(app, r["c"].value)[lang]}


# -- the switch, links and caches -------------------------------------------------------------


def switch_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.S)
    assert nav, "the header has the language switch"
    return {
        lang: html.unescape(href)
        for href, lang in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav.group(1))
    }


@pytest.mark.parametrize("name", ["resource", "ontology", "not-found", "home"])
def test_the_switch_keeps_the_page(client: FlaskClient, rich_resource: str, name: str) -> None:
    url, status = page_url(name, rich_resource)
    here = url + ("&" if "?" in url else "?") + "char=3,9&lang=kk"
    page = get(client, here, status)
    links = switch_links(page)
    assert set(links) == {"en", "ru"}, "the other two languages; the current one is no link"
    for lang, href in links.items():
        parts = urlsplit(href)
        assert parts.path == urlsplit(url).path
        assert dict(parse_qsl(parts.query)) == {"char": "3,9", "lang": lang}
        other = get(client, href, status)
        assert html_lang(other) == lang
        assert re.search(r"<h1[^>]*>", other)


def test_links_keep_a_chosen_language_and_data_links_do_not(
    client: FlaskClient, rich_resource: str
) -> None:
    page = get(client, rich_resource + "?lang=ru")
    nav = re.search(r'<nav class="site">(.*?)</nav>', page, re.S)
    assert nav
    assert all("lang=ru" in h for h in re.findall(r'href="([^"]+)"', nav.group(1)))
    resource_links = re.findall(r'<a href="(/resource/[^"]+)" title="http', page)
    assert resource_links and all("lang=ru" in h for h in resource_links)
    alternates = re.findall(r'<a href="([^"]+)" type="', page)
    assert alternates and not any("lang=" in h for h in alternates), "RDF has no language"
    plain = get(client, rich_resource, **{"Accept-Language": "ru"})
    body = plain.split("<body>", 1)[1].split('<nav class="languages"', 1)[0]
    assert not re.findall(r'href="[^"]*lang=', body), "no ?lang= unless the reader chose it"


def test_kept_pages_and_etags_are_per_language(
    data_dir: Path, rich_resource: str, tmp_path: Path
) -> None:
    """The replay cache, the page cache and the ETags tell the languages apart."""
    from kzmig.server.app import create_app

    app = create_app({"DATA_DIR": str(data_dir)})
    client = app.test_client()
    seen = {}
    for _ in range(2):  # the second round comes from the caches
        for lang in ("en", "kk", "ru"):
            for url in ("/", rich_resource, "/ontology"):
                response = client.get(url, headers={"Accept": BROWSER, "Accept-Language": lang})
                assert html_lang(response.get_data(as_text=True)) == lang, (url, lang)
                seen[(url, lang)] = response.headers.get("ETag")
    assert app.wsgi_app.replayed > 0, "the second round was replayed"  # type: ignore[attr-defined]
    tags = {seen[(rich_resource, lang)] for lang in ("en", "kk", "ru")}
    assert len(tags) == 3
    kk_tag = seen[(rich_resource, "kk")]
    for lang, status in (("kk", 304), ("ru", 200)):
        response = client.get(
            rich_resource,
            headers={"Accept": BROWSER, "Accept-Language": lang, "If-None-Match": kk_tag or ""},
        )
        assert response.status_code == status, lang
    explicit = client.get(rich_resource + "?lang=kk", headers={"If-None-Match": kk_tag or ""})
    assert explicit.status_code == 200, "a ?lang= page links with ?lang=: not the same bytes"


def test_the_kazakh_pages_say_one_word_for_claim() -> None:
    """«тұжырым», as the ontology's labels do (docs/labels.md), never «мәлімдеме»."""
    po = Path(__file__).resolve().parent.parent / "server/translations/kk/LC_MESSAGES"
    text = (po / "messages.po").read_text(encoding="utf-8").lower()
    assert "тұжырым" in text
    assert "мәлімдеме" not in text

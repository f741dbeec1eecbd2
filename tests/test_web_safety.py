"""Web safety: every value shown as text, a CSP that allows only our assets, no path traversal.

Hostile values are planted two ways: a Turtle file served with `kzmig serve
--data` (labels, literals, IRIs with markup, quotes and `javascript:` links),
and a built release whose source text and claims carry markup (source pages).
Pages are parsed with an HTML parser, so the test sees what a browser would
build, not what a regular expression guesses.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from kzmig.graph.build.pipeline import build

from tests.fixtures.faults.kit import HERE, copy_project, serving

HOSTILE = HERE / "hostile.ttl"
R = "https://w3id.org/kzmig/resource/"
MARKUP = [
    "<script>alert('label')</script>",
    "\"><img src=x onerror=alert('alt')>",
    "</textarea></title><svg onload=alert('comment')>{{ 7*7 }}{% raw %}",
    "victim & <b>bold</b>",
]
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href"}


@dataclass
class Page(HTMLParser):
    """What a browser would make of a page: elements, attributes, text, scripts."""

    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    _in_script: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "script" and "src" not in a:
            kind = a.get("type", "text/javascript").lower()
            self._in_script = kind in ("", "text/javascript", "module", "application/javascript")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def check_page(base: str, path: str, html: str) -> Page:
    """No planted markup became markup: no handlers, no script URLs, no foreign assets."""
    page = parse(html)
    assert not any(t == "img" and a.get("src") == "x" for t, a in page.elements), path
    assert "<svg onload" not in html and "<script>alert" not in html, path
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{path}: <{tag} {name}=...> event handler"
            if name in URL_ATTRS:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme not in ("javascript", "vbscript", "data") or (
                    tag == "img" and value.startswith("data:image/")
                ), f"{path}: <{tag} {name}={value!r}>"
        if tag == "script":
            assert "src" in attrs or attrs.get("type") == "application/json", (
                f"{path}: an inline script (the CSP would block it; values must not make one)"
            )
            if "src" in attrs:
                assert _same_origin(base, path, attrs["src"]), f"{path}: script {attrs['src']}"
        if tag == "link" and "stylesheet" in attrs.get("rel", ""):
            assert _same_origin(base, path, attrs["href"]), f"{path}: stylesheet {attrs['href']}"
        if tag in ("img", "iframe", "object", "embed", "audio", "video", "source") and attrs.get(
            "src"
        ):
            assert _same_origin(base, path, attrs["src"]) or attrs["src"].startswith(
                "data:image/"
            ), f"{path}: <{tag} src={attrs['src']}>"
    assert page.inline_scripts == [], f"{path}: inline script {page.inline_scripts[0][:100]!r}"
    return page


def _same_origin(base: str, path: str, url: str) -> bool:
    absolute = urljoin(base + path, url)
    return urlsplit(absolute)[:2] == urlsplit(base)[:2]


def check_csp(path: str, response: requests.Response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, f"{path}: no Content-Security-Policy"
    directives = {d.split()[0].lower(): d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") in (["'self'"], ["'none'"]), f"{path}: {csp}"
    for name, sources in directives.items():
        for source in sources:
            # 'unsafe-inline' styles: YASGUI sets style attributes (server/pages.py); a
            # style cannot run script, and values are escaped anyway. Scripts: never.
            inline_style = name == "style-src" and source == "'unsafe-inline'"
            assert (
                source in ("'self'", "'none'", "data:")
                or source.startswith("'nonce-")
                or inline_style
            ), f"{path}: {name} allows {source} ({csp})"
            assert not (name.startswith("script") and source == "data:"), csp
    for name in ("script-src", "object-src", "base-uri"):
        assert name in directives or name != "base-uri", f"{path}: no {name}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hostile-data")
    with serving(["--data", str(HOSTILE)], tmp / "server.log") as server:
        yield server.base


HOSTILE_PAGES = [
    "/resource/program/evil",
    "/resource/program/victim",
    "/resource/program/q'onmouseover='alert(1)'",
    "/resource/program/q%27onmouseover=%27alert(1)%27",
]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_resource_pages_show_hostile_values_as_text(hostile_data: str, path: str) -> None:
    r = requests.get(hostile_data + path, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200, f"{path}: {r.status_code}"
    check_csp(path, r)
    page = check_page(hostile_data, path, r.text)
    text = "".join(page.text)
    if path.endswith("/evil"):
        for value in MARKUP[:3]:
            assert value in text, f"{value!r} is not shown as text on {path}"
        # MARKUP[2] holds "{{ 7*7 }}{% raw %}": shown verbatim, so no template evaluated it
    if path.endswith("/victim"):
        assert MARKUP[3] in text


def test_pages_linking_to_hostile_iris(hostile_data: str) -> None:
    # every HTML page reachable from the hostile resources, one hop
    r = requests.get(hostile_data + "/resource/program/evil", timeout=30)
    links = {
        a["href"]
        for t, a in parse(r.text).elements
        if t == "a" and a.get("href", "").startswith("/")
    }
    assert links, "the resource page links nowhere: this test would prove nothing"
    for link in sorted(links)[:40]:
        page = requests.get(hostile_data + link, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code < 500, f"{link}: {page.status_code}"
        if page.headers.get("Content-Type", "").startswith("text/html"):
            check_csp(link, page)
            check_page(hostile_data, link, page.text)


# -- source pages from a built release --------------------------------------------------------

EVIL_SENTENCE = (
    "The <script>alert('text')</script> office & \"partners\" at <a href=javascript:alert(1)>"
    "here</a> resettled 5 thousand people in {{ 7*7 }} towns."
)


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hostile-release")
    project = copy_project(tmp / "project")
    text = project / "sources/mini/text.txt"
    text.write_text(text.read_text(encoding="utf-8") + "\n\n" + EVIL_SENTENCE + "\n", "utf-8")
    sheet = project / "sources/mini/claims.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8")
        + "  - id: evil\n"
        + "    quote: >-\n"
        + "      <a href=javascript:alert(1)>here</a> resettled 5 thousand people\n"
        + "    triples: |\n"
        + "      stat:evil rdfs:label \"<script>alert('claim')</script>\"@en ;\n"
        + '          kzo:personCount "5000"^^xsd:integer .\n',
        encoding="utf-8",
    )
    build(project, tmp / "data")
    with serving(["--data-dir", str(tmp / "data")], tmp / "server.log") as server:
        yield server.base


@pytest.mark.parametrize(
    "path",
    [
        "/resource/source/mini",
        "/resource/source/mini?char=0,100000",
        "/resource/source/mini?char=%3Cscript%3E",
        "/resource/statistic/evil",
        "/resource/claim/mini/evil",
        "/",
        "/dumps/",
        "/validation",
        "/sparql?query=%3Cscript%3E",
        "/resource/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/no/such/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_source_and_site_pages_escape_everything(hostile_release: str, path: str) -> None:
    r = requests.get(hostile_release + path, headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code < 500, f"{path}: {r.status_code}"
    if r.headers.get("Content-Type", "").startswith("text/html"):
        check_csp(path, r)
        page = check_page(hostile_release, path, r.text)
        if path.startswith("/resource/source/mini") and r.status_code == 200:
            assert "<script>alert('text')</script>" in "".join(page.text)
    elif "<script" in r.text:
        # A reply that echoes markup must never be read as HTML: plain text, no sniffing.
        assert r.headers.get("Content-Type", "").startswith("text/plain"), path
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (
            f"{path}: echoes markup as {r.headers.get('Content-Type')} without "
            "X-Content-Type-Options: nosniff"
        )


# -- path traversal on /dumps/ ----------------------------------------------------------------

TRAVERSALS = [
    "/dumps/../manifest.json",
    "/dumps/..%2fmanifest.json",
    "/dumps/%2e%2e/manifest.json",
    "/dumps/%2e%2e%2fmanifest.json",
    "/dumps/%252e%252e%252fmanifest.json",
    "/dumps/..%5cmanifest.json",
    "/dumps/..\\manifest.json",
    "/dumps/.%2e/sources/mini.txt",
    "/dumps/../../../../../../etc/passwd",
    "/dumps/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/dumps/%2fetc%2fpasswd",
    "/dumps//etc/passwd",
    "/dumps/%c0%ae%c0%ae/manifest.json",
    "/dumps/....//manifest.json",
    "/dumps/.",
    "/dumps/..",
    "/dumps/.hidden",
    "/dumps/%2e",
    "/dumps/manifest.json",
    "/dumps/../store/CURRENT",
    "/dumps/..%2fstore%2fCURRENT",
    "/dumps/kzmig-latest/../../manifest.json",
    "/dumps/kzmig-latest..%2f..%2fmanifest.json",
]


def raw_get(base: str, path: str) -> tuple[int, bytes]:
    """GET with the path exactly as written (no client-side dot-segment cleaning)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    conn = http.client.HTTPConnection(host or "127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_on_dumps_is_404(hostile_release: str, path: str) -> None:
    status, body = raw_get(hostile_release, path)
    assert status == 404, f"{path}: {status} {body[:200]!r}"
    assert b"inputs_hash" not in body and b"root:" not in body and b"Enbek" not in body
    assert not re.search(rb"MANIFEST-\d+", body)

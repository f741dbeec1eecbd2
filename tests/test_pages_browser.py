"""The search, browse, query and publishing pages in a real browser (Debian's Chromium).

Each page is opened on a phone-sized screen (390 px) and a desktop one: it must
render with no script error and no breach of the Content-Security-Policy, load
nothing from elsewhere, and never be wider than the screen. Screenshots of each
go to $KZMIG_SCREENSHOTS, or to the test's temporary folder (printed).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.test_browser import Watch, browser  # noqa: F401 (the fixture, shared)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERY = (
    "SELECT ?stat ?type ?claim WHERE { GRAPH ?claim { ?stat a ?type ; "
    "<https://w3id.org/kzmig/ontology#value> ?v } } ORDER BY ?stat LIMIT 5"
)
PAGES = {
    "home": "/",
    "search-32-thousand": "/search?q=32+thousand",
    "search-germany-ru": "/search?q=%D0%93%D0%B5%D1%80%D0%BC%D0%B0%D0%BD%D0%B8%D1%8F&lang=ru",
    "search-empty-kk": "/search?lang=kk",
    "browse": "/browse",
    "browse-statistic": "/browse/Statistic",
    "browse-place-country": "/browse/Place?type="
    + quote("https://w3id.org/kzmig/ontology#Country"),
    "query-table": "/query?query=" + quote(QUERY),
    "void": "/.well-known/void",
    "dcat": "/catalog",
    "service-description": "/sparql",
    "ontology": "/ontology",
    "not-found": "/no/such/page",
    "resource-enbek": "/resource/program/enbek",
    "dumps": "/dumps/",
    "validation": "/validation",
    "source-text": "/resource/source/migration-in-kazakhstan",
}


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KZMIG_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _visit(page: Any, watch: Watch, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None
    if name == "not-found":
        assert response.status == 404
        assert response.headers["content-type"].startswith("text/html")
        # the browser reports the 404 itself in the console; nothing else may be there
        watch.errors = [e for e in watch.errors if "status of 404" not in e]
    else:
        assert response.status == 200, (url, response.status)
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width, height", [(390, 844), (1400, 1000)])
def test_pages_render_fit_and_are_photographed(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
    width: int,
    height: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    watch = Watch(page, live_server)
    taken = []
    try:
        for name, path in PAGES.items():
            _visit(page, watch, live_server + path, name)
            # every page: the header's search box and the site navigation
            assert page.locator("header form.search input[name=q]").count() == 1, name
            assert page.locator("nav.site a[href^='/browse']").count() == 1, name
            assert page.locator("link[rel=icon]").count() == 1, name
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= width, f"{name} is {scroll} px wide on a {width} px screen"
            shot = screenshots / f"{name}-{width}.png"
            page.screenshot(path=str(shot), full_page=False)
            taken.append(shot)
            watch.check()
    finally:
        context.close()
    print(f"\nscreenshots ({width} px): {screenshots}")
    assert all(p.is_file() and p.stat().st_size > 1000 for p in taken)


def test_search_from_the_header_box(browser: Any, live_server: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        page.goto(live_server + "/ontology")
        page.locator("header form.search input[name=q]").fill("32 thousand")
        page.locator("header form.search button").click()
        page.wait_for_url(re.compile(r"/search\?q=32\+thousand$"))
        first = page.locator("ol.hits li.hit").first
        assert first.locator("a").get_attribute("href") == "/resource/statistic/enbek-resettled"
        second = page.locator("ol.hits li.hit").nth(1)
        assert re.search(r"#char=\d+,\d+$", second.locator("a").get_attribute("href") or "")
        second.locator("a").click()
        page.wait_for_selector("mark.target")
        assert "32 thousand" in "".join(page.locator("mark.target").all_text_contents())
        watch.check()
    finally:
        context.close()


def test_editor_completes_from_the_graph_and_links_terms_here(
    browser: Any,  # noqa: F811
    live_server: str,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        asked: list[str] = []
        page.on("response", lambda r: asked.append(r.url) if r.ok else None)
        page.goto(live_server + "/")
        page.wait_for_selector(".yasgui .tabsList .tab")
        # completion: the class list comes from /terms (asked for once, as the editor opens)
        page.evaluate(
            "() => { const y = window.kzmigYasgui.getTab().getYasqe();"
            " y.setValue('PREFIX kzo: <https://w3id.org/kzmig/ontology#>\\n"
            "SELECT * WHERE { ?s a kzo:Stat'); y.focus();"
            " y.getDoc().setCursor({line: 1, ch: 30}); y.autocomplete(); }"
        )
        hint = page.locator(".CodeMirror-hints li", has_text="kzo:Statistic").first
        hint.wait_for()
        assert live_server + "/terms" in asked
        # results: ontology terms and claims link to this server's pages, cells unfolded
        page.evaluate(
            "q => window.kzmigYasgui.getTab().getYasqe().setValue(q)",
            QUERY,
        )
        panel = page.locator(".yasgui .tabPanel.active")
        panel.locator(".yasqe_queryButton").click()
        panel.locator(".yasr tbody tr").first.wait_for()
        hrefs = panel.locator(".yasr tbody a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        assert any(h.startswith("/ontology#") for h in hrefs), hrefs
        assert any(h.startswith("/resource/claim/") for h in hrefs), hrefs
        assert not [h for h in hrefs if h.startswith("https://w3id.org/kzmig/")], hrefs
        text = panel.locator(".yasr tbody").inner_text()
        assert "claim:" in text and "kzo:Statistic" in text
        assert panel.locator(".yasr table.ellipseTable").count() == 0
        watch.check()
    finally:
        context.close()

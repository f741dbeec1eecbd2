"""The language switch in a real browser (Debian's Chromium, driven by Playwright).

A reader opens a resource page, switches to Kazakh and then to Russian by
clicking the header's links, and each time gets the same page in that language
with no script error and nothing fetched from elsewhere; on a source text, the
passage the reader was on stays highlighted. Screenshots of the page in each
language go to $KZMIG_SCREENSHOTS, or to the test's temporary folder (printed).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.test_browser import Watch, browser  # noqa: F401 (the fixture, shared)

pytestmark = pytest.mark.browser

NAV = {"en": "Ontology", "kk": "Онтология", "ru": "Онтология"}
HEADING = {"en": "Statements", "kk": "Бұл туралы деректер", "ru": "Сведения"}
TYPES = {"en": "a", "kk": "Түрі:", "ru": "Тип:"}


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KZMIG_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_language(page: Any, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert NAV[lang] in page.locator("nav.site").inner_text()
    assert page.locator("section.outgoing h2").inner_text().strip() == HEADING[lang]
    assert page.locator("p.types").inner_text().startswith(TYPES[lang])
    current = page.locator('nav.languages [aria-current="true"]')
    assert current.get_attribute("lang") == lang


def test_switching_language_by_clicking(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
) -> None:
    path = "/resource/program/enbek"
    assert requests.get(live_server + path, timeout=30).status_code == 200
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        page.goto(live_server + path)
        check_language(page, "en")
        title = page.locator("p.iri code").inner_text()
        page.screenshot(path=str(screenshots / "resource-en.png"), full_page=False)
        for lang in ("kk", "ru"):
            page.locator(f'nav.languages a[hreflang="{lang}"]').click()
            page.wait_for_url(re.compile(re.escape(live_server + path) + rf"\?lang={lang}$"))
            check_language(page, lang)
            assert page.locator("p.iri code").inner_text() == title, "the same page"
            # a link on the page keeps the language chosen
            link = page.locator("section.outgoing dd a[href^='/resource/']").first
            assert f"lang={lang}" in (link.get_attribute("href") or "")
            page.screenshot(path=str(screenshots / f"resource-{lang}.png"), full_page=False)
        # the navigation keeps the chosen language: the ontology, in Russian, at the term
        term = page.locator("p.types a[href^='/ontology']").first
        term.click()
        page.wait_for_url(re.compile(r"/ontology\?lang=ru#\w+$"))
        assert page.locator("html").get_attribute("lang") == "ru"
        assert page.locator("nav.contents h2").inner_text().strip() == "Содержание"
        assert page.locator("section.entry:target").count() == 1
        watch.check()
    finally:
        context.close()
    print(f"\nscreenshots of {path} in en, kk, ru: {screenshots}")
    # $KZMIG_SCREENSHOTS may be shared with the other browser tests' pictures
    written = {p.name for p in screenshots.glob("resource-*.png")}
    assert {"resource-en.png", "resource-kk.png", "resource-ru.png"} <= written


def test_switching_keeps_the_passage_highlighted(
    browser: Any,  # noqa: F811
    live_server: str,
) -> None:
    path = "/resource/source/migration-in-kazakhstan"
    body = requests.get(live_server + path, headers={"Accept": "text/html"}, timeout=30).text
    m = re.search(r'href="#char=(\d+),(\d+)"', body)
    assert m, "the source page lists its passages"
    fragment = f"#char={m.group(1)},{m.group(2)}"
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        page.goto(live_server + path + fragment)
        assert page.locator("html").get_attribute("lang") == "ru", "Accept-Language: ru"
        page.wait_for_selector("mark.target")
        marked = "".join(page.locator("mark.target").all_text_contents())
        page.locator('nav.languages a[hreflang="kk"]').click()
        page.wait_for_url(re.compile(re.escape(f"?lang=kk{fragment}") + "$"))
        assert page.locator("html").get_attribute("lang") == "kk"
        page.wait_for_selector("mark.target")
        assert "".join(page.locator("mark.target").all_text_contents()) == marked
        watch.check()
    finally:
        context.close()

"""A real browser (Debian's Chromium, driven by Playwright) on a real server.

It opens the home page, runs an example query in YASGUI and sees its rows,
follows a result IRI to its resource page, follows a quote link to the
highlighted passage of the source text, and opens a share link. Any request
that leaves the loopback server fails the test, and so does any breach of the
Content-Security-Policy or any script error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.needs import need

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXAMPLE = "04-sources-of-a-figure"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        need(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def need_yasgui() -> None:
    """The YASGUI checks need YASGUI (npm): skip, or fail on CI, before asserting."""
    from kzmig.server.pages import find_yasgui

    if not (find_yasgui() / "yasgui.min.js").is_file():
        need("YASGUI is not in node_modules/: `make` installs it with npm (Node.js)")


class Watch:
    """Blocks and records every request that is not to the server; collects errors."""

    def __init__(self, page: Any, base: str):
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        origin = urlsplit(base)
        self.allowed = (origin.scheme, origin.hostname, origin.port)
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if (parts.scheme, parts.hostname, parts.port) == self.allowed or parts.scheme in (
            "data",
            "blob",
        ):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.errors.append(f"console {message.type}: {message.text}")

    def check(self) -> None:
        assert not self.outside, f"requests left the loopback server: {self.outside}"
        assert not self.errors, self.errors


def test_query_follow_a_result_then_a_quote(
    browser: Any, live_server: str, root: Path, client: Any
) -> None:
    need_yasgui()
    from kzmig.server.pages import example_queries

    examples = example_queries()
    [example] = [q for q in examples if q["name"] == EXAMPLE]
    expected = requests.post(
        live_server + "/sparql",
        data={"query": example["query"]},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["results"]["bindings"]
    assert expected, "the example has an answer"
    text = (root / "sources/migration-in-kazakhstan/text.txt").read_text(encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        page.goto(live_server + "/")
        page.wait_for_selector(".yasgui .tabsList .tab")
        tabs = [t.strip(" \n✖") for t in page.locator(".yasgui .tabsList .tab").all_inner_texts()]
        for q in examples:
            assert q["title"] in tabs, (q["title"], tabs)

        page.locator(".yasgui .tabsList .tab", has_text=example["title"]).first.click()
        panel = page.locator(".yasgui .tabPanel.active")
        panel.locator(".yasqe_queryButton").click()
        rows = panel.locator(".yasr tbody tr")
        rows.first.wait_for()
        page.wait_for_function(
            "n => document.querySelectorAll('.yasgui .tabPanel.active .yasr tbody tr').length"
            " === n",
            arg=len(expected),
        )
        assert rows.count() == len(expected)
        assert "32 thousand" in panel.locator(".yasr").inner_text()

        # a result IRI leads to its page on this server
        link = panel.locator('.yasr tbody a[href^="/resource/statistic/"]').first
        href = link.get_attribute("href")
        assert href and href.startswith("/resource/statistic/")
        # cells show their whole value: nothing folded, the link works at once
        assert panel.locator(".yasr table.ellipseTable").count() == 0
        link.click()
        page.wait_for_url(re.compile(re.escape(live_server + href) + "$"))
        assert page.locator("h1").inner_text().strip()
        assert "32 thousand" in page.locator("main").inner_text()

        # a quote's link leads to the passage, highlighted, in the source text
        passage = page.locator("a.passage").first
        target = passage.get_attribute("href")
        assert target
        m = re.search(r"#char=(\d+),(\d+)$", target)
        assert m, target
        start, end = int(m.group(1)), int(m.group(2))
        passage.click()
        page.wait_for_selector("mark.target")
        marked = "".join(page.locator("mark.target").all_text_contents())
        assert marked == text[start:end]
        assert "32 thousand" in marked
        box = page.locator("mark.target").first.bounding_box()
        assert box is not None and 0 <= box["y"] < 900, "scrolled into view"
        watch.check()
    finally:
        context.close()


def test_share_links_open_the_query(browser: Any, live_server: str) -> None:
    need_yasgui()
    from kzmig.server.pages import example_queries

    example = example_queries()[5]
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, live_server)
    try:
        page.goto(live_server + "/")
        page.wait_for_selector(".yasgui .tabsList .tab")
        # the share link YASGUI makes for a tab ...
        page.locator(".yasgui .tabsList .tab", has_text=example["title"]).first.click()
        link = page.evaluate(
            "() => Yasgui.linkUtils.createShareLink(location.href.split('#')[0],"
            " window.kzmigYasgui.getTab())"
        )
        assert link.startswith(live_server)
        # ... opened in a fresh browser, shows that query and runs it
        fresh = browser.new_context()
        other = fresh.new_page()
        other_watch = Watch(other, live_server)
        try:
            other.goto(link)
            other.wait_for_selector(".yasgui .tabPanel.active .yasr tbody tr")
            assert (
                other.evaluate("() => window.kzmigYasgui.getTab().getQuery()") == example["query"]
            )
            other_watch.check()
        finally:
            fresh.close()
        # and the home page's own "open in the editor" links do the same
        [first] = [q for q in example_queries() if q["name"] == EXAMPLE]
        page.goto(live_server + "/")
        page.locator(f"#example-{EXAMPLE} a.share").click()
        page.wait_for_function(
            "q => window.kzmigYasgui && window.kzmigYasgui.getTab().getQuery() === q",
            arg=first["query"],
        )
        watch.check()
    finally:
        context.close()

"""The pictures and the resource summary in a real browser (Debian's Chromium, Playwright).

Each chart page (/timeline, /flows, /statistics) and a resource page with its
neighbourhood picture opens with no script error, no breach of the CSP and
nothing fetched from elsewhere; each shows what the graph holds (compared with
a SPARQL count over the protocol); the Enbek page shows 32,000 and its quote
above the fold. Screenshots go to $KZMIG_SCREENSHOTS, or to the test's
temporary folder (printed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.test_browser import Watch, browser  # noqa: F401 (the fixture, shared)

pytestmark = pytest.mark.browser

KZO = "https://w3id.org/kzmig/ontology#"
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("KZMIG_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def select(base: str, query: str) -> list[dict[str, str]]:
    body = requests.post(
        base + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def local(iri: str) -> str:
    return "/resource/" + iri.split("/resource/", 1)[1]


def open_page(browser: Any, base: str, path: str) -> tuple[Any, Any, Watch]:  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    watch = Watch(page, base)
    response = page.goto(base + path)
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    return context, page, watch


def drawn(page: Any, count: int = 1) -> None:
    """Wait until ECharts has drawn ``count`` charts (an SVG in each)."""
    page.wait_for_function(
        "n => window.kzmigCharts && window.kzmigCharts.length >= n"
        " && document.querySelectorAll('[data-chart] svg').length >= n",
        arg=count,
    )


def test_timeline_shows_every_period_and_program(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
) -> None:
    expected = {
        r["x"]
        for r in select(
            live_server,
            f"SELECT DISTINCT ?x WHERE {{ {{ ?x a <{KZO}TimePeriod> }} UNION "
            f"{{ ?x a <{KZO}Program> }} }}",
        )
    }
    assert len(expected) >= 10
    context, page, watch = open_page(browser, live_server, "/timeline")
    try:
        drawn(page)
        rows = page.locator("table.timeline tr.item")
        shown = {rows.nth(i).get_attribute("data-iri") for i in range(rows.count())}
        assert expected <= shown, expected - shown
        for iri in expected:  # each links to its page
            assert page.locator(f'table.timeline a[href="{local(iri)}"]').count() == 1
        # the chart draws every dated one: its category axis lists them
        dated = page.evaluate("() => window.kzmigCharts[0].getOption().yAxis[0].data.length")
        assert dated == page.locator("table.timeline tr.item:not(.undated)").count()
        page.screenshot(path=str(screenshots / "views-timeline.png"), full_page=True)
        # "See the SPARQL" opens the page's query in the editor
        from kzmig.server.pages import example_queries

        [query] = [q["query"] for q in example_queries() if q["name"] == "18-timeline"]
        page.locator("a.sparql").click()
        page.wait_for_function(
            "q => window.kzmigYasgui && window.kzmigYasgui.getTab().getQuery() === q", arg=query
        )
        watch.check()
    finally:
        context.close()


def test_flow_diagram_has_a_link_per_flow(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
) -> None:
    flows = {
        r["f"] for r in select(live_server, f"SELECT DISTINCT ?f {{ ?f a <{KZO}MigrationFlow> }}")
    }
    ends = select(
        live_server,
        f"SELECT DISTINCT ?f ?o ?d {{ ?f a <{KZO}MigrationFlow>"
        f" OPTIONAL {{ ?f <{KZO}origin> ?o }} OPTIONAL {{ ?f <{KZO}destination> ?d }} }}",
    )
    assert flows and ends
    context, page, watch = open_page(browser, live_server, "/flows")
    try:
        drawn(page)
        for iri in flows:  # the table: one row and one link per flow
            assert (
                page.locator(
                    f'table.flows tr.flow[data-iri="{iri}"] a[href="{local(iri)}"]'
                ).count()
                == 1
            )
        links = page.evaluate("() => window.kzmigCharts[0].getOption().series[0].links")
        # the diagram: a link per flow and (origin, destination), each to its flow's page
        assert len(links) == len(ends)
        assert {lk["href"] for lk in links} == {local(f) for f in flows}
        assert "32,000" in page.locator("table.flows").inner_text()
        page.screenshot(path=str(screenshots / "views-flows.png"), full_page=True)
        # the group filter redraws with that group's flows only
        page.select_option("#flow-group", index=1)
        after = page.evaluate("() => window.kzmigCharts[0].getOption().series[0].links.length")
        assert 0 < after < len(links)
        watch.check()
    finally:
        context.close()


def test_statistics_page_shows_the_enbek_series(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
) -> None:
    stats = select(
        live_server, f"SELECT DISTINCT ?s ?v {{ ?s a <{KZO}Statistic> ; <{KZO}value> ?v }}"
    )
    context, page, watch = open_page(browser, live_server, "/statistics")
    try:
        charts = page.locator("[data-chart]").count()
        drawn(page, charts)
        for r in stats:  # every statistic is in a table
            assert page.locator(f'tr.point[data-iri="{r["s"]}"]').count() >= 1
        enbek = page.locator("section.series", has_text="Enbek")
        assert enbek.count() == 1
        text = enbek.inner_text()
        assert "32,000" in text and "9,000" in text
        # the chart of that series has both points, each linking to its claim
        index = int(enbek.locator("[data-chart]").get_attribute("data-index"))
        points = page.evaluate(
            "i => { const el = document.querySelectorAll('[data-chart=series]')[i];"
            " return echarts.getInstanceByDom(el).getOption().series[0].data"
            ".map(d => [d.value, d.href]); }",
            index,
        )
        assert {p[0] for p in points} == {32000, 9000}
        assert all(p[1].startswith("/resource/claim/") for p in points)
        # a quote opens on click
        enbek.locator("details summary").first.click(
            position={"x": 4, "y": 6}
        )  # the marker, not the link
        assert "32 thousand" in enbek.locator("details[open] blockquote").first.inner_text()
        page.screenshot(path=str(screenshots / "views-statistics.png"), full_page=True)
        watch.check()
    finally:
        context.close()


def test_enbek_page_shows_32000_and_its_quote_above_the_fold(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
) -> None:
    context, page, watch = open_page(browser, live_server, "/resource/program/enbek")
    try:
        drawn(page)  # its neighbourhood picture
        figure = page.locator("section.summary li.figure", has_text="32,000").first
        value = figure.locator(".value")
        quote = figure.locator("blockquote.quote")
        assert "32,000" in value.inner_text()
        assert "32 thousand people have moved" in quote.inner_text()
        assert "Ministry of Labor" in figure.inner_text()
        for el in (value, quote):
            box = el.bounding_box()
            assert box is not None and box["y"] + box["height"] < VIEWPORT["height"], box
        # no mention shows as its raw id
        assert "-mention" not in page.locator("main").inner_text()
        # the approval year says how it was worked out
        assert "from “five years ago” read in" in page.locator("main").inner_text()
        page.screenshot(path=str(screenshots / "views-resource-enbek.png"))
        watch.check()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/resource/place/kazakhstan", "/resource/group/students-abroad"])
def test_neighbourhood_pictures(
    browser: Any,  # noqa: F811
    live_server: str,
    screenshots: Path,
    path: str,
) -> None:
    context, page, watch = open_page(browser, live_server, path)
    try:
        drawn(page)
        nodes = page.evaluate("() => window.kzmigCharts[0].getOption().series[0].data")
        assert len(nodes) > 1 and all(n["href"].startswith("/resource/") for n in nodes[1:])
        page.screenshot(path=str(screenshots / f"views-resource-{path.rsplit('/', 1)[1]}.png"))
        watch.check()
    finally:
        context.close()

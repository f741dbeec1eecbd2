"""Resource pages a person reads: the summary first, statements grouped, citations folded.

Checked on the HTML the app serves for the repo's own release (no browser: the
browser tests in test_pictures_browser.py check layout and the pictures).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml
from flask.testing import FlaskClient

BROWSER = "text/html"


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def section(html: str, cls: str) -> str:
    m = re.search(rf'<section class="{cls}">(.*?)</section>', html, re.S)
    assert m, f"no section.{cls}"
    return m.group(1)


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text(html: str) -> str:
    t = Text()
    t.feed(html)
    return " ".join(" ".join(t.parts).split())


def test_a_statistic_leads_with_its_value_unit_period_and_who(client: FlaskClient) -> None:
    html = page(client, "/resource/statistic/enbek-resettled")
    summary = text(section(html, "summary"))
    assert summary.index("32,000") < summary.index("Persons")
    assert "First five-year plan of Enbek" in summary
    assert "stated by Ministry of Labor" in summary
    assert "32 thousand people have moved" in summary
    # the summary comes before every statement
    assert html.index('class="summary"') < html.index('class="outgoing"')


def test_repeated_quotes_fold_into_also_at(client: FlaskClient) -> None:
    html = page(client, "/resource/statistic/enbek-resettled")
    quotes = re.findall(r"<blockquote class=\"quote\">(.*?)</blockquote>", html, re.S)
    # the paragraph appears twice in the text: one quote, "also at" the other copy
    first = next(q for q in quotes if "32 thousand" in q)
    assert "also at" in text(first)
    assert len(re.findall(r'class="passage" href="[^"]*#char=', first)) == 2
    for cite in re.findall(r'<details class="cite"[^>]*>(.*?)</details>', html, re.S):
        said = [text(q) for q in re.findall(r'<blockquote class="quote">(.*?)</blockquote>', cite)]
        assert len(said) == len(set(said)), "a quote shown twice in one citation"


def test_statements_are_grouped_and_inferred_ones_collapsed(client: FlaskClient) -> None:
    html = page(client, "/resource/program/enbek")
    headings = re.findall(r'<section class="statements (\w+)">\s*<h3>([^<]+)</h3>', html)
    keys = [k for k, _ in headings]
    assert keys[0] == "what" and "when" in keys and "who" in keys
    assert keys == sorted(keys, key=["what", "when", "where", "who", "figures", "related"].index)
    # measures the reasoner linked to Enbek (kzo:offeredBy, inverse of offers) are folded
    incoming = section(html, "incoming")
    folded = re.search(r'<details class="inferred">(.*?)</details>', incoming, re.S)
    assert folded and "inferred by reasoning" in folded.group(1)


def test_mentions_show_their_words_never_their_ids(client: FlaskClient) -> None:
    html = page(client, "/resource/program/enbek")
    shown = text(html)
    assert not re.search(r"\d+-\d+-mention", shown)
    assert "“program of voluntary resettlement from the south to the north”" in shown


def test_a_resolved_year_says_how_it_was_resolved(client: FlaskClient, root: Path) -> None:

    meta = yaml.safe_load(
        (root / "sources/migration-in-kazakhstan/source.yaml").read_text(encoding="utf-8")
    )
    year = int(meta["reference_year"])
    shown = text(page(client, "/resource/program/enbek"))
    assert f"{year - 5}, from “five years ago” read in {year}" in shown


def test_a_group_page_lists_its_flows_from_and_to(client: FlaskClient) -> None:
    summary = text(section(page(client, "/resource/group/students-abroad"), "summary"))
    assert "Educational emigration" in summary
    assert "from Kazakhstan" in summary and "Russia" in summary
    assert "89,000" in summary and "UNESCO" in summary


def test_the_summary_is_in_the_readers_language(client: FlaskClient) -> None:
    html = page(client, "/resource/statistic/enbek-resettled?lang=ru")
    summary = section(html, "summary")
    assert "Ключевые цифры" in summary and "Key figures" not in summary

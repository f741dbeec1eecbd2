"""The example queries of the home page are tests: each runs over the protocol, and its
answer is checked against what the source text plainly states."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from kzmig.server.pages import example_queries

from tests.support.servers import ROOT

Rows = list[dict[str, str]]
SOURCE = "migration-in-kazakhstan"


@pytest.fixture(scope="module")
def text(root: Path) -> str:
    """Every text of the graph, the seed text first: an answer's quote is in one of them."""
    others = sorted(p for p in (root / "sources").glob("*/text.txt") if p.parent.name != SOURCE)
    paths = [root / "sources" / SOURCE / "text.txt", *others]
    return "\n\n".join(p.read_text(encoding="utf-8") for p in paths)


@pytest.fixture(scope="module")
def reference_year(root: Path) -> int:
    meta = yaml.safe_load((root / "sources" / SOURCE / "source.yaml").read_text(encoding="utf-8"))
    return int(meta["reference_year"])


def run(client: FlaskClient, query: str) -> Rows:
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def folded(s: str) -> str:
    return " ".join(s.split())


def check_enbek(rows: Rows, text: str, reference_year: int) -> None:
    assert len({r["claim"] for r in rows}) >= 5
    for r in rows:
        assert r["quote"] in text
    # "the Government of the country approved the program ... "Enbek" five years ago"
    assert any(
        r["property"].endswith("#approvedBy") and "government" in r["value"] for r in rows
    ), rows
    assert any(
        r["property"].endswith("#startYear") and r["value"] == str(reference_year - 5) for r in rows
    )
    assert any('"Enbek"' in r["quote"] for r in rows)


def check_programs_and_agencies(rows: Rows, text: str, reference_year: int) -> None:
    assert any(
        r.get("programLabel") == "Enbek" and "Government" in r.get("agencyLabel", "") for r in rows
    ), rows
    # "the Virgin Lands Campaign" was one of the relocations "the Soviet government orchestrated"
    assert any(
        "Virgin Lands" in r.get("programLabel", "") and "Soviet" in r.get("agencyLabel", "")
        for r in rows
    ), rows


def check_flows_by_period(rows: Rows, text: str, reference_year: int) -> None:
    starts = [int(r["start"]) for r in rows if "start" in r]
    assert starts == sorted(starts), "earliest first"
    assert len(rows) == len(starts) + sum(1 for r in rows if "start" not in r)
    for r in rows:
        if "start" in r and "end" in r:
            assert int(r["start"]) <= int(r["end"])
    assert "Virgin Lands Campaign in the 1950s and 1960s" in text
    assert any("Virgin Lands" in r.get("flowLabel", "") and r.get("start") == "1950" for r in rows)
    assert "In the 1990s, a significant number of ethnic Russians and Germans emigrated" in text
    nineties = [r for r in rows if r.get("periodLabel") == "1990s"]
    assert nineties and all(r["start"] == "1990" for r in nineties)


def check_sources_of_a_figure(rows: Rows, text: str, reference_year: int) -> None:
    assert rows
    for r in rows:
        assert r["value"] == "32000"
        assert "32 thousand" in r["quote"] and r["quote"] in text
        assert "Ministry of Labor" in r["attributedToLabel"]
        assert r["source"].endswith(f"/source/{SOURCE}")
    # the paragraph is repeated in the text: one sentence per copy
    assert len({r["sentence"] for r in rows}) == text.count("32 thousand people have moved")


def check_claims_per_section(rows: Rows, text: str, reference_year: int) -> None:
    assert rows and all(int(r["claims"]) >= 1 for r in rows)
    # every text with a claim sheet has its sections here, one text after the other
    sheets = {p.parent.name for p in (ROOT / "sources").glob("*/claims.yaml")}
    order = [r["text"].rsplit("/", 1)[1] for r in rows]
    assert set(order) == sheets
    assert order == sorted(order), "text by text"
    rows = [r for r in rows if r["text"].endswith(f"/source/{SOURCE}")]
    assert rows[0]["title"] == "Overview"
    position = 0
    for r in rows:  # in the order of the text
        found = text.find(r["title"], position)
        assert found >= 0, f"section {r['title']!r} out of order"
        position = found + len(r["title"])
    assert any(r["title"] == "Migration Policies" for r in rows)


def check_attributed_statistics(rows: Rows, text: str, reference_year: int) -> None:
    values = [Decimal(r["value"]) for r in rows]  # 45.9 percent is a decimal
    assert values == sorted(values, reverse=True)
    by_value = {Decimal(r["value"]): r for r in rows}
    expected = {
        32000: ("Ministry of Labor", "32 thousand"),
        89000: ("UNESCO", "89 thousand"),
        780000: ("Bureau of National Statistics", "780 thousand"),
        111000: ("Concept", "111 thousand"),
    }
    for value, (who, words) in expected.items():
        assert words in text
        assert value in by_value, f"{value} ({words}) attributed to {who}"
        assert who in by_value[value]["attributedToLabel"]
        assert words in by_value[value]["quote"]
    # "more than 780 thousand people move inside the country per year"
    assert "more than 780 thousand" in text
    assert by_value[780000].get("lowerBound") == "true"
    assert by_value[32000].get("lowerBound") in (None, "false")


def check_repatriation_measures(rows: Rows, text: str, reference_year: int) -> None:
    for r in rows:
        assert r["sentenceText"] in text
    said = " ".join(r["sentenceText"] for r in rows)
    assert "simplify the procedure for obtaining citizenship" in said
    assert "quotas for admission to universities for ethnic Kazakhs living abroad" in said
    citizenship = [r for r in rows if "citizenship" in r["sentenceText"]]
    assert any("Concept" in r.get("proposedIn", "") for r in citizenship)
    # "in the next two years" is resolved against the text's own year
    assert "in the next two years" in text
    centres = [r for r in rows if "Adaptation and Integration Centers" in r["sentenceText"]]
    assert any(r.get("since") == str(reference_year + 1) for r in centres) or not centres


def check_emigration_trends(rows: Rows, text: str, reference_year: int) -> None:
    starts = [int(r["start"]) for r in rows]
    assert starts == sorted(starts)

    def matching(start: str, end: str | None) -> dict[str, str]:
        match = [r for r in rows if r["start"] == start and r.get("end") == end]
        assert match, (start, end, rows)
        return match[0]

    # "... from 2006 to 2010 there was an increase, then again a decrease ... from 2011 to
    # 2013. However, since 2014, ... a gradual increase in the outflow of population. (Gov Kz)"
    assert "from 2006 to 2010 there was an increase" in text
    assert "decrease in the number of emigrants, this trend was observed from 2011 to 2013" in text
    assert "since 2014, there has been a trend towards a gradual increase" in text
    said = [("2006", "2010", "increase"), ("2011", "2013", "decrease"), ("2014", None, "increase")]
    for start, end, way in said:
        row = matching(start, end)
        assert way in row["direction"].lower()
        assert "Government" in row.get("attributedToLabel", ""), "(Gov Kz)"


def check_repeated_passages(rows: Rows, text: str, reference_year: int) -> None:
    assert rows
    for r in rows:
        assert r["copies"] == "2"
        quote = r["quote"]
        first, last = int(r["first"]), int(r["last"])
        assert first < last
        for start in (first, last):
            assert text[start : start + len(quote)] == quote
    assert any("Enbek" in r["quote"] for r in rows)
    assert any("32 thousand" in r["quote"] for r in rows)


def check_emigration_destinations(rows: Rows, text: str, reference_year: int) -> None:
    labels = {r.get("destinationLabel") for r in rows}
    # "Countries like Russia, Germany, Canada, and the United States are popular destinations"
    assert "Countries like Russia, Germany, Canada, and the United States" in text
    assert {"Russia", "Germany", "Canada", "United States"} <= labels
    # "They go to work in Russia, Greece, Turkey, USA, Germany, Belarus"
    assert {"Greece", "Turkey", "Belarus"} <= labels
    counts = [int(r["flows"]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[0]["destinationLabel"] == "Russia"


def check_who_the_text_cites(rows: Rows, text: str, reference_year: int) -> None:
    by_label = {r.get("label", ""): int(r["claims"]) for r in rows}
    names = " | ".join(by_label)
    for cited in ("UNESCO", "Ministry of Labor", "Bureau of National Statistics"):
        assert cited in text and cited in names
    # "(Gov Kz)" closes a paragraph of four statements about emigration
    assert "(Gov Kz)" in text
    assert by_label["Government of Kazakhstan"] >= 4
    counts = list(by_label.values())
    assert counts == sorted(counts, reverse=True)


def check_what_reasoning_adds(rows: Rows, text: str, reference_year: int) -> None:
    enbek = [r for r in rows if r["program"].endswith("/program/enbek")]
    assert any(r["inferredType"].endswith("#Program") for r in enbek)
    assert all(r.get("assertedType", "").endswith("#ResettlementProgram") for r in enbek)
    assert len(rows) == len({tuple(sorted(r.items())) for r in rows}), "DISTINCT"


def check_returnee_series(rows: Rows, text: str, reference_year: int) -> None:
    """The counts of returnees since 1991, as the second text gives them, earliest first."""
    persons = [r for r in rows if r["unitLabel"] == "Persons"]
    dates = [r["date"] for r in persons]
    assert dates == sorted(dates)
    series = {(r["date"][:7], int(r["value"])): r for r in persons}
    # (reference date, value, who says so, the words of the text)
    expected = [
        ("2004-11", 300000, "Zhazbek Abdiyev", "about 300,000 people"),
        ("2007-08", 600000, "Refugees", "some 600,000 in August 2007"),
        ("2011-11", 1000000, "Officials", "one million people"),
        ("2022-02", 1089700, "Officials", "1,089,700"),
        ("2024-11", 1144900, "Ministry of Labor", "1,144,900 returnees since 1991"),
    ]
    for date, value, who, words in expected:
        assert words in text
        row = series.get((date, value))
        assert row, f"{value} at {date} is in the series: {sorted(series)}"
        assert who in row.get("saidByLabel", "") or who in row.get("saidBy", ""), row
        assert words in row["quote"] and row["quote"] in text
        assert row["report"].startswith("https://w3id.org/kzmig/resource/source/")
    assert {r["date"][:7] for r in rows} >= {d for d, *_ in expected}
    # a count of families at the same date is a figure of its own, not a conflicting one
    assert any(r["unitLabel"] == "Families" and r["value"] == "300000" for r in rows)
    assert len(rows) == len({tuple(sorted(r.items())) for r in rows}), "DISTINCT"


def check_what_happened_when(rows: Rows, text: str, reference_year: int) -> None:
    """Things dated five different ways answer one pair of properties (rules/*.rq)."""
    for r in rows:
        assert int(r["start"]) <= 2008 and ("end" not in r or int(r["end"]) >= 2004), r
    found = {r["thing"].rsplit("/resource/", 1)[1]: r for r in rows}
    # (thing, start, end, the words its date comes from)
    expected = [
        ("event/third-world-kurultai-of-kazakhs", "2005", "2005", "Kazakhs in September 2005"),
        ("document/government-decree-1126", "2008", None, "1126 of 2 December 2008"),
        ("statistic/quota-2005-2007", "2005", "2007", "a year for 2005 to 2007"),
        ("statistic/returnees-2007-unhcr", "2007", "2007", "600,000 in August 2007"),
        ("trend/emigration-2006-2010", "2006", "2010", "2006"),
    ]
    for thing, start, end, words in expected:
        assert words in text
        assert thing in found, f"{thing} answers kzo:startYear: {sorted(found)}"
        assert found[thing]["start"] == start and found[thing].get("end") == end, found[thing]
    assert not any(t.startswith("period/") for t in found)
    assert "program/enbek" not in found  # five years before 2022: 2017


def check_trends_that_go_up(rows: Rows, text: str, reference_year: int) -> None:
    """skos:broader* finds "gradual increase" under "increase", and nothing that goes down."""
    directions = {r["direction"].rsplit("/", 1)[1] for r in rows}
    assert "gradual increase" in text
    assert {"increase", "gradual-increase"} <= directions, directions
    assert not any("decrease" in d for d in directions)
    gradual = [r for r in rows if r["direction"].endswith("/gradual-increase")]
    assert gradual and all("2014" in r.get("label", "") for r in gradual), gradual


def check_shares_and_their_totals(rows: Rows, text: str, reference_year: int) -> None:
    """Each share with its total; the count a share stands for, linked to both."""
    assert "80% of them (71.3 thousand)" in text and "89 thousand" in text
    russia = [r for r in rows if r.get("countValue") == "71300"]
    assert len(russia) == 1, rows
    assert russia[0]["percent"] == "80" and russia[0]["totalValue"] == "89000"
    # roughly: 80% of 89 thousand is 71.2 thousand (the text rounds)
    assert abs(89000 * 0.8 - 71300) < 200
    assert "45.9 percent of them from China" in text
    china = [r for r in rows if r["share"].endswith("/returnees-2024-from-china-share")]
    assert china and china[0]["totalValue"] == "1144900"


def check_trends_of_emigration(rows: Rows, text: str, reference_year: int) -> None:
    """Trends of the emigration flow and of its subflows, by kzo:trendOf/kzo:subflowOf*."""
    flows = {r["flow"].rsplit("/", 1)[1] for r in rows}
    assert "emigration-from-kazakhstan" in flows
    assert flows - {"emigration-from-kazakhstan"}, "a subflow's trend is reached too"
    assert "tripled" in text
    assert any(r["trend"].endswith("/migrant-workers-in-russia-tripled") for r in rows)
    assert not any("returnee" in r["trend"] for r in rows), "immigration is not emigration"


def check_timeline(rows: Rows, text: str, reference_year: int) -> None:
    by_item = {r["item"].rsplit("/resource/", 1)[1]: r for r in rows}
    # "the Virgin Lands Campaign in the 1950s and 1960s": the program takes its period's years
    assert "Virgin Lands Campaign in the 1950s and 1960s" in text
    assert by_item["program/virgin-lands-campaign"]["start"] == "1950"
    assert by_item["program/virgin-lands-campaign"]["end"] == "1969"
    # "approved the program ... "Enbek" five years ago": read against the text's own year
    assert by_item["program/enbek"]["start"] == str(reference_year - 5)
    assert "from 2006 to 2010" in text and by_item["period/2006-2010"]["end"] == "2010"
    starts = [int(r["start"]) for r in rows if "start" in r]
    assert starts == sorted(starts), "earliest first"
    for r in rows:
        if "start" in r and "end" in r:
            assert int(r["start"]) <= int(r["end"]), r
    kinds = {r["kind"].rsplit("#", 1)[1] for r in rows}
    assert {"TimePeriod", "Program", "Campaign", "Law", "Agreement", "Event"} <= kinds


def check_flows(rows: Rows, text: str, reference_year: int) -> None:
    def ends(flow: str) -> tuple[set[str], set[str]]:
        mine = [r for r in rows if r["flow"].endswith("/flow/" + flow)]
        assert mine, flow
        return {r.get("originLabel", "") for r in mine}, {
            r.get("destinationLabel", "") for r in mine
        }

    # "32 thousand people have moved from the southern regions to the northern regions"
    assert "32 thousand people have moved from the southern regions to the northern" in text
    enbek = [r for r in rows if r["flow"].endswith("/flow/enbek-resettlement")]
    assert {r.get("count") for r in enbek} == {"32000"}
    origins, destinations = ends("enbek-resettlement")
    assert any("south" in o.lower() for o in origins)
    assert any("north" in d.lower() for d in destinations)
    # "In the 1990s, a significant number of ethnic Russians and Germans emigrated"
    origins, destinations = ends("ethnic-russian-and-german-emigration")
    assert origins == {"Kazakhstan"} and {"Russia", "Germany"} <= destinations
    assert any(r.get("periodLabel") == "1990s" for r in rows)
    # "deportations of various ethnic groups (e.g., Crimean Tatars, Chechens, and Volga Germans)"
    assert "Crimean Tatars, Chechens, and Volga Germans" in text
    deported = {r.get("ethnicLabel") for r in rows if r["flow"].endswith("/soviet-deportations")}
    assert {"Crimean Tatars", "Chechens", "Volga Germans"} <= deported


def check_statistics(rows: Rows, text: str, reference_year: int) -> None:
    by_value = {int(float(r["value"])): r for r in rows}
    for value, words, who in (
        (32000, "32 thousand", "Ministry of Labor"),
        (9000, "nine thousand", "Ministry of Labor"),
        (89000, "89 thousand", "UNESCO"),
    ):
        assert value in by_value, value
        assert words in by_value[value]["quote"] and by_value[value]["quote"] in text
        assert who in by_value[value]["attributedToLabel"]
    # the Enbek series: both figures measure the same group, in the same period
    assert by_value[32000]["groupLabel"] == by_value[9000]["groupLabel"]
    assert by_value[32000]["year"] == by_value[9000]["year"] == str(reference_year - 5)
    indicators = [r.get("indicatorLabel", "") for r in rows]
    assert indicators == sorted(indicators), "grouped by indicator"


CHECKS: dict[str, Callable[[Rows, str, int], None]] = {
    "01-enbek": check_enbek,
    "02-programs-and-agencies": check_programs_and_agencies,
    "03-flows-by-period": check_flows_by_period,
    "04-sources-of-a-figure": check_sources_of_a_figure,
    "05-claims-per-section": check_claims_per_section,
    "06-attributed-statistics": check_attributed_statistics,
    "07-repatriation-measures": check_repatriation_measures,
    "08-emigration-trends": check_emigration_trends,
    "09-repeated-passages": check_repeated_passages,
    "10-emigration-destinations": check_emigration_destinations,
    "11-who-the-text-cites": check_who_the_text_cites,
    "12-what-reasoning-adds": check_what_reasoning_adds,
    "13-returnee-series": check_returnee_series,
    "14-what-happened-when": check_what_happened_when,
    "15-trends-that-go-up": check_trends_that_go_up,
    "16-shares-and-their-totals": check_shares_and_their_totals,
    "17-trends-of-emigration": check_trends_of_emigration,
    "18-timeline": check_timeline,
    "19-flows": check_flows,
    "20-statistics": check_statistics,
}


def test_every_example_has_its_check_and_there_are_enough() -> None:
    names = {q["name"] for q in example_queries()}
    assert names == set(CHECKS), "add a check for each new example query (and vice versa)"
    assert len(names) >= 10
    for q in example_queries():
        assert q["title"] and len(q["title"]) <= 60, q["name"]
        assert q["description"], f"{q['name']}: say what it asks on the comment lines"
        assert re.search(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", q["query"], re.M | re.I)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_query_answers_what_the_text_says(
    client: FlaskClient, name: str, text: str, reference_year: int
) -> None:
    [query] = [q for q in example_queries() if q["name"] == name]
    rows = run(client, query["query"])
    CHECKS[name](rows, text, reference_year)

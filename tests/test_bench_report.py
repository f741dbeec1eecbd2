"""The benchmark report: a target's verdict follows its measured value, a reported figure
never claims "met", and the docs page's figures are replaced, not appended."""

from __future__ import annotations

import json

import pytest

from bench import report


def _results(seed_wall: float, build_1m: float, provenance_ms: float) -> dict:
    return {
        "machine": {"when": "2026-12-08 00:00 UTC", "summary": "2 cores"},
        "seed": "the repository's sources",
        "mode": "full",
        "build": {
            "seed": {"wall_s": seed_wall, "quads": 20000, "stages": {"total": 1.0}},
            "sizes": {"1M": {"wall_s": build_1m, "quads": 10**6, "stages": {"total": 2.0}}},
            "growth_1M_over_100k": {"total": 11.5},
        },
        "http": {
            "data": {"quads": 10**6, "rdflib_quads": 10**5},
            "latency_ms": {"provenance": {"kzmig": provenance_ms}},
        },
    }


def _verdicts(res: dict) -> dict[str, tuple[str, str]]:
    return {name: (measured, verdict) for name, measured, verdict in report.targets(res)}


def test_a_target_is_met_or_missed_by_its_value() -> None:
    met = _verdicts(_results(seed_wall=4.2, build_1m=149.0, provenance_ms=4.9))
    missed = _verdicts(_results(seed_wall=5.3, build_1m=151.0, provenance_ms=5.1))
    for name in (
        "seed build end to end <= 5 s",
        "build at 1M quads <= 150 s",
        "provenance lookup over HTTP <= 5 ms",
    ):
        assert met[name][1] == report.MET
        assert missed[name][1] == report.MISSED
    assert met["seed build end to end <= 5 s"][0] == "4.20 s"


def test_round_one_limits_issue_18_replaced_are_gone() -> None:
    names = _verdicts(_results(1, 200, 1))
    assert not any("<= 60 s" in n or "<= 30 s" in n for n in names)
    assert names["build at 1M quads <= 150 s"] == ("200.0 s", report.MISSED)


def test_a_figure_without_a_limit_says_report() -> None:
    rows = _verdicts(_results(1, 1, 1))
    growth = rows["build stage total: t(1M)/t(100k)"]
    assert growth == ("11.5x", report.REPORT)
    assert all(v != report.MET for n, (_, v) in rows.items() if "<=" not in n and ">=" not in n)


def test_section_targets_keep_their_format_and_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        report,
        "SECTION_TARGETS",
        [lambda res: [("a <= 1 s", 1.5, False), ("b", 7.0, report.REPORT, "{:.0f}/s")]],
    )
    rows = _verdicts(_results(1, 1, 1))
    assert rows["a <= 1 s"] == ("1.50 s", report.MISSED)
    assert rows["b"] == ("7/s", report.REPORT)


def test_docs_section_is_replaced_by_the_run(tmp_path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(f"# P\n\nbefore\n{report.START}\nold figures\n{report.END}\nafter\n")
    results = tmp_path / "r.json"
    results.write_text(json.dumps(_results(4.2, 120, 3)))
    assert report.main([str(results), "--docs", str(page)]) == 0
    text = page.read_text()
    assert "old figures" not in text
    assert text.startswith("# P\n\nbefore\n") and text.endswith(f"{report.END}\nafter\n")
    assert "| seed build end to end <= 5 s | 4.20 s | met |" in text
    assert report.main([str(results), "--docs", str(page)]) == 0
    assert page.read_text() == text  # idempotent: a second run replaces, never appends


def test_a_page_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="bench:start"):
        report.with_docs("# no markers\n", "x")

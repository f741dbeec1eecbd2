"""Accept negotiation (werkzeug's): q-values, wildcards, ties, nothing acceptable."""

from __future__ import annotations

import pytest
from kzmig.server import conneg, results
from kzmig.server.conneg import negotiate

OFFERED = ["text/turtle", "application/n-triples", "text/html"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/turtle"),  # no header: anything, the first offered
        ("", "text/turtle"),
        ("text/html", "text/html"),
        ("application/n-triples;q=0.9, text/turtle;q=0.5", "application/n-triples"),
        ("text/*;q=0.8, application/n-triples;q=0.9", "application/n-triples"),
        ("text/*", "text/turtle"),  # a tie: the order offered decides
        ("*/*;q=0.1, text/html", "text/html"),
        ("TEXT/HTML", "text/html"),  # media types are case-insensitive
        ("image/png", None),
        ("text/turtle;q=0", None),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERED[:1] if accept == "text/turtle;q=0" else OFFERED) == chosen


@pytest.mark.parametrize(
    "offered",
    [OFFERED, results.TABLE_TYPES, results.BOOLEAN_TYPES, results.GRAPH_TYPES, ["text/html"], []],
)
def test_the_shortcut_agrees_with_parsing(offered: list[str]) -> None:
    """No header, or exactly one offered type: answered without parsing, the same answer."""
    for header in [None, "", *offered]:
        assert negotiate(header, offered) == conneg.parsed_match(header, offered), header

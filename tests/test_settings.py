"""The settings table is the one definition: the docs, the CLI and the server follow it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kzmig.graph.cli.main import main
from kzmig.graph.settings import SETTINGS, config_defaults, markdown, with_table
from kzmig.server import app as app_module
from kzmig.server import limits

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_the_docs_table_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert markdown() in text
    assert with_table(text) == text, "run: python -m kzmig.graph.settings docs/settings.md"


def test_a_changed_row_is_seen_as_drift() -> None:
    text = DOC.read_text(encoding="utf-8").replace("`10000`", "`20000`", 1)
    assert with_table(text) != text


@pytest.mark.parametrize("command", ["build", "serve"])
def test_every_flag_of_the_table_is_an_option(command: str) -> None:
    out = CliRunner().invoke(main, [command, "--help"], terminal_width=200).output
    for s in SETTINGS:
        if command in s.commands:
            assert s.flag in out, f"{s.flag} missing from kzmig {command} --help"


def test_the_server_defaults_are_the_tables() -> None:
    defaults = config_defaults()
    assert defaults["MAX_ROWS"] == 10_000
    assert defaults["CACHE_BYTES"] == 64 * 1_000_000  # --cache-mb, scaled
    for key, value in defaults.items():
        assert limits.DEFAULTS[key] == value
        assert app_module.DEFAULTS[key] == value


def test_options_reach_the_app_configuration(tmp_path: Path) -> None:
    """`kzmig serve --get` builds the app from the options: a lowered row cap shows."""
    data = tmp_path / "g.nt"
    data.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(5)), encoding="utf-8")
    query = "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D"
    args = ["serve", "--data", str(data), "--get", query, "--accept", "text/csv"]
    full = CliRunner().invoke(main, args)
    capped = CliRunner().invoke(main, [*args, "--max-rows", "2"])
    assert full.exit_code == 0 and capped.exit_code == 0, full.output + capped.output
    assert len(full.output.strip().splitlines()) == 6  # header + 5 rows
    assert len(capped.output.strip().splitlines()) == 3  # header + 2 rows

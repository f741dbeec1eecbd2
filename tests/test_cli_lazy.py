"""`kzmig check` and `kzmig fmt` start without the other commands' heavy modules (#18)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from kzmig.graph.cli.main import main

HEAVY = ("requests", "jinja2", "kzmig.graph.remote.push", "kzmig.graph.editor.drafting")


@pytest.mark.parametrize("command", ["check", "fmt"])
def test_the_editor_commands_do_not_import_the_others(command: str) -> None:
    probe = (
        "import sys\n"
        "from kzmig.graph.cli.main import main\n"
        f"main([{command!r}, '--help'], standalone_mode=False)\n"
        f"print('heavy:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "heavy:", out


def test_every_command_is_listed_and_runs() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"]).output
    for name in ("build", "check", "docs", "draft", "fmt", "push", "report", "serve"):
        assert f"  {name} " in listing, listing
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert f"Usage: main {name}" in result.output or f"Usage: kzmig {name}" in result.output

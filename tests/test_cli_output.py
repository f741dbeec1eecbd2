"""The command line's output: one message form, acknowledged warnings, progress on terminals only.

The progress tests run the real `kzmig build` over the repository's inputs, once
under a pseudo-terminal (pty: what a person sees) and once into a pipe (what CI
and logs see).
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from kzmig.graph.console import messages as msg
from kzmig.graph.editor.check import check_command

from tests.support import miniproject
from tests.support.servers import ROOT

KZMIG = [sys.executable, "-m", "kzmig.graph.cli.main"]
STAGE_LINE = re.compile(r"^kzmig build: (\w+): (.+) \((\d+\.\d\d) s\)$", re.MULTILINE)
ANSI = "\x1b["


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return env | {"TERM": "xterm-256color", "COLUMNS": "120"} | extra


def _under_pty(args: list[str], cwd: Path, timeout: float = 180) -> tuple[int, str]:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; everything it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=_env())
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError(f"no output for {timeout} s: {out[-2000:]!r}")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode("utf-8", "replace")


@pytest.mark.slow
def test_build_progress_is_live_on_a_terminal_and_plain_lines_in_a_pipe(tmp_path: Path) -> None:
    code, seen = _under_pty([*KZMIG, "build", "--data-dir", str(tmp_path / "a")], ROOT)
    assert code == 0, seen
    assert ANSI in seen  # rich drew it (cursor moves, colour)
    for what in ("claims anchored", "quads assembled", "triples inferred", "triples validated"):
        assert what in seen, what
    assert "quads written" in seen and "✓" in seen
    assert not STAGE_LINE.search(seen)  # no plain lines on a terminal

    piped = subprocess.run(
        [*KZMIG, "build", "--data-dir", str(tmp_path / "b")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    assert ANSI not in piped.stderr and "✓" not in piped.stderr
    stages = [m[0] for m in STAGE_LINE.findall(piped.stderr)]
    expected = ["vocabulary", "texts", "claims", "check", "assemble", "reason", "rules"]
    expected += ["validate", "figures", "store", "dumps", "search", "written"]
    assert stages == expected, piped.stderr
    claims = re.search(r"claims: ([\d,]+) claims anchored", piped.stderr)
    assert claims and int(claims[1].replace(",", "")) > 100

    quiet = subprocess.run(
        [*KZMIG, "build", "--quiet", "--data-dir", str(tmp_path / "c")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    assert quiet.stderr == "" and quiet.stdout == ""


def _project_with_two_warnings(tmp_path: Path) -> Path:
    root = miniproject.write(tmp_path / "p")
    core = root / "ontology" / "core.ttl"
    text = core.read_text(encoding="utf-8")
    # two labels with stray whitespace: two warnings of one check
    text = text.replace('rdfs:label "Country"@en', 'rdfs:label "Country "@en', 1)
    text = text.replace('rdfs:label "Place"@en', 'rdfs:label " Place"@en', 1)
    core.write_text(text, encoding="utf-8")
    return root


def test_check_prints_one_form_with_a_hint_and_hides_acknowledged_warnings(
    tmp_path: Path,
) -> None:
    root = _project_with_two_warnings(tmp_path)
    runner = CliRunner()
    before = runner.invoke(check_command, ["--root", str(root)])
    found = re.findall(r"^(\S+):(\d+): warning \[label-whitespace\] (.+)$", before.output, re.M)
    assert len(found) == 2, before.output
    assert all(path == "ontology/core.ttl" for path, _, _ in found)
    assert "    hint: trim it." in before.output
    assert "kzmig check: 0 errors, 2 warnings" in before.output

    (root / msg.ACK_FILE).write_text(
        '[[acknowledged]]\ncode = "label-whitespace"\nmatch = "kzo:Country"\n'
        'reason = "a test: this one is accepted"\n',
        encoding="utf-8",
    )
    after = runner.invoke(check_command, ["--root", str(root)])
    assert after.exit_code == 0
    assert after.output.count("warning [label-whitespace]") == 1, after.output
    assert "kzo:Country" not in after.output.split("kzmig check:")[0]
    assert "1 warnings (1 acknowledged in .kzmig-acknowledged.toml, not shown)" in after.output

    (root / msg.ACK_FILE).write_text('[[acknowledged]]\ncode = "x"\n', encoding="utf-8")
    bad = runner.invoke(check_command, ["--root", str(root)])
    assert bad.exit_code == 2 and "needs match, reason" in bad.output


def test_errors_cannot_be_acknowledged() -> None:
    ack = msg.Acknowledgement("syntax", "x", "no")
    error = msg.Message("a.ttl", 1, "error", "syntax", "x is wrong")
    assert msg.split_acknowledged([error], [ack]) == ([error], [])


def test_colour_on_terminals_only() -> None:
    m = msg.Message("a.ttl", 3, "warning", "c", "text", "do this")
    assert m.format(colour=False) == "a.ttl:3: warning [c] text\n    hint: do this"
    assert ANSI in m.format(colour=True)

    class Tty:
        def isatty(self) -> bool:
            return True

    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    os.environ.pop("NO_COLOR", None)
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        assert msg.use_colour(Tty())  # type: ignore[arg-type]
        assert not msg.use_colour(sys.stdout) or sys.stdout.isatty()
        os.environ["NO_COLOR"] = "1"
        assert not msg.use_colour(Tty())  # type: ignore[arg-type]
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_shacl_error_of_the_build_shows_prefixed_names_and_a_relative_path() -> None:
    from kzmig.loaders.errors import Problem

    problem = Problem(
        str(ROOT / "sources" / "x" / "claims.yaml:12"),
        None,
        "SHACL: <https://w3id.org/kzmig/resource/program/enbek> path "
        "<https://w3id.org/kzmig/ontology#approvedBy> The value must be a kzo:Agent",
    )
    m = msg.build_message(problem, "validate", ROOT)
    assert str(m).splitlines()[0] == (
        "sources/x/claims.yaml:12: error [shacl] SHACL: program:enbek kzo:approvedBy: "
        "The value must be a kzo:Agent"
    )
    assert m.hint and str(ROOT) not in str(m)


@pytest.mark.slow
def test_push_shows_each_step_with_quads_and_bytes(data_dir: Path, tmp_path: Path) -> None:
    from tests.support.stores import oxigraph_server

    with oxigraph_server(tmp_path / "store") as base:
        url = "oxigraph+" + base
        piped = subprocess.run(
            [*KZMIG, "push", "--store", url, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=300,
        )
        assert piped.returncode == 0, piped.stderr
        steps = dict(re.findall(r"^kzmig push: (\w+): (.+) \(\d+\.\d\d s\)$", piped.stderr, re.M))
        assert list(steps) == ["read", "send", "check", "switch"], piped.stderr
        read = int(steps["read"].split()[0].replace(",", ""))
        assert steps["check"] == f"{read:,} quads counted in the store"
        assert re.fullmatch(r"[\d.,]+ (kB|MB|GB) of N-Quads sent", steps["send"]), steps
        assert ANSI not in piped.stderr

        code, seen = _under_pty(
            [*KZMIG, "push", "--force", "--store", url, "--data-dir", str(data_dir)], ROOT
        )
        assert code == 0, seen
        assert ANSI in seen and "of N-Quads sent" in seen and "kzmig push: send:" not in seen

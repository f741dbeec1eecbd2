"""`kzmig doctor`, `--version` and shell completion, run as a person runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT, free_port

KZMIG = [sys.executable, "-m", "kzmig.graph.cli"]


def _doctor(
    tmp_path: Path, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    env.pop("KZMIG_STORE_URL", None)
    return subprocess.run(
        [*KZMIG, "doctor", "--root", str(ROOT), "--data-dir", str(tmp_path / "data"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_doctor_without_npm_warns_and_says_how_to_fix_but_does_not_fail(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()  # a PATH with nothing on it: no npm, no node
    port = str(free_port())
    result = _doctor(tmp_path, "--port", port, path=str(empty))
    assert result.returncode == 0, result.stdout + result.stderr
    npm = [line for line in result.stdout.splitlines() if "npm" in line]
    assert npm and npm[0].startswith("warn") and "not found on PATH" in npm[0], result.stdout
    assert "to fix: install Node.js" in result.stdout
    assert f"ok    port {port} on 127.0.0.1 is free" in result.stdout
    assert "0 problems that stop `make run`" in result.stderr

    with_npm = _doctor(tmp_path, "--port", port)  # this machine has npm
    assert with_npm.returncode == 0
    assert not any(
        line.startswith("warn") and "npm" in line for line in with_npm.stdout.splitlines()
    )


def test_doctor_fails_for_what_blocks_make_run(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _doctor(tmp_path, "--port", str(port))
    assert result.returncode == 1, result.stdout
    assert f"fail  port {port} on 127.0.0.1 is not free" in result.stdout
    assert f"make run PORT={port + 1}" in result.stdout

    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        if os.access(read_only, os.W_OK):  # running as root: permissions do not stop it
            return
        bad = subprocess.run(
            [*KZMIG, "doctor", "--data-dir", str(read_only / "data"), "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert bad.returncode == 1 and "cannot be written" in bad.stdout, bad.stdout
    finally:
        read_only.chmod(0o755)


def test_doctor_reports_an_unreachable_remote_store_as_a_warning(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    result = _doctor(tmp_path, "--port", str(free_port()), "--store", url)
    assert result.returncode == 0
    assert f"warn  remote store {url} does not answer" in result.stdout


def test_version_names_the_release_format_and_store(tmp_path: Path) -> None:
    from importlib.metadata import version

    out = subprocess.run([*KZMIG, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"kzmig {version('kzmig')}\n")
    assert "release format 1" in out
    assert f"pyoxigraph {version('pyoxigraph')}" in out


def test_a_built_release_records_its_format(data_dir: Path) -> None:
    from kzmig.graph.release.format import RELEASE_FORMAT

    manifest = json.loads((data_dir / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == RELEASE_FORMAT


def test_shell_completion_completes_commands_and_options() -> None:
    script = subprocess.run(
        [*KZMIG, "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    assert "_KZMIG_COMPLETE=bash_complete" in script and "complete -o" in script
    env = dict(os.environ, COMP_WORDS="kzmig bu", COMP_CWORD="1", _KZMIG_COMPLETE="bash_complete")
    words = subprocess.run(
        [sys.executable, "-c", "from kzmig.graph.cli.main import main; main(prog_name='kzmig')"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert "plain,build" in words.splitlines(), words
    env |= {"COMP_WORDS": "kzmig build --if", "COMP_CWORD": "2"}
    words = subprocess.run(
        [sys.executable, "-c", "from kzmig.graph.cli.main import main; main(prog_name='kzmig')"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert "plain,--if-changed" in words.splitlines(), words

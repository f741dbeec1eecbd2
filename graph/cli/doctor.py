"""`kzmig doctor`: is this machine ready for `make run`? What is missing, and how to fix it.

Each check prints one line, ``ok``, ``warn`` or ``fail``, with what was found
and, when something is missing, how to fix it. Only what stops `make run`
fails the command (exit 1): Python too old, kzmig's Python dependencies missing,
a data directory that cannot be written, the port already taken. What only
degrades it is a warning (exit 0): no npm (the query UI falls back to a plain
form), no release built yet (`make run` builds one), a remote store that does not
answer (only `--store` uses one).
"""

from __future__ import annotations

import contextlib
import importlib.metadata as md
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from kzmig.graph.settings import option

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Finding:
    status: str  # ok, warn, fail
    what: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{self.status:<4}  {self.what}"
        return line + (f"\n      to fix: {self.fix}" if self.fix else "")


def check_python() -> Finding:
    v = sys.version_info
    found = f"Python {v.major}.{v.minor}.{v.micro} ({sys.executable})"
    if v[:2] < MIN_PYTHON:
        return Finding(FAIL, found, "install Python 3.11 or newer; `make run PYTHON=python3.12`")
    return Finding(OK, found)


def check_dependencies() -> Finding:
    missing = []
    for name in ("pyoxigraph", "rdflib", "flask", "granian", "pyshacl", "rich"):
        try:
            md.version(name)
        except md.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Finding(
            FAIL,
            f"Python packages missing: {', '.join(missing)}",
            "`make run` installs them (or: .venv/bin/pip install -e .)",
        )
    return Finding(OK, f"kzmig {md.version('kzmig')} and its Python dependencies are installed")


def check_npm(root: Path) -> Finding:
    """npm installs YASGUI; without it the query UI is a plain form (not a blocker)."""
    yasgui = root / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"
    npm = shutil.which("npm")
    if npm is None:
        have = "installed already" if yasgui.is_file() else "not installed"
        return Finding(
            WARN,
            f"npm not found on PATH (the query UI, YASGUI, is {have}; without it the "
            "endpoint's page is a plain query form)",
            "install Node.js with npm (https://nodejs.org/, or `apt install npm`), "
            "then `make run` installs YASGUI",
        )
    version = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        version = subprocess.run(
            [npm, "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    state = "YASGUI installed" if yasgui.is_file() else "YASGUI not installed yet: `make run` will"
    return Finding(OK, f"npm {version or '?'} ({state})")


def check_data_dir(data: Path) -> list[Finding]:
    from kzmig.graph.release.layout import current_folder

    probe = data if data.exists() else next((p for p in data.parents if p.exists()), Path("/"))
    if not os.access(probe, os.W_OK):
        return [
            Finding(
                FAIL,
                f"data directory {data} cannot be written ({probe} is not writable)",
                "make it writable, or choose another: KZMIG_DATA_DIR=/some/dir make run",
            )
        ]
    out = [Finding(OK, f"data directory {data} is writable")]
    current = None
    with contextlib.suppress(Exception):
        current = current_folder(data)
    if current is None:
        out.append(
            Finding(WARN, "no release built yet", "`make run` (or `kzmig build`) builds one")
        )
    else:
        out.append(Finding(OK, f"current release: {current.name}"))
    free = shutil.disk_usage(probe).free
    if free < 500_000_000:
        out.append(
            Finding(WARN, f"only {free // 1_000_000} MB free under {probe}", "free some space")
        )
    return out


def check_port(host: str, port: int) -> Finding:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            return Finding(
                FAIL,
                f"port {port} on {host} is not free ({e.strerror})",
                f"stop what uses it (`ss -ltnp 'sport = :{port}'` shows it), "
                f"or choose another: make run PORT={port + 1}",
            )
    return Finding(OK, f"port {port} on {host} is free")


def check_store(url: str) -> Finding:
    import requests

    try:
        r = requests.get(url, params={"query": "ASK {}"}, timeout=10)
    except requests.RequestException as e:
        return Finding(
            WARN,
            f"remote store {url} does not answer ({type(e).__name__})",
            "start it, or check the URL (docs/remote-stores.md); only `--store` needs it",
        )
    if r.status_code >= 400:
        return Finding(
            WARN,
            f"remote store {url} answers {r.status_code} to a SPARQL ASK",
            "check the URL is its SPARQL query endpoint (docs/remote-stores.md)",
        )
    return Finding(OK, f"remote store {url} answers")


def run_checks(
    root: Path, data: Path, host: str, port: int, store: str | None = None
) -> list[Finding]:
    out = [check_python(), check_dependencies(), check_npm(root), *check_data_dir(data)]
    out.append(check_port(host, port))
    if store:
        out.append(check_store(store))
    return out


@click.command("doctor")
@option("root", help="Project folder (where node_modules/ is).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data directory to check. Default: $KZMIG_DATA_DIR or ./var.",
)
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="$HOST")
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="$PORT"
)
@click.option(
    "--store",
    "store_url",
    default=lambda: os.environ.get("KZMIG_STORE_URL"),
    metavar="URL",
    help="Also check that this remote SPARQL store answers. Default: $KZMIG_STORE_URL.",
)
def doctor_command(
    root: Path, data_dir: Path | None, host: str, port: int, store_url: str | None
) -> None:
    """Check this machine for `make run`: Python, packages, npm, data directory, port, store.

    Exits 1 only when something stops `make run` (a `fail` line); warnings say
    what works less well and how to fix it.
    """
    from kzmig.graph.release.layout import data_dir as default_data_dir

    findings = run_checks(root, default_data_dir(data_dir), host, port, store_url)
    for f in findings:
        click.echo(str(f))
    failed = [f for f in findings if f.status == FAIL]
    warned = [f for f in findings if f.status == WARN]
    click.echo(
        f"kzmig doctor: {len(failed)} problems that stop `make run`, {len(warned)} warnings",
        err=True,
    )
    sys.exit(1 if failed else 0)

"""A store in a network namespace of its own, reached from loopback through a unix socket.

This is how docs/security.md ("remote stores") runs Oxigraph server for
`kzmig serve --store` with no outbound network: `unshare --net` gives the store a
namespace with only its own loopback, so whatever SERVICE or LOAD it evaluates finds
nothing to connect to; two pumps (tests/support/pump.py) carry the client's requests
in: TCP on the host's loopback → a unix socket → TCP on the namespace's loopback.
Needs root (or user namespaces) and util-linux's `unshare` / `nsenter` and iproute2's `ip`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from tests.support.needs import need
from tests.support.servers import ROOT, free_port
from tests.support.stores import oxigraph_binary

INSIDE_PORT = 7878  # the store's port inside its namespace (nothing else is there)


def _started(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def isolated_oxigraph(folder: Path) -> Iterator[str]:
    """`oxigraph serve` with no network but its own loopback; yield a base URL on ours."""
    for tool in ("unshare", "nsenter", "ip"):
        if shutil.which(tool) is None:
            need(f"`{tool}` is not installed (util-linux / iproute2)")
    if os.geteuid() != 0:
        need("a store in a network namespace of its own needs root here")
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "isolated.log"
    store = _started(
        [
            "unshare",
            "--net",
            "sh",
            "-c",
            f"ip link set lo up && exec {oxigraph_binary()} serve --location {folder / 'db'} "
            f"--bind 127.0.0.1:{INSIDE_PORT}",
        ],
        log,
    )
    sock = folder / "store.sock"
    port = free_port()
    procs = [store]
    try:
        time.sleep(0.5)
        inside = _started(
            [
                "nsenter",
                f"--net=/proc/{store.pid}/ns/net",
                sys.executable,
                "-m",
                "tests.support.pump",
                f"unix:{sock}",
                f"tcp:127.0.0.1:{INSIDE_PORT}",
            ],
            log,
        )
        procs.append(inside)
        outside = _started(
            [sys.executable, "-m", "tests.support.pump", f"tcp:127.0.0.1:{port}", f"unix:{sock}"],
            log,
        )
        procs.append(outside)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(base + "/query?query=ASK%7B%7D", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"isolated oxigraph not up:\n{log.read_text(errors='replace')}")
        yield base
    finally:
        for proc in reversed(procs):
            _stop(proc)

"""The server's processes stop together: Ctrl-C, `kill -9` of the main process, a taken port.

Each is checked on a real `kzmig serve` in its own process group, as a terminal
runs it: Ctrl-C sends SIGINT to the whole group, and every process of it (the main
process, the HTTP workers, their forkservers and query workers) must be gone within
15 s (the guarantee is 5 s; the margin is for a busy machine), every time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures.faults.kit import HERE, kzmig, serving
from tests.support.servers import descendants, free_port

DATA = HERE / "writable.trig"
ARGS = ["--data", str(DATA), "--workers", "2"]
GRACE = 15.0


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(proc: subprocess.Popen[bytes], pids: list[int], timeout: float) -> list[int]:
    """Reap ``proc`` and wait for ``pids`` to end; the ones still running at ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        proc.poll()
        alive = [pid for pid in pids if _running(pid)]
        if not alive or time.monotonic() > deadline:
            if not alive:
                proc.wait(timeout=5)  # it may have become a zombie since the poll
            return alive
        time.sleep(0.05)


def _family(pid: int) -> list[int]:
    """The server's processes: it, its HTTP workers and everything they started."""
    # per HTTP worker: it, a forkserver, a resource tracker and at least one query worker
    deadline = time.monotonic() + 30
    while True:
        found = [pid, *descendants(pid)]
        if len(found) >= 1 + 2 * 4 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(found) >= 1 + 2 * 4, f"expected a full process tree, found {found}"
    return found


@pytest.mark.slow
def test_ctrl_c_stops_every_process_every_time(tmp_path: Path) -> None:
    for attempt in range(5):
        with serving(ARGS, tmp_path / f"server-{attempt}.log") as server:
            family = _family(server.proc.pid)
            started = time.monotonic()
            os.killpg(server.proc.pid, signal.SIGINT)
            alive = _wait_gone(server.proc, family, GRACE)
            took = time.monotonic() - started
            assert not alive, (
                f"try {attempt + 1}: processes {alive} still running {GRACE:.0f} s after "
                f"Ctrl-C\n{server.output()}"
            )
            assert server.proc.returncode == 0, server.output()
            print(f"try {attempt + 1}: every process gone {took:.2f} s after Ctrl-C")


def test_kill_9_of_the_main_process_takes_every_child(tmp_path: Path) -> None:
    with serving(ARGS, tmp_path / "server.log") as server:
        family = _family(server.proc.pid)
        os.kill(server.proc.pid, signal.SIGKILL)
        alive = _wait_gone(server.proc, family, GRACE)
        assert not alive, f"children {alive} outlived the main process\n{server.output()}"
        with pytest.raises(requests.ConnectionError):
            requests.get(server.base + "/health", timeout=5)


def test_a_second_server_on_the_same_port_exits_and_the_first_keeps_it(tmp_path: Path) -> None:
    port = free_port()
    with serving(ARGS, tmp_path / "first.log", port=port) as first:
        second = kzmig("serve", *ARGS, "--host", "127.0.0.1", "--port", str(port), timeout=60)
        assert second.returncode != 0, second.stderr
        assert f"port {port} is in use" in second.stderr, second.stderr
        assert "Listening" not in second.stderr + second.stdout
        assert requests.get(first.base + "/health", timeout=10).status_code == 200
        # only the first server's sockets hold the port
        listeners = _listening_pids(port)
        assert listeners and listeners <= set(_family(first.proc.pid)), listeners


def test_a_port_held_by_another_program_is_refused(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = kzmig("serve", *ARGS, "--host", "127.0.0.1", "--port", str(port), timeout=60)
    assert result.returncode != 0
    assert f"port {port} is in use" in result.stderr, result.stderr


def _listening_pids(port: int) -> set[int]:
    """The processes holding a TCP socket listening on ``port`` (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        pids.add(int(entry.name))
    return pids

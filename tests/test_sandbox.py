"""server/sandbox.py's mechanisms, each seen working in a real child process.

A forked child applies a mechanism and then tries to reach a listener of ours on
loopback: the listener must see nothing, and a pipe made before must still work.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest
from kzmig.server import sandbox

from tests.support.servers import ROOT

ROOT_USER = os.geteuid() == 0


def _in_child(confine: Callable[[], object]) -> tuple[str, bool]:
    """Run ``confine`` in a forked child, then connect to a listener; (report, reached)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: confine, try to connect, report over the pipe made before
            try:
                done = confine()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    outcome = "connected"
                except OSError as e:
                    outcome = f"refused: {e}"
                os.write(write, f"{done!r} {outcome}".encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        report = os.read(read, 4096).decode()
        os.close(read)
        try:
            listener.accept()[0].close()
            reached = True
        except TimeoutError:
            reached = False
    return report, reached


def test_without_confinement_the_child_does_connect() -> None:
    """The instrument works: an unconfined child reaches the listener."""
    report, reached = _in_child(lambda: None)
    assert reached and "connected" in report


def test_isolate_cuts_the_child_off_the_network() -> None:
    report, reached = _in_child(sandbox.isolate)
    assert not reached, report
    assert "refused" in report and (sandbox.NETNS in report or sandbox.USERNS in report)


def test_the_seccomp_filter_alone_refuses_internet_sockets() -> None:
    report, reached = _in_child(sandbox.seccomp_no_inet)
    assert report.startswith("True"), report
    assert not reached and "Permission denied" in report


@pytest.mark.skipif(not ROOT_USER, reason="needs root to become an unprivileged user")
def test_an_unprivileged_worker_gets_a_user_namespace() -> None:
    def as_nobody() -> list[str]:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        return sandbox.isolate()

    report, reached = _in_child(as_nobody)
    assert not reached, report
    assert sandbox.USERNS in report and sandbox.NETNS + "'" not in report.split(sandbox.USERNS)[0]


def test_probe_reports_what_works_here() -> None:
    found = sandbox.probe()
    assert found, "neither a network namespace nor seccomp works on this machine"


def test_without_isolation_updates_and_public_hosts_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The start-up decision for a kernel that refuses every mechanism."""
    monkeypatch.setattr(sandbox, "probe", lambda: [])
    with pytest.raises(SystemExit, match="--allow-update"):
        sandbox.startup({"ALLOW_UPDATE": True}, "127.0.0.1")
    with pytest.raises(SystemExit, match=r"--host 0\.0\.0\.0"):
        sandbox.startup({}, "0.0.0.0")
    assert sandbox.startup({}, "127.0.0.1") == {}
    assert "only the query guard" in capsys.readouterr().err
    monkeypatch.setattr(sandbox, "probe", lambda: [sandbox.NETNS])
    assert sandbox.startup({}, "0.0.0.0")["NETWORK_ISOLATION"] == "required"


def test_a_remote_store_on_a_public_host_needs_store_is_isolated() -> None:
    cmd = [sys.executable, "-m", "kzmig.graph.cli", "serve", "--host", "0.0.0.0", "--port", "9"]
    cmd += ["--public-url", "https://kzmig.example.org"]  # else that refusal comes first
    r = subprocess.run(
        [*cmd, "--store", "http://127.0.0.1:9/sparql"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert r.returncode != 0
    assert "--store-is-isolated" in r.stderr, r.stderr[-500:]

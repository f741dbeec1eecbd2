"""Writes are honest: kept where the user says, acknowledged only when applied.

- ``--store-dir DIR`` keeps a ``--data`` server's store, writes included, across restarts;
  without it the server says at start-up (and in ``--help``) that its data lives only
  as long as the process.
- When the query process running a write is killed, the answer says what happened to
  the data: a 2xx write is in the store, a write answered "not applied" is not.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures.faults.kit import HERE, ask, kzmig, serving
from tests.support.servers import descendants

DATA = HERE / "writable.trig"
EX = "https://example.org/kzmig-writes/"
TOKEN = secrets.token_hex(8)
ENV = {"KZMIG_UPDATE_TOKEN": TOKEN}


def _write(base: str, name: str) -> requests.Response:
    return requests.post(
        base + "/update",
        data={"update": f"INSERT DATA {{ <{EX}{name}> <{EX}p> <{EX}o> }}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )


def _present(base: str) -> set[str]:
    r = ask(base, f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}")
    r.raise_for_status()
    return {line.strip()[len(EX) :] for line in r.text.splitlines()[1:] if line.strip()}


def _present_once_recovered(base: str, timeout: float = 60) -> set[str]:
    """``_present`` once the pool has replaced the killed workers (503 until then)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _present(base)
        except requests.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow  # 4 s or more: CI runs it; the default suite stays quick
def test_writes_survive_a_restart_with_store_dir(tmp_path: Path) -> None:
    store = tmp_path / "kept"
    args = ["--data", str(DATA), "--allow-update", "--store-dir", str(store), "--workers", "1"]
    with serving(args, tmp_path / "first.log", env=ENV) as first:
        assert _write(first.base, "before-restart").status_code == 204
        assert "survive a restart" in first.output()
    with serving(args, tmp_path / "second.log", env=ENV) as second:
        assert _present(second.base) == {"before-restart"}
        assert "not loaded again" in second.output()
        assert _write(second.base, "after-restart").status_code == 204
    # the folder alone is enough to serve it
    only = ["--store-dir", str(store), "--workers", "1"]
    with serving(only, tmp_path / "third.log") as third:
        assert _present(third.base) == {"before-restart", "after-restart"}


def test_without_store_dir_the_server_says_its_data_is_temporary(tmp_path: Path) -> None:
    args = ["--data", str(DATA), "--allow-update", "--workers", "1"]
    with serving(args, tmp_path / "server.log", env=ENV) as server:
        assert _write(server.base, "temporary").status_code == 204
        assert "lives only as long as this process" in server.output()
    with serving(args, tmp_path / "again.log", env=ENV) as again:
        assert _present(again.base) == set()  # as it said
    helped = kzmig("serve", "--help")
    assert "--store-dir" in helped.stdout and "only as long as the" in helped.stdout
    empty = kzmig("serve", "--store-dir", str(tmp_path / "nothing"), "--port", "1")
    assert empty.returncode != 0 and "holds no store yet" in empty.stderr, empty.stderr


def _query_workers(pid: int) -> list[int]:
    """The query workers: processes forked by a forkserver of the server."""
    out = []
    for child in descendants(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes()
            parent = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
            parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if b"forkserver" in cmd and b"forkserver" in parent_cmd:
            out.append(child)
    return out


@pytest.mark.slow
def test_a_write_whose_process_is_killed_is_reported_as_what_happened(tmp_path: Path) -> None:
    args = ["--data", str(DATA), "--allow-update", "--store-dir", str(tmp_path / "kept")]
    answers: dict[str, requests.Response] = {}
    with serving([*args, "--workers", "1"], tmp_path / "server.log", env=ENV) as server:
        stop = threading.Event()

        def writer(k: int) -> None:
            i = 0
            while not stop.is_set():
                name = f"w{k}-{i}"
                answers[name] = _write(server.base, name)
                i += 1

        def killer() -> None:
            # one worker at a time, only once it is up (a worker killed while starting is
            # not running anyone's write), so that the pool keeps serving between kills
            first_seen: dict[int, float] = {}
            while not stop.is_set():
                now = time.monotonic()
                for pid in _query_workers(server.proc.pid):
                    first_seen.setdefault(pid, now)
                    if now - first_seen[pid] > 1.5:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                        break
                time.sleep(0.3)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
        threads.append(threading.Thread(target=killer))
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            failed = [r for r in list(answers.values()) if r.status_code >= 500]
            if len(failed) >= 5 and len(answers) >= 30:
                break
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        present = _present_once_recovered(server.base)
    acknowledged = {n for n, r in answers.items() if r.status_code < 300}
    refused = {n for n, r in answers.items() if r.status_code >= 500 and "not applied" in r.text}
    unknown = {n for n, r in answers.items() if r.status_code >= 500} - refused
    assert acknowledged and refused | unknown, {n: r.status_code for n, r in answers.items()}
    assert acknowledged <= present, acknowledged - present
    assert not refused & present, refused & present
    for name in unknown:
        assert "unknown" in answers[name].text, answers[name].text
    print(f"{len(acknowledged)} acknowledged, {len(refused)} not applied, {len(unknown)} unknown")


def test_a_write_whose_body_breaks_off_is_not_applied(tmp_path: Path) -> None:
    """The first bytes of a body can be an update of their own: never apply a part."""
    args = ["--data", str(DATA), "--allow-update", "--workers", "1"]
    part = f"INSERT DATA {{ <{EX}cut> <{EX}p> <{EX}o> }}".encode()
    whole = part + b" ;\n" + f"INSERT DATA {{ <{EX}rest> <{EX}p> <{EX}o> }}".encode()
    with serving(args, tmp_path / "server.log", env=ENV) as server:
        host, port = server.base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as client:
            client.sendall(
                b"POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\n"
                + f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(whole)}\r\n\r\n".encode()
                + part
            )
            time.sleep(0.5)
            client.shutdown(socket.SHUT_WR)  # the client goes away mid-body
            client.settimeout(10)
            with contextlib.suppress(OSError):
                client.recv(4096)
        time.sleep(1)
        assert _present(server.base) == set()
        # the same write, whole, is applied: the refusal is not an accident
        r = requests.post(
            server.base + "/update",
            data=whole,
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Content-Type": "application/sparql-update",
            },
            timeout=60,
        )
        assert r.status_code == 204, r.text
        assert _present(server.base) == {"cut", "rest"}

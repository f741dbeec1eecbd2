"""A loopback listener that counts who connects: the SSRF tests' witness.

Shared by the tests that check the server never connects out (test_hostile, test_limits,
test_redteam, test_redteam_remote)."""

from __future__ import annotations

import socket
import threading
import time


class Listener:
    """A TCP listener on loopback that counts connections and keeps what they sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def settled(self) -> list[bytes]:
        """The connections so far, after giving a late one time to arrive."""
        time.sleep(0.3)
        return list(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

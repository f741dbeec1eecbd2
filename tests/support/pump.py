"""Forward connections between a TCP and a unix socket: `python -m tests.support.pump FROM TO`.

FROM and TO are ``tcp:HOST:PORT`` or ``unix:PATH``. Used to reach a store that runs in
a network namespace of its own (tests/support/netns.py): a unix socket lives in the file
system, which the namespace shares, while the namespace has no network route out.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading


def _endpoint(spec: str) -> tuple[int, object]:
    kind, _, rest = spec.partition(":")
    if kind == "unix":
        return socket.AF_UNIX, rest
    host, _, port = rest.rpartition(":")
    return socket.AF_INET, (host, int(port))


def _copy(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


def _serve(conn: socket.socket, target: str) -> None:
    family, address = _endpoint(target)
    with conn, socket.socket(family) as out:
        try:
            out.connect(address)
        except OSError:
            return
        back = threading.Thread(target=_copy, args=(out, conn), daemon=True)
        back.start()
        _copy(conn, out)
        back.join()


def main(source: str, target: str) -> None:
    family, address = _endpoint(source)
    if family == socket.AF_UNIX:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(address))
    listener = socket.socket(family)
    if family == socket.AF_INET:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_serve, args=(conn, target), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

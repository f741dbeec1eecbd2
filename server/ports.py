"""One server per port: claim the port before the HTTP server binds it.

granian binds the port in every worker with ``SO_REUSEPORT``, and so does a second
granian on the same port: the kernel then splits the connections between two
independent servers (issue #14 saw two releases answer alternately). A bind
*without* ``SO_REUSEPORT`` fails while any socket holds the port, so :func:`claim`
binds one that way (the probe), and then keeps it, switched to ``SO_REUSEPORT``, for
the life of the server: its own workers can still join the port, while a second
server's probe finds it taken. The kept socket never listens, so it is given no
connections. ``SO_REUSEADDR`` stays on so that a restart is not refused for the
previous server's connections in TIME_WAIT.
"""

from __future__ import annotations

import errno
import socket


class PortInUse(Exception):
    """Another server holds the port."""


def claim(host: str, port: int) -> socket.socket:
    """A socket holding ``host:port`` for this server; PortInUse if anyone else holds it.

    With port 0 the kernel picks a free port: read it from ``getsockname()``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 0)
        sock.bind((host, port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} is in use on {host}: another server is listening there; "
                "stop it or choose another --port"
            ) from None
        raise
    return sock

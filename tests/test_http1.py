"""tests/support/http1.py, the soak's client, against a loopback server that answers with
exactly the bytes each case needs (framings, statuses without a body, closes, garbage)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.support.http1 import Answer, Connection, ProtocolError


@dataclass(frozen=True)
class ThenClose:
    """A reply after which the server closes the connection (without saying so)."""

    reply: bytes


@contextmanager
def answering(*replies: bytes | ThenClose) -> Iterator[tuple[int, list[int]]]:
    """A server on loopback: it answers each request it reads with the next reply, on the
    same connection unless that reply is a ThenClose, and closes after the last one.
    Yields the port and how many requests each connection carried."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    per_connection: list[int] = []
    todo = list(replies)

    def serve() -> None:
        while todo:
            conn, _ = listener.accept()
            per_connection.append(0)
            with conn:
                while todo and _read_request(conn):
                    reply = todo.pop(0)
                    per_connection[-1] += 1
                    if isinstance(reply, ThenClose):
                        conn.sendall(reply.reply)
                        break
                    conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, per_connection
    finally:
        listener.close()
        thread.join(5)


def _read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += conn.recv(65536)
    return True


def run(port: int, *requests: tuple[str, str]) -> list[Answer]:
    async def go() -> list[Answer]:
        conn = Connection("127.0.0.1", port)
        out: list[Answer] = []
        try:
            for method, path in requests:
                out.append(await asyncio.wait_for(conn.request(method, path), 5))
                await asyncio.sleep(0.05)  # lets the client see a close before the next one
        finally:
            conn.close()
        return out

    return asyncio.run(go())


def test_content_length_and_chunked_with_trailers_on_one_connection() -> None:
    with answering(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ) as (port, per_connection):
        answers = run(port, ("GET", "/a"), ("GET", "/b"), ("GET", "/c"))
    assert [a.body for a in answers] == [b"hello", b"abcde", b"ok"]
    assert per_connection == [3]


def test_transfer_encoding_wins_over_content_length() -> None:
    with answering(
        b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nhi\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!",
    ) as (port, _):
        answers = run(port, ("GET", "/a"), ("GET", "/b"))
    assert [a.body for a in answers] == [b"hi", b"!"]


@pytest.mark.parametrize("status", [b"204 No Content", b"304 Not Modified"])
def test_statuses_without_a_body_do_not_wait_for_one(status: bytes) -> None:
    with answering(
        b"HTTP/1.1 " + status + b"\r\nETag: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ) as (port, per_connection):
        answers = run(port, ("GET", "/a"), ("GET", "/b"))
    assert [(a.status, a.body) for a in answers] == [(int(status[:3]), b""), (200, b"ok")]
    assert per_connection == [2]


def test_head_has_no_body_whatever_content_length_says() -> None:
    with answering(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ) as (port, _):
        answers = run(port, ("HEAD", "/a"), ("GET", "/b"))
    assert [a.body for a in answers] == [b"", b"ok"]


def test_connection_close_and_a_body_framed_by_the_close() -> None:
    with answering(
        b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 1\r\n\r\na",
        ThenClose(b"HTTP/1.1 200 OK\r\n\r\nuntil the end"),
        b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nc",  # HTTP/1.0: closes by default
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nd",
    ) as (port, per_connection):
        answers = run(port, ("GET", "/a"), ("GET", "/b"), ("GET", "/c"), ("GET", "/d"))
    assert [a.body for a in answers] == [b"a", b"until the end", b"c", b"d"]
    assert per_connection == [1, 1, 1, 1]


def test_a_connection_the_server_closed_while_idle_is_opened_again() -> None:
    with answering(
        # the server closes the connection after answering, without a Connection header
        ThenClose(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"),
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb",
    ) as (port, per_connection):
        answers = run(port, ("GET", "/a"), ("GET", "/b"))
    assert [a.body for a in answers] == [b"a", b"b"]
    assert per_connection == [1, 1]


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1\r\n\r\n",  # no status code
        b"SSH-2.0-OpenSSH\r\n",  # not HTTP at all
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n....",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",  # ends in the headers
    ],
)
def test_what_it_cannot_read_is_a_protocol_error(reply: bytes) -> None:
    with answering(reply) as (port, _), pytest.raises((ProtocolError, asyncio.IncompleteReadError)):
        run(port, ("GET", "/a"))


def test_protocol_errors_are_connection_errors() -> None:
    """The soak counts OSError as "no answer": an unreadable reply must be one too."""
    assert issubclass(ProtocolError, OSError)

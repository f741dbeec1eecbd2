"""A minimal asyncio HTTP/1.1 client, for load tests that must not load the machine themselves.

The soak runs its clients on the server's own two cores. Sixteen client processes
with ``requests`` measured mostly themselves: on an idle server a point lookup took
2.7 ms at p99 through ``requests`` and 0.85 ms through ``http.client`` (same server,
same queries), and under load the client processes competed with the server for the
CPU. Load generators (wrk, k6) keep many connections in one event loop instead;
so does this: one keep-alive connection per simulated client.

It speaks only what the soak needs: GET, HEAD and form POST; responses framed by
Transfer-Encoding: chunked, Content-Length or the end of the connection, or with
no body (HEAD, 1xx, 204, 304). Anything else is a ``ProtocolError``.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from dataclasses import dataclass, field

_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) (\d{3})(?: [^\r\n]*)?\r?\n")


class ProtocolError(ConnectionError):
    """The server's answer is not HTTP/1.1 this client can read (or it stopped midway)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection, opened again when the server has closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None, accept: str = "*/*"
    ) -> Answer:
        try:
            return await self._request(method, path, form, accept)
        except BaseException:
            self.close()  # a half-read response leaves the connection unusable
            raise

    async def _request(
        self, method: str, path: str, form: dict[str, str] | None, accept: str
    ) -> Answer:
        if self._reader is not None and self._reader.at_eof():
            self.close()  # closed by the server while idle (keep-alive timeout)
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n"
        if form is not None:
            head += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
            )
        self._writer.write(head.encode("latin-1") + b"\r\n" + body)
        status_line = await self._reader.readline()
        match = _STATUS_LINE.fullmatch(status_line)
        if match is None:
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        status = int(match.group(2))
        headers: dict[str, str] = {}
        while (line := await self._line()) not in (b"\r\n", b"\n"):
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise ProtocolError(f"not a header line: {line[:80]!r}")
            headers[name.strip().lower()] = value.strip()
        data = await self._body(status, headers, method)
        tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        if "close" in tokens or (match.group(1) == b"0" and "keep-alive" not in tokens):
            self.close()
        return Answer(status, headers, data)

    async def _line(self) -> bytes:
        assert self._reader is not None
        line = await self._reader.readline()
        if not line:
            raise ProtocolError("the connection ended in the middle of a response")
        return line

    async def _body(self, status: int, headers: dict[str, str], method: str) -> bytes:
        assert self._reader is not None
        if method == "HEAD" or status < 200 or status in (204, 304):
            return b""
        codings = headers.get("transfer-encoding", "").lower()
        if codings:  # it wins over Content-Length (RFC 9112, 6.3)
            if codings.rsplit(",", 1)[-1].strip() != "chunked":
                raise ProtocolError(f"unsupported Transfer-Encoding: {codings}")
            parts = []
            while True:
                size_line = (await self._line()).split(b";")[0].strip()
                try:
                    size = int(size_line, 16)
                except ValueError:
                    raise ProtocolError(f"not a chunk size: {size_line[:20]!r}") from None
                if size == 0:
                    break
                parts.append(await self._reader.readexactly(size))
                await self._line()
            while await self._line() not in (b"\r\n", b"\n"):
                pass  # trailers
            return b"".join(parts)
        if "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise ProtocolError(f"bad Content-Length: {headers['content-length']}") from None
            return await self._reader.readexactly(length)
        data = await self._reader.read()  # framed by the end of the connection
        self.close()
        return data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

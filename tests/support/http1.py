"""A minimal asyncio HTTP/1.1 client, for load tests that must not load the machine themselves.

The soak runs its clients on the server's own two cores. Sixteen client processes
with ``requests`` measured mostly themselves: on an idle server a point lookup took
2.7 ms at p99 through ``requests`` and 0.85 ms through ``http.client`` (same server,
same queries), and under load the client processes competed with the server for the
CPU. Load generators (wrk, k6) keep many connections in one event loop instead;
so does this: one keep-alive connection per simulated client, a few microseconds of
work per response.

It speaks only what the soak needs: GET and form POST, responses framed by
Content-Length or chunked, ``Connection: close``.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One keep-alive connection; it reconnects after the server closed it or after an error."""

    def __init__(self, host: str, port: int):
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
        if not status_line:
            raise ConnectionResetError("the server closed the connection without answering")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self._reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        data = await self._body(headers, method)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, headers, data)

    async def _body(self, headers: dict[str, str], method: str) -> bytes:
        assert self._reader is not None
        if method == "HEAD":
            return b""
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self._reader.readline()).split(b";")[0], 16):
                parts.append(await self._reader.readexactly(size))
                await self._reader.readline()
            while await self._reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        data = await self._reader.read()  # framed by the end of the connection
        self.close()
        return data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

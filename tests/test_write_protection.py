"""Write protection: no write without the token in the Authorization header; the token never logged.

Every write route (/update, and /store with PUT, POST, DELETE) is tried with no
token, a wrong one, the right one in the wrong place (query parameter, form
field, another scheme, padded), and on a server where updates are off. Each is
refused, and the data is unchanged afterwards (checked by querying it). Then the
right token, in the header, does write: so the refusals are not an accident.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.fixtures.faults.kit import HERE, ask, kzmig, serving

DATA = HERE / "writable.trig"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
EX = "https://example.org/kzmig-test/"
TURTLE = f"<{EX}carol> <{EX}knows> <{EX}dave> .\n"
UPDATE = f"INSERT DATA {{ <{EX}eve> <{EX}knows> <{EX}mallory> }}"


@dataclass(frozen=True)
class Write:
    """One write request: method, path (with query), body, content type."""

    name: str
    method: str
    path: str
    body: bytes
    ctype: str

    def send(
        self,
        base: str,
        headers: dict[str, str] | None = None,
        extra_query: str = "",
        extra_form: str = "",
    ) -> requests.Response:
        path = self.path + (("&" if "?" in self.path else "?") + extra_query if extra_query else "")
        body = self.body + (b"&" + extra_form.encode() if extra_form else b"")
        return requests.request(
            self.method,
            base + path,
            data=body,
            headers={"Content-Type": self.ctype, **(headers or {})},
            timeout=30,
            allow_redirects=False,
        )


WRITES = [
    Write(
        "update-form",
        "POST",
        "/update",
        b"update=" + requests.utils.quote(UPDATE).encode(),
        "application/x-www-form-urlencoded",
    ),
    Write("update-direct", "POST", "/update", UPDATE.encode(), "application/sparql-update"),
    Write("store-put-graph", "PUT", f"/store?graph={EX}g2", TURTLE.encode(), "text/turtle"),
    Write("store-post-graph", "POST", f"/store?graph={EX}g1", TURTLE.encode(), "text/turtle"),
    Write("store-post-default", "POST", "/store?default", TURTLE.encode(), "text/turtle"),
    Write("store-put-default", "PUT", "/store?default", TURTLE.encode(), "text/turtle"),
    Write("store-delete-graph", "DELETE", f"/store?graph={EX}g1", b"", "text/plain"),
    Write("store-delete-default", "DELETE", "/store?default", b"", "text/plain"),
]


@dataclass(frozen=True)
class Served:
    base: str
    token: str
    log: Path


def _count(base: str) -> int:
    r = ask(base, COUNT, accept="application/sparql-results+json")
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("writable")
    token = "kz-" + secrets.token_urlsafe(24)
    log = tmp / "server.log"
    with serving(
        ["--data", str(DATA), "--allow-update"], log, env={"KZMIG_UPDATE_TOKEN": token}
    ) as server:
        yield Served(server.base, token, log)


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Updates off (no --allow-update), although a token is set in the environment."""
    tmp = tmp_path_factory.mktemp("read-only")
    token = "kz-" + secrets.token_urlsafe(24)
    log = tmp / "server.log"
    with serving(["--data", str(DATA)], log, env={"KZMIG_UPDATE_TOKEN": token}) as server:
        yield Served(server.base, token, log)


def wrong_ways(token: str) -> dict[str, dict[str, str]]:
    """Ways of sending (or not) the token that must not authorize a write."""
    return {
        "no token": {},
        "wrong token": {"headers": f"Bearer {secrets.token_urlsafe(24)}"},
        "empty bearer": {"headers": "Bearer "},
        "token prefix": {"headers": f"Bearer {token[:-1]}"},
        "token padded": {"headers": f"Bearer {token}x"},
        "basic scheme": {"headers": f"Basic {token}"},
        "bare token": {"headers": token},
        "query parameter token": {"query": f"token={token}"},
        "query parameter access_token": {"query": f"access_token={token}"},
        "query parameter authorization": {"query": f"Authorization=Bearer%20{token}"},
        "form field": {"form": f"access_token={token}"},
        "other header": {"x-headers": token},
    }


def _send_wrong(write: Write, base: str, how: dict[str, str]) -> requests.Response:
    headers = {}
    if "headers" in how:
        headers["Authorization"] = how["headers"]
    if "x-headers" in how:
        headers["X-Update-Token"] = how["x-headers"]
        headers["Cookie"] = f"token={how['x-headers']}"
    return write.send(
        base,
        headers,
        extra_query=how.get("query", ""),
        extra_form=how.get("form", "") if write.ctype.endswith("urlencoded") else "",
    )


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_write_route_refuses_without_the_right_token(write: Write, writable: Served) -> None:
    before = _count(writable.base)
    for label, how in wrong_ways(writable.token).items():
        r = _send_wrong(write, writable.base, how)
        assert r.status_code == 401, f"{write.name} with {label}: {r.status_code} {r.text[:200]}"
        assert "Bearer" in r.headers.get("WWW-Authenticate", ""), label
        assert writable.token not in r.text
    assert _count(writable.base) == before, f"{write.name}: a refused write changed the data"


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_write_route_refuses_when_updates_are_off(write: Write, read_only: Served) -> None:
    before = _count(read_only.base)
    tries = {"right token": {"headers": f"Bearer {read_only.token}"}} | wrong_ways(read_only.token)
    for label, how in tries.items():
        r = _send_wrong(write, read_only.base, how)
        assert r.status_code in (401, 403, 405), f"{write.name}, {label}: {r.status_code}"
        assert r.status_code != 405 or write.method != "POST" or write.path != "/update"
    assert _count(read_only.base) == before


def _ask(base: str, pattern: str) -> bool:
    r = ask(base, f"ASK {{ {pattern} }}", accept="application/sparql-results+json")
    r.raise_for_status()
    return bool(r.json()["boolean"])


def test_the_right_token_in_the_header_does_write(writable: Served) -> None:
    """The control: without it, the refusals above could be a broken route."""
    auth = {"Authorization": f"Bearer {writable.token}"}
    inserted = f"<{EX}eve> <{EX}knows> <{EX}mallory>"
    put = f"GRAPH <{EX}g9> {{ <{EX}carol> <{EX}knows> <{EX}dave> }}"
    assert not _ask(writable.base, inserted) and not _ask(writable.base, put)
    r = WRITES[1].send(writable.base, auth)  # INSERT DATA, direct
    assert r.status_code in (200, 204), r.text
    assert _ask(writable.base, inserted)
    r = requests.put(
        writable.base + f"/store?graph={EX}g9",
        data=TURTLE,
        headers={**auth, "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert r.status_code in (200, 201, 204), r.text
    assert _ask(writable.base, put)
    r = requests.delete(writable.base + f"/store?graph={EX}g9", headers=auth, timeout=30)
    assert r.status_code in (200, 204), r.text
    assert not _ask(writable.base, put)


def test_the_token_never_appears_in_the_logs(writable: Served, read_only: Served) -> None:
    # Send the token in every way, right and wrong, then read what the servers logged.
    for served in (writable, read_only):
        for write in WRITES:
            write.send(served.base, {"Authorization": f"Bearer {served.token}"})
            for how in wrong_ways(served.token).values():
                _send_wrong(write, served.base, how)
        requests.get(served.base + f"/sparql?query=ASK%7B%7D&token={served.token}", timeout=30)
        requests.get(served.base + f"/no/such/page?token={served.token}", timeout=30)
    for served in (writable, read_only):
        text = served.log.read_text(encoding="utf-8", errors="replace")
        assert text.strip(), "the server logged nothing: this test would prove nothing"
        assert served.token not in text, "the update token was written to the log"
        assert served.token[3:15] not in text


def test_allow_update_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KZMIG_UPDATE_TOKEN"}
    result = kzmig(
        "serve", "--data", str(DATA), "--allow-update", "--port", "1", timeout=60, env=env
    )
    assert result.returncode != 0
    assert "KZMIG_UPDATE_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_allow_update_refuses_a_published_release(tmp_path: Path) -> None:
    """A release is read-only: --allow-update is for --data files only."""
    env = {**os.environ, "KZMIG_UPDATE_TOKEN": "kz-" + secrets.token_urlsafe(24)}
    result = kzmig(
        "serve", "--data-dir", str(tmp_path), "--allow-update", "--port", "1", timeout=60, env=env
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr

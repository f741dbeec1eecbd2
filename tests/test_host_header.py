"""No URL the server sends is built from the request's Host (or X-Forwarded-*) header.

Every route that names the server's own URLs (VoID, DCAT, the service description,
the dump listing, pages, redirects, query answers that resolve relative IRIs) is
asked with ``Host: evil.example`` on a real `kzmig serve`: the name must appear in
no status line, header or body. Then the same documents name the configured
``--public-url``, so the absence is not an accident of empty answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from kzmig.graph.build.pipeline import build

from tests.fixtures.faults.kit import copy_project, kzmig, serving

EVIL = "evil.example"
HOSTILE = {
    "Host": EVIL,
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Proto": "https",
    "Forwarded": f"host={EVIL};proto=https",
}
PUBLIC = "https://kzmig.example.org/data"
RELATIVE_IRI = "SELECT ?v WHERE { BIND(<relative/thing> AS ?v) }"

# (method, path, Accept, form) of everything that could name the server
REQUESTS: list[tuple[str, str, str, dict[str, str] | None]] = [
    ("GET", "/", "text/html", None),
    ("GET", "/sparql", "text/turtle", None),
    ("GET", "/sparql", "application/rdf+xml", None),
    ("GET", "/sparql", "text/html", None),
    ("GET", "/.well-known/void", "text/turtle", None),
    ("GET", "/.well-known/void", "application/n-triples", None),
    ("GET", "/.well-known/void", "text/html", None),
    ("GET", "/catalog", "text/turtle", None),
    ("GET", "/catalog", "text/html", None),
    ("GET", "/dumps/", "application/json", None),
    ("GET", "/dumps/?format=json", "*/*", None),
    ("GET", "/dumps/", "text/html", None),
    ("GET", "/dumps", "*/*", None),  # a redirect to /dumps/
    ("GET", "/validation", "text/html", None),
    ("GET", "/ontology", "text/turtle", None),
    ("GET", "/resource/program/enbek", "text/html", None),
    ("GET", "/resource/program/enbek", "text/turtle", None),
    ("GET", "/health", "application/json", None),
    ("GET", "/no/such/page", "text/html", None),
    ("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp", "application/json", None),
    ("POST", "/sparql", "application/sparql-results+json", {"query": RELATIVE_IRI}),
    ("POST", "/sparql", "text/csv", {"query": RELATIVE_IRI}),
    ("OPTIONS", "/sparql", "*/*", None),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("host")
    build(copy_project(tmp / "project"), tmp / "data")
    return tmp / "data"


@pytest.fixture(scope="module")
def plain(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("plain") / "server.log"
    with serving(["--data-dir", str(data), "--workers", "1"], log) as server:
        yield server.base


@pytest.fixture(scope="module")
def public(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("public") / "server.log"
    args = ["--data-dir", str(data), "--workers", "1", "--public-url", PUBLIC + "/"]
    with serving(args, log) as server:
        yield server.base


def _send(base: str, method: str, path: str, accept: str, form: dict[str, str] | None) -> str:
    """Everything the client receives, as text: status, headers and body."""
    r = requests.request(
        method,
        base + path,
        headers={**HOSTILE, "Accept": accept},
        data=form,
        timeout=30,
        allow_redirects=False,
    )
    headers = "\n".join(f"{k}: {v}" for k, v in r.headers.items())
    return f"{r.status_code} {r.reason}\n{headers}\n\n{r.content.decode(errors='replace')}"


@pytest.mark.parametrize(("method", "path", "accept", "form"), REQUESTS)
def test_the_host_header_never_reaches_a_response(
    plain: str, public: str, method: str, path: str, accept: str, form: dict[str, str] | None
) -> None:
    for base in (plain, public):
        seen = _send(base, method, path, accept, form)
        assert EVIL not in seen.lower(), f"{method} {path} ({accept}) on {base}:\n{seen[:3000]}"


def test_absolute_urls_come_from_the_public_url(public: str, plain: str) -> None:
    void = _send(public, "GET", "/.well-known/void", "application/n-triples", None)
    assert f"<{PUBLIC}/sparql>" in void
    assert f"<{PUBLIC}/.well-known/void#dataset>" in void
    listing = requests.get(public + "/dumps/?format=json", headers=HOSTILE, timeout=30).json()
    assert listing["files"] and all(
        f["url"].startswith(PUBLIC + "/dumps/") for f in listing["files"]
    )
    catalog = _send(public, "GET", "/catalog", "text/turtle", None)
    assert f"{PUBLIC}/sparql" in catalog
    described = _send(public, "GET", "/sparql", "text/turtle", None)
    assert f"{PUBLIC}/sparql" in described
    answer = _send(public, "POST", "/sparql", "text/csv", {"query": RELATIVE_IRI})
    assert f"{PUBLIC}/relative/thing" in answer
    # on a loopback bind without --public-url, the server's own address
    assert f"<{plain}/sparql>" in _send(plain, "GET", "/.well-known/void", "text/turtle", None)


def test_a_public_bind_without_a_public_url_is_refused(data: Path) -> None:
    result = kzmig("serve", "--data-dir", str(data), "--host", "0.0.0.0", "--port", "1")
    assert result.returncode != 0
    assert "--public-url" in result.stderr, result.stderr
    bad = kzmig("serve", "--data-dir", str(data), "--public-url", "evil.example", "--port", "1")
    assert bad.returncode != 0 and "not an http(s) URL" in bad.stderr, bad.stderr

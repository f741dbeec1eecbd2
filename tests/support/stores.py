"""Real SPARQL stores for the remote-store tests: Oxigraph server and Virtuoso, on loopback.

Also the comparison of answers across stores: rows as sorted tuples, blank
nodes reduced to one label (each store names them its own way).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.needs import need
from tests.support.servers import free_port


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} not up after {timeout}s:\n{log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).is_file():
        pytest.fail("the `oxigraph` program is missing: pip install -e '.[test]' installs it")
    return found


@contextlib.contextmanager
def oxigraph_server(folder: Path, *, timeout_s: int | None = 10) -> Iterator[str]:
    """`oxigraph serve` on a free loopback port with its store in ``folder``."""
    port = free_port()
    cmd = [oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    if timeout_s:
        cmd += ["--timeout-s", str(timeout_s)]
    log = folder.with_suffix(".log")
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query", proc, log)
        yield base
    finally:
        _stop(proc)


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if found is None:
        need("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
    return found


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[str]:
    """A throw-away Virtuoso 7 in ``folder``, HTTP and SQL ports on loopback only."""
    from kzmig.graph.remote.virtuoso import local_config

    binary = virtuoso_binary()
    http_port, sql_port = free_port(), free_port()
    ini = local_config(folder, http_port=http_port, sql_port=sql_port)
    log = folder / "console.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, "-f", "-c", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(base + "/sparql?query=ASK%7B%7D", proc, log, timeout=120)
        yield base
    finally:
        _stop(proc)


def warm(base: str, timeout: float = 60) -> None:
    """Wait until a kzmig server's query workers answer (they start after /health does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = requests.post(base + "/sparql", data={"query": "ASK {}"}, timeout=30)
        if response.status_code == 200:
            return
        time.sleep(0.5)
    raise TimeoutError(f"{base}/sparql not answering after {timeout}s")


def concatenated(query: str) -> dict[str, str]:
    """The variables a query binds with GROUP_CONCAT, and their separators.

    SPARQL leaves the order of GROUP_CONCAT's items undefined, and stores differ
    in it: their values are compared as sorted items.
    """
    found = re.finditer(
        r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)',
        query,
        re.IGNORECASE,
    )
    return {m.group(2): m.group(1) for m in found}


def sampled(query: str) -> set[str]:
    """The variables a query binds with SAMPLE: any one value of the group (undefined which)."""
    found = re.finditer(r"SAMPLE\s*\([^()]*\)\s*AS\s*\?(\w+)", query, re.IGNORECASE)
    return {m.group(1) for m in found}


def rows(response: requests.Response, query: str = "", *, concat_lang: bool = True) -> Any:
    """A SPARQL JSON answer as something comparable across stores.

    ``concat_lang=False`` ignores the language of GROUP_CONCAT results (SPARQL 1.1
    makes them simple literals, as Virtuoso does; Oxigraph keeps a common tag).
    """
    separators, samples = concatenated(query), sampled(query)
    assert response.status_code == 200, response.text
    data = response.json()
    if "boolean" in data:
        return data["boolean"]
    out = []
    for binding in data["results"]["bindings"]:
        row = []
        for var in sorted(binding):
            term = binding[var]
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            value = "_:b" if kind == "bnode" else term["value"]
            if var in samples:
                value = "(a sample)"
            lang = term.get("xml:lang", "")
            if var in separators:
                value = separators[var].join(sorted(value.split(separators[var])))
                lang = lang if concat_lang else ""
            row.append((var, kind, value, term.get("datatype", ""), lang))
        out.append(tuple(row))
    return sorted(out)


def triples(body: bytes) -> list[str]:
    """N-Triples as sorted lines, blank nodes reduced to one label."""
    import pyoxigraph as ox

    out = []
    for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        terms = [
            "_:b" if isinstance(t, ox.BlankNode) else str(t)
            for t in (q.subject, q.predicate, q.object)
        ]
        out.append(" ".join(terms))
    return sorted(out)

"""`kzmig serve` starting up: one banner whose URLs answer, no granian noise, an access log.

A real server (granian, two workers) on a free loopback port, its stderr in a file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.support.servers import free_port

KZMIG_SERVE = [sys.executable, "-m", "kzmig.graph.cli", "serve"]
ACCESS = re.compile(
    r"^\S+Z (?P<method>[A-Z]+) (?P<path>\S+) route=(?P<route>\S+) status=(?P<status>\d+) "
    r"ms=(?P<ms>[\d.]+) bytes=(?P<bytes>\d+)$",
    re.MULTILINE,
)


@pytest.mark.slow
def test_the_banner_lists_urls_that_answer_and_every_request_is_logged(data_dir: Path) -> None:
    port = free_port()
    log = tempfile.NamedTemporaryFile(suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [*KZMIG_SERVE, "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        text = ""
        while "Press Ctrl+C to stop." not in text:
            assert proc.poll() is None, text
            assert time.monotonic() < deadline, f"no banner after 120 s:\n{text}"
            time.sleep(0.2)
            text = Path(log.name).read_text(encoding="utf-8", errors="replace")
        banner = text[text.index("kzmig is serving the graph:") :]
        urls = dict(re.findall(r"^  (\S.*?\S)\s{2,}(http://\S+)$", banner, re.MULTILINE))
        assert set(urls) >= {"Query UI", "SPARQL endpoint", "Dumps", "Ontology"}, banner
        assert all(u.startswith(f"http://127.0.0.1:{port}/") for u in urls.values())
        for name, url in urls.items():
            r = requests.get(url, params={"query": "ASK {}"} if "sparql" in url else {}, timeout=30)
            assert r.status_code == 200, (name, url, r.status_code)
        assert requests.get(f"http://127.0.0.1:{port}/no-such-page", timeout=10).status_code == 404

        # granian's start-up lines a person cannot act on are gone
        for noise in ("Websockets", "Python threads", "[INFO]"):
            assert noise not in text, text

        time.sleep(0.5)  # the last line is written after the last byte is sent
        logged = Path(log.name).read_text(encoding="utf-8", errors="replace")
        lines = [m.groupdict() for m in ACCESS.finditer(logged)]
        for url in urls.values():
            path = url.split(str(port), 1)[1]
            hits = [x for x in lines if x["path"] == path and x["status"] == "200"]
            assert hits and int(hits[-1]["bytes"]) > 0, (path, logged)
            assert hits[-1]["route"] == path  # these routes are their own pattern
        missing = [x for x in lines if x["path"] == "/no-such-page"]
        assert missing and missing[0]["route"] == "-" and missing[0]["status"] == "404"
        assert "query=" not in "".join(x["path"] for x in lines)  # no query strings
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.unlink(log.name)

"""Virtuoso 7 (Debian's `virtuoso-opensource`).

Endpoints: queries at ``/sparql``; updates at ``/sparql-auth`` and the Graph
Store Protocol at ``/sparql-graph-crud-auth?graph-uri=IRI``, both behind HTTP
*digest* authentication (user ``dba`` or one granted SPARQL_UPDATE). Quirks,
as measured with 7.2.5:

- The default graph is the union of *every* graph, Virtuoso's own system
  graphs included (``virtrdf#`` and others): kzmig always names the release's
  graphs with ``default-graph-uri`` / ``named-graph-uri``.
- Each ``default-graph-uri`` / ``named-graph-uri`` comes back as a response
  header, past the 100 headers Python's HTTP client accepts: kzmig sends the
  dataset as ``define input:default-graph-uri <…>`` pragmas instead.
- ``timeout`` (milliseconds) is an "anytime query" limit: past it Virtuoso
  answers 200 with the *partial* results and an ``X-SQL-State: S1TAT`` header.
  kzmig treats such an answer as a timeout, never as the result.
- ``ResultSetMaxRows`` (virtuoso.ini, [SPARQL]; 10,000 in Debian's file)
  silently cuts results: set it above the endpoint's row cap.
- ASK comes back as a one-column table (``__ASK_RETVAL``), one row for true and
  none for false; kzmig turns it back into a boolean.
- Each operation of an update request commits on its own: a failing operation
  does not roll back the ones before it. A push's switch is one request, sent
  whole before it runs, so a dead pusher cannot half-run it; a *server* crash
  in the middle of it can, and the next push repairs it.
- Given ``named-graph-uri``, a ``GRAPH <g>`` for a ``<g>`` not in the list
  matches once, empty (ASK true, COUNT 1): kzmig adds each graph a query
  names after GRAPH to the list, so an absent graph matches nothing. (A
  foreign graph of the store named that way does show, unlike embedded.)
- An update request of ~1,000 operations fails to compile ("SQ156: Query too
  large"): kzmig sends the switch's moves 100 at a time, the pointer last.
- ``DROP GRAPH`` fails on a graph "not explicitly created": kzmig says SILENT.
- Booleans come back as ``"1"`` / ``"0"``: kzmig writes them back as true / false.
- Numbers come back in canonical form (``"3.0"^^xsd:decimal`` as ``"3"``),
  which compares equal but prints differently from the embedded store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox
import requests

from .adapter import Adapter, Endpoints, Result, StoreTimeout, raise_for
from .lexer import graphs_named
from .names import POINTER, STAGING

ASK_COLUMN = "__ASK_RETVAL"
# Virtuoso writes xsd:boolean true / false as "1" / "0" (valid, but not what was loaded).
BOOLEAN = re.compile(
    rb'("datatype": "http://www\.w3\.org/2001/XMLSchema#boolean", "value": ")([01])"'
)


class Virtuoso(Adapter):
    kind = "virtuoso"
    results_media = "application/sparql-results+json"
    graph_param = "graph-uri"
    max_update_operations = 100  # ~1,000 MOVEs in one request: "SQ156 Query too large"
    auth_scheme = "digest"

    def endpoints(self) -> Endpoints:
        return Endpoints(
            query=self.base + "/sparql",
            update=self.base + "/sparql-auth",
            graph_store=self.base + "/sparql-graph-crud-auth",
        )

    def graph_url(self, name: str) -> tuple[str, dict[str, str]]:
        # Reading a graph needs no credentials: the anonymous endpoint.
        return self.base + "/sparql-graph-crud", {self.graph_param: name}

    def timeout_params(self, seconds: float) -> dict[str, str]:
        return {"timeout": str(max(1, int(seconds * 1000)))}

    def check_response(self, response: requests.Response) -> None:
        state = response.headers.get("X-SQL-State", "")
        if state:
            message = response.headers.get("X-SQL-Message", "")
            raise StoreTimeout(f"Virtuoso gave a partial answer ({state}: {message})")

    def prepare(
        self, sparql: str, dataset: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]]]:
        # As protocol parameters, Virtuoso echoes each graph as a response header
        # (X-SPARQL-named-graph), past what HTTP clients accept (100 in Python's):
        # the same dataset as `define` pragmas, which come before the prologue.
        pragmas = "".join(f"define input:{name} <{iri}>\n" for name, iri in dataset)
        return pragmas + sparql, []

    def also_named(self, sparql: str, graphs: Sequence[str]) -> list[str]:
        # Virtuoso answers `GRAPH <g> { ... }` as matching once (ASK true, COUNT 1)
        # when <g> is not among the named-graph-uri: name such graphs too.
        ours = set(graphs)
        return sorted(
            g
            for g in graphs_named(sparql)
            if g not in ours and g != POINTER and not g.startswith(STAGING)
        )

    def error_message(self, text: str) -> str:
        # Virtuoso echoes the query, with kzmig's dataset as `define`s: keep the message.
        return text.split("\nSPARQL query:", 1)[0].strip()

    def fix_body(self, body: bytes) -> bytes:
        return BOOLEAN.sub(
            lambda m: m.group(1) + (b'true"' if m.group(2) == b"1" else b'false"'), body
        )

    def fix_result(self, result: Result) -> Result:
        if isinstance(result, ox.QuerySolutions) and [v.value for v in result.variables] == [
            ASK_COLUMN
        ]:
            rows = list(result)
            value = bool(rows) and str(rows[0][ASK_COLUMN].value) not in ("0", "false")
            answer = b'{"head":{},"boolean":%s}' % (b"true" if value else b"false")
            return ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
        return result

    def stage(
        self,
        session: requests.Session,
        graphs: Sequence[tuple[str, bytes]],
        *,
        quads: bytes,
        timeout: float,
        midway: Callable[[], None] = lambda: None,
    ) -> None:
        store = self.endpoints().graph_store
        assert store is not None
        for i, (name, body) in enumerate(graphs):
            if i == len(graphs) // 2:
                midway()
            response = session.put(
                store,
                params={self.graph_param: name},
                data=body,
                headers={"Content-Type": "application/n-triples"},
                timeout=timeout,
            )
            raise_for(response, f"loading graph <{name}>")


def local_config(folder: Path, *, http_port: int, sql_port: int) -> Path:
    """Write a virtuoso.ini for a throw-away instance in ``folder``, on loopback only.

    Start it with ``virtuoso-t -f -c FOLDER/virtuoso.ini``; user ``dba``,
    password ``dba`` (a fresh database): never expose it beyond 127.0.0.1.
    """
    folder.mkdir(parents=True, exist_ok=True)
    vsp = Path("/var/lib/virtuoso-opensource-7/vsp")
    ini = folder / "virtuoso.ini"
    ini.write_text(
        f"""; A throw-away Virtuoso for kzmig, bound to 127.0.0.1 only.
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
{f"ServerRoot = {vsp}" if vsp.is_dir() else ""}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
""",
        encoding="utf-8",
    )
    return ini

"""Oxigraph server (`oxigraph serve`, from PyPI's `oxigraph`).

Endpoints: queries at ``/query``, updates at ``/update``, the Graph Store
Protocol at ``/store?graph=IRI``. Quirks, as measured with 0.5:

- No per-query timeout parameter: only the server-wide ``--timeout-s``, which
  cancels the evaluation. Start it with one; kzmig also gives up on its side.
- A SPARQL Update request runs in one transaction, and so does a POST of an
  N-Quads document to ``/store`` (without ``no_transaction``): what a push
  stages, and the switch, are all-or-nothing even if the server dies.
- ``union-default-graph`` (parameter or ``--union-default-graph``) unites every
  graph in the store, staging graphs too; kzmig names the release's graphs
  with ``default-graph-uri`` / ``named-graph-uri`` instead.
- Request bodies are limited to 128 MB per SPARQL request (not for ``/store``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import requests

from .adapter import Adapter, Endpoints, raise_for


class OxigraphServer(Adapter):
    kind = "oxigraph"

    def endpoints(self) -> Endpoints:
        return Endpoints(
            query=self.base + "/query",
            update=self.base + "/update",
            graph_store=self.base + "/store",
        )

    def stage(
        self,
        session: requests.Session,
        graphs: Sequence[tuple[str, bytes]],
        *,
        quads: bytes,
        timeout: float,
        midway: Callable[[], None] = lambda: None,
    ) -> None:
        # One request, one transaction: a pusher that dies half-way through the body
        # leaves nothing loaded. (One document also keeps blank nodes shared by graphs.)
        def body() -> Iterator[bytes]:
            half = quads.rfind(b"\n", 0, len(quads) // 2) + 1
            yield quads[:half]
            midway()
            yield quads[half:]

        response = session.post(
            self.base + "/store",
            data=body(),
            headers={"Content-Type": "application/n-quads"},
            timeout=timeout,
        )
        raise_for(response, "loading the release")

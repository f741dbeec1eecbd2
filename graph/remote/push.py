"""``kzmig push``: publish the current release into a remote SPARQL store, all or nothing.

Three steps, so that a push that fails or is killed never shows half a release:

1. **stage**: every named graph ``G`` of release ``V`` (claims, provenance,
   texts, ontology, shapes, inferred) is loaded as ``<urn:x-kzmig:staging:V:G>``;
   staging debris of an earlier, interrupted push is dropped first. Queries
   served by kzmig never see staging graphs: they only ever name the graphs
   the pointer lists (see graph/remote/store.py).
2. **check**: the staged graphs must hold exactly the release's quads.
3. **switch**: one SPARQL Update request drops the graphs of the old release
   that the new one lacks, moves each staged graph onto its public name, and
   rewrites the pointer graph last. How atomic that request is depends on the
   store (docs/remote-stores.md): one transaction in Oxigraph server; in
   Virtuoso, operation by operation, but it only starts once received whole.

Set ``KZMIG_PUSH_PAUSE=<step>:<seconds>`` (step ``loading`` — half-way through
the upload — or ``switch`` — just before it) to hold a push there, which is
how the tests kill a push half-way.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
from kzmig.graph.release.layout import Release
from kzmig.graph.settings import option

from .adapter import StoreError
from .names import P_GRAPH, P_PUSHED, P_VERSION, POINTER, STAGING, staging_name
from .store import RemoteStore


class PushError(RuntimeError):
    """The push did not complete; the release the store served before is unchanged."""


@dataclass
class Pushed:
    version: str
    previous: str | None
    quads: int
    graphs: int
    pushed: bool = True
    timings: dict[str, float] = field(default_factory=dict)


def _pause(step: str, log: Callable[[str], None]) -> Callable[[], None]:
    def pause() -> None:
        wanted = os.environ.get("KZMIG_PUSH_PAUSE", "")
        name, _, seconds = wanted.partition(":")
        if name == step:
            log(f"pausing {seconds} s at {step} (KZMIG_PUSH_PAUSE)")
            time.sleep(float(seconds or 0))

    return pause


def switch_requests(
    version: str,
    graphs: list[str],
    old: tuple[str, ...],
    when: str,
    *,
    batch: int | None = None,
) -> list[str]:
    """The SPARQL Update request(s) that make ``version`` current: drop, move, pointer last.

    One request, unless the store cannot take more than ``batch`` operations in one
    (Virtuoso): then the drops and moves go in batches, and the pointer in the last.
    """
    keep = set(graphs)
    moves = [f"DROP SILENT GRAPH <{g}>" for g in old if g not in keep]
    moves += [f"MOVE SILENT GRAPH <{staging_name(version, g)}> TO GRAPH <{g}>" for g in graphs]
    pointer = ox.NamedNode(POINTER)
    stamp = ox.Literal(when, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
    facts = [
        f"{pointer} <{P_VERSION}> {ox.Literal(version)}",
        f"{pointer} <{P_PUSHED}> {stamp}",
        *(f"{pointer} <{P_GRAPH}> <{g}>" for g in graphs),
    ]
    last = [
        f"DROP SILENT GRAPH {pointer}",
        f"INSERT DATA {{ GRAPH {pointer} {{\n  " + " .\n  ".join(facts) + " }\n}",
    ]
    if batch is None:
        return [" ;\n".join(moves + last)]
    chunks = [moves[i : i + batch] for i in range(0, len(moves), batch)]
    return [" ;\n".join(chunk) for chunk in chunks] + [" ;\n".join(last)]


def push(
    data: Path,
    url: str,
    *,
    force: bool = False,
    log: Callable[[str], None] = lambda _m: None,
    progress: Any = None,
) -> Pushed:
    """Publish the current release of ``data`` into the store at ``url``.

    ``progress`` (graph/console/progress.py) shows each step with its count and time.
    """

    def step(what: str, count: Callable[[], tuple[int, str] | None]) -> Any:
        return progress.stage(what, what, count) if progress else contextlib.nullcontext()

    sent = [0]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    switching, updates = False, []
    release = Release.current(data)
    version = release.version
    with step("read", lambda: (len(quads), "quads read from the release")):
        quads = [q for q in release.store if isinstance(q.graph_name, ox.NamedNode)]
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    try:
        store = RemoteStore(url)
        current = store.pointer()
        previous = current[0] if current else None
        if current and current[0] == version and not force:
            log(f"release {version} is already current in {store.adapter.base}")
            return Pushed(version, previous, len(quads), len(graphs), pushed=False)

        mark = time.perf_counter()
        debris = store.graph_names(STAGING)
        if debris:
            log(f"dropping {len(debris)} staging graphs left by an interrupted push")
            size = store.adapter.max_update_operations or len(debris)
            for i in range(0, len(debris), size):
                store.run_update(
                    " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in debris[i : i + size])
                )
        rename = {g: staging_name(version, g) for g in graphs}
        log(f"staging {len(quads)} quads in {len(graphs)} graphs ({store.kind} store)")
        with step("send", lambda: (sent[0], "bytes of N-Quads sent")):
            sent[0] = store.load_dataset(quads, rename=rename, midway=_pause("loading", log))
        timings["stage"] = round(time.perf_counter() - mark, 3)

        mark = time.perf_counter()
        with step("check", lambda: (staged, "quads counted in the store")):
            staged = store.count(list(rename.values()))
        if staged != len(quads):
            raise PushError(
                f"the store holds {staged} of the {len(quads)} quads staged; "
                "nothing was switched (run the push again)"
            )
        timings["check"] = round(time.perf_counter() - mark, 3)
        log(f"staged and checked; switching to {version}")
        _pause("switch", log)()

        mark = time.perf_counter()
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        old = current[1] if current else ()
        updates = switch_requests(
            version, graphs, old, when, batch=store.adapter.max_update_operations
        )
        switching = True
        with step("switch", lambda: (len(graphs), "graphs switched")):
            for update in updates:
                store.run_update(update)
        after = store.pointer()
        if after is None or after[0] != version:
            raise PushError(f"the switch did not take: the pointer says {after and after[0]}")
        timings["switch"] = round(time.perf_counter() - mark, 3)
    except StoreError as e:
        if switching and len(updates) > 1:
            raise PushError(
                f"{e}\nThe switch failed part-way: run the push again to complete it."
            ) from e
        raise PushError(f"{e}\nThe release served by the store is unchanged.") from e
    timings["total"] = round(time.perf_counter() - started, 3)
    return Pushed(version, previous, len(quads), len(graphs), timings=timings)


@click.command("push")
@click.option(
    "--store",
    "store_url",
    required=True,
    metavar="URL",
    help="The store: oxigraph+http://HOST:PORT, virtuoso+http://HOST:PORT, or a URL whose "
    "kind is told by its Server header. Credentials: user:password@ in the URL, or "
    "$KZMIG_STORE_USER / $KZMIG_STORE_PASSWORD, or $KZMIG_STORE_TOKEN (bearer).",
)
@option("data-dir", help="Push the current release of this data directory. Default: ./var.")
@click.option("--force", is_flag=True, help="Push even when the store already has this release.")
@click.option("--quiet", "-q", is_flag=True, help="No progress; errors only.")
def push_command(store_url: str, data_dir: Path | None, force: bool, quiet: bool) -> None:
    """Publish the current release into a remote SPARQL store, all or nothing.

    Loads every named graph under a staging name, checks it, then switches
    in one update; a push that fails or is killed leaves the store serving
    the release it served before (see docs/remote-stores.md).
    """
    from kzmig.graph.console.progress import reporter
    from kzmig.graph.release.layout import NoRelease
    from kzmig.graph.release.layout import data_dir as default_data_dir

    try:
        with reporter("push", quiet=quiet) as progress:
            outcome = push(
                default_data_dir(data_dir),
                store_url,
                force=force,
                log=progress.note,
                progress=progress,
            )
    except (PushError, NoRelease, ValueError) as e:
        click.echo(f"kzmig push: {e}", err=True)
        sys.exit(1)
    if outcome.pushed and not quiet:
        click.echo(
            f"release {outcome.version} pushed ({outcome.quads} quads in {outcome.graphs} "
            f"graphs; previous: {outcome.previous or 'none'}) in {outcome.timings['total']:.2f}s"
        )

"""Per-process state of the endpoint: the store spec, the query workers.

Created lazily in the process that serves requests (never inherited across a
fork), because worker pipes and threads belong to the process that made them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Flask
from kzmig.graph.release.layout import data_dir
from kzmig.graph.release.store import QueryStore, StoreSpec, load_files, open_store

from .executor import Confinement, Executor
from .lanes import CostBook
from .limits import DEFAULTS, Limits

_lock = threading.Lock()


def spec_for(config: MutableMapping[str, Any]) -> StoreSpec:
    """What store to serve: a StoreSpec given as STORE_SPEC, a remote store, --data files,
    or a release. The one place the server resolves its data directory.

    ``--data`` files are loaded once into an on-disk store (DATA_STORE), so that query
    workers and the update worker of every HTTP process share them: a temporary one
    removed at exit, or the one kept in STORE_DIR (``--store-dir``) across restarts.
    """
    given = config.get("STORE_SPEC")
    if isinstance(given, StoreSpec):
        return given
    data = str(data_dir(config.get("DATA_DIR")))
    if config.get("STORE_URL"):
        return StoreSpec("remote", str(config["STORE_URL"]), data=data)
    writable = bool(config.get("ALLOW_UPDATE"))
    files = list(config.get("DATA_FILES") or [])
    if config.get("STORE_DIR") and not config.get("DATA_STORE"):
        config["DATA_STORE"] = str(kept_store(Path(config["STORE_DIR"]), files))
    if files and not config.get("DATA_STORE"):
        folder = Path(tempfile.mkdtemp(prefix="kzmig-data-"))
        owner = os.getpid()

        def remove() -> None:
            if os.getpid() == owner:  # not in forked children
                shutil.rmtree(folder, ignore_errors=True)

        atexit.register(remove)
        load_files([Path(f) for f in files], folder / "store")
        config["DATA_STORE"] = str(folder / "store")
    if config.get("DATA_STORE"):
        return StoreSpec("disk", str(config["DATA_STORE"]), writable=writable)
    return StoreSpec("release", data)


def kept_store(folder: Path, files: list[str]) -> Path:
    """The store in ``folder`` (``--store-dir``): as it was left, or loaded from ``files``.

    ``store.version`` is written last by a load, so a store without it is a load that
    was interrupted: it is loaded again from scratch.
    """
    store = folder / "store"
    if (folder / "store.version").exists():
        return store
    if not files:
        raise ValueError(f"{folder} holds no store yet: give --data FILE... to load into it")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(store, ignore_errors=True)
    load_files([Path(f) for f in files], store)
    return store


def open_app_store(config: MutableMapping[str, Any]) -> QueryStore:
    """The store the app reads in-process (pages, health); it never writes. The one
    opener: query workers open the same spec (executor.py)."""
    return open_store(replace(spec_for(config), writable=False))


@dataclass
class Runtime:
    pid: int
    limits: Limits
    executor: Executor
    spec: StoreSpec
    costs: CostBook


def get(app: Flask) -> Runtime:
    current: Runtime | None = app.extensions.get("kzmig.runtime")
    if current is not None and current.pid == os.getpid():
        return current
    with _lock:
        current = app.extensions.get("kzmig.runtime")
        if current is not None and current.pid == os.getpid():
            return current
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        limits = Limits.from_config(app.config)
        spec = spec_for(app.config)
        current = Runtime(
            pid=os.getpid(),
            limits=limits,
            executor=Executor(
                spec,
                limits.pool_size - limits.quick_workers,
                quick=limits.quick_workers,
                queue_wait=limits.queue_wait,
                confine=Confinement(limits.network_isolation, limits.max_query_memory),
            ),
            spec=spec,
            costs=CostBook(),
        )
        app.extensions["kzmig.runtime"] = current
        return current

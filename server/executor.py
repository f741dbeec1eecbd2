"""Queries in killable worker processes, a pool that replenishes itself.

A pyoxigraph query can't be interrupted from a thread (no timeout parameter, no
signal, no exception gets in), so each query runs in a worker process of a small
pool owned by the serving process. The request thread sends the job over a pipe
and waits for the reply until the deadline; past it, the worker is killed with
SIGKILL (the CPU is free at once), the request gets 503 + Retry-After, and a new
worker is started in the background to take the dead one's place.

Workers are forked from a forkserver (a clean single-threaded process, safe
under a Rust HTTP server's threads) and each opens the store itself from a
picklable ``StoreSpec``. A worker exits when its pipe closes, so none outlive
the process that owns the pool.

The pool size is the number of queries this process runs at once; a request that
finds every worker busy waits up to ``queue_wait`` seconds and then gets 503.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import queue
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kzmig.graph.store import StoreSpec, open_store

STARTUP_WAIT = 30.0  # seconds a request waits for a worker that is still starting


class Busy(Exception):
    """Every worker is busy: the server is at its concurrent-query cap."""


class TimedOut(Exception):
    """The job ran past its deadline and its worker was killed."""


class WorkerLost(Exception):
    """The worker died while running the job (out of memory, a crash)."""


def _worker_main(conn: Connection, spec: StoreSpec) -> None:
    """A worker: open the store, then answer jobs until the pipe closes."""
    from . import jobs

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owner decides when we stop
    try:
        store = open_store(spec)
    except Exception as e:  # reported to the owner, who reports it to the client
        conn.send_bytes(pickle.dumps({"status": 503, "message": f"store unavailable: {e}"}))
        return
    conn.send_bytes(pickle.dumps({"status": 200, "ready": True}))
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        job = pickle.loads(raw)
        try:
            reply = jobs.run(store, job)
        except Exception as e:  # a bug or a store failure: say so, stay alive
            reply = {"status": 500, "message": f"{type(e).__name__}: {e}", "body": b""}
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


_context_lock = threading.Lock()
_context: Any = None


def _mp_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["kzmig.server.jobs", "kzmig.graph.store"])
            _context = ctx
        return _context


@dataclass
class _Worker:
    process: Any
    conn: Connection


class Executor:
    """A pool of ``size`` worker processes serving one store."""

    def __init__(self, spec: StoreSpec, size: int, *, queue_wait: float = 2.0):
        self.spec = spec
        self.size = size
        self.queue_wait = queue_wait
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self._starting = 0
        self._lock = threading.Lock()
        for _ in range(size):
            self._replace()

    # --- the pool ------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        ctx = _mp_context()
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_worker_main, args=(child, self.spec), daemon=True)
        process.start()
        child.close()
        if not parent.poll(60):
            _kill(process)
            raise WorkerLost("a query worker did not start within 60 s")
        hello = pickle.loads(parent.recv_bytes())
        if not hello.get("ready"):
            _kill(process)
            raise WorkerLost(hello.get("message", "a query worker failed to start"))
        return _Worker(process, parent)

    def _replace(self) -> None:
        """Start a worker in the background; it joins the idle queue when ready."""
        with self._lock:
            self._starting += 1

        def start() -> None:
            try:
                for attempt in range(5):
                    try:
                        worker = self._spawn()
                        break
                    except Exception:
                        time.sleep(0.2 * (attempt + 1))
                else:
                    return
                if self._closed:
                    _kill(worker.process)
                else:
                    self._idle.put(worker)
            finally:
                with self._lock:
                    self._starting -= 1

        threading.Thread(target=start, name="kzmig-executor-spawn", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.conn.close()
            _kill(worker.process)

    def pids(self) -> list[int]:
        """The idle workers' process ids (for tests and /health)."""
        return [w.process.pid for w in list(self._idle.queue)]

    # --- running a job ---------------------------------------------------------------

    def run(
        self, job: dict[str, Any], timeout: float, *, started: float | None = None
    ) -> dict[str, Any]:
        """Run ``job`` in a worker; its reply, or Busy / TimedOut / WorkerLost.

        The deadline is ``timeout`` seconds after ``started`` (a ``time.monotonic()``,
        default now): time spent waiting for a free worker counts against it.
        """
        deadline = (time.monotonic() if started is None else started) + timeout
        try:
            worker = self._idle.get(
                timeout=max(0.0, min(self.queue_wait, deadline - time.monotonic()))
            )
        except queue.Empty:
            if not self._starting:
                raise Busy() from None
            try:  # workers are (re)starting: worth waiting for one, within the deadline
                worker = self._idle.get(
                    timeout=max(0.0, min(STARTUP_WAIT, deadline - time.monotonic()))
                )
            except queue.Empty:
                raise Busy() from None
        try:
            worker.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise TimedOut()
            reply: dict[str, Any] = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            self._discard(worker)
            raise WorkerLost(str(e) or type(e).__name__) from e
        except BaseException:
            if worker.process.is_alive() and not worker.conn.closed:
                self._discard(worker)
            raise
        self._idle.put(worker)
        return reply

    def _discard(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.conn.close()
        _kill(worker.process)
        if not self._closed:
            self._replace()


def _kill(process: Any) -> None:
    with contextlib.suppress(ProcessLookupError, TypeError):
        os.kill(process.pid, signal.SIGKILL)
    threading.Thread(target=process.join, daemon=True).start()

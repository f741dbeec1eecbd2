"""Queries in killable worker processes, in two lanes, pools that replenish themselves.

A pyoxigraph query can't be interrupted from a thread (no timeout parameter, no
signal, no exception gets in), so each query runs in a worker process of a small
pool owned by the serving process. The request thread sends the job over a pipe
and waits for the reply until the deadline; past it, the worker is killed with
SIGKILL (the CPU is free at once), the request gets 503 + Retry-After, and a new
worker is started in the background to take the dead one's place.

Two lanes keep a researcher's point lookup from waiting behind someone's
aggregate (lanes.py decides which queries are quick):

- ``general`` workers run anything; they run at a lower CPU priority (nice), so
  on a small machine the quick lane gets the CPU first;
- ``quick`` workers are reserved for quick queries. A quick query takes any
  idle worker of either lane; a general one never takes a quick worker.

Workers are forked from a forkserver (a clean single-threaded process, safe
under a Rust HTTP server's threads) and each opens the store itself from a
picklable ``StoreSpec``. A worker exits when its pipe closes, so none outlive
the process that owns the pool.

A request that finds no worker free waits up to ``queue_wait`` seconds (within
its deadline) and then gets 503.

Before it opens the store, a worker cuts itself off the network and caps its data
segment (sandbox.py, ``Confinement``), and it runs jobs on a thread with a large
stack: SERVICE and LOAD find no network whatever the query says, a query past the
memory cap aborts its worker (the client gets 503 + Retry-After, ``OutOfMemory``), and
the parser's recursion does not overflow.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kzmig.graph.release.store import StoreSpec, open_store

from . import lifecycle, sandbox

STARTUP_WAIT = 30.0  # seconds a request waits for a worker that is still starting
GENERAL, QUICK = "general", "quick"
log = logging.getLogger("kzmig.query")
GENERAL_NICE = 5  # CPU priority of general workers below the quick lane's


class Busy(Exception):
    """Every worker is busy: the server is at its concurrent-query cap."""


class TimedOut(Exception):
    """The job ran past its deadline and its worker was killed."""


class WorkerLost(Exception):
    """The worker died while running the job (a crash, or killed from outside)."""


class OutOfMemory(WorkerLost):
    """The worker went past its memory cap while running the job and was stopped."""


@dataclass(frozen=True)
class Confinement:
    """What a worker does to itself before it opens the store (server/sandbox.py).

    ``network``: "required" (no worker starts without a working mechanism) or "best"
    (one starts anyway; the HTTP process logs that only the guard remains).
    ``memory``: the data-segment cap in bytes (0: none).
    """

    network: str = "best"
    memory: int = 0


def _worker_main(conn: Connection, spec: StoreSpec, nice: int, confine: Confinement) -> None:
    """A worker: cut itself off the network, cap its memory, open the store, then answer
    jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owner decides when we stop
    lifecycle.unblock_stop_signals()  # the HTTP worker blocks them in its threads
    lifecycle.die_with_parent()  # the forkserver, which exits with the HTTP worker
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    # a remote store is reached over the network: there the guarantee is the store's
    isolation = sandbox.isolate() if spec.kind != "remote" else ["remote store"]
    if not isolation and confine.network == "required":
        conn.send_bytes(
            pickle.dumps(
                {
                    "status": 503,
                    "message": "the query worker could not be cut off "
                    "the network (server/sandbox.py) and this server requires it",
                }
            )
        )
        return
    # the jobs run in a thread with a large stack: the parser recurses (see sandbox.STACK)
    threading.stack_size(sandbox.STACK_BYTES)
    sandbox.limit_memory(confine.memory + sandbox.STACK_BYTES if confine.memory else 0)
    thread = threading.Thread(target=_serve, args=(conn, spec, isolation), name="kzmig-job")
    thread.start()
    thread.join()


def _serve(conn: Connection, spec: StoreSpec, isolation: list[str]) -> None:
    from . import jobs

    try:
        store = open_store(spec)
    except Exception as e:  # reported to the owner, who reports it to the client
        conn.send_bytes(pickle.dumps({"status": 503, "message": f"store unavailable: {e}"}))
        return
    conn.send_bytes(pickle.dumps({"status": 200, "ready": True, "isolation": isolation}))
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        job = pickle.loads(raw)
        try:
            reply = jobs.run(store, job)
        except MemoryError:
            reply = {"status": 503, "message": sandbox.TOO_MUCH_MEMORY, "body": b""}
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
            ctx.set_forkserver_preload(["kzmig.server.jobs", "kzmig.graph.release.store"])
            _context = ctx
        return _context


@dataclass
class _Worker:
    process: Any
    conn: Connection
    lane: str


class Executor:
    """``size`` general workers and ``quick`` quick-lane workers serving one store."""

    def __init__(
        self,
        spec: StoreSpec,
        size: int,
        *,
        queue_wait: float = 2.0,
        quick: int = 0,
        confine: Confinement | None = None,
    ):
        self.spec = spec
        self.confine = confine or Confinement()
        self.isolation: list[str] | None = None  # what the first worker reported
        self.quick = quick
        self.queue_wait = queue_wait
        self._idle: dict[str, list[_Worker]] = {GENERAL: [], QUICK: []}
        self._starting = {GENERAL: 0, QUICK: 0}
        self._closed = False
        self._changed = threading.Condition()
        for _ in range(size):
            self._replace(GENERAL)
        for _ in range(quick):
            self._replace(QUICK)

    # --- the pool ------------------------------------------------------------------

    def _spawn(self, lane: str) -> _Worker:
        ctx = _mp_context()
        parent, child = ctx.Pipe(duplex=True)
        nice = GENERAL_NICE if lane == GENERAL and self.quick else 0
        process = ctx.Process(
            target=_worker_main, args=(child, self.spec, nice, self.confine), daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(60):
            _kill(process)
            raise WorkerLost("a query worker did not start within 60 s")
        hello = pickle.loads(parent.recv_bytes())
        if not hello.get("ready"):
            _kill(process)
            raise WorkerLost(hello.get("message", "a query worker failed to start"))
        if self.isolation is None:
            self.isolation = list(hello.get("isolation") or [])
            if not self.isolation:
                log.warning(
                    "kzmig: WARNING: the query workers could not be cut off the network "
                    "(no network namespace, no seccomp); only the query guard "
                    "(server/guard.py) stands between a query and an outbound request"
                )
        return _Worker(process, parent, lane)

    def _replace(self, lane: str) -> None:
        """Start a worker in the background; it joins its lane's idle list when ready."""
        with self._changed:
            self._starting[lane] += 1

        def start() -> None:
            worker = None
            try:
                for attempt in range(5):
                    try:
                        worker = self._spawn(lane)
                        break
                    except Exception:
                        time.sleep(0.2 * (attempt + 1))
            finally:
                with self._changed:
                    self._starting[lane] -= 1
                    if worker is not None and not self._closed:
                        self._idle[lane].append(worker)
                        worker = None
                    self._changed.notify_all()
                if worker is not None:
                    _kill(worker.process)

        threading.Thread(target=start, name="kzmig-executor-spawn", daemon=True).start()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            workers = self._idle[GENERAL] + self._idle[QUICK]
            self._idle = {GENERAL: [], QUICK: []}
            self._changed.notify_all()
        for worker in workers:
            worker.conn.close()
            _kill(worker.process)

    def pids(self) -> list[int]:
        """The idle workers' process ids (for tests and /health)."""
        with self._changed:
            return [w.process.pid for lane in self._idle.values() for w in lane]

    def _acquire(self, lanes: tuple[str, ...], deadline: float) -> _Worker:
        """An idle worker of the first lane in ``lanes`` that has one, waiting if none has."""
        waited_from = time.monotonic()
        with self._changed:
            while True:
                for lane in lanes:
                    if self._idle[lane]:
                        return self._idle[lane].pop()
                now = time.monotonic()
                starting = any(self._starting[lane] for lane in lanes)
                # while workers are (re)starting, one is worth waiting for, within the deadline
                limit = min(deadline, waited_from + (STARTUP_WAIT if starting else self.queue_wait))
                if self._closed or now >= limit:
                    raise Busy()
                self._changed.wait(limit - now)

    def _release(self, worker: _Worker) -> None:
        with self._changed:
            if self._closed:
                worker.conn.close()
                _kill(worker.process)
                return
            self._idle[worker.lane].append(worker)
            self._changed.notify_all()

    # --- running a job ---------------------------------------------------------------

    def run(
        self,
        job: dict[str, Any],
        timeout: float,
        *,
        started: float | None = None,
        quick: bool = False,
    ) -> dict[str, Any]:
        """Run ``job`` in a worker; its reply, or Busy / TimedOut / WorkerLost.

        The deadline is ``timeout`` seconds after ``started`` (a ``time.monotonic()``,
        default now): time spent waiting for a free worker counts against it. The reply
        says in ``seconds`` how long the worker took.
        """
        deadline = (time.monotonic() if started is None else started) + timeout
        worker = self._acquire((QUICK, GENERAL) if quick else (GENERAL,), deadline)
        try:
            sent = time.monotonic()
            worker.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise TimedOut()
            reply: dict[str, Any] = pickle.loads(worker.conn.recv_bytes())
            reply["seconds"] = time.monotonic() - sent
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            died_of = _died_of(worker.process)
            self._discard(worker)
            if died_of == signal.SIGABRT and self.confine.memory:
                raise OutOfMemory(str(e) or type(e).__name__) from e
            raise WorkerLost(str(e) or type(e).__name__) from e
        except TimedOut:
            raise
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker)
        return reply

    def _discard(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.conn.close()
        _kill(worker.process)
        if not self._closed:
            self._replace(worker.lane)


def _died_of(process: Any) -> int | None:
    """The signal that ended a worker (it has exited or been killed), or None."""
    process.join(timeout=1)
    code = process.exitcode
    return -code if code is not None and code < 0 else None


def _kill(process: Any) -> None:
    with contextlib.suppress(ProcessLookupError, TypeError):
        os.kill(process.pid, signal.SIGKILL)
    threading.Thread(target=process.join, daemon=True).start()

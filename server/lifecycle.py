"""How the server's processes stop: every time on Ctrl-C, and all together when one dies.

Two mechanisms, both in the kernel rather than in anyone's good behaviour:

- **Stop signals reach a thread that acts on them.** granian's Python handlers for
  SIGINT/SIGTERM only run when the signal interrupts the *main* thread, which sleeps
  in a lock wait; the kernel delivers a process-directed signal to any thread that
  does not block it, often one of granian's Rust threads, and then the main thread
  sleeps on (Ctrl-C left the server running in 3 of 5 tries, issue #14). So
  :func:`route_stop_signals` blocks them in the calling thread *before* the other
  threads exist (a new thread inherits its creator's mask) and waits for them in one
  thread of its own with ``sigwait``, which then calls the handler installed for the
  signal (granian's, which wakes the main thread through an event).
- **Children die with their parent** (:func:`die_with_parent`): ``prctl(PR_SET_PDEATHSIG,
  SIGKILL)``, so that ``kill -9`` of the main process takes the HTTP workers with it;
  their query workers follow (the forkserver exits when its owner's pipe closes, and
  each query worker has the same parent-death signal).
"""

from __future__ import annotations

import _thread
import ctypes
import ctypes.util
import os
import signal
import threading

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

_routed_in: int | None = None  # the process whose forwarding thread runs


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; whether it could.

    On a kernel or libc without prctl this is a no-op (False): the process then stops
    only when its pipes to the parent close.
    """
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), sig)
    return True


def route_stop_signals(*, ignore: frozenset[int] = frozenset()) -> None:
    """Deliver SIGINT and SIGTERM to a thread that acts on them (see the module's docstring);
    signals in ``ignore`` are taken and dropped.

    An HTTP worker ignores SIGINT: Ctrl-C reaches the whole process group, and the
    worker stops when the main process tells it to (SIGTERM), so that the main
    process sees an orderly stop rather than a worker that left on its own.

    Call it in the main thread before any other thread starts. Processes forked later
    inherit the blocked mask and must call this too (the HTTP workers do), or
    :func:`unblock_stop_signals` (the query workers do).
    """
    global _routed_in
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    if _routed_in == os.getpid():  # a forked child has the flag but not the thread
        return
    _routed_in = os.getpid()
    threading.Thread(
        target=_forward_forever, args=(ignore,), name="kzmig-stop-signals", daemon=True
    ).start()


def unblock_stop_signals() -> None:
    """Undo an inherited block: this process stops on SIGINT/SIGTERM as it normally would."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _forward_forever(ignore: frozenset[int]) -> None:
    while True:
        sig = signal.sigwait(STOP_SIGNALS)
        if sig in ignore:
            continue
        handler = signal.getsignal(sig)
        if handler == signal.SIG_IGN:
            continue
        if handler is signal.default_int_handler:  # KeyboardInterrupt in the main thread
            _thread.interrupt_main(signal.Signals(sig))
        elif callable(handler):  # granian's, which only sets an event: safe in any thread
            handler(sig, None)
        else:  # SIG_DFL: stop as the default action would
            os._exit(128 + sig)

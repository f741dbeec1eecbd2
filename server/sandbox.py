"""No network and a memory cap in the query workers, set by the kernel, not by reading queries.

pyoxigraph makes HTTP requests itself for ``SERVICE`` and ``LOAD`` and has no switch
to turn that off, and any reader of the query text other than the engine's own parser
will disagree with it somewhere (``ex:a\\#``, ``\\u`` escapes...). So a query worker
cuts itself off the network before it opens the store, and whatever a query says,
the engine finds no network to reach:

1. ``unshare(CLONE_NEWNET)``: a network namespace of its own, with only a loopback
   interface that is down; ``connect`` fails with ``ENETUNREACH``. Needs
   CAP_SYS_ADMIN (root, or a container that grants it).
2. Refused (not root): ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``, the same inside a
   user namespace of its own, which an unprivileged process may make where the
   kernel allows user namespaces.
3. In addition, where ``libseccomp.so.2`` loads: a seccomp filter that makes
   ``socket(AF_INET / AF_INET6 / AF_PACKET)`` and ``io_uring_setup`` fail with
   ``EACCES``; once loaded it cannot be lifted by the process.

Pipes made before (the worker's pipe to its HTTP process) keep working. What is in
effect is reported to the HTTP process (``isolate`` returns the mechanisms' names);
``kzmig serve`` probes it at start-up (``probe``) and refuses to start with updates on
or on a non-loopback host when none works (kzmig.graph.cli.main).

Python 3.11 has no ``os.unshare``, hence ctypes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import resource
import socket
import subprocess
import sys
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

NETNS = "network namespace"
USERNS = "user + network namespace"
SECCOMP = "seccomp socket filter"

# The stack of the thread that runs jobs in a worker. pyoxigraph's parser recurses:
# 50,000 nested ``!`` overflow the default 8 MiB and kill the process; this much is
# address space reserved, not memory used (pages are touched only as deep as it goes).
STACK_BYTES = 256 * 1024 * 1024
TOO_MUCH_MEMORY = (
    "the query used more memory than this server allows one query (--max-query-memory) "
    "and was stopped; ask for less (LIMIT, fewer or shorter computed values)"
)

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_EQ = 4
_EACCES = 13


def _scmp_act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    """libseccomp's ``struct scmp_arg_cmp``."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _unshare(flags: int) -> int:
    """0, or the errno of a refused ``unshare(flags)``."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno() or -1


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def _user_namespace() -> bool:
    uid, gid = os.getuid(), os.getgid()
    if _unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return False
    # map ourselves to ourselves, so that files keep their owners inside
    with contextlib.suppress(OSError):
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    return True


def seccomp_no_inet() -> bool:
    """Load a seccomp filter refusing internet sockets and io_uring; False where impossible."""
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return False
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        return False
    try:
        deny = _scmp_act_errno(_EACCES)
        sock = lib.seccomp_syscall_resolve_name(b"socket")
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET):
            arg = _ArgCmp(0, _SCMP_CMP_EQ, int(family), 0)
            if lib.seccomp_rule_add_array(ctx, deny, sock, 1, ctypes.byref(arg)) != 0:
                return False
        uring = lib.seccomp_syscall_resolve_name(b"io_uring_setup")
        if uring >= 0 and lib.seccomp_rule_add_array(ctx, deny, uring, 0, None) != 0:
            return False
        return lib.seccomp_load(ctx) == 0
    finally:
        lib.seccomp_release(ctx)


def isolate() -> list[str]:
    """Cut this process off the network; the mechanisms now in effect (empty: none).

    Call it in a single-threaded process (a user namespace needs that), before the
    store opens.
    """
    done = []
    if _unshare(CLONE_NEWNET) == 0:
        done.append(NETNS)
    elif _user_namespace():
        done.append(USERNS)
    if seccomp_no_inet():
        done.append(SECCOMP)
    return done


def limit_memory(max_bytes: int | None) -> None:
    """Cap this process's data segment (heap and private anonymous maps) at ``max_bytes``.

    RLIMIT_DATA, not RLIMIT_AS: RocksDB maps the store's files and reserves thread
    stacks, so the address space grows with the store, not with the query; under a
    small RLIMIT_AS the store does not even open (measured in docs/security.md).
    Past the cap, allocations fail and pyoxigraph aborts the worker, which the executor
    reports and replaces.
    """
    if not max_bytes:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


_PROBE = (
    "import json, socket\n"
    "from kzmig.server.sandbox import isolate\n"
    "done = isolate()\n"
    "try:\n"
    "    socket.create_connection(('127.0.0.1', int(__import__('sys').argv[1])), timeout=2)\n"
    "    reached = True\n"
    "except OSError:\n"
    "    reached = False\n"
    "print(json.dumps({'mechanisms': done, 'reached': reached}))\n"
)


def probe() -> list[str]:
    """What ``isolate`` achieves on this machine, checked in a fresh process that then
    tries to reach a listener of ours (empty: nothing stops a query from connecting out)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    try:
        found = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return []
    return [] if found["reached"] else list(found["mechanisms"])


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def startup(config: dict[str, Any], host: str) -> dict[str, Any]:
    """The configuration to serve with, once the isolation this machine allows is known.

    With network isolation working, every query worker is required to have it. Without
    it, a server that accepts updates or listens beyond loopback does not start; a
    loopback read-only one starts and says that only the guard remains. A remote store
    (``--store``) evaluates SERVICE and LOAD itself: off loopback, the operator must say
    it is isolated (``--store-is-isolated``). Raises SystemExit with the reason.
    """
    if config.get("STORE_URL"):
        if not _loopback(host) and not config.get("STORE_IS_ISOLATED"):
            raise SystemExit(
                f"kzmig serve: --store on {host}: the store evaluates SERVICE and LOAD itself, "
                "so this server can't stop a query from making it connect out. Set the store "
                "up without outbound network (docs/security.md, 'remote stores') and "
                "pass --store-is-isolated, or listen on 127.0.0.1."
            )
        return config
    found = probe()
    if found:
        print(
            f"kzmig serve: query workers run with no network ({', '.join(found)})", file=sys.stderr
        )
        return {**config, "NETWORK_ISOLATION": "required"}
    if config.get("ALLOW_UPDATE") or not _loopback(host):
        raise SystemExit(
            "kzmig serve: this machine refuses both network namespaces and seccomp, so query "
            "workers could be made to connect out (SERVICE, LOAD); refusing to start with "
            f"{'--allow-update' if config.get('ALLOW_UPDATE') else f'--host {host}'}. Run as "
            "root, allow user namespaces (sysctl kernel.unprivileged_userns_clone=1) or "
            "install libseccomp2."
        )
    print(
        "kzmig serve: WARNING: query workers can't be cut off the network on this machine; "
        "only the query guard (server/guard.py) refuses SERVICE and LOAD",
        file=sys.stderr,
    )
    return config

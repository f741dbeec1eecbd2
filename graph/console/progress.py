"""Progress of long work (build stages, push, dumps): live on a terminal, plain lines elsewhere.

On a terminal, a rich progress display shows the stage running (a spinner and its
elapsed time, or a bar when the total is known), and each finished stage stays as
one line with its count and time. When stderr is not a terminal (CI, a pipe, a log
file) there is no animation and no escape code: one plain line per finished stage,
``kzmig build: validate: 48,211 triples validated (0.84 s)``. ``--quiet`` prints
nothing. rich is the kept library for this (it is also what renders the lines);
the library code only calls :class:`Stages`, so it never touches the terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol

Count = tuple[int | float, str]  # (how many, of what): (1234, "claims anchored")


class Stages(Protocol):
    """What library code reports to: the start and end of each stage, with a count."""

    def stage(
        self, name: str, what: str, count: Callable[[], Count | None] | None = None
    ) -> contextlib.AbstractContextManager[Any]: ...


class Silent:
    """Reports nothing (--quiet, and the default of library calls)."""

    def note(self, text: str) -> None:
        """A line of news between stages (dropped when quiet)."""

    @contextlib.contextmanager
    def stage(
        self, name: str, what: str, count: Callable[[], Count | None] | None = None
    ) -> Iterator[None]:
        yield


def _amount(count: Count | None) -> str:
    if count is None:
        return ""
    n, unit = count
    if unit.split(" ", 1)[0] == "bytes":  # "bytes sent" -> "5.9 MB sent"
        return " ".join([_bytes(float(n)), *unit.split(" ", 1)[1:]])
    return f"{n:,} {unit}"


def _bytes(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} GB"


def is_terminal(stream: IO[str]) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


class Plain:
    """One line per finished stage; no animation, no escape codes (pipes, CI, logs)."""

    def __init__(self, command: str, stream: IO[str] | None = None):
        self.command, self.stream = command, stream or sys.stderr

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @contextlib.contextmanager
    def stage(
        self, name: str, what: str, count: Callable[[], Count | None] | None = None
    ) -> Iterator[None]:
        start = time.perf_counter()
        yield
        amount = _amount(count() if count else None)
        took = time.perf_counter() - start
        detail = f"{amount} ({took:.2f} s)" if amount else f"done ({took:.2f} s)"
        print(f"kzmig {self.command}: {what}: {detail}", file=self.stream, flush=True)


class Live:
    """rich's live display on a terminal: the running stage animates, finished ones stay."""

    def __init__(self, command: str, stream: IO[str] | None = None):
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.command = command
        self.console = Console(file=stream or sys.stderr, force_terminal=True)
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            TextColumn("[cyan]{task.fields[amount]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )

    def note(self, text: str) -> None:
        self.progress.console.print(text, markup=False, highlight=False)

    def __enter__(self) -> Live:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    @contextlib.contextmanager
    def stage(
        self, name: str, what: str, count: Callable[[], Count | None] | None = None
    ) -> Iterator[None]:
        task = self.progress.add_task(what, total=1, amount="")
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            self.progress.update(task, description=f"[red]{what} (failed)[/]")
            self.progress.stop_task(task)
            raise
        amount = _amount(count() if count else None)
        took = time.perf_counter() - start
        self.progress.update(task, completed=1, amount=f"{amount}  {took:.2f} s".strip())
        self.progress.stop_task(task)


@contextlib.contextmanager
def reporter(command: str, *, quiet: bool = False, stream: IO[str] | None = None) -> Iterator[Any]:
    """The right reporter for ``stream`` (stderr): Silent, Live on a terminal, else Plain."""
    stream = stream or sys.stderr
    if quiet:
        yield Silent()
    elif is_terminal(stream):
        with Live(command, stream) as live:
            yield live
    else:
        yield Plain(command, stream)

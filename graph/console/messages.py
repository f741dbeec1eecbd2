"""One form for every error and warning of `kzmig build`, `check` and `fmt`.

``path:line: level [code] message``, the path relative to the project root and
terms written with their prefixes, then an indented ``hint:`` line saying how to
fix it. Editors and CI annotators read the first line; people read both.

Warnings a project has looked at and accepted are *acknowledged* in
``.kzmig-acknowledged.toml`` at the project root (docs/messages.md): they are
counted in the summary line instead of being printed on every run. Errors can
never be acknowledged. Colour only when the stream is a terminal (and $NO_COLOR
is unset).
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ACK_FILE = ".kzmig-acknowledged.toml"
LEVELS = ("error", "warning")

_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "hint": "\033[2m", "path": "\033[1m"}
_RESET = "\033[0m"


@dataclass(frozen=True, order=True)
class Message:
    """One finding, printable as ``path:line: level [code] message`` plus a hint."""

    path: str  # relative to the project root; "" when no file is to blame
    line: int  # 0 when unknown
    level: str  # "error" or "warning"
    code: str  # a short stable name, e.g. "syntax", "shacl", "missing-domain-range"
    text: str
    hint: str = ""

    @property
    def where(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or "-"

    def format(self, colour: bool = False) -> str:
        def c(kind: str, s: str) -> str:
            return f"{_COLOURS[kind]}{s}{_RESET}" if colour else s

        first = f"{c('path', self.where)}: {c(self.level, self.level)} [{self.code}] {self.text}"
        return first + (f"\n    {c('hint', 'hint: ' + self.hint)}" if self.hint else "")

    def __str__(self) -> str:
        return self.format(False)


def use_colour(stream: IO[str] | None = None) -> bool:
    """Colour on terminals only; $NO_COLOR turns it off, $FORCE_COLOR on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


# -- prefixed names and relative paths ------------------------------------------------------

_IRI = re.compile(r"<([^<>\s]+)>")


def curie(iri: str) -> str:
    """``kzo:Region`` for a full IRI where a kzmig prefix fits; ``<iri>`` otherwise."""
    from kzmig.names import PREFIXES

    best = ("", "")
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best[1]):
            local = iri[len(ns) :]
            if re.fullmatch(r"[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*", local):
                best = (prefix, ns)
    if best[1]:
        return f"{best[0]}:{iri[len(best[1]) :]}"
    return f"<{iri}>"


def shorten(text: str) -> str:
    """Every ``<full IRI>`` in a text written as a prefixed name where one fits."""
    return _IRI.sub(lambda m: curie(m.group(1)), text)


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is under it (never an absolute machine path)."""
    p = Path(path)
    if not p.is_absolute():
        return str(path)
    try:
        return str(p.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


# -- acknowledged warnings ------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledgement:
    """An accepted warning: its code, and text its message contains (and optionally its file)."""

    code: str
    match: str
    reason: str
    path: str = ""

    def covers(self, m: Message) -> bool:
        return (
            m.level == "warning"
            and m.code == self.code
            and self.match in m.text
            and (not self.path or m.path == self.path)
        )


class AcknowledgementError(ValueError):
    """The acknowledgement file is not as documented (docs/messages.md)."""


def load_acknowledgements(root: Path) -> list[Acknowledgement]:
    """The project's acknowledged warnings (none when the file is absent)."""
    path = root / ACK_FILE
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise AcknowledgementError(f"{ACK_FILE}: not valid TOML: {e}") from e
    out = []
    for n, entry in enumerate(data.get("acknowledged", []), 1):
        missing = [k for k in ("code", "match", "reason") if not str(entry.get(k, "")).strip()]
        if missing:
            raise AcknowledgementError(
                f"{ACK_FILE}: [[acknowledged]] entry {n} needs {', '.join(missing)} "
                "(code: the [code] of the warning; match: text of its message; "
                "reason: why it is accepted)"
            )
        out.append(
            Acknowledgement(
                str(entry["code"]), str(entry["match"]), str(entry["reason"]), entry.get("path", "")
            )
        )
    return out


def split_acknowledged(
    messages: Iterable[Message], acks: Sequence[Acknowledgement]
) -> tuple[list[Message], list[Message]]:
    """(messages to show, acknowledged warnings)."""
    shown: list[Message] = []
    acked: list[Message] = []
    for m in messages:
        (acked if any(a.covers(m) for a in acks) else shown).append(m)
    return shown, acked


def summary(command: str, shown: Sequence[Message], acknowledged: int, extra: str = "") -> str:
    errors = sum(1 for m in shown if m.level == "error")
    warnings = sum(1 for m in shown if m.level == "warning")
    line = f"kzmig {command}: {errors} errors, {warnings} warnings"
    if acknowledged:
        line += f" ({acknowledged} acknowledged in {ACK_FILE}, not shown)"
    return line + (f" {extra}" if extra else "")


def echo(messages: Iterable[Message], stream: IO[str] | None = None) -> None:
    """Print each message on ``stream`` (stderr by default), in colour on a terminal."""
    stream = stream or sys.stderr
    colour = use_colour(stream)
    for m in messages:
        print(m.format(colour), file=stream)


# -- the build's problems -------------------------------------------------------------------

_STAGE_HINTS = {
    "vocabulary": "fix the Turtle there (`kzmig check` finds the same problems, with more)",
    "texts": "see docs/claim-sheets.md for a source folder's layout",
    "claims": "fix the claim sheet at that line (docs/claim-sheets.md)",
    "reason": "fix the claim's rdf:type or the class axiom (`kzmig check` shows it too)",
    "validate": "make the claim's triples fit the shape (shapes/), or fix the shape",
    "lock": "wait for the other build to finish",
}
_WHERE = re.compile(r"^(?P<path>.*?):(?P<line>\d+)$")


def build_message(problem: object, stage: str, root: Path) -> Message:
    """A problem raised by the build (loaders.errors.Problem or text) in the one form."""
    path, line, text = "", 0, str(problem)
    from kzmig.loaders.errors import Problem

    if isinstance(problem, Problem):
        path, line, text = problem.path, problem.line or 0, problem.message
        m = _WHERE.match(path)
        if m and not line:  # "sheet.yaml:12" given as the path
            path, line = m["path"], int(m["line"])
    code = stage
    if text.startswith("SHACL: "):  # "SHACL: <focus> path <p> message" from check_shapes
        code = "shacl"
        text = re.sub(r"^SHACL: (<[^>]*>) (?:path (<[^>]*>) )?", _shacl_subject, text)
    elif text.startswith("inconsistent"):
        code = "inconsistent"
    hint = _STAGE_HINTS.get(stage, "")
    if "To fix: " in text:
        text, _, hint = text.partition(" To fix: ")
        hint = hint.rstrip(".")
    return Message(relative(path, root) if path else "", line, "error", code, shorten(text), hint)


def _shacl_subject(m: re.Match[str]) -> str:
    subject = " ".join(x for x in (m[1], m[2]) if x)
    return f"SHACL: {subject}: "

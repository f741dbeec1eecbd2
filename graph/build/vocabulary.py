"""Read the hand-edited Turtle of ontology/ and shapes/, with errors at file:line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
from kzmig.loaders.errors import InputError, Problem
from rdflib import Graph


def turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ttl"))


def _position(path: Path, error: Exception) -> tuple[int | None, str]:
    """Ask pyoxigraph where the syntax error is: it reports line and column."""
    try:
        list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as e:
        return e.lineno, str(e.msg if hasattr(e, "msg") else e)
    except Exception:
        pass
    match = re.search(r"line (\d+)", str(error))
    return (int(match.group(1)) if match else None), str(error).strip().splitlines()[-1]


def read_turtle(paths: list[Path], root: Path) -> Graph:
    """Parse every file into one graph; InputError lists each file that fails."""
    graph = Graph()
    problems = []
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as e:
            line, message = _position(path, e)
            problems.append(
                Problem(
                    str(path.relative_to(root)),
                    line,
                    f"not valid Turtle: {message}. Fix the syntax there "
                    "(`kzmig check` lists every problem).",
                )
            )
    if problems:
        raise InputError(problems)
    return graph


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

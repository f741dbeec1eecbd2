"""What a build keeps for the next one: each text's validation report, the reasoning's and
the rules' results, keyed by the hash of everything that can change them.

Why: a rebuild after one edited text validated, reasoned and derived over every text
again. The keys cover every input of a result, so a result is reused only where
recomputing it would give the same bytes:

- a text's validation report (graph/semantics/parts.py): the text's own files
  (sources/<id>/*), the ontology, the shapes and the rules (their files' SHA-256), the
  code that turns them into triples and validates them (the .py files of kzmig.graph,
  kzmig.loaders, kzmig.names), and the versions of pyshacl, rdflib, pyoxigraph,
  reasonable and owlrl;
- the reasoning and the rules: the asserted triples they read (claims and ontology, as
  sorted N-Triples), the reasoner's name, the rules' files, the same code and versions.

The entries live in ``<data-dir>/cache/`` (one file each, written atomically), beside the
releases and never inside one: a failed build may leave an entry (it is keyed by content,
so it is right for whatever build next has those inputs) but it never touches a release.
After a build is published, entries it did not use are removed. ``rm -r <data-dir>/cache``
is always safe: the next build recomputes everything. docs/build.md says more.

Measured at 1M quads (bench/builds.py, shared 2-core machine under load): reused, the
reason stage took 0.5 s instead of 3.2 s, the rules 0.3 s instead of 0.5 s, the validate
stage 20 s instead of 66 s; the whole build 84 s instead of 131 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from kzmig.graph.semantics import reason
from kzmig.graph.semantics.derive import Derived, Rule, _rdflib
from kzmig.graph.semantics.derive import derive as derive_rules
from kzmig.graph.semantics.quads import to_ox
from kzmig.graph.semantics.reason import Reasoning
from rdflib import BNode
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

FOLDER = "cache"
# Bump when what is stored, or how it is keyed, changes.
SCHEME = "kzmig-reuse-1"
_ENGINES = ("pyshacl", "rdflib", "pyoxigraph", "reasonable", "owlrl")


def _code_digest() -> str:
    """SHA-256 over the source of the packages whose code shapes the build's results."""
    import kzmig.loaders
    import kzmig.names

    h = hashlib.sha256()
    graph = Path(__file__).resolve().parents[1]  # kzmig.graph
    for package in (graph, Path(kzmig.loaders.__file__), Path(kzmig.names.__file__)):
        base = package.resolve() if package.is_dir() else package.resolve().parent
        for path in sorted(base.rglob("*.py")):
            h.update(f"{path.relative_to(base.parent)}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _engines() -> str:
    out = []
    for name in _ENGINES:
        try:
            out.append(f"{name}={package_version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return ",".join(out)


class Reuse:
    """The cache of one data directory, for one build's inputs."""

    def __init__(self, data: Path, inputs: dict[str, str]):
        self.folder = data / FOLDER
        self.inputs = inputs
        self.used: set[Path] = set()
        self.reused: list[str] = []  # what was taken from the cache, for the report
        self.computed: list[str] = []  # what was computed and stored
        h = hashlib.sha256(f"{SCHEME}\0{_engines()}\0{_code_digest()}\0".encode())
        for path, d in sorted(inputs.items()):
            if path.startswith(("ontology/", "shapes/", "rules/")):
                h.update(f"{path}\0{d}\n".encode())
        self._shared = h.digest()

    def source_key(self, source_id: str) -> str:
        """The key of one text's results: its files, and everything shared."""
        h = hashlib.sha256(self._shared)
        prefix = f"sources/{source_id}/"
        for path, d in sorted(self.inputs.items()):
            if path.startswith(prefix):
                h.update(f"{path}\0{d}\n".encode())
        return h.hexdigest()

    def all_key(self, what: str) -> str:
        """The key of a result of every text (reasoning, rules) made by ``what``: all the
        inputs. (Not the triples' own hash: the ontology's blank nodes are named anew by
        every parse.)"""
        h = hashlib.sha256(self._shared + what.encode() + b"\0")
        for path, d in sorted(self.inputs.items()):
            if path.startswith("sources/"):
                h.update(f"{path}\0{d}\n".encode())
        return h.hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.nt"

    def get(self, kind: str, key: str, label: str = "") -> bytes | None:
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self.used.add(path)
        self.reused.append(f"{kind}:{label or key[:12]}")
        return data

    def put(self, kind: str, key: str, data: bytes, label: str = "") -> None:
        """Store an entry (atomically: a killed build leaves no half-written one). A cache
        that can't be written is no error: the build just won't reuse it."""
        path = self._path(kind, key)
        self.used.add(path)
        self.computed.append(f"{kind}:{label or key[:12]}")
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def prune(self) -> None:
        """Remove the entries this build did not use (after it is published), and what a
        killed build left half-written."""
        with contextlib.suppress(OSError):
            for path in self.folder.rglob("*.nt*"):
                if path not in self.used:
                    path.unlink(missing_ok=True)


# -- the cached stages -------------------------------------------------------------------------


def _to_bytes(triples: Iterable[tuple[Any, Any, Any]], graph: str | None = None) -> bytes:
    g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples)  # type: ignore[arg-type]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _from_bytes(data: bytes) -> Iterator[tuple[str, tuple[Any, Any, Any]]]:
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        yield g, (_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object))


def closure(reuse: Reuse | None, triples: list[Triple], reasoner: str) -> Reasoning:
    """reason.closure, or its result for the same triples from the cache (a consistent one:
    an inconsistent graph fails the build, and is recomputed to say why)."""
    if reuse is None:
        return reason.closure(triples, reasoner)
    key = reuse.all_key(f"reason:{reasoner}")
    kept = reuse.get("reason", key, "reasoning")
    if kept is not None:
        inferred = [t for _, t in _from_bytes(kept)]
        return reason.Reasoning(inferred, [], reason.REASONERS[reasoner])
    result = reason.closure(triples, reasoner)
    if not result.inconsistencies and not _blank(result.inferred):
        reuse.put("reason", key, _to_bytes(result.inferred), "reasoning")
    return result


def derive(reuse: Reuse | None, rules: list[Rule], triples: list[Triple]) -> list[Derived]:
    """derive.derive, or its result for the same triples and rule files from the cache."""
    if reuse is None:
        return derive_rules(rules, triples)
    key = reuse.all_key("rules")
    kept = reuse.get("rules", key, "rules")
    if kept is not None:
        by_rule: dict[str, list[Triple]] = {str(r.path): [] for r in rules}
        for g, t in _from_bytes(kept):
            by_rule[g.removeprefix(_RULE)].append(t)
        return [Derived(r, tuple(by_rule[str(r.path)])) for r in rules]
    out = derive_rules(rules, triples)
    if not any(_blank(d.triples) for d in out):
        data = b"".join(_to_bytes(d.triples, _RULE + str(d.rule.path)) for d in out)
        reuse.put("rules", key, data, "rules")
    return out


_RULE = "urn:kzmig:rule:"


def _blank(triples: Iterable[Triple]) -> bool:
    """A blank node is named anew by every parse: a result holding one is not kept."""
    return any(isinstance(term, BNode) for t in triples for term in t)

"""The build: sources, ontology and shapes in; a published release out.

Stages, each a function with one job, run in order by :func:`build`:

1. ``read_vocabulary``  parse ontology/ and shapes/
2. ``read_texts``       read sources/, segment each text
3. ``read_claims``      read each claim sheet, anchor every quote, check its figures
   ``check_inputs``     refuse what ``kzmig check`` rejects (its errors, at file:line)
4. ``assemble``         claim graphs, provenance, text structure, ontology, shapes
5. ``infer``            OWL 2 RL closure into the inferred graph; consistency checks
   ``apply_rules``      the declared rules (rules/*.rq) on the asserted data, into it too
6. ``check_shapes``     SHACL on the asserted data
   ``differences``      figures of one fact that differ between sources (warnings)
7. ``publish``          store, dumps, report; then the atomic swap of ``current``

Any failure raises before ``publish`` swaps anything: the release being
served stays exactly as it was.

Long because: the publish stage (staging folder, fsync, atomic swap, pruning) still
lives here with the stages it follows; it belongs in graph/release/ (issue #15).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import multiprocessing as mp
import os
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from kzmig.graph.editor.check import Inputs, build_stage_problems
from kzmig.graph.release.dumps import write_dumps
from kzmig.graph.release.format import RELEASE_FORMAT
from kzmig.graph.release.layout import MANIFEST, Release, current_folder, is_complete
from kzmig.graph.release.search_index import FILENAME as SEARCH_FILE
from kzmig.graph.release.search_index import build_index
from kzmig.graph.semantics.derive import Derived, read_rules
from kzmig.graph.semantics.parts import splittable, validate_parts
from kzmig.graph.semantics.quads import Quads, to_ox, to_ox_quads
from kzmig.graph.semantics.reason import Reasoning
from kzmig.graph.semantics.validate import Validation, validate
from kzmig.loaders.errors import InputError, Problem
from kzmig.loaders.sheets import Claim, read_sheet
from kzmig.loaders.sources import SourceText, discover, read_source
from kzmig.loaders.text import Segmentation, segment
from kzmig.names import (
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPH_PROVENANCE,
    GRAPH_SHAPES,
    KZO,
    file_iri,
    source_iri,
)
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from . import provenance as prov
from . import reuse as cache
from .figures import differences
from .vocabulary import digest, read_turtle, turtle_files

SOFTWARE_VERSION = package_version("kzmig")
T = TypeVar("T")


class BuildError(RuntimeError):
    """A stage failed; nothing was published. ``str()`` says what, where, how to fix."""

    def __init__(self, stage: str, problems: list[Problem] | list[str]):
        self.stage = stage
        self.items = list(problems)  # as raised: Problem (path, line, message) or text
        self.problems = [str(p) for p in problems]
        super().__init__(f"build failed at stage '{stage}':\n  " + "\n  ".join(self.problems))


@dataclass
class Text:
    source: SourceText
    segmentation: Segmentation


@dataclass
class Report:
    """What a build did: counts, timings, validation. Saved as report.json."""

    version: str
    timings: dict[str, float] = field(default_factory=dict)
    # CPU seconds per stage, this process and its finished children (the forked workers):
    # above the wall time when a stage used both cores
    cpu: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)
    # where each stage's start, end and count are shown (graph/console/progress.py)
    progress: Any = field(default=None, repr=False, compare=False)

    @contextlib.contextmanager
    def stage(
        self,
        name: str,
        where: Path | None = None,
        *,
        what: str | None = None,
        count: Callable[[], tuple[int, str] | None] | None = None,
    ) -> Iterator[None]:
        shown = self.progress.stage(name, what or name, count) if self.progress else None
        start, cpu = time.perf_counter(), _cpu()
        try:
            with shown or contextlib.nullcontext(), failing_as(name, where):
                yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 4)
            self.cpu[name] = round(_cpu() - cpu, 4)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextlib.contextmanager
def failing_as(stage: str, where: Path | None = None) -> Iterator[None]:
    """Turn bad input and OS errors (a full disk, a read-only folder) into a BuildError.

    ``where`` names the folder being written, for OS errors that carry no file name.
    """
    try:
        yield
    except InputError as e:
        raise BuildError(stage, e.problems) from e
    except OSError as e:
        raise BuildError(stage, [os_problem(e, where)]) from e


def os_problem(e: OSError, where: Path | None = None) -> str:
    """An OS error as what failed, where, and what to do."""
    what = f"{e.filename}: {e.strerror}" if e.filename else str(e)
    if where is not None and not e.filename and str(where) not in what:
        what = f"{what} (writing {where})"
    if e.errno == errno.ENOSPC or "No space left" in str(e):
        hint = "free space on that disk (or build into another --data-dir), then build again"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or "ermission denied" in str(e):
        hint = "make it writable (or build into another --data-dir), then build again"
    else:
        hint = "fix the cause, then build again"
    return f"{what}. To fix: {hint}."


def inputs_of(root: Path) -> dict[str, str]:
    """Every input file of a build, by path relative to ``root``, with its SHA-256."""
    files = [*turtle_files(root / "ontology"), *turtle_files(root / "shapes")]
    files += sorted((root / "rules").glob("*.rq"))
    files += sorted(p for p in (root / "sources").rglob("*") if p.is_file())
    return {str(p.relative_to(root)): digest(p) for p in files}


def inputs_hash(inputs: dict[str, str]) -> str:
    h = hashlib.sha256(SOFTWARE_VERSION.encode())
    for path, d in sorted(inputs.items()):
        h.update(f"{path}\0{d}\n".encode())
    return h.hexdigest()


# -- stages ----------------------------------------------------------------------------------


def read_vocabulary(root: Path) -> tuple[Graph, Graph]:
    return (
        read_turtle(turtle_files(root / "ontology"), root),
        read_turtle(turtle_files(root / "shapes"), root),
    )


def read_texts(root: Path) -> list[Text]:
    folders = discover(root / "sources")
    if not folders:
        raise InputError([Problem("sources/", None, "no source text (sources/<id>/text.txt)")])
    texts = []
    for folder in folders:
        source = read_source(folder)
        texts.append(Text(source, segment(source.text, run_in_headings=source.run_in_headings)))
    return texts


def read_claims(texts: list[Text], root: Path) -> dict[str, list[Claim]]:
    claims, problems = {}, []
    sheets = _read_sheets(texts)
    for t in texts:
        path = t.source.sheet_path
        if not path.is_file():
            problems.append(
                Problem(
                    str(path.relative_to(root)),
                    None,
                    "missing claim sheet (see docs/claim-sheets.md)",
                )
            )
            continue
        read, failed = sheets[t.source.id]
        if read is not None:
            claims[t.source.id] = read
        problems += [
            Problem(
                str(Path(p.path).relative_to(root)) if Path(p.path).is_absolute() else p.path,
                p.line,
                p.message,
            )
            for p in failed
        ]
    if problems:
        raise InputError(problems)
    return claims


SheetResult = tuple[list[Claim] | None, list[Problem]]
_SHEETS_IN_PARALLEL_FROM = 8  # texts; below that, forking costs more than it saves
_FORKED_TEXTS: list[Text] = []


def _read_one(i: int) -> SheetResult:
    t = _FORKED_TEXTS[i]
    try:
        return read_sheet(t.source.sheet_path, t.source, t.segmentation), []
    except InputError as e:
        return None, list(e.problems)


def _read_sheets(texts: list[Text]) -> dict[str, SheetResult]:
    """Each text's claims (or problems); many texts are read by forked processes in parallel."""
    global _FORKED_TEXTS
    texts = [t for t in texts if t.source.sheet_path.is_file()]
    _FORKED_TEXTS = texts
    try:
        workers = min(2, os.cpu_count() or 1)
        if len(texts) < _SHEETS_IN_PARALLEL_FROM or workers < 2:
            results = [_read_one(i) for i in range(len(texts))]
        else:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.map(_read_one, range(len(texts)), chunksize=4)
    finally:
        _FORKED_TEXTS = []
    return {t.source.id: r for t, r in zip(texts, results, strict=True)}


def check_inputs(
    root: Path,
    ontology: Graph | None = None,
    shapes: Graph | None = None,
    claims: dict[str, list[Claim]] | None = None,
) -> None:
    """The errors of ``kzmig check`` fail the build here, before reasoning and SHACL.

    Given the graphs and claims the build has read, the checks read those instead of
    parsing every file again (#18): 0.6 s less on the seed (2 cores, shared machine).
    """
    inputs = None
    if ontology is not None and shapes is not None and claims is not None:
        inputs = Inputs.of_build(root, ontology, shapes, [c for cs in claims.values() for c in cs])
    problems = build_stage_problems(root, inputs)
    if problems:
        raise BuildError("check", problems)


@dataclass
class BySource:
    """Each text's own quads, and where q's quads of no text are (before ``start``, from
    ``end``): what validation splits by source (graph/semantics/parts.py)."""

    parts: dict[str, Quads] = field(default_factory=dict)
    start: int = 0
    end: int = 0

    def common(self, q: Quads) -> list[tuple[Any, Any, Any]]:
        """The triples of q that no text made, less the ontology, shapes and inferences."""
        skip = (GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_INFERRED)
        quads = list(q)
        return [
            (s, p, o) for s, p, o, g in quads[: self.start] + quads[self.end :] if g not in skip
        ]


def assemble(
    texts: list[Text],
    claims: dict[str, list[Claim]],
    ontology: Graph,
    shapes: Graph,
    run: prov.Run,
    inputs: dict[str, str],
    by_source: BySource | None = None,
) -> Quads:
    from .annotations import annotate
    from .texts import text_quads

    q = Quads()
    q.add_all(ontology, GRAPH_ONTOLOGY)
    q.add_all(shapes, GRAPH_SHAPES)
    prov.graph_quads(
        GRAPH_ONTOLOGY,
        KZO.OntologyGraph,
        q,
        derived_from=[prov.file_iri(p) for p in inputs if p.startswith("ontology/")],
    )
    prov.graph_quads(
        GRAPH_SHAPES,
        KZO.ShapesGraph,
        q,
        derived_from=[prov.file_iri(p) for p in inputs if p.startswith("shapes/")],
    )
    start = len(q)
    for t in texts:
        part = Quads()
        prov.source_quads(t.source, part)
        g = text_quads(t.source, t.segmentation, part)
        annotate(t.source, t.segmentation, ontology, run, part)
        prov.graph_quads(
            g, KZO.TextGraph, part, derived_from=[source_iri(t.source.id)], generated_by=run.iri
        )
        prov.claim_quads(claims.get(t.source.id, []), t.source, t.segmentation, run, part)
        q.merge(part)
        if by_source is not None:
            by_source.parts[t.source.id] = part
    if by_source is not None:
        by_source.start, by_source.end = start, len(q)
    prov.graph_quads(GRAPH_PROVENANCE, KZO.ProvenanceGraph, q, generated_by=run.iri)
    return q


def asserted_triples(q: Quads, claims: dict[str, list[Claim]]) -> list[tuple[Any, Any, Any]]:
    """The claims' triples and the ontology: what reasoning and validation read."""
    out = [t for cs in claims.values() for c in cs for t in c.triples]
    return out + q.graph(GRAPH_ONTOLOGY)


def infer(
    q: Quads,
    claims: dict[str, list[Claim]],
    run: prov.Run,
    root: Path | None = None,
    reasoner: str = "reasonable",
    reuse: cache.Reuse | None = None,
) -> Reasoning:
    result = cache.closure(reuse, asserted_triples(q, claims), reasoner)
    if result.inconsistencies:
        where = _claims_about(claims)
        raise InputError(
            [
                Problem(
                    where.get(i.subject) or _stated_in(root, "ontology", i.subject),
                    None,
                    f"inconsistent ({i.rule}): {i.message}. Fix the type or the class axiom.",
                )
                for i in result.inconsistencies
            ]
        )
    q.add_all(result.inferred, GRAPH_INFERRED)
    activity = run.stage("reasoning")
    q.add(activity, RDF.type, prov.PROV.Activity, GRAPH_PROVENANCE)
    q.add(activity, prov.PROV.wasInformedBy, run.iri, GRAPH_PROVENANCE)
    q.add(activity, prov.KZO.reasoner, prov.Literal(result.engine), GRAPH_PROVENANCE)
    prov.graph_quads(
        GRAPH_INFERRED,
        KZO.InferredGraph,
        q,
        generated_by=activity,
        used=[GRAPH_ONTOLOGY, *(c.iri for cs in claims.values() for c in cs)],
    )
    return result


def apply_rules(
    q: Quads,
    claims: dict[str, list[Claim]],
    run: prov.Run,
    root: Path,
    reuse: cache.Reuse | None = None,
) -> list[Derived]:
    """The declared rules (rules/*.rq) on the asserted data, into the inferred graph."""
    rules = read_rules(root)
    derived = cache.derive(reuse, rules, asserted_triples(q, claims))
    # One activity generates the inferred graph (shapes/provenance.ttl): the reasoning,
    # which used the ontology and the claims, and now the rule files as well.
    activity = run.stage("reasoning")
    for d in derived:
        q.add_all(d.triples, GRAPH_INFERRED)
        q.add(activity, prov.PROV.used, file_iri(d.rule.path.as_posix()), GRAPH_PROVENANCE)
    return derived


def check_shapes(
    q: Quads,
    claims: dict[str, list[Claim]],
    shapes: Graph,
    by_source: BySource | None = None,
    reuse: cache.Reuse | None = None,
    run: prov.Run | None = None,
) -> Validation:
    if by_source is not None and by_source.parts and splittable(shapes):
        result = _shapes_by_source(q, shapes, by_source, reuse, run)
    else:
        data = [(s, p, o) for s, p, o, g in q if g not in (GRAPH_SHAPES, GRAPH_INFERRED)]
        result = validate(data, shapes)
    if result.violations:
        where = _claims_about(claims)
        raise InputError(
            [
                Problem(
                    where.get(r.focus, "shapes/"),
                    None,
                    f"SHACL: <{r.focus}> {('path <' + r.path + '> ') if r.path else ''}{r.message}",
                )
                for r in result.violations
            ]
        )
    return result


def _shapes_by_source(
    q: Quads,
    shapes: Graph,
    by_source: BySource,
    reuse: cache.Reuse | None,
    run: prov.Run | None,
) -> Validation:
    """Validation split by source text, each text's report reused while its key holds."""
    parts = {sid: [(s, p, o) for s, p, o, _ in part] for sid, part in by_source.parts.items()}
    keys = {sid: reuse.source_key(sid) for sid in parts} if reuse else {}
    known = {}
    for sid, key in keys.items():
        kept = reuse.get("validate", key, sid) if reuse else None
        if kept is not None:
            known[sid] = kept
    done = validate_parts(
        parts,
        by_source.common(q),
        q.graph(GRAPH_ONTOLOGY),
        shapes,
        known=known,
        run_iri=str(run.iri) if run else "",
    )
    if reuse:
        for sid in done.computed:
            reuse.put("validate", keys[sid], done.reports[sid], sid)
    return done.validation


def _stated_in(root: Path | None, folder: str, iri: str) -> str:
    """'folder/file.ttl:line' of the first line naming ``iri`` (in full or by local name)."""
    if root is None:
        return f"{folder}/"
    local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    for path in turtle_files(root / folder):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if f"<{iri}>" in line or (local and f":{local}" in line.split("#", 1)[0]):
                    return f"{path.relative_to(root)}:{n}"
    return f"{folder}/"


def _claims_about(claims: dict[str, list[Claim]]) -> dict[str, str]:
    """Subject IRI -> 'sheet:line' of the first claim that states something about it."""
    where: dict[str, str] = {}
    for cs in claims.values():
        for c in cs:
            for s, _, _ in c.triples:
                where.setdefault(str(s), f"{c.sheet}:{c.line}")
            where.setdefault(str(c.iri), f"{c.sheet}:{c.line}")
    return where


def publish(
    data: Path,
    q: Quads,
    texts: list[Text],
    claims: dict[str, list[Claim]],
    report: Report,
    validation: Validation,
    manifest: dict[str, Any],
    keep: int,
) -> Path:
    """Write the release into staging, then move it in and swap ``current`` atomically."""
    # unique per attempt: a failed attempt's store may stay locked in this process
    staging = data / "staging" / f"{report.version}-{secrets.token_hex(4)}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_release(staging, q, texts, claims, report, validation, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = data / "releases" / report.version
    link = data / f".current.{os.getpid()}"
    try:
        with failing_as("swap", data):
            final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging, final)
            _fsync_dir(final.parent)
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            os.symlink(Path("releases") / report.version, link)
            os.replace(link, data / "current")
    except BaseException:
        # Not swapped in: take the release (and the half-made link) out again.
        with contextlib.suppress(OSError):
            link.unlink()
        if (data / "current").resolve() != final:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):  # published: what follows is housekeeping
        _fsync_dir(data)
        _prune(data, keep)
    return final


def _write_release(
    staging: Path,
    q: Quads,
    texts: list[Text],
    claims: dict[str, list[Claim]],
    report: Report,
    validation: Validation,
    manifest: dict[str, Any],
) -> None:
    """Everything a release holds, into ``staging``; the manifest last."""
    with failing_as("write", staging):
        staging.mkdir(parents=True)
        with report.stage(
            "store", staging / "store", what="store", count=lambda: (len(q), "quads loaded")
        ):
            # In memory first: pyoxigraph dumps from memory ~10x faster than from disk;
            # the on-disk store is then filled from the memory one (same blank node ids).
            store = ox.Store()
            store.bulk_extend(to_ox_quads(q))
        with report.stage(
            "dumps",
            staging / "dumps",
            what="dumps",
            count=lambda: (
                sum(f.stat().st_size for f in (staging / "dumps").iterdir()),
                "bytes written",
            ),
        ):
            claim_triples = [
                to_ox_triple(t) for cs in claims.values() for c in cs for t in c.triples
            ]
            files = write_dumps(
                store,
                staging / "dumps",
                report.version,
                parts={
                    "claims": ("The union of all claim graphs, Turtle", claim_triples),
                    "ontology": (
                        "The ontology, Turtle",
                        map(to_ox_triple, q.graph(GRAPH_ONTOLOGY)),
                    ),
                    "shapes": (
                        "The SHACL shapes, Turtle",
                        map(to_ox_triple, q.graph(GRAPH_SHAPES)),
                    ),
                },
            )
        with report.stage("search", staging / SEARCH_FILE, what="search"):
            build_index(
                lambda q, s=store: s.query(q, use_default_graph_as_union=True),
                staging / SEARCH_FILE,
                provenance=str(GRAPH_PROVENANCE),
            )
        with report.stage(
            "disk", staging / "store", what="written", count=lambda: (len(q), "quads written")
        ):
            disk = ox.Store(str(staging / "store"))
            disk.bulk_extend(store)
            disk.flush()
            del disk, store
        (staging / "sources").mkdir()
        for t in texts:
            (staging / "sources" / f"{t.source.id}.txt").write_text(
                t.source.text, "utf-8", newline=""
            )
        validation.report.serialize(staging / "validation.ttl", format="turtle")
        manifest["dumps"] = [f.as_dict() for f in files]
        manifest["report"] = {
            "timings": report.timings,
            "cpu": report.cpu,
            "counts": report.counts,
            "validation": report.validation,
        }
        manifest["complete"] = True
        _fsync_tree(staging)  # the manifest says "complete": make it true on disk first
        _write_synced(staging / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))


def to_ox_triple(t: tuple[Any, Any, Any]) -> ox.Triple:
    return ox.Triple(to_ox(t[0]), to_ox(t[1]), to_ox(t[2]))  # type: ignore[arg-type]


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        elif path.is_dir():
            _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(data: Path, keep: int) -> None:
    """Keep the newest ``keep`` complete releases (always the current one); drop debris."""
    current = current_folder(data)
    releases = sorted(
        (p for p in (data / "releases").iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True
    )
    complete = [p for p in releases if is_complete(p)]
    for p in releases:
        if p != current and (p not in complete[:keep]):
            # Move it out of releases/ first (atomic), so a kill half-way through the
            # delete leaves staging debris, never a half-deleted "complete" release.
            trash = data / "staging" / f"pruned-{p.name}.{os.getpid()}"
            trash.parent.mkdir(exist_ok=True)
            os.rename(p, trash)
            shutil.rmtree(trash, ignore_errors=True)


def _clean_staging(data: Path) -> None:
    """Remove what builds killed half-way left in staging/ (their pid is gone)."""
    for p in (data / "staging").glob("*.*"):
        pid = p.name.rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
    for link in data.glob(".current.*"):  # a link made just before a kill, never swapped in
        pid = link.name.rsplit(".", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            link.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _new_version(data: Path, now: datetime) -> str:
    base = now.strftime("%Y%m%dT%H%M%SZ")
    version, n = base, 1
    while (data / "releases" / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


@dataclass(frozen=True)
class Outcome:
    release: Release
    built: bool  # False when --if-changed found nothing new
    report: dict[str, Any]


def build(
    root: Path,
    data: Path,
    *,
    if_changed: bool = False,
    keep: int = 3,
    reasoner: str = "reasonable",
    log: Callable[[str], None] = lambda _: None,
    progress: Any = None,
    reuse_results: bool = True,
) -> Outcome:
    """Build a release from ``root`` (ontology/, shapes/, sources/) into ``data``."""
    root, data = root.resolve(), data.resolve()
    with failing_as("prepare"):
        data.mkdir(parents=True, exist_ok=True)
    with _lock(data):
        with failing_as("prepare"):
            _clean_staging(data)
            inputs = inputs_of(root)
        digest_all = inputs_hash(inputs)
        if if_changed:
            try:
                existing = Release.current(data)
            except Exception:
                existing = None
            if (
                existing is not None
                and existing.manifest.get("inputs_hash") == digest_all
                and existing.manifest.get("reasoner", "reasonable") == reasoner
            ):
                log(f"release {existing.version} is up to date (inputs unchanged)")
                return Outcome(existing, False, existing.manifest.get("report", {}))
        started = datetime.now(UTC)
        version = _new_version(data, started)
        run = prov.Run(version, SOFTWARE_VERSION, started)
        report = Report(version, progress=progress)
        total = time.perf_counter()
        with report.stage(
            "vocabulary",
            what="vocabulary",
            count=lambda: (len(ontology) + len(shapes), "triples read"),
        ):
            ontology, shapes = read_vocabulary(root)
        with report.stage("texts", what="texts", count=lambda: (len(texts), "texts segmented")):
            texts = read_texts(root)
        with report.stage(
            "claims",
            what="claims",
            count=lambda: (sum(map(len, claims.values())), "claims anchored"),
        ):
            claims = read_claims(texts, root)
        with report.stage("check", what="check"):
            check_inputs(root, ontology, shapes, claims)
        with report.stage("assemble", what="assemble", count=lambda: (len(q), "quads assembled")):
            by_source = BySource()
            q = assemble(texts, claims, ontology, shapes, run, inputs, by_source)
        reuse = cache.Reuse(data, inputs) if reuse_results else None
        with report.stage(
            "reason", what="reason", count=lambda: (len(reasoning.inferred), "triples inferred")
        ):
            reasoning = infer(q, claims, run, root, reasoner, reuse)
        with report.stage("rules", what="rules"):
            derived = apply_rules(q, claims, run, root, reuse)
        with report.stage(
            "validate",
            what="validate",
            count=lambda: (
                sum(1 for *_, g in q if g not in (GRAPH_SHAPES, GRAPH_INFERRED)),
                "triples validated",
            ),
        ):
            validation = check_shapes(q, claims, shapes, by_source, reuse, run)
        del by_source
        with report.stage("figures"):
            differing = differences((c for cs in claims.values() for c in cs), root)
        ended = datetime.now(UTC)
        prov.run_quads(run, ended, inputs, q)
        report.counts = _counts(q, texts, claims, reasoning)
        report.counts["derived_by_rules"] = {
            d.rule.path.as_posix(): len(d.triples) for d in derived
        }
        report.validation = {
            "conforms": validation.conforms,
            "results": Counter(r.severity for r in validation.results),
            "messages": [f"{r.severity}: <{r.focus}> {r.message}" for r in validation.results],
            # warnings, not errors: sources disagree, and the graph keeps every figure
            "differing_figures": [d.as_dict() for d in differing],
        }
        manifest = {
            "format": RELEASE_FORMAT,
            "version": version,
            "software_version": SOFTWARE_VERSION,
            "created": ended.isoformat(timespec="seconds"),
            "inputs_hash": digest_all,
            "reasoner": reasoner,
            "inputs": inputs,
            "sources": [
                {
                    "id": t.source.id,
                    "title": t.source.title,
                    "licence": t.source.licence,
                    "attribution": t.source.attribution,
                }
                for t in texts
            ],
        }
        if reuse is not None:
            report.counts["reused"] = sorted(reuse.reused)
            report.counts["computed"] = sorted(reuse.computed)
        folder = publish(data, q, texts, claims, report, validation, manifest, keep)
        if reuse is not None:
            reuse.prune()
        report.timings["total"] = round(time.perf_counter() - total, 4)
        release = Release.open(folder)
        return Outcome(release, True, release.manifest["report"] | {"timings": report.timings})


@contextlib.contextmanager
def _lock(data: Path) -> Iterator[None]:
    try:
        lock = (data / "build.lock").open("w")
    except OSError as e:
        raise BuildError("lock", [os_problem(e)]) from e
    with lock as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise BuildError("lock", [f"another build is running on {data}; wait for it"]) from e
        yield


def _counts(
    q: Quads, texts: list[Text], claims: dict[str, list[Claim]], reasoning: Reasoning
) -> dict[str, Any]:
    per_graph: Counter[str] = Counter()
    for _, _, _, g in q:
        per_graph[_graph_kind(g, claims)] += 1
    classes: Counter[str] = Counter()
    for cs in claims.values():
        for c in cs:
            for _, p, o in c.triples:
                if p == RDF.type:
                    classes[str(o)] += 1
    all_claims = [c for cs in claims.values() for c in cs]
    return {
        "quads": len(q),
        "claims": len(all_claims),
        "evidence": sum(len(c.evidence) for c in all_claims),
        "claims_with_attribution": sum(1 for c in all_claims if c.attribution is not None),
        "claim_triples": sum(len(c.triples) for c in all_claims),
        "inferred_triples": len(reasoning.inferred),
        "sentences": sum(len(t.segmentation.sentences) for t in texts),
        "sources": len(texts),
        "quads_per_graph": dict(sorted(per_graph.items())),
        "types_asserted_by_claims": dict(sorted(classes.items())),
    }


def _graph_kind(g: URIRef, claims: dict[str, list[Claim]]) -> str:
    name = str(g)
    if "/claim/" in name:
        return "claims"
    return name.rsplit("/graph/", 1)[-1].split("/", 1)[0]

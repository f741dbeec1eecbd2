"""Build faults: every broken input, a full disk and `kill -9` leave the served release as it was.

A live `kzmig serve` answers before and after each fault; its answers must not
change by a byte, the build must say what failed and where (file:line or the
path on disk), and nothing half-written may stay behind.

Long because: one table of faults, each planted in a copy and checked the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from kzmig.graph.build import pipeline as build_module
from kzmig.graph.build.pipeline import BuildError, build
from kzmig.graph.release.layout import Release, is_complete
from kzmig.graph.release.store import ReleaseStore

from tests.fixtures.faults.kit import (
    ALL_QUADS,
    CLAIM_TRIPLES,
    POINT,
    answers,
    ask,
    build_popen,
    copy_project,
    grow_project,
    kzmig,
    serving,
)

SHEET = "sources/mini/claims.yaml"


@dataclass(frozen=True)
class Served:
    data: Path
    base: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A release of the fault-test project, served by a real `kzmig serve`."""
    tmp = tmp_path_factory.mktemp("faults")
    data = tmp / "data"
    build(copy_project(tmp / "good"), data)
    with serving(["--data-dir", str(data)], data.parent / "server.log") as server:
        base = server.base
        yield Served(data, base)


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line holding ``needle``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def releases(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "releases").iterdir())


def debris(data: Path) -> list[str]:
    """Whatever a build left behind that is not a release: staging folders, swap links."""
    staged = (
        sorted(p.name for p in (data / "staging").iterdir()) if (data / "staging").is_dir() else []
    )
    return staged + sorted(p.name for p in data.glob(".current.*"))


# -- broken inputs ----------------------------------------------------------------------------
# Each fault: what to break, the stage that must refuse it, and where it must point.
# ``where`` is a function of the broken project, since a line number depends on the file.


def _malformed_ontology(p: Path) -> str:
    (p / "ontology/zz-broken.ttl").write_text(
        "@prefix kzo: <https://w3id.org/kzmig/ontology#> .\n\nkzo:X a kzo:Y kzo:Z .\n"
        "kzo:W a kzo:Y .\n",
        encoding="utf-8",
    )
    return r"ontology/zz-broken\.ttl:3\b"


def _malformed_shapes(p: Path) -> str:
    (p / "shapes/zz-broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n[ a sh:NodeShape ; sh:path ] .\n",
        encoding="utf-8",
    )
    return r"shapes/zz-broken\.ttl:2\b"


def _bad_quote(p: Path) -> str:
    edit(p / SHEET, "32 thousand people", "33 thousand people")
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-moved')}:.*does not occur"


def _bad_yaml(p: Path) -> str:
    with (p / SHEET).open("a", encoding="utf-8") as f:
        f.write('  - id: "unterminated\n    quote: x\n')
    return rf"{SHEET}:\d+:.*not valid YAML"


def _bad_claim_turtle(p: Path) -> str:
    edit(p / SHEET, 'kzo:personCount "32000"^^xsd:integer .', "kzo:personCount 32000 ] .")
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-moved')}:.*not valid Turtle"


def _figure_not_in_quote(p: Path) -> str:
    edit(p / SHEET, '"32000"^^xsd:integer', '"33000"^^xsd:integer')
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-moved')}:.*does not state"


def _shacl_violation(p: Path) -> str:
    edit(p / SHEET, "kzo:approvedBy agency:government-of-kazakhstan", 'kzo:approvedBy "the state"')
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-approved')}:.*SHACL"


def _inconsistent_claim(p: Path) -> str:
    edit(p / SHEET, "program:enbek a kzo:ResettlementProgram", "program:enbek a kzo:Place")
    edit(p / SHEET, "kzo:Place ;", "kzo:Place , kzo:ResettlementProgram ;")
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-approved')}:.*inconsistent"


def _inconsistent_ontology(p: Path) -> str:
    with (p / "ontology/mini.ttl").open("a", encoding="utf-8") as f:
        # labelled, so that `kzmig check`'s stage lets it through to the reasoner
        f.write('kzo:oddity a kzo:Place , kzo:Program ; rdfs:label "oddity"@en .\n')
    return rf"ontology/mini\.ttl:{line_of(p / 'ontology/mini.ttl', 'kzo:oddity')}:.*inconsistent"


def _second_english_label(p: Path) -> str:
    edit(p / "ontology/mini.ttl", '"Place"@en ,', '"Place"@en , "Location"@en ,')
    line = line_of(p / "ontology/mini.ttl", "kzo:Place a")
    return rf"ontology/mini\.ttl:{line}:.*multiple-labels"


def _text_changed_under_claims(p: Path) -> str:
    edit(p / "sources/mini/text.txt", "32 thousand people", "thirty-two thousand people")
    return rf"{SHEET}:{line_of(p / SHEET, 'id: enbek-moved')}:.*does not occur"


def _text_not_utf8(p: Path) -> str:
    with (p / "sources/mini/text.txt").open("ab") as f:
        f.write(b"\xff\xfe\xc3(")
    return r"sources/mini/text\.txt.*not UTF-8"


def _source_yaml_broken(p: Path) -> str:
    edit(p / "sources/mini/source.yaml", "reference_year: 2022", "reference_year: [2022")
    return r"sources/mini/source\.yaml.*not valid YAML"


def _sheet_missing(p: Path) -> str:
    (p / SHEET).unlink()
    return rf"{SHEET}.*missing claim sheet"


FAULTS: dict[str, tuple[Callable[[Path], str], str]] = {
    "malformed-turtle-ontology": (_malformed_ontology, "vocabulary"),
    "malformed-turtle-shapes": (_malformed_shapes, "vocabulary"),
    "claim-bad-quote": (_bad_quote, "claims"),
    "claim-sheet-bad-yaml": (_bad_yaml, "claims"),
    "claim-bad-turtle": (_bad_claim_turtle, "claims"),
    "claim-figure-not-in-quote": (_figure_not_in_quote, "claims"),
    "shacl-violation": (_shacl_violation, "validate"),
    "inconsistent-claim": (_inconsistent_claim, "reason"),
    "inconsistent-ontology": (_inconsistent_ontology, "reason"),
    "check-error-in-ontology": (_second_english_label, "check"),
    "source-text-changed-under-claims": (_text_changed_under_claims, "claims"),
    "source-text-not-utf8": (_text_not_utf8, "texts"),
    "source-yaml-broken": (_source_yaml_broken, "texts"),
    "claim-sheet-missing": (_sheet_missing, "claims"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_broken_input_is_refused_and_the_release_keeps_serving(
    fault: str, served: Served, tmp_path: Path
) -> None:
    breaks, stage = FAULTS[fault]
    project = copy_project(tmp_path / "project")
    where = breaks(project)
    before, kept = answers(served.base), releases(served.data)

    result = kzmig("build", "--root", str(project), "--data-dir", str(served.data))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"build failed at stage '{stage}'" in result.stderr, result.stderr
    assert re.search(where, result.stderr), f"{where!r} not in:\n{result.stderr}"
    assert "current release is unchanged" in result.stderr
    assert answers(served.base) == before
    assert releases(served.data) == kept
    assert debris(served.data) == []


# -- a full disk ------------------------------------------------------------------------------


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


@contextlib.contextmanager
def tiny_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (skips when mounting is not allowed)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip()}); "
            "test_injected_write_errors covers a full disk without one"
        )
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.mark.slow  # a build per failure point: ~15-30 s
def test_full_disk_fails_cleanly_at_every_point(tmp_path: Path) -> None:
    """Fill a tiny filesystem to several levels: each build fails, says so, frees its space."""
    project = grow_project(tmp_path / "project", 60)
    with tiny_filesystem(tmp_path / "disk", "32m") as disk:
        data = disk / "data"
        first = build(project, data).release
        size = sum(f.stat().st_size for f in first.folder.rglob("*") if f.is_file())
        with serving(["--data-dir", str(data)], tmp_path / "server.log") as server:
            base = server.base
            before = answers(base)
            filler = disk / "filler"
            failed = 0
            # Leave less room than a release needs, in steps: the build runs out of space
            # in a different place each time (the store, the dumps, the texts, the manifest).
            for left in [0, 4096, size // 16, size // 8, size // 4, size // 2, (size * 3) // 4]:
                filler.unlink(missing_ok=True)
                free_before = _free(disk)
                with filler.open("wb") as f, contextlib.suppress(OSError):
                    f.write(b"\0" * max(0, free_before - left))
                free_at_start = _free(disk)
                result = kzmig("build", "--root", str(project), "--data-dir", str(data))
                assert result.returncode == 1, f"left {left}: {result.stdout}{result.stderr}"
                failed += 1
                assert "Traceback" not in result.stderr, result.stderr
                assert re.search(r"build failed at stage '\w+'", result.stderr), result.stderr
                assert "No space left on device" in result.stderr, result.stderr
                assert str(data) in result.stderr or "--data-dir" in result.stderr
                assert "current release is unchanged" in result.stderr
                assert answers(base) == before
                assert Release.current(data).version == first.version
                assert releases(data) == [first.version]
                assert debris(data) == []
                assert _free(disk) >= free_at_start  # a failed build gives its space back
            filler.unlink()
            result = kzmig("build", "--root", str(project), "--data-dir", str(data))
            assert result.returncode == 0, result.stderr
            version, body = answers(base)
            assert version != first.version and body != before[1]
            assert ask(base, CLAIM_TRIPLES).content == _claims_of(first)
    print(f"\nfull disk: {failed} failed builds, 0 releases lost")


def test_read_only_data_directory_fails_cleanly(tmp_path: Path) -> None:
    """The disk holding the data directory turns read-only: the build says so, nothing lost."""
    project = copy_project(tmp_path / "project")
    with tiny_filesystem(tmp_path / "disk", "8m") as disk:
        data = disk / "data"
        first = build(project, data).release
        with serving(["--data-dir", str(data)], tmp_path / "server.log") as server:
            before = answers(server.base)
            remount = subprocess.run(
                ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True
            )
            assert remount.returncode == 0, remount.stderr
            try:
                result = kzmig("build", "--root", str(project), "--data-dir", str(data))
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
            assert result.returncode == 1, result.stdout + result.stderr
            assert "Traceback" not in result.stderr, result.stderr
            assert "Read-only file system" in result.stderr and str(data) in result.stderr
            assert "current release is unchanged" in result.stderr
            assert answers(server.base) == before
            assert Release.current(data).version == first.version
            assert releases(data) == [first.version]


def _claims_of(release: Release) -> bytes:
    """The claim triples of a release, as the server would answer CLAIM_TRIPLES."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(release.folder / "store"))
    result = store.query(CLAIM_TRIPLES, use_default_graph_as_union=True)
    return result.serialize(format=ox.QueryResultsFormat.CSV)  # type: ignore[union-attr]


def _enospc(what: str) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), what)


def _under(path: object, data: Path) -> bool:
    return str(path).startswith(str(data))


INJECTIONS = [
    "store",
    "dumps",
    "texts",
    "validation",
    "fsync",
    "manifest",
    "rename",
    "symlink",
    "replace",
]


@pytest.mark.parametrize("point", INJECTIONS)
def test_injected_write_errors(point: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write error (ENOSPC) at each write of a build: BuildError, old release untouched."""
    project = copy_project(tmp_path / "project")
    data = tmp_path / "data"
    first = build(project, data).release
    store = ReleaseStore(data)
    before = list(store.query(ALL_QUADS))  # type: ignore[arg-type]

    if point == "store":
        real_quads = build_module.to_ox_quads

        def failing_quads(q):  # type: ignore[no-untyped-def]
            for n, quad in enumerate(real_quads(q)):
                if n == 50:
                    raise _enospc(str(data / "staging"))
                yield quad

        monkeypatch.setattr(build_module, "to_ox_quads", failing_quads)
    elif point == "dumps":

        def failing_dumps(store, folder, *a, **k):  # type: ignore[no-untyped-def]
            folder.mkdir()
            (folder / "half.nq").write_text("<a> <b> <c> .")
            raise _enospc(str(folder / "half.nq"))

        monkeypatch.setattr(build_module, "write_dumps", failing_dumps)
    elif point == "texts":
        real = pathlib.Path.write_text

        def failing_write_text(self, *a, **k):  # type: ignore[no-untyped-def]
            if _under(self, data):
                raise _enospc(str(self))
            return real(self, *a, **k)

        monkeypatch.setattr(pathlib.Path, "write_text", failing_write_text)
    elif point == "validation":
        import rdflib

        real_ser = rdflib.Graph.serialize

        def failing_serialize(self, destination=None, *a, **k):  # type: ignore[no-untyped-def]
            if destination is not None and _under(destination, data):
                raise _enospc(str(destination))
            return real_ser(self, destination, *a, **k)

        monkeypatch.setattr(rdflib.Graph, "serialize", failing_serialize)
    elif point == "fsync":

        def failing_fsync(fd: int) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(data / "staging"))

        monkeypatch.setattr(build_module.os, "fsync", failing_fsync)
    elif point == "manifest":

        def failing_manifest(path: Path, text: str) -> None:
            path.write_text(text[: len(text) // 2], encoding="utf-8")
            raise _enospc(str(path))

        monkeypatch.setattr(build_module, "_write_synced", failing_manifest)
    else:
        real_os = getattr(os, point)

        def failing_os(src, dst, *a, **k):  # type: ignore[no-untyped-def]
            if _under(dst, data):
                raise _enospc(str(dst))
            return real_os(src, dst, *a, **k)

        monkeypatch.setattr(os, point, failing_os)

    with pytest.raises(BuildError) as info:
        build(project, data)
    monkeypatch.undo()

    message = str(info.value)
    assert re.search(r"No space left on device|Input/output error", message), message
    assert str(data) in message, message  # where
    assert "To fix:" in message
    assert Release.current(data).version == first.version
    assert releases(data) == [first.version]
    assert debris(data) == []
    assert list(store.query(ALL_QUADS)) == before  # type: ignore[arg-type]
    assert list(ReleaseStore(data).query(ALL_QUADS)) == before  # type: ignore[arg-type]
    # and the next build, with the disk back, publishes
    assert build(project, data).release.version != first.version


# -- kill -9 at random moments -------------------------------------------------------------------


class Poller(threading.Thread):
    """Asks the live server a point lookup and /health in a loop; counts what fails."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.sent = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for path, query in (("/health", None), ("/sparql", POINT)):
                self.sent += 1
                try:
                    if query:
                        r = ask(self.base, query, accept="application/sparql-results+json")
                    else:
                        r = requests.get(self.base + path, timeout=30)
                    if r.status_code != 200:
                        self.failures.append(f"{path}: {r.status_code} {r.text[:200]}")
                except requests.RequestException as e:
                    self.failures.append(f"{path}: {e}")
            time.sleep(0.02)


def kill_builds(tmp_path: Path, kills: int, seed: int) -> None:
    project = grow_project(tmp_path / "project", 200)
    data = tmp_path / "data"
    result = kzmig("build", "--root", str(project), "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    # How long a whole build takes here, imports included: kills land across all of it.
    started = time.monotonic()
    result = kzmig("build", "--root", str(project), "--data-dir", str(data))
    duration = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    rng = random.Random(seed)
    lost, completed, killed = 0, 0, 0
    with serving(["--data-dir", str(data)], data.parent / "server.log") as server:
        base = server.base
        claims = ask(base, CLAIM_TRIPLES).content
        poller = Poller(base)
        poller.start()
        try:
            for n in range(kills):
                previous = Release.current(data)
                delay = rng.uniform(0.05, duration * 1.1)
                proc = build_popen(project, data)
                time.sleep(delay)
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed += 1
                proc.wait(timeout=60)
                assert proc.stderr is not None
                stderr = proc.stderr.read().decode(errors="replace")
                proc.stderr.close()
                if proc.returncode == 0:
                    completed += 1
                else:
                    assert proc.returncode == -signal.SIGKILL, stderr
                try:
                    now = Release.current(data)
                    served_claims = ask(base, CLAIM_TRIPLES).content
                except Exception as e:  # pragma: no cover - that is the failure we look for
                    lost += 1
                    pytest.fail(f"kill {n} after {delay:.2f}s: no release to serve: {e}")
                if served_claims != claims:
                    lost += 1
                assert served_claims == claims, f"kill {n} after {delay:.2f}s changed the answers"
                if now.version == previous.version:
                    # not swapped: the previous release is whole and still what is served
                    assert is_complete(previous.folder)
                else:
                    # swapped: only ever to a complete release, built to the end
                    assert is_complete(now.folder) and now.version > previous.version
                for folder in (data / "releases").iterdir():
                    assert is_complete(folder), f"kill {n}: half a release in releases/: {folder}"
        finally:
            poller.stop.set()
            poller.join(timeout=60)
        assert poller.failures == [], poller.failures[:5]
        # The next build cleans up after the killed ones and publishes.
        result = kzmig("build", "--root", str(project), "--data-dir", str(data))
        assert result.returncode == 0, result.stderr
        assert debris(data) == []
        assert requests.get(base + "/health", timeout=30).json()["version"] == (
            Release.current(data).version
        )
        assert ask(base, CLAIM_TRIPLES).content == claims
    print(
        f"\nkill -9: {killed} builds killed, {completed} ran to the end, seed {seed}, "
        f"{poller.sent} requests during the kills, {len(poller.failures)} failed, "
        f"releases lost: {lost}"
    )


@pytest.mark.slow  # builds killed at many points: ~20-45 s
def test_kill_9_during_build_loses_nothing(tmp_path: Path) -> None:
    kill_builds(tmp_path, kills=8, seed=9)


@pytest.mark.slow
def test_kill_9_during_build_loses_nothing_many_times(tmp_path: Path) -> None:
    kill_builds(tmp_path, kills=40, seed=int(os.environ.get("KZMIG_KILL_SEED", "2026")))


# -- half-written data directories at server start ---------------------------------------------


@pytest.mark.slow  # starts the server: ~15-25 s
def test_server_start_ignores_a_half_written_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = build(copy_project(tmp_path / "project"), data).release
    with serving(["--data-dir", str(data)], data.parent / "server.log") as server:
        base = server.base
        expected = answers(base)
    releases_dir = data / "releases"
    # What builds killed at different moments could leave, and worse:
    (releases_dir / "99999999T999999Z" / "store").mkdir(parents=True)  # no manifest
    half = releases_dir / "99999999T999998Z"
    shutil.copytree(good.folder, half)
    manifest = (half / "manifest.json").read_text(encoding="utf-8")
    (half / "manifest.json").write_text(manifest[: len(manifest) // 2], encoding="utf-8")
    unfinished = releases_dir / "99999999T999997Z"
    shutil.copytree(good.folder, unfinished)
    (unfinished / "manifest.json").write_text(
        manifest.replace('"complete": true', '"complete": false'), encoding="utf-8"
    )
    no_store = releases_dir / "99999999T999996Z"
    shutil.copytree(good.folder, no_store)
    shutil.rmtree(no_store / "store")
    (releases_dir / "99999999T999995Z").write_text("not a folder")
    (data / "staging" / "20990101T000000Z.999999999").mkdir(parents=True)
    for target in ("releases/99999999T999999Z", "releases/99999999T999998Z", "releases/gone"):
        (data / "current").unlink()
        (data / "current").symlink_to(target)
        with serving(["--data-dir", str(data)], data.parent / "server.log") as server:
            base = server.base
            assert answers(base) == expected, target
    (data / "current").unlink()  # no link at all
    with serving(["--data-dir", str(data)], data.parent / "server.log") as server:
        base = server.base
        assert answers(base) == expected


def test_server_start_with_no_complete_release_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "releases" / "20990101T000000Z" / "store").mkdir(parents=True)
    (data / "current").symlink_to("releases/20990101T000000Z")
    result = kzmig("serve", "--data-dir", str(data), "--port", "1", timeout=60)
    assert result.returncode == 1
    assert "no complete release" in result.stderr and "kzmig build" in result.stderr
    assert "Traceback" not in result.stderr

"""The data scaler: grow the real graph's shape to any number of quads, deterministically.

It grows *build inputs*, so the build runs end to end on them: a project
folder (ontology/, shapes/, sources/) holding N copies of each seed source,
each copy with its own claim sheet. A copy keeps the seed's text (with its own
title line, so offsets and literals differ per copy), every quote, figure,
attribution and reading, and so the same classes, properties, literal
datatypes, label languages, claim graphs and provenance; the resources its
claims talk about are renamed per copy. Widely shared things (places,
agencies, organizations, ethnic groups, concepts) are drawn from a small pool
(about 5% of the copies, seeded), so that, as in the real graph, many claims
meet on the same places and bodies, while programs, flows, statistics... are
new in each copy.

The seed is the repository itself (its ontology, shapes, sources and claim
sheets), so the benchmark grows what the project really publishes.

    python -m bench.scale --quads 1M --out /tmp/kz-1m        # a project folder
    python -m bench.scale --quads 10M --out /tmp/kz-10m --nquads /tmp/kz-10m.nq
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
RESOURCE = "https://w3id.org/kzmig/resource/"
# Prefixes of things shared by many claims (see docs/claim-sheets.md), and their pool share.
SHARED = {"place", "agency", "organization", "ethnic", "concept", "sector", "source"}
POOL_SHARE = 0.05
_CURIE = re.compile(
    r"(?<![\w:/#<])(place|group|ethnic|program|agency|organization|document|period|flow|stat|"
    r"trend|person|sector|measure|concept|event|source):([A-Za-z0-9][\w.-]*[\w]|[\w])"
)
_FULL = re.compile(r"<" + re.escape(RESOURCE) + r"([a-z-]+)/([^>/\s]+)>")
_TYPE_PATH = {"stat": "statistic", "ethnic": "ethnic-group"}
_PATH_PREFIX = {v: k for k, v in _TYPE_PATH.items()}


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 10k, 1M, 2500)")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def size_name(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# -- the seed --------------------------------------------------------------------------------


def seed_root(repo: Path = REPO) -> Path:
    """The folder to grow: the repository itself, read in place, once it builds."""
    if not any((repo / "sources").glob("*/claims.yaml")):
        raise SystemExit(f"no claim sheet under {repo / 'sources'}: nothing to grow")
    stages(repo)  # fails loudly, with the build's own message, when the seed does not build
    return repo


# -- growing ---------------------------------------------------------------------------------


def _pick(seed: int, copy: int, prefix: str, slug: str, copies: int) -> int:
    """Which variant of a thing copy ``copy`` talks about: its own, or one of a shared pool."""
    if prefix in SHARED:
        pool = max(1, round(copies * POOL_SHARE))
        h = hashlib.blake2b(f"{seed}\0{copy}\0{prefix}\0{slug}".encode(), digest_size=8)
        return int.from_bytes(h.digest(), "big") % pool
    return copy


def _renamer(seed: int, copy: int, copies: int, keep: frozenset[str]):
    """Rename things per copy in Turtle text; things the ontology defines (``keep``) stay."""

    def curie(m: re.Match[str]) -> str:
        prefix, slug = m.group(1), m.group(2)
        if f"{_TYPE_PATH.get(prefix, prefix)}/{slug}" in keep:
            return m.group(0)
        return f"{prefix}:{slug}-v{_pick(seed, copy, prefix, slug, copies)}"

    def full(m: re.Match[str]) -> str:
        path, slug = m.group(1), m.group(2)
        if f"{path}/{slug}" in keep:
            return m.group(0)
        prefix = _PATH_PREFIX.get(path, path)
        return f"<{RESOURCE}{path}/{slug}-v{_pick(seed, copy, prefix, slug, copies)}>"

    def rename(text: str) -> str:
        return _FULL.sub(full, _CURIE.sub(curie, text))

    return rename


def _grow_sheet(sheet: str, rename) -> str:
    data = yaml.safe_load(sheet) or {}
    for claim in data.get("claims", []):
        if "triples" in claim:
            claim["triples"] = rename(claim["triples"])
        if claim.get("attribution"):
            claim["attribution"] = rename(claim["attribution"])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _defined_in_ontology(seed: Path) -> frozenset[str]:
    """'type/slug' of every thing the ontology describes (the gazetteer's places, bodies...)."""
    from kzmig.graph.build.vocabulary import read_turtle, turtle_files

    graph = read_turtle(turtle_files(seed / "ontology"), seed)
    return frozenset(
        str(s)[len(RESOURCE) :] for s in graph.subjects() if str(s).startswith(RESOURCE)
    )


def grow(seed: Path, out: Path, copies: int, *, seed_value: int = 8) -> Path:
    """Write ``copies`` copies of every seed source (with grown claim sheets) into ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(seed / "ontology", out / "ontology")
    shutil.copytree(seed / "shapes", out / "shapes")
    folders = sorted(p.parent for p in (seed / "sources").glob("*/text.txt"))
    keep = _defined_in_ontology(seed)
    width = len(str(copies))
    for folder in folders:
        meta = yaml.safe_load((folder / "source.yaml").read_text("utf-8"))
        text = (folder / "text.txt").read_bytes().decode("utf-8")
        sheet_path = folder / "claims.yaml"
        sheet = sheet_path.read_text("utf-8") if sheet_path.is_file() else None
        for n in range(copies):
            cid = f"{folder.name}-c{n:0{width}d}"
            dest = out / "sources" / cid
            dest.mkdir(parents=True)
            title = f"{meta['title']} (synthetic copy {n})"
            (dest / "text.txt").write_bytes(f"{title}\n\n\n{text}".encode())
            (dest / "source.yaml").write_text(
                yaml.safe_dump(meta | {"id": cid, "title": title}, allow_unicode=True), "utf-8"
            )
            if sheet is not None:
                rename = _renamer(seed_value, n, copies, keep)
                (dest / "claims.yaml").write_text(_grow_sheet(sheet, rename), "utf-8")
    return out


# -- sizing ----------------------------------------------------------------------------------


@dataclass
class Stages:
    """The build's stages up to assembly, run on a folder: what the benchmarks time."""

    ontology: object
    shapes: object
    texts: list
    claims: dict
    quads: object
    by_source: object = None  # pipeline.BySource: each text's own quads


def stages(root: Path) -> Stages:
    from datetime import UTC, datetime

    from kzmig.graph.build import pipeline as b
    from kzmig.graph.build import provenance as prov

    ontology, shapes = b.read_vocabulary(root)
    texts = b.read_texts(root)
    claims = b.read_claims(texts, root)
    run = prov.Run("bench", b.SOFTWARE_VERSION, datetime(2026, 1, 1, tzinfo=UTC))
    by_source = b.BySource()
    q = b.assemble(texts, claims, ontology, shapes, run, b.inputs_of(root), by_source)
    return Stages(ontology, shapes, texts, claims, q, by_source)


@dataclass(frozen=True)
class Profile:
    """How many quads one copy of the seed adds, and how many the build adds once."""

    per_copy: int
    fixed: int
    reasoning_per_copy: int  # claim triples per copy (what reasoning reads, with the ontology)
    reasoning_fixed: int

    def copies(self, quads: int) -> int:
        return max(1, round((quads - self.fixed) / self.per_copy))

    def copies_for_reasoning(self, triples: int) -> int:
        return max(1, round((triples - self.reasoning_fixed) / self.reasoning_per_copy))


def profile(seed: Path, work: Path) -> Profile:
    """Measure the seed's quads for one and for two copies; the difference is one copy."""
    counts = []
    for n in (1, 2):
        s = stages(grow(seed, work / f"profile-{n}", n))
        from kzmig.graph.build.pipeline import asserted_triples

        counts.append((len(s.quads), len(asserted_triples(s.quads, s.claims))))
        shutil.rmtree(work / f"profile-{n}")
    (q1, r1), (q2, r2) = counts
    return Profile(q2 - q1, q1 - (q2 - q1), r2 - r1, r1 - (r2 - r1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quads", type=parse_size, required=True, help="target size, e.g. 1M")
    ap.add_argument("--out", type=Path, required=True, help="project folder to write")
    ap.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    ap.add_argument("--nquads", type=Path, help="also write the assembled quads as N-Quads")
    args = ap.parse_args(argv)
    work = args.out.parent / (args.out.name + ".work")
    work.mkdir(parents=True, exist_ok=True)
    seed = seed_root()
    prof = profile(seed, work)
    copies = prof.copies(args.quads)
    grow(seed, args.out, copies, seed_value=args.seed)
    print(f"seed: {seed}; {copies} copies x {prof.per_copy} quads + {prof.fixed} -> {args.out}")
    if args.nquads:
        import pyoxigraph as ox
        from kzmig.graph.semantics.quads import to_ox_quads

        s = stages(args.out)
        ox.serialize(to_ox_quads(s.quads), str(args.nquads), format=ox.RdfFormat.N_QUADS)
        print(f"{len(s.quads)} quads -> {args.nquads}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

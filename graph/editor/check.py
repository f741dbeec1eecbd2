"""`kzmig check`: everything an ontology editor touched, checked in one go.

Reads ontology/ and shapes/ (Turtle) and the claim sheets' triples, then
reports, each finding at ``file:line`` where there is one:

- built in (they need the text, not the graph): Turtle syntax, undefined
  prefixes, well-known prefixes bound to another IRI, claim-sheet triples
  that do not parse, and OWL 2 RL inconsistency (the build's reasoner and
  consistency rules, over ontology + claims);
- one SPARQL query per file in ``graph/editor/checks/*-violation.rq`` (and in any
  folder given with ``--checks``): every row a query returns is a problem.
  The file's leading comment says what it checks, and its level
  (``# level: error`` or ``# level: warning``); see graph/editor/checks/README.md.
  The ``*.ttl`` files of those folders (allow-lists) are the checks' own data,
  in the graph ``urn:kzmig:check-data``.

Errors make the command fail (exit 1); warnings are shown and do not.
The quotes of the claim sheets are anchored by ``kzmig build``, not here.

Long because: the checks SPARQL can't express (over the Turtle as written: lines,
language tags, duplicates) live with the runner of the SPARQL ones.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
from kzmig.graph.build.vocabulary import turtle_files
from kzmig.graph.semantics.reason import closure
from kzmig.graph.settings import option
from kzmig.names import PREFIXES
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
    DefinedNamespace,
)

from .inputs import G_CLAIMS, G_ONTOLOGY, G_SHAPES, Finding, Inputs, read_inputs
from .inputs import relative as _relative

CHECKS = Path(__file__).parent / "checks"
LEVELS = ("error", "warning")

# The dataset the SPARQL checks see (the default graph is the union of these and of
# inputs.G_ONTOLOGY, G_SHAPES and G_CLAIMS).
G_KNOWN = "urn:kzmig:known-terms"  # terms of well-known vocabularies (see _known_terms)
G_CHECK_DATA = "urn:kzmig:check-data"  # the *.ttl beside the checks: allow-lists they read

# Vocabularies whose complete term lists rdflib ships: a term of theirs that is
# not in the list is a typo (prov:wasDerivedFrom vs prov:wasDerivedFro).
KNOWN_VOCABULARIES: tuple[type[DefinedNamespace], ...] = (
    RDF,
    RDFS,
    OWL,
    XSD,
    SKOS,
    DCTERMS,
    PROV,
    ORG,
    TIME,
    SH,
    DCAT,
    QB,
    VANN,
    VOID,
    SDO,
)


@dataclass(frozen=True)
class Check:
    """One SPARQL check: rows returned are problems."""

    name: str
    level: str
    title: str
    query: str
    path: Path

    @classmethod
    def load(cls, path: Path) -> Check:
        text = path.read_text(encoding="utf-8")
        header = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#").strip())
        if not header or not header[0]:
            raise ValueError(f"{path}:1: a check opens with a comment saying what it checks")
        levels = [h.split(":", 1)[1].strip() for h in header if h.lower().startswith("level:")]
        if len(levels) != 1 or levels[0] not in LEVELS:
            raise ValueError(
                f"{path}: the header needs one line `# level: error` or `# level: warning`"
            )
        name = path.name.removesuffix(".rq").removesuffix("-violation")
        return cls(name, levels[0], header[0].rstrip("."), text, path)


def load_checks(folders: Sequence[Path]) -> list[Check]:
    checks = []
    for folder in folders:
        checks += [Check.load(p) for p in sorted(folder.glob("*-violation.rq"))]
    return checks


# -- running the checks ---------------------------------------------------------------------


def _known_terms() -> list[ox.Quad]:
    graph = ox.NamedNode(G_KNOWN)
    defined_by = ox.NamedNode(str(RDFS.isDefinedBy))
    vocabulary = ox.NamedNode("urn:kzmig:KnownVocabulary")
    quads = []
    for ns in KNOWN_VOCABULARIES:
        base = ox.NamedNode(str(ns._NS))
        quads.append(ox.Quad(base, ox.NamedNode(str(RDF.type)), vocabulary, graph))
        names = [*getattr(ns, "__annotations__", {}), *getattr(ns, "_extras", [])]
        quads += [ox.Quad(ox.NamedNode(str(ns._NS) + n), defined_by, base, graph) for n in names]
    return quads


def load_check_data(folders: Sequence[Path], root: Path) -> tuple[list[ox.Quad], list[Finding]]:
    """The data files of the checks folders (``*.ttl``, e.g. allow-lists), as quads of G_CHECK_DATA.

    They are the checks' own data, never part of the built graph; a file that does not parse
    is an error at its line, since the checks that read it would silently pass without it.
    """
    graph = ox.NamedNode(G_CHECK_DATA)
    quads: list[ox.Quad] = []
    findings: list[Finding] = []
    for folder in folders:
        for path in sorted(folder.glob("*.ttl")):
            try:
                triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            except SyntaxError as e:
                findings.append(
                    Finding(
                        _relative(path, root),
                        e.lineno or 0,
                        "error",
                        "check-data",
                        f"the checks' data file is not valid Turtle: {e.msg}",
                    )
                )
                continue
            quads += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples]
    return quads, findings


def _store(inputs: Inputs) -> ox.Store:
    store = ox.Store()
    store.extend(inputs.quads())
    store.extend(_known_terms())
    return store


def _curie(value: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(ns) > len(best.partition("\0")[2]):
            local = value[len(ns) :]
            if re.fullmatch(r"[A-Za-z0-9_\-.]*", local) and not local.endswith("."):
                best = f"{prefix}\0{ns}"
    if best:
        prefix, _, ns = best.partition("\0")
        return f"{prefix}:{value[len(ns) :]}"
    return f"<{value}>"


def _show(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return _curie(term.value)
    if isinstance(term, ox.Literal):
        lang = f"@{term.language}" if term.language else ""
        return f'"{term.value}"{lang}'
    return "a blank node"


def run_check(check: Check, store: ox.Store, inputs: Inputs) -> list[Finding]:
    try:
        rows = store.query(check.query, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as e:
        return [
            Finding(
                _relative(check.path, inputs.root),
                e.lineno or 0,
                "error",
                "check-query",
                f"the query of check {check.name!r} does not parse: {e.msg}",
            )
        ]
    if not isinstance(rows, ox.QuerySolutions):
        return [
            Finding(
                _relative(check.path, inputs.root),
                1,
                "error",
                "check-query",
                f"check {check.name!r} must be a SELECT query (rows returned are problems)",
            )
        ]
    names = {v.value for v in rows.variables}
    out = []
    for row in rows:
        entity = row["entity"] if "entity" in names else None
        path, line = ("", 0)
        if isinstance(entity, ox.NamedNode):
            prop = row["property"] if "property" in names else None
            predicate = prop.value if isinstance(prop, ox.NamedNode) else None
            path, line = inputs.locate(entity.value, predicate)
        message = row["message"].value if "message" in names and row["message"] else check.title
        detail = " ".join(
            _show(row[v]) for v in ("property", "value") if v in names and row[v] is not None
        )
        subject = _show(entity) if entity is not None else ""
        text = f"{subject}: {message}" if subject else message
        if detail and not ("message" in names and row["message"]):
            text += f" ({detail})"
        out.append(Finding(path, line, check.level, check.name, text))
    return out


def check_consistency(inputs: Inputs) -> list[Finding]:
    """OWL 2 RL over ontology + claims, as the build does: members of owl:Nothing, disjointness."""
    try:
        result = closure(inputs.asserted())
    except Exception as e:
        return [Finding("", 0, "error", "inconsistent", f"the reasoner failed: {e}")]
    out = []
    for i in result.inconsistencies:
        path, line = inputs.locate(i.subject)
        out.append(
            Finding(
                path,
                line,
                "error",
                "inconsistent",
                f"{i.message} (OWL 2 RL rule {i.rule}): fix the type or the class axiom",
            )
        )
    return out


@dataclass
class Report:
    findings: list[Finding]
    checks: list[str]
    files: dict[str, int]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def as_dict(self) -> dict[str, object]:
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "checks": self.checks,
            "files": self.files,
            "findings": [asdict(f) for f in self.findings],
        }


BUILT_IN = [
    "syntax",
    "undefined-prefix",
    "prefix-iri",
    "claim-sheet",
    "check-data",
    "inconsistent",
]


def check(
    root: Path,
    *,
    extra: Sequence[Path] = (),
    levels: Sequence[str] = LEVELS,
    consistency: bool = True,
    inputs: Inputs | None = None,
) -> Report:
    """Run every check over the project at ``root``.

    ``levels`` keeps only the SPARQL checks of those levels (the build runs the errors
    alone); ``consistency=False`` leaves the OWL 2 RL consistency to the caller (the build's
    reasoning stage checks it over the whole graph anyway). ``inputs``: what the caller has
    already read of ``root`` (the build: Inputs.of_build), else the files are read here.
    """
    root = root.resolve()
    checks = [c for c in load_checks([CHECKS, *extra]) if c.level in levels]
    if inputs is None:
        inputs = read_inputs(root)
    findings = list(inputs.findings)
    store = _store(inputs)
    check_data, data_findings = load_check_data([CHECKS, *extra], root)
    store.extend(check_data)
    findings += data_findings
    for c in checks:
        findings += run_check(c, store, inputs)
    if consistency:
        findings += check_consistency(inputs)
    files = {
        "ontology": len(turtle_files(root / "ontology")),
        "shapes": len(turtle_files(root / "shapes")),
        "claims": inputs.claim_count,
    }
    return Report(sorted(set(findings)), BUILT_IN + [c.name for c in checks], files)


def build_stage_problems(root: Path, inputs: Inputs | None = None) -> list[str]:
    """What the build refuses: every error `kzmig check` finds, at its file:line.

    Run by ``kzmig build`` before SHACL, so that a release never holds what the check
    rejects (a second ``@en`` label, a ``subClassOf`` to an undeclared class), and the
    message points at the ontology line rather than at the claims a shape flags later.
    ``inputs``: the build's own reading (Inputs.of_build), so no file is parsed again.
    """
    report = check(root, levels=("error",), consistency=False, inputs=inputs)
    advice = {c.name: _fix(c) for c in load_checks([CHECKS])}
    return [f"{f}. To fix: {advice.get(f.check) or 'correct it'}" for f in report.errors]


def _fix(check: Check) -> str:
    """The "Fix: ..." advice of a check's leading comment, as one line."""
    header = []
    for line in check.query.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    text = " ".join(header)
    return text.split("Fix:", 1)[1].strip() if "Fix:" in text else ""


@click.command("check")
@option("root", help="Project folder holding ontology/, shapes/, sources/.")
@click.option(
    "--checks",
    "extra",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Another folder of *-violation.rq checks to run too. Repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only, not warnings.")
def check_command(root: Path, extra: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    """Check the ontology, the shapes and the claim sheets' terms.

    Syntax and prefixes, ROBOT-style quality checks (one SPARQL file each in
    graph/editor/checks/), the OWL 2 RL profile, and consistency. Prints each
    finding as FILE:LINE: LEVEL [CHECK] MESSAGE; exits 1 when there is an error.
    """
    from kzmig.graph.console import messages as msg

    try:
        report = check(root, extra=extra)
        acks = msg.load_acknowledgements(root)
    except ValueError as e:
        click.echo(f"kzmig check: {e}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        hints = check_hints(extra)
        shown, acked = msg.split_acknowledged(
            (finding_message(f, hints) for f in report.findings), acks
        )
        msg.echo((m for m in shown if not (quiet and m.level == "warning")), sys.stdout)
        extra_text = (
            f"({len(report.checks)} checks over {report.files['ontology']} ontology files, "
            f"{report.files['shapes']} shapes files, {report.files['claims']} claims)"
        )
        click.echo(msg.summary("check", shown, len(acked), extra_text), err=True)
    sys.exit(1 if report.errors else 0)


BUILT_IN_HINTS = {
    "syntax": "fix the Turtle at that line (`rapper -i turtle FILE` shows the same error)",
    "undefined-prefix": "declare the prefix at the top of the file, as names/__init__.py binds it",
    "prefix-iri": "bind the prefix to the IRI names/__init__.py gives it",
    "claim-sheet": "see docs/claim-sheets.md for the form of a claim's triples",
    "inconsistent": "fix the claim's rdf:type or the class axiom that excludes it",
    "check-query": "fix the check's SPARQL (graph/editor/checks/README.md)",
}


def check_hints(extra: Sequence[Path] = ()) -> dict[str, str]:
    """Each check's hint: its header's ``Fix:`` sentence (built-in checks: BUILT_IN_HINTS)."""
    hints = dict(BUILT_IN_HINTS)
    for c in load_checks([CHECKS, *extra]):
        header = " ".join(
            line.lstrip("#").strip() for line in c.query.splitlines() if line.startswith("#")
        )
        m = re.search(r"Fix: (.+?\.)(?=\s+[A-Z(]|\s*$)", header)
        hints[c.name] = m.group(1) if m else f"see {c.path.name} in graph/editor/checks/"
    return hints


def finding_message(f: Finding, hints: dict[str, str]) -> Any:
    """A finding in the one message form of graph/console/messages.py."""
    from kzmig.graph.console.messages import Message

    return Message(f.path, f.line, f.level, f.check, f.message, hints.get(f.check, ""))


__all__ = [
    "G_CLAIMS",
    "G_ONTOLOGY",
    "G_SHAPES",
    "Check",
    "Finding",
    "Inputs",
    "Report",
    "build_stage_problems",
    "check",
    "check_command",
    "load_checks",
    "read_inputs",
]

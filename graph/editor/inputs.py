"""What `kzmig check` reads: ontology/ and shapes/ (Turtle) and the claim sheets' triples.

Each file is parsed once per command (#18):

- the triples of a Turtle file come from pyoxigraph's parser, straight into the checks'
  store: the seed's 15 files in 0.04 s, where rdflib's parser took 0.33 s and the store
  then converted every term again (0.1 s);
- where each term is written (the line a finding points at) comes from graph/editor/
  turtle.py, the parser that keeps lines, run on a file only when a finding asks where
  something is, when a prefix is bound to another IRI than kzmig's, or when the file
  does not parse: 0.26 s saved on a project without findings;
- in ``kzmig build`` (:meth:`Inputs.of_build`) the checks read the graphs and claims
  the build has already read, and open the files only to place a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import yaml
from kzmig.graph.build.vocabulary import turtle_files
from kzmig.graph.semantics.quads import to_ox
from kzmig.names import PREFIXES
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

if TYPE_CHECKING:
    from . import turtle

# The dataset the SPARQL checks see (the default graph is the union of these).
G_ONTOLOGY = "urn:kzmig:ontology"  # every file of ontology/
G_SHAPES = "urn:kzmig:shapes"  # every file of shapes/
G_CLAIMS = "urn:kzmig:claims"  # the triples of every claim of every claim sheet

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # "" when no file is to blame
    line: int  # 0 when unknown
    level: str
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.path and self.line else self.path or "-"
        return f"{where}: {self.level} [{self.check}] {self.message}"


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


# -- Turtle files ---------------------------------------------------------------------------


@dataclass
class Lines:
    """Where things are written in one Turtle file (graph/editor/turtle.py's reading)."""

    subjects: dict[str, int] = field(default_factory=dict)  # IRI -> line of its statement
    uses: dict[str, int] = field(default_factory=dict)  # IRI -> first line it appears on
    predicates: dict[tuple[str, str], int] = field(default_factory=dict)  # (s, p) -> line
    prefixes: list[turtle.Prefix] = field(default_factory=list)
    undefined: list[tuple[str, int]] = field(default_factory=list)  # prefix, line used


def read_lines(text: str) -> Lines:
    """The lines of ``text``; empty when turtle.py cannot read it (the real parser says why).

    turtle.py is imported here, when a line is first needed: its token patterns take
    0.03 s to compile (python -X importtime), a fifth of `kzmig check`'s start-up.
    """
    from . import turtle

    try:
        doc = turtle.parse(text, strict_prefixes=False)
    except turtle.TurtleSyntaxError:
        return Lines()
    lines = Lines(subjects=turtle.subject_lines(doc), undefined=doc.undefined_prefixes)
    for item in doc.items:
        if isinstance(item, turtle.Statement) and isinstance(item.subject, turtle.Iri):
            for po in item.plist:
                lines.predicates.setdefault((item.subject.value, po.verb.value), po.line)
        elif isinstance(item, turtle.Prefix):
            lines.prefixes.append(item)
    for iri, line in doc.uses:
        lines.uses.setdefault(iri, line)
    return lines


@dataclass(eq=False)
class TurtleFile:
    """One file of ontology/ or shapes/; its lines are read on first use."""

    path: str  # as shown, relative to the project
    text: str

    @cached_property
    def lines(self) -> Lines:
        return read_lines(self.text)

    @property
    def subjects(self) -> dict[str, int]:
        return self.lines.subjects

    @property
    def uses(self) -> dict[str, int]:
        return self.lines.uses

    @property
    def predicates(self) -> dict[tuple[str, str], int]:
        return self.lines.predicates


# A prefix directive as written: `@prefix name: <iri>` or `PREFIX name: <iri>`
_DIRECTIVE = re.compile(r"(?i)(?:@prefix|\bprefix)\s+([^\s:<>]*):\s*<([^>]*)>")


def _prefixes_as_kzmig_binds(text: str, declared: dict[str, str]) -> bool:
    """True when every prefix directive binds its name as kzmig does (or a name kzmig lacks).

    Decided from the text, without turtle.py: every directive the pattern finds binds the
    IRI names/__init__.py gives, and it finds as many as the real parser read (fewer or
    more, e.g. "prefix" in a comment, a name bound twice: turtle.py decides instead).
    """
    found = _DIRECTIVE.findall(text)
    if len(found) != len(declared):
        return False
    return all(PREFIXES.get(name, iri) == iri for name, iri in found)


def prefix_findings(shown: str, lines: Lines) -> list[Finding]:
    out = []
    for item in lines.prefixes:
        expected = PREFIXES.get(item.name)
        if expected is not None and expected != item.iri:
            out.append(
                Finding(
                    shown,
                    item.line,
                    "warning",
                    "prefix-iri",
                    f"prefix {item.name}: is bound to <{item.iri}>, but kzmig binds it "
                    f"to <{expected}> (names/__init__.py): use that IRI",
                )
            )
    return out


def read_turtle_file(
    path: Path, root: Path, findings: list[Finding]
) -> tuple[TurtleFile, list[ox.Quad]] | None:
    """A file and its triples; None, with its findings, when it is not valid Turtle."""
    shown = relative(path, root)
    text = path.read_text(encoding="utf-8")
    source = TurtleFile(shown, text)
    parser = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    try:
        quads = list(parser)
    except SyntaxError as e:
        lines = source.lines
        findings += prefix_findings(shown, lines)
        for prefix, line in lines.undefined:
            findings.append(
                Finding(
                    shown,
                    line,
                    "error",
                    "undefined-prefix",
                    f"prefix {prefix}: is used but not declared: add "
                    f"`@prefix {prefix}: <...> .` at the top of the file",
                )
            )
        if not (lines.undefined and e.lineno in {ln for _, ln in lines.undefined}):
            message = e.msg if hasattr(e, "msg") else str(e)
            findings.append(
                Finding(shown, e.lineno or 0, "error", "syntax", f"not valid Turtle: {message}")
            )
        return None
    if not _prefixes_as_kzmig_binds(text, parser.prefixes):
        findings += prefix_findings(shown, source.lines)
    return source, quads


# -- claim sheets ---------------------------------------------------------------------------


@dataclass(eq=False)
class ClaimSource:
    """The triples of one claim, named ``sheet`` (its line is that of its triples)."""

    path: str
    triples: list[Triple]
    subjects: dict[str, int] = field(default_factory=dict)
    uses: dict[str, int] = field(default_factory=dict)
    predicates: dict[tuple[str, str], int] = field(default_factory=dict)  # none: not Turtle


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, read by libyaml when PyYAML has it: the seed's claim sheet in 0.002 s
    instead of 0.063 s (measured). Same nodes, values and lines; a sheet libyaml rejects is read
    again by the pure-Python reader so that the error, and its message, are the ones it gave."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text)


def read_claim_sheets(root: Path, findings: list[Finding]) -> list[ClaimSource]:
    """The triples of every claim, each claim a source named ``sheet:line``."""
    from kzmig.loaders.sheets import parse_triples

    out = []
    for sheet in sorted((root / "sources").glob("*/claims.yaml")):
        shown = relative(sheet, root)
        try:
            node = _compose(sheet.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark else 0
            findings.append(Finding(shown, line, "error", "claim-sheet", f"not valid YAML: {e}"))
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        entries = {k.value: v for k, v in node.value}.get("claims")
        if not isinstance(entries, yaml.SequenceNode):
            continue
        for entry in entries.value:
            if not isinstance(entry, yaml.MappingNode):
                continue
            fields = {k.value: v for k, v in entry.value}
            triples_node = fields.get("triples")
            if not isinstance(triples_node, yaml.ScalarNode):
                continue
            line = triples_node.start_mark.line + 1
            claim_id = fields["id"].value if isinstance(fields.get("id"), yaml.ScalarNode) else "?"
            try:
                triples = parse_triples(triples_node.value)
            except Exception as e:
                findings.append(
                    Finding(
                        shown,
                        entry.start_mark.line + 1,
                        "error",
                        "claim-sheet",
                        f"claim {claim_id!r}: its triples do not parse: {e}",
                    )
                )
                continue
            source = ClaimSource(shown, list(triples))
            for s, p, o in triples:
                source.subjects.setdefault(str(s), line)
                for term in (p, o):
                    if isinstance(term, URIRef):
                        source.uses.setdefault(str(term), line)
            out.append(source)
    return out


# -- everything read ------------------------------------------------------------------------


def _rdflib(term: Any) -> Node:
    """A pyoxigraph term as the rdflib term rdflib's Turtle parser gives."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(term.value)


class Inputs:
    """The files and triples the checks read, and where each term is written.

    ``graphs`` gives the quads of the checks' store, lazily (graph name -> quads);
    ``claims`` is read on first use when the caller passes a reader instead of the list.
    """

    def __init__(
        self,
        root: Path,
        files: tuple[list[TurtleFile], list[TurtleFile]],
        graphs: Callable[[], Iterator[ox.Quad]],
        claims: list[ClaimSource] | Callable[[], list[ClaimSource]],
        asserted: Callable[[], list[Triple]],
        findings: list[Finding],
        claim_count: int | None = None,
    ):
        self.root = root
        self.ontology, self.shapes = files
        self._graphs = graphs
        self._claims = claims
        self._asserted = asserted
        self.findings = findings
        self._claim_count = claim_count

    @cached_property
    def claims(self) -> list[ClaimSource]:
        return self._claims if isinstance(self._claims, list) else self._claims()

    @property
    def claim_count(self) -> int:
        return len(self.claims) if self._claim_count is None else self._claim_count

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the checks' store but the checks' own data and the known terms."""
        return self._graphs()

    def asserted(self) -> list[Triple]:
        """The ontology's and the claims' triples, as rdflib terms (for the reasoner)."""
        return self._asserted()

    def locate(self, iri: str, predicate: str | None = None) -> tuple[str, int]:
        """Where to look for a term: its statement, else its first use (Turtle, then claims).

        With ``predicate``, the line where that statement gives that predicate, if any.
        """
        files = [*self.ontology, *self.shapes]
        if predicate is not None:
            for s in files:
                if (iri, predicate) in s.predicates:
                    return s.path, s.predicates[(iri, predicate)]
        for s in files:
            if iri in s.subjects:
                return s.path, s.subjects[iri]
        for c in self.claims:
            if iri in c.subjects:
                return c.path, c.subjects[iri]
        for s in [*files, *self.claims]:
            if iri in s.uses:
                return s.path, s.uses[iri]
        return "", 0

    @classmethod
    def of_build(
        cls, root: Path, ontology: Iterable[Triple], shapes: Iterable[Triple], claims: list[Any]
    ) -> Inputs:
        """The checks' inputs from what ``kzmig build`` has read: its ontology and shapes
        graphs and its claims (kzmig.loaders.sheets.Claim). Files are opened again only to
        place a finding."""

        def files(folder: str) -> list[TurtleFile]:
            return [
                TurtleFile(relative(p, root), p.read_text(encoding="utf-8"))
                for p in turtle_files(root / folder)
            ]

        def graphs() -> Iterator[ox.Quad]:
            for triples, name in (
                (ontology, G_ONTOLOGY),
                (shapes, G_SHAPES),
                ((t for c in claims for t in c.triples), G_CLAIMS),
            ):
                graph = ox.NamedNode(name)
                for s, p, o in triples:
                    yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]

        return cls(
            root,
            (files("ontology"), files("shapes")),
            graphs,
            lambda: read_claim_sheets(root, []),
            lambda: [*ontology, *(t for c in claims for t in c.triples)],
            [],
            claim_count=len(claims),
        )


def read_inputs(root: Path) -> Inputs:
    """Read the project at ``root``: each Turtle file parsed once, each claim sheet once."""
    findings: list[Finding] = []
    files: dict[str, list[TurtleFile]] = {"ontology": [], "shapes": []}
    quads: dict[str, list[ox.Quad]] = {G_ONTOLOGY: [], G_SHAPES: []}
    for folder, graph in (("ontology", G_ONTOLOGY), ("shapes", G_SHAPES)):
        for path in turtle_files(root / folder):
            read = read_turtle_file(path, root, findings)
            if read is not None:
                files[folder].append(read[0])
                quads[graph] += read[1]
    claims = read_claim_sheets(root, findings)

    def graphs() -> Iterator[ox.Quad]:
        for name, read in quads.items():
            graph = ox.NamedNode(name)
            for q in read:
                yield ox.Quad(q.subject, q.predicate, q.object, graph)
        graph = ox.NamedNode(G_CLAIMS)
        for c in claims:
            for s, p, o in c.triples:
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]

    def asserted() -> list[Triple]:
        ontology = [
            (_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)) for q in quads[G_ONTOLOGY]
        ]
        return ontology + [t for c in claims for t in c.triples]

    return Inputs(root, (files["ontology"], files["shapes"]), graphs, claims, asserted, findings)


__all__: Sequence[str] = ["Finding", "Inputs", "read_inputs", "relative"]

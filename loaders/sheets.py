"""Curated claim sheets to claims, each anchored to the words that support it.

A sheet is refused whole, with every problem listed as ``claims.yaml:LINE``,
when a quote does not occur, is ambiguous, or lacks a figure or date that its
claim asserts: nothing unsupported reaches the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from kzmig.names import PREFIXES, claim_iri
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import patterns
from .anchor import AnchorError, anchor
from .errors import InputError, Problem
from .sources import SourceText
from .text import Segmentation, Span

Triple = tuple[URIRef, URIRef, URIRef | Literal]
_TURTLE_HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
# libyaml's loader when PyYAML has it (same nodes and marks, ~10x faster), else Python's
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEYS = {"id", "quote", "triples", "attribution", "occurrence", "reading", "confidence"}


@dataclass(frozen=True)
class Figure:
    """A number or date that a claim asserts, and the words of the quote that state it."""

    datatype: str
    lexical: str
    span: Span
    resolved: bool  # computed from a relative expression ("five years ago")


@dataclass(frozen=True)
class Claim:
    source_id: str
    id: str
    iri: URIRef
    triples: tuple[Triple, ...]
    quote: str
    evidence: tuple[Span, ...]
    line: int  # where the claim starts in the sheet
    sheet: str  # the sheet's path, as given
    attribution: URIRef | None = None
    reading: str = ""
    figures: tuple[Figure, ...] = ()
    method: str = "curated-sheet"
    confidence: float = 1.0


def expand(curie: str) -> URIRef:
    """'agency:ministry-of-labor' -> its IRI; a full IRI in <...> passes through."""
    if curie.startswith("<") and curie.endswith(">"):
        return URIRef(curie[1:-1])
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ValueError(f"{curie!r} is not a known prefixed name (see docs/claim-sheets.md)")
    return URIRef(PREFIXES[prefix] + local)


def parse_triples(turtle: str) -> tuple[Triple, ...]:
    """A claim's triples, sorted; blank nodes and empty claims refused.

    Parsed by pyoxigraph (Rust, ~30x faster than rdflib's Turtle parser, which is most
    of the time spent reading a big sheet) into the same rdflib terms rdflib's parser
    gives (tests/test_sheets.py compares the two on every claim of the repository).
    Bad Turtle, and the few forms whose terms differ (``_RDFLIB_ONLY``), go to rdflib,
    for its error messages and its terms.
    """
    if _RDFLIB_ONLY.search(turtle):
        return _checked(parse_triples_rdflib(turtle))
    try:
        parsed = ox.parse(_TURTLE_HEADER + turtle, format=ox.RdfFormat.TURTLE)
        triples = [(_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)) for q in parsed]
    except SyntaxError:
        return _checked(parse_triples_rdflib(turtle))
    return _checked(sorted(set(triples)))


def parse_triples_rdflib(turtle: str) -> list[tuple[Any, Any, Any]]:
    """The reference: rdflib's Turtle parser (raises its own errors for bad Turtle)."""
    graph = Graph()
    graph.parse(data=_TURTLE_HEADER + turtle, format="turtle")
    return sorted(graph)


# where rdflib's terms differ from pyoxigraph's: capitals in a language tag (pyoxigraph
# lowercases them), an explicit xsd:string (rdflib keeps the datatype)
_RDFLIB_ONLY = re.compile(r"@[A-Za-z0-9-]*[A-Z]|xsd:string|XMLSchema#string")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return BNode(term.value)  # blank nodes are refused by _checked; quoted triples can't occur


def _checked(triples: list[tuple[Any, Any, Any]]) -> tuple[Triple, ...]:
    for s, _, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise ValueError(
                "blank nodes are not allowed: name the resource with a slug "
                "(e.g. stat:students-abroad-unesco)"
            )
    if not triples:
        raise ValueError("`triples` states nothing: give at least one triple")
    return tuple(triples)


def _mapping(node: yaml.Node) -> dict[str, tuple[Any, int]]:
    """A YAML mapping node -> {key: (python value, line)}, lines 1-based."""
    out: dict[str, tuple[Any, int]] = {}
    constructor = yaml.constructor.SafeConstructor()  # the values safe_load would give
    for key, value in node.value:
        out[key.value] = (constructor.construct_object(value, deep=True), value.start_mark.line + 1)
    return out


def read_sheet(path: Path, source: SourceText, seg: Segmentation) -> list[Claim]:
    """Every claim of a sheet, anchored and checked; InputError lists all problems."""
    shown = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    shown,
                    mark.line + 1 if mark else None,
                    f"not valid YAML: {getattr(e, 'problem', e)}",
                )
            ]
        ) from e
    if root is None or not isinstance(root, yaml.MappingNode):
        raise InputError([Problem(shown, 1, "expected a mapping with a `claims:` list")])
    top = {k.value: v for k, v in root.value}
    entries = top.get("claims")
    if not isinstance(entries, yaml.SequenceNode):
        raise InputError([Problem(shown, 1, "expected `claims:` to be a list of claims")])

    claims: list[Claim] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for entry in entries.value:
        line = entry.start_mark.line + 1
        if not isinstance(entry, yaml.MappingNode):
            problems.append(Problem(shown, line, "each claim is a mapping (id, quote, triples)"))
            continue
        fields = _mapping(entry)
        try:
            claims.append(_claim(fields, line, shown, source, seg, seen))
        except (ValueError, AnchorError) as e:
            label = fields.get("id", ("?", line))[0]
            problems.append(Problem(shown, line, f"claim {label!r}: {e}"))
    if problems:
        raise InputError(problems)
    return claims


def _claim(
    fields: dict[str, tuple[Any, int]],
    line: int,
    sheet: str,
    source: SourceText,
    seg: Segmentation,
    seen: dict[str, int],
) -> Claim:
    status = fields.get("status", (None, 0))[0]
    if status is not None:
        if str(status) == "draft":
            raise ValueError(
                "an unreviewed draft (`status: draft`): check its quote, write its triples, "
                "accept or drop its `proposals`, then remove `status` and `proposals` "
                "(see docs/drafting.md)"
            )
        raise ValueError(f"unknown `status: {status}`; the only status is `draft`, for drafts")
    unknown = set(fields) - _KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    for key in ("id", "quote", "triples"):
        if key not in fields:
            raise ValueError(f"missing `{key}`")
    claim_id = str(fields["id"][0])
    if claim_id in seen:
        raise ValueError(f"id already used at line {seen[claim_id]}; ids are unique and stable")
    seen[claim_id] = line
    quote = str(fields["quote"][0])
    occurrence = fields.get("occurrence", (None, 0))[0]
    found = anchor(seg, quote, occurrence=int(occurrence) if occurrence is not None else None)
    try:
        triples = parse_triples(str(fields["triples"][0]))
    except Exception as e:  # rdflib raises several types for bad Turtle
        raise ValueError(f"`triples` is not valid Turtle: {e}") from e
    figures = _check_figures(triples, found.spans[0], source, seg)
    attribution = fields.get("attribution", (None, 0))[0]
    return Claim(
        source_id=source.id,
        id=claim_id,
        iri=claim_iri(source.id, claim_id),
        triples=triples,
        quote=quote,
        evidence=found.spans,
        line=line,
        sheet=sheet,
        attribution=expand(str(attribution)) if attribution else None,
        reading=" ".join(str(fields.get("reading", ("", 0))[0] or "").split()),
        figures=figures,
        confidence=float(fields.get("confidence", (1.0, 0))[0]),
    )


def _check_figures(
    triples: tuple[Triple, ...], span: Span, source: SourceText, seg: Segmentation
) -> tuple[Figure, ...]:
    words = seg.text[span.start : span.end]
    mentions = patterns.find(words, reference_year=source.reference_year, offset=span.start)
    figures, missing = [], []
    for _, _, o in triples:
        if (
            not isinstance(o, Literal)
            or o.datatype is None
            or not str(o.datatype).startswith(str(XSD))
        ):
            continue
        datatype = str(o.datatype)[len(str(XSD)) :]
        if datatype not in patterns.CHECKED_DATATYPES:
            continue
        hit = patterns.supports(mentions, datatype, str(o))
        if hit is None:
            missing.append(f'"{o}"^^xsd:{datatype}')
        else:
            figures.append(Figure(datatype, str(o), Span(hit.start, hit.end), hit.resolved))
    if missing:
        raise ValueError(
            f"the quote does not state {', '.join(missing)}. Quote the words that give "
            f'this figure or date ("32 thousand" for 32000; relative dates resolve against '
            f"{source.reference_year}), or correct the value."
        )
    return tuple(figures)

"""The release's full-text index: ``search.sqlite`` next to the store (SQLite FTS5).

Built once per release from the graph itself (SPARQL over the store), so that a
label added to the ontology or a new claim is findable in the next release.
Three kinds of documents:

- a **thing** (anything with a label that is not a SHACL shape): its labels and
  alt labels in every language, its definitions, and the quotes of the claims
  that state something about it (so "32 thousand" finds the statistic whose
  claim quotes those words);
- a **passage**: the exact words of one piece of evidence, addressed as
  ``<source>#char=start,end``;
- a **sentence** of a source text, addressed the same way.

The tokenizer is ``unicode61 remove_diacritics 2``: case- and diacritic-
insensitive in every script it knows. A separate ``names`` table holds each
label folded (``fold``) so that a query equal to a label ranks that thing first.
The server opens the file read-only (kzmig.server.search).
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kzmig.names import KZO, NIF, OA, VOCABULARIES

FILENAME = "search.sqlite"
FORMAT = "1"
Select = Callable[[str], Iterable[Any]]

RDFS = VOCABULARIES["rdfs"]
SKOS = VOCABULARIES["skos"]
DCTERMS = VOCABULARIES["dcterms"]
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = VOCABULARIES["rdf"] + "type"
LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title")
ALT_PROPS = (SKOS + "altLabel", SKOS + "hiddenLabel")
DEFINITION_PROPS = (SKOS + "definition", RDFS + "comment", DCTERMS + "description")

# How much a kind counts against the others (bm25 is multiplied by it).
KIND_WEIGHT = {"thing": 1.5, "term": 0.8, "passage": 1.2, "sentence": 1.0}
TERM_NS = (
    str(KZO),
    "http://www.w3.org/",
    "http://purl.org/",
    "http://rdfs.org/",
    "https://schema.org/",
    "http://data.europa.eu/",
    "http://persistence.uni-leipzig.org/",
)
XSD = VOCABULARIES["xsd"]
NUMERIC = (XSD + "integer", XSD + "decimal", XSD + "nonNegativeInteger", XSD + "positiveInteger")

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
  id INTEGER PRIMARY KEY,
  iri TEXT NOT NULL,       -- the thing, or the source text of a passage or sentence
  fragment TEXT,           -- 'char=start,end' for a passage or sentence
  kind TEXT NOT NULL,      -- 'thing', 'term' (of a vocabulary), 'passage', 'sentence'
  class TEXT,              -- a thing's most specific class IRI
  labels TEXT NOT NULL,    -- JSON {language tag: label}
  weight REAL NOT NULL
);
CREATE TABLE names(name TEXT NOT NULL, doc INTEGER NOT NULL);
CREATE INDEX names_name ON names(name);
CREATE INDEX docs_iri ON docs(iri);  -- the class labels of a page of hits (no table scan)
CREATE TABLE evidence(thing INTEGER NOT NULL, passage INTEGER NOT NULL);  -- thing's quotes
CREATE INDEX evidence_thing ON evidence(thing);  -- a page of hits reads its things' quotes
CREATE VIRTUAL TABLE fts USING fts5(
  label, alt, definition, figures, body,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3 4'  -- the half-typed last word: 'kaz*' read from a prefix index, not by
                    -- merging every term's doclist (0.39 -> 0.03 ms per row's snippet at 1M)
);
"""


def fold(text: str) -> str:
    """Case- and diacritic-free, spaces collapsed: how labels are compared for an exact match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def _values(props: Iterable[str]) -> str:
    return " ".join(f"<{p}>" for p in props)


def _str(term: Any) -> str:
    return str(term.value)


def build_index(select: Select, path: Path, *, provenance: str) -> dict[str, int]:
    """Write the index of the graph ``select`` reads into ``path``; counts per kind.

    ``select`` runs a SPARQL SELECT over the union of all graphs; ``provenance`` is
    the IRI of the provenance graph (which holds every claim's evidence).
    """
    prov = provenance
    things = _things(select)
    _figures_into(select, things)
    quoted = _quotes_into(select, prov, things)
    passages = _passages(select, prov)
    sentences = _sentences(select)
    titles = {iri: t["labels"] for iri, t in things.items()}

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        counts = {"thing": 0, "term": 0, "passage": 0, "sentence": 0}
        docs: dict[tuple[str, str | None], int] = {}

        def add(
            iri: str,
            fragment: str | None,
            kind: str,
            cls: str | None,
            labels: dict[str, str],
            fields: tuple[str, str, str, str, str],
            names: Iterable[str] = (),
        ) -> None:
            cur = db.execute(
                "INSERT INTO docs(iri, fragment, kind, class, labels, weight) VALUES (?,?,?,?,?,?)",
                (
                    iri,
                    fragment,
                    kind,
                    cls,
                    json.dumps(labels, ensure_ascii=False, sort_keys=True),
                    KIND_WEIGHT[kind],
                ),
            )
            doc = cur.lastrowid
            db.execute(
                "INSERT INTO fts(rowid, label, alt, definition, figures, body) "
                "VALUES (?,?,?,?,?,?)",
                (doc, *fields),
            )
            docs[(iri, fragment)] = int(doc or 0)
            db.executemany(
                "INSERT INTO names(name, doc) VALUES (?, ?)",
                [(n, doc) for n in {fold(x) for x in names} if n],
            )
            counts[kind] += 1

        for iri, t in sorted(things.items()):
            kind = "term" if iri.startswith(TERM_NS) else "thing"
            add(
                iri,
                None,
                kind,
                t["class"],
                t["labels"],
                (
                    "\n".join(sorted(t["names"])),
                    "\n".join(sorted(t["alt"])),
                    "\n".join(sorted(t["definitions"])),
                    " ".join(sorted(t["figures"])),
                    "\n".join(sorted(t["quotes"])),
                ),
                [*t["names"], *t["alt"]],
            )
        for (src, start, end), quote in sorted(passages.items()):
            add(
                src,
                f"char={start},{end}",
                "passage",
                None,
                titles.get(src, {}),
                ("", "", "", "", quote),
            )
        db.executemany(
            "INSERT INTO evidence(thing, passage) VALUES (?, ?)",
            sorted(
                {
                    (docs[(s, None)], docs[(src, f"char={a},{b}")])
                    for s, spans in quoted.items()
                    for src, a, b in spans
                    if (s, None) in docs and (src, f"char={a},{b}") in docs
                }
            ),
        )
        for (src, start, end), text in sorted(sentences.items()):
            if (src, start, end) in passages:
                continue  # the same words as a passage: one hit, not two
            add(
                src,
                f"char={start},{end}",
                "sentence",
                None,
                titles.get(src, {}),
                ("", "", "", "", text),
            )
        db.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)",
            [("format", FORMAT), ("counts", json.dumps(counts))],
        )
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.commit()
    finally:
        db.close()
    return counts


def _things(select: Select) -> dict[str, dict[str, Any]]:
    """Everything with a label (shapes aside): labels, alt labels, definitions, class."""
    things: dict[str, dict[str, Any]] = {}

    def thing(iri: str) -> dict[str, Any]:
        return things.setdefault(
            iri,
            {
                "labels": {},
                "names": set(),
                "alt": set(),
                "definitions": set(),
                "quotes": set(),
                "figures": set(),
                "class": None,
            },
        )

    shapes = {
        _str(r["s"])
        for r in select(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ <{SH}NodeShape> <{SH}PropertyShape> }} "
            f"?s <{RDF_TYPE}> ?t }}"
        )
    }
    for r in select(
        f"SELECT DISTINCT ?s ?p ?l WHERE {{ VALUES ?p {{ {_values(LABEL_PROPS)} }} ?s ?p ?l "
        "FILTER(isIRI(?s) && isLiteral(?l)) }"
    ):
        iri = _str(r["s"])
        if iri in shapes:
            continue
        t, lit = thing(iri), r["l"]
        lang = (lit.language or "").lower()
        t["names"].add(lit.value)
        if r["p"].value == LABEL_PROPS[0] or lang not in t["labels"]:
            t["labels"][lang] = lit.value
    for props, key in ((ALT_PROPS, "alt"), (DEFINITION_PROPS, "definitions")):
        for r in select(
            f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?p {{ {_values(props)} }} ?s ?p ?l "
            "FILTER(isIRI(?s) && isLiteral(?l)) }"
        ):
            if _str(r["s"]) in things:
                things[_str(r["s"])][key].add(r["l"].value)
    # The most specific class: of a thing's classes, the one with the fewest members
    # (kzo: classes before others: they are the graph's own words for things).
    members: dict[str, int] = defaultdict(int)
    types: dict[str, set[str]] = defaultdict(set)
    for r in select(f"SELECT DISTINCT ?s ?t WHERE {{ ?s <{RDF_TYPE}> ?t FILTER(isIRI(?t)) }}"):
        members[_str(r["t"])] += 1
        if _str(r["s"]) in things:
            types[_str(r["s"])].add(_str(r["t"]))
    for iri, ts in types.items():
        things[iri]["class"] = min(ts, key=lambda c: (not c.startswith(str(KZO)), members[c], c))
    return things


def figure_forms(n: int) -> list[str]:
    """How a text may write ``n``: 32000 -> 32000, 32,000, 32 000, 32 thousand."""
    forms = [str(n), f"{n:,}", f"{n:,}".replace(",", " ")]
    for size, word in ((1_000_000, "million"), (1000, "thousand")):
        if n and n % (size // 10) == 0 and abs(n) >= size:
            forms.append(f"{n / size:g} {word}")
            break
    return forms


def _figures_into(select: Select, things: dict[str, dict[str, Any]]) -> None:
    """A thing's numbers (a statistic's value), in the forms a reader may type."""
    for r in select(
        f"""SELECT DISTINCT ?s ?o WHERE {{ VALUES ?d {{ {_values(NUMERIC)} }}
          ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) && datatype(?o) = ?d) }}"""
    ):
        if _str(r["s"]) in things:
            try:
                n = int(float(r["o"].value))
            except ValueError:
                continue
            things[_str(r["s"])]["figures"].update(figure_forms(n))


def _quotes_into(
    select: Select, prov: str, things: dict[str, dict[str, Any]]
) -> dict[str, set[tuple[str, int, int]]]:
    """Each thing gets the quotes of the claims whose graph states something about it;
    returns thing -> the passages (source, start, end) those quotes are."""
    spans: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for r in select(
        f"""SELECT DISTINCT ?s ?exact ?src ?start ?end WHERE {{
          GRAPH <{prov}> {{ ?c <{KZO}evidence> ?ev . ?ev <{OA.hasSource}> ?src ;
            <{OA.hasSelector}> ?q, ?pos . ?q <{OA.exact}> ?exact .
            ?pos <{OA.start}> ?start ; <{OA.end}> ?end }}
          GRAPH ?c {{ ?s ?p ?o FILTER(isIRI(?s)) }} }}"""
    ):
        s = _str(r["s"])
        if s in things:
            things[s]["quotes"].add(r["exact"].value)
            spans[s].add((_str(r["src"]), int(r["start"].value), int(r["end"].value)))
    return spans


def _passages(select: Select, prov: str) -> dict[tuple[str, int, int], str]:
    out: dict[tuple[str, int, int], str] = {}
    for r in select(
        f"""SELECT DISTINCT ?src ?start ?end ?exact WHERE {{ GRAPH <{prov}> {{
          ?c <{KZO}evidence> ?ev . ?ev <{OA.hasSource}> ?src ; <{OA.hasSelector}> ?q, ?pos .
          ?q <{OA.exact}> ?exact . ?pos <{OA.start}> ?start ; <{OA.end}> ?end }} }}"""
    ):
        out[(_str(r["src"]), int(r["start"].value), int(r["end"].value))] = r["exact"].value
    return out


def _sentences(select: Select) -> dict[tuple[str, int, int], str]:
    out: dict[tuple[str, int, int], str] = {}
    for r in select(
        f"""SELECT DISTINCT ?ctx ?b ?e ?text WHERE {{ ?s <{RDF_TYPE}> <{NIF}Sentence> ;
          <{NIF}referenceContext> ?ctx ; <{NIF}beginIndex> ?b ; <{NIF}endIndex> ?e ;
          <{NIF}anchorOf> ?text }}"""
    ):
        out[(_str(r["ctx"]), int(r["b"].value), int(r["e"].value))] = r["text"].value
    return out

"""Mentions of known entities, found by the ontology's own labels.

The gazetteer is built from every ``rdfs:label``, ``skos:prefLabel`` and
``skos:altLabel`` (in every language) of the things in the resource namespace
(``https://w3id.org/kzmig/resource/...``): an editor who adds an
``skos:altLabel`` ("Kandases", "Нур-Султан") adds recall, with no code change.

How a label matches the text:

- **Whole words, any inflected form.** Text and labels are cut into words
  (runs of letters and digits, any script); a label matches a run of whole
  words, each a form of the label's word by the rules of the label's language
  (:mod:`kzmig.loaders.inflection`: English plurals and British spelling,
  Russian and Kazakh case endings), so "Kazakh" is not found inside
  "Kazakhstan", while "Kazakhstan" is found in "Kazakhstan's", «Казахстан» in
  «в Казахстане» and "Ministry of Labor" in "Ministry of Labour".
- **Wordings.** A label that ends with "of the Republic of Kazakhstan" (or
  begins with «Қазақстан Республикасының», or ends with «Республики
  Казахстан») also matches without it, when two or more words remain: "the
  Ministry of Labour and Social Protection of the Population" names the
  ministry.
- **Separators.** Between two words, any run of white space matches any other
  (a label may be wrapped), and any dash matches any dash ("Kassym-Jomart"
  finds "Kassym—Jomart"); other punctuation must be the same ("exchange.kz").
- **Case.** Capitals in a label are significant, small letters are not: a
  text may capitalise what a label writes in small letters (a sentence starts
  "The Concept", a heading is in capitals), but it may not drop a capital that
  a label has. So the label "Enbek" does not find the common word "enbek",
  "US" does not find "us", and "labour migration" finds "Labour Migration".
  Groups, ethnic groups, sectors and vocabulary concepts are common nouns:
  the first capital of their labels is sentence case, not a name, so
  «Казахи» finds «казахов» and "Students abroad" finds "students abroad".
- **Longest match wins.** Of labels whose matches overlap, the longest (in
  characters) wins, then the leftmost: "Ministry of Labor of the Republic of
  Kazakhstan" is one mention, not three, and "the Government of Kazakhstan"
  names the government by "Government of Kazakhstan", not by "the Government".
- **Ties.** When labels of several entities match the same words, each gets a
  mention, and ``ambiguity`` says how many share it (confidence is lowered by
  the annotations that record them).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .inflection import index_key, language_of, stem_length

RESOURCE = "https://w3id.org/kzmig/resource/"
# Things whose labels are common nouns ("казахи", "students abroad"), by their IRI's type path
COMMON_NOUN_PATHS = ("group/", "ethnic-group/", "concept/", "sector/")
# The country's name as a qualifier the texts often leave out, per language: (prefix, suffix)
_QUALIFIERS = (
    ("", " of the Republic of Kazakhstan"),
    ("", " Республики Казахстан"),
    ("Қазақстан Республикасының ", ""),
    ("Қазақстан Республикасы ", ""),
)
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
_WORD = re.compile(r"\w+")
_DASHES = "-‐‑‒–—―−"
_APOSTROPHES = "'’ʼ`"


@dataclass(frozen=True)
class Label:
    """One label of one entity, as the gazetteer matches it."""

    entity: URIRef
    text: str
    language: str | None
    predicate: URIRef  # rdfs:label, skos:prefLabel or skos:altLabel
    words: tuple[str, ...]  # the label's words, as written
    separators: tuple[str, ...]  # normalised separators between them (len(words) - 1)
    common: bool = False  # a common noun's label: its first capital is sentence case
    derived: bool = False  # a wording derived from the label (its qualifier left out)

    @property
    def is_name(self) -> bool:
        """A label with a capital (beyond a common noun's first) is a name."""
        text = self.text[1:] if self.common else self.text
        return any(c.isupper() for c in text)


@dataclass(frozen=True)
class Mention:
    """A known entity named in a text: where, by which label, and how many share the span."""

    start: int
    end: int
    entity: URIRef
    label: Label
    ambiguity: int = 1  # how many entities' labels match these same words


def _separator(between: str) -> str:
    """Normalise what stands between two words: white space, a dash, or punctuation."""
    core = "".join(between.split())
    if not core:
        return " "
    if len(core) == 1 and core in _DASHES:
        return "-"
    if len(core) == 1 and core in _APOSTROPHES:
        return "'"
    return " ".join(between.split())


def _words(text: str) -> Iterator[re.Match[str]]:
    return _WORD.finditer(text)


def _same_word(label_word: str, text_word: str, language: str, free_first: bool = False) -> bool:
    """A form of the label's word whose stem keeps every capital of the label's.

    ``free_first``: the label's first letter may be small in the text (a common noun).
    """
    shared = stem_length(label_word, text_word, language)
    if shared is None:
        return False
    if len(label_word.lower()) != len(label_word) or len(text_word.lower()) != len(text_word):
        return label_word == text_word  # case mapping changes the length (ß, İ): as written
    return all(
        b.isupper() or not a.isupper() or (free_first and i == 0)
        for i, (a, b) in enumerate(zip(label_word[:shared], text_word[:shared], strict=False))
    )


def make_label(
    entity: URIRef, literal: Literal | str, prop: URIRef = RDFS.label, *, derived: bool = False
) -> Label | None:
    """A Label from a label literal, or None when it has no word to match."""
    text = " ".join(str(literal).split())
    found = list(_words(text))
    if not found:
        return None
    separators = tuple(_separator(text[a.end() : b.start()]) for a, b in itertools.pairwise(found))
    language = literal.language if isinstance(literal, Literal) else None
    common = any(f"/{path}" in str(entity) for path in COMMON_NOUN_PATHS)
    words = tuple(m.group() for m in found)
    return Label(entity, text, language, prop, words, separators, common, derived)


def wordings(label: Label) -> list[Label]:
    """The label and the wordings derived from it: without the country's name as qualifier."""
    out = [label]
    for prefix, suffix in _QUALIFIERS:
        text = label.text
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
            text = text[:1].upper() + text[1:] if label.text[:1].isupper() else text
        elif suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
        else:
            continue
        literal = Literal(text, lang=label.language) if label.language else text
        short = make_label(label.entity, literal, label.predicate, derived=True)
        if short is not None and len(short.words) >= 2:
            out.append(short)
    return out


class Gazetteer:
    """Labels of known entities, indexed by their first word for a left-to-right scan."""

    def __init__(
        self, labels: Iterable[Label], types: dict[URIRef, tuple[URIRef, ...]] | None = None
    ):
        self.labels = tuple(labels)
        self.types = types or {}
        self._index: dict[str, list[Label]] = {}
        self._languages = {
            label: tuple(language_of(w, label.language) for w in label.words)
            for label in self.labels
        }
        for label in self.labels:
            self._index.setdefault(index_key(label.words[0]), []).append(label)
        for candidates in self._index.values():
            candidates.sort(key=lambda lab: len(lab.words), reverse=True)

    @classmethod
    def from_graph(cls, graph: Graph, *, namespace: str = RESOURCE) -> Gazetteer:
        """Every label (any language) of every IRI in ``namespace`` that ``graph`` labels."""
        labels: list[Label] = []
        seen: set[tuple[URIRef, str, str | None]] = set()
        for prop in LABEL_PROPERTIES:
            for entity, literal in graph.subject_objects(prop):
                if not isinstance(entity, URIRef) or not str(entity).startswith(namespace):
                    continue
                if not isinstance(literal, Literal):
                    continue
                label = make_label(entity, literal, prop)
                if label is None:
                    continue
                for wording in wordings(label):
                    key = (entity, wording.text, wording.language)  # one per language's rules
                    if key not in seen:
                        seen.add(key)
                        labels.append(wording)
        types: dict[URIRef, tuple[URIRef, ...]] = {}
        for label in labels:
            if label.entity not in types:
                types[label.entity] = tuple(
                    sorted(
                        t
                        for t in graph.objects(label.entity, RDF.type)
                        if isinstance(t, URIRef) and t != OWL.NamedIndividual
                    )
                )
        return cls(labels, types)

    def __len__(self) -> int:
        return len(self.labels)

    def find(self, text: str, *, offset: int = 0, nested: bool = False) -> list[Mention]:
        """Mentions in ``text``, in text order; offsets are shifted by ``offset``.

        ``nested``: keep the matches that a longer one overlaps, too (the drafting
        assistant lists every thing a sentence may name: "emigrants with higher
        education" inside "the number of emigrants with higher education").
        """
        words = list(_words(text))
        seps = [_separator(text[a.end() : b.start()]) for a, b in itertools.pairwise(words)]
        # Every place a label matches: (first word, word count, the labels that match there).
        matches: list[tuple[int, int, list[Label]]] = []
        for i, word in enumerate(words):
            by_length: dict[int, list[Label]] = {}
            for label in self._index.get(index_key(word.group()), ()):
                n = len(label.words)
                if i + n > len(words) or label.separators != tuple(seps[i : i + n - 1]):
                    continue
                languages = self._languages[label]
                if all(
                    _same_word(w, words[i + k].group(), languages[k], label.common and k == 0)
                    for k, w in enumerate(label.words)
                ):
                    by_length.setdefault(n, []).append(label)
            matches += [(i, n, labels) for n, labels in by_length.items()]
        # Longest first (in characters), then leftmost; a match overlapping a chosen one loses.
        matches.sort(key=lambda m: (words[m[0]].start() - words[m[0] + m[1] - 1].end(), m[0]))
        taken: set[int] = set()
        mentions: list[Mention] = []
        for i, n, labels in matches:
            if taken.intersection(range(i, i + n)) and not nested:
                continue
            taken.update(range(i, i + n))
            start, end = words[i].start(), words[i + n - 1].end()
            by_entity: dict[URIRef, Label] = {}
            for label in labels:
                by_entity.setdefault(label.entity, label)
            for entity, label in sorted(by_entity.items()):
                mentions.append(
                    Mention(offset + start, offset + end, entity, label, len(by_entity))
                )
        mentions.sort(key=lambda m: (m.start, str(m.entity)))
        return mentions

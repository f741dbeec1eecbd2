"""Where `kzmig fmt` puts a statement appended at the end of a file: among its kind.

An editor adding a term or a shape tends to append it at the end of the file,
which puts it in the file's last section ("# --- Statistics ---") whatever it
is. So, for the *last* section only, each statement is compared with the others:

- a shape (sh:NodeShape, sh:PropertyShape) is like the shapes with the same
  ``sh:targetClass`` (the same set of them), and, less so, a shape of one class
  is like the shape of its class's parent (the class hierarchy comes from
  ontology/, so the shape of a new subclass goes where its parent's shape is);
- anything else is like the statements with the same ``rdfs:subClassOf`` parent
  (the stronger likeness) or the same ``rdf:type``.

A statement of the last section moves to the section holding the most
statements like it (the first of equals) when its own section holds none like it
(same parent or target); likeness by ``rdf:type`` alone moves it only when
nothing in its own section even has its type.
Statements in any other section never move across sections: a section there is
the editor's choice. Moving is repeated until nothing moves, so formatting a
formatted file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from kzmig.names import VOCABULARIES

from . import turtle as t

RDF_TYPE = VOCABULARIES["rdf"] + "type"
SUBCLASS = VOCABULARIES["rdfs"] + "subClassOf"
SH = VOCABULARIES["sh"]
TARGET_CLASS = SH + "targetClass"
SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


class _HasStatements(Protocol):
    statements: list[t.Statement]


Likeness = tuple[frozenset[str], frozenset[str], frozenset[str]]  # strong, related, weak keys
Parents = dict[str, set[str]]  # class IRI -> its rdfs:subClassOf parents (from ontology/)


def likeness(st: t.Statement, parents: Parents | None = None) -> Likeness:
    """The keys two statements share when they are alike (see the module docstring)."""
    plist = list(st.plist) + (list(st.subject.plist) if isinstance(st.subject, t.Anon) else [])
    values: dict[str, set[str]] = {}
    for po in plist:
        for o in po.objects:
            if isinstance(o, t.Iri):
                values.setdefault(po.verb.value, set()).add(o.value)
    types = values.get(RDF_TYPE, set())
    if types & SHAPE_TYPES or TARGET_CLASS in values:
        # the whole set of target classes: a label shape targeting ten classes
        # is not like the node shape of one of them
        targets = values.get(TARGET_CLASS, set())
        strong = frozenset({" ".join(sorted(targets))}) if targets else frozenset()
        related: frozenset[str] = frozenset()
        if len(targets) == 1:  # the shape of one class goes where its parent class's shape is
            (target,) = targets
            related = frozenset((parents or {}).get(target, set()))
        return strong, related, frozenset()
    # a class is like its siblings (same parent), and goes where its parent is
    supers = frozenset(values.get(SUBCLASS, set()))
    return supers, supers, frozenset(types)


def _identity(st: t.Statement, key: Likeness) -> frozenset[str]:
    """What another statement's "related" keys point at: a class itself, a shape's one target."""
    if key[2] or not key[0]:  # not a shape (shapes have no weak keys)
        return frozenset({st.subject.value}) if isinstance(st.subject, t.Iri) else frozenset()
    return frozenset(k for k in key[0] if " " not in k)


def class_parents(texts: Iterable[str]) -> Parents:
    """Each class's rdfs:subClassOf parents (named ones), as Turtle texts state them."""
    out: Parents = {}
    for text in texts:
        try:
            doc = t.parse(text, strict_prefixes=False)
        except t.TurtleSyntaxError:
            continue
        for item in doc.items:
            if isinstance(item, t.Statement) and isinstance(item.subject, t.Iri):
                for po in item.plist:
                    if po.verb.value == SUBCLASS:
                        out.setdefault(item.subject.value, set()).update(
                            o.value for o in po.objects if isinstance(o, t.Iri)
                        )
    return out


def _score(
    key: Likeness, statements: Sequence[t.Statement], skip: t.Statement, parents: Parents | None
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    for other in statements:
        if other is not skip:
            theirs = likeness(other, parents)
            counts[0] += bool(key[0] & theirs[0])
            counts[1] += bool(key[1] & _identity(other, theirs))  # they are my parent (shape)
            counts[2] += bool(key[2] & theirs[2])
    return counts[0], counts[1], counts[2]


def place(sections: Sequence[_HasStatements], parents: Parents | None = None) -> None:
    """Move the last section's misplaced statements to their sections, in place."""
    if len(sections) < 2:
        return
    last = sections[-1]
    moved = True
    while moved:
        moved = False
        for st in list(last.statements):
            key = likeness(st, parents)
            if not any(key):
                continue
            own = _score(key, last.statements, st, parents)
            if own[0] or own[1]:
                continue  # its own section holds its like: it belongs there
            best, best_score = None, (0, 0, 0)
            for section in sections[:-1]:
                score = _score(key, section.statements, st, parents)
                if score > best_score:
                    best, best_score = section, score
            if not (best_score[0] or best_score[1]) and own[2]:
                best = None  # alike by rdf:type only, here as there: it stays
            if best is not None:
                last.statements.remove(st)
                best.statements.append(st)
                moved = True

"""Who a sentence says says so: in-text attributions, and when they carry to the next sentence.

Cues, in a sentence (the agent is a known agent the gazetteer finds, or a new
name the draft proposes as an agency, organization or person):

- "according to X" (the first agent within the next 80 characters:
  "According to indirect data stated by the authors of the Concept");
- "X said / reported / announced / stated / estimated / put the number at /
  spoke of" (the first agent of the clause before the verb);
- "data from X", "stated by X", "published by X";
- a paragraph that closes with an agent in brackets, "(Gov Kz)": every
  sentence of the paragraph.

Carried to the next sentence of the same paragraph when it has no cue of its
own and either speaks through a pronoun ("He said that ...", "They
reported ...") or continues the figures with "of them" / "of these"
("80% of them (71.3 thousand) study in Russia.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACCORDING = re.compile(r"\baccording to\b", re.I)
_BY = re.compile(r"\b(?:data from|stated by|published by|reported by|estimated by)\b", re.I)
_VERB = re.compile(
    r"\b(?:said|says|reported|reports|announced|stated|estimated|put the number|spoke|declared)\b",
    re.I,
)
_PRONOUN_SPEECH = re.compile(
    r"^\s*(?:He|She|They|It)\s+(?:also\s+)?(?:said|added|reported|announced|stated|noted)\b"
)
_ANAPHOR = re.compile(r"\b(?:of them|of these|of those|among them)\b", re.I)
_CLOSING = re.compile(r"\(([^()]{2,60})\)\s*$")


@dataclass(frozen=True)
class Agent:
    """An agent named at [start, end): its CURIE, known or proposed."""

    start: int
    end: int
    curie: str


@dataclass(frozen=True)
class Attribution:
    curie: str
    cue: str  # the words that attribute
    carried: bool = False  # from the previous sentence, or from the paragraph's close


def in_sentence(text: str, start: int, end: int, agents: list[Agent]) -> Attribution | None:
    """The attribution a sentence states itself, or None."""
    body = text[start:end]
    for cue in (_ACCORDING, _BY):
        for m in cue.finditer(body):
            a = start + m.end()
            hit = next((g for g in agents if a <= g.start < a + 80), None)
            if hit:
                return Attribution(hit.curie, text[start + m.start() : hit.end])
    for m in _VERB.finditer(body):
        verb = start + m.start()
        clause = max(start, text.rfind(";", start, verb) + 1)
        before = [g for g in agents if clause <= g.start and g.end <= verb]
        if before:
            return Attribution(before[0].curie, text[before[0].start : verb + len(m.group())])
    return None


def closing(text: str, paragraph_end: int, agents: list[Agent]) -> Agent | None:
    """The agent in brackets that closes a paragraph ("... outflow of population. (Gov Kz)")."""
    base = max(0, paragraph_end - 70)
    m = _CLOSING.search(text[base:paragraph_end])
    if not m:
        return None
    a = base + m.start(1)
    inside = [g for g in agents if a <= g.start and g.end <= base + m.end(1)]
    return inside[0] if inside else None


def carries(sentence: str) -> bool:
    """Does this sentence continue the previous one's attribution?"""
    return bool(_PRONOUN_SPEECH.search(sentence) or _ANAPHOR.search(sentence))

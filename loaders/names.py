"""Names the ontology does not know yet, with a guessed class and a Turtle skeleton.

Rules, over English text (a name is a run of capitalised words, joined by
"of", "of the", "and", "for"):

==========================================  ===================================
what the text says                          guessed class (prefix)
==========================================  ===================================
``Law "On Immigration"``                    kzo:Law (document:)
``decree No. 1126``                         kzo:PolicyDocument (document:)
a name with Ministry, Committee, Council,   kzo:Agency (agency:)
Department, Agency, Bureau, Cabinet,
Commission, Service, Parliament
``program(me) X``, ``X program(me)``        kzo:Program (program:)
Kurultai, Congress, Forum, Summit           kzo:Event (event:)
an acronym (UNHCR)                          kzo:Organization (organization:)
a person's name after a title (President,   kzo:Person (person:)
Minister(s), chairman, head of, deputy,
member of parliament, akim, rector), or
before ", chairman of ..."
a country or region from the place list,    kzo:Country / kzo:Region (place:)
or "X region", "X Territory"
==========================================  ===================================

A name the gazetteer already knows is never proposed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_CAP = r"[A-Z][\w'’-]*"
_JOIN = r"(?:\s+(?:of(?:\s+the)?|and|for|on)\s+|\s+)"
NAME = re.compile(rf"{_CAP}(?:{_JOIN}{_CAP})*")
_AGENCY = re.compile(
    r"\b(Ministry|Ministries|Committee|Council|Department|Agency|Bureau|Cabinet|Commission|"
    r"Service|Parliament|Mazhilis|Senate|Government|Office|Akimat)\b"
)
_EVENT = re.compile(r"\b(Kurultai|Congress|Forum|Summit|Conference)\b")
_TITLE = re.compile(
    r"\b(President|Prime Minister|Ministers?|[Cc]hairman|[Cc]hairwoman|[Cc]hair|[Hh]ead of|"
    r"[Dd]eputy|[Mm]ember of [Pp]arliament|[Aa]kim|[Rr]ector|[Aa]mbassador|[Dd]irector)\b"
)
_LAW = re.compile(r"\bLaw\s+[\"“«]On\s+[^\"”»]+[\"”»]")
_DECREE = re.compile(r"\b(?:Government\s+)?[Dd]ecree\s+No\.?\s*\d+")
_PROGRAM = re.compile(
    r"\bprogram(?:me)?\s+[\"“«]?((?:[A-Z][\w-]*)(?:\s+[A-Z][\w-]*)*)[\"”»]?"
    r"|[\"“«]?((?:[A-Z][\w-]*)(?:\s+[A-Z][\w-]*)*)[\"”»]?\s+program(?:me)?\b"
)
_PLACES = {
    "Afghanistan", "Armenia", "Azerbaijan", "Belarus", "Canada", "China", "Georgia",
    "Germany", "Greece", "India", "Iran", "Israel", "Kyrgyzstan", "Mongolia", "Pakistan",
    "Poland", "Russia", "Tajikistan", "Turkey", "Turkmenistan", "Ukraine", "Uzbekistan",
    "Karaganda", "Almaty", "Astana", "Shymkent", "Aktobe", "Atyrau", "Kyzylorda",
}  # fmt: skip
_REGION = re.compile(rf"\b({_CAP}(?:\s+{_CAP})?)\s+(?:region|oblast|Region|Oblast|Territory)\b")
_CITIES = {"Karaganda", "Almaty", "Astana", "Shymkent", "Aktobe", "Atyrau", "Kyzylorda"}
Add = Callable[[int, int, str, str, str], None]
_SENTENCE_WORDS = {"The", "A", "An", "In", "On", "At", "By", "Since", "Its", "It", "This", "These"}


@dataclass(frozen=True)
class Proposal:
    """A name to add to the ontology: where, what it may be, and why."""

    start: int
    end: int
    text: str
    cls: str  # kzo:Person, ...
    prefix: str  # person, agency, ...
    why: str

    @property
    def slug(self) -> str:
        words = re.sub(r"^(?:the|The)\s+", "", self.text)
        return re.sub(r"[^a-z0-9]+", "-", words.lower().replace("’", "")).strip("-")

    @property
    def curie(self) -> str:
        return f"{self.prefix}:{self.slug}"

    def turtle(self) -> str:
        """A skeleton to accept or edit in ontology/: type, labels, definition."""
        label = self.text.replace('"', "").replace("“", "").replace("”", "")
        label = re.sub(r"^the\s+", "", label)
        return (
            f"{self.curie}\n"
            f"    a {self.cls} ,\n"
            f"        owl:NamedIndividual ;\n"
            f'    rdfs:label "{label}"@en ;  # add the kk and ru labels\n'
            f'    skos:definition "TODO: what it is, from the text."@en .\n'
        )


def _strip_article(text: str, start: int) -> tuple[str, int]:
    for word in _SENTENCE_WORDS:
        if text.startswith(word + " "):
            return text[len(word) + 1 :], start + len(word) + 1
    return text, start


def propose(text: str, start: int, end: int, known: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for the unknown names of ``text[start:end]``; ``known`` spans are skipped."""
    body = text[start:end]
    out: list[Proposal] = []

    def add(a: int, b: int, cls: str, prefix: str, why: str) -> None:
        # A titled person's name may hold a known word ("President Nursultan Nazarbayev")
        inside = cls == "kzo:Person" and "title" in why
        if any(
            x < b and a < y and not (inside and a <= x and y <= b and (x, y) != (a, b))
            for x, y in known
        ) or any(p.start < b and a < p.end for p in out):
            return
        out.append(Proposal(a, b, text[a:b], cls, prefix, why))

    for m in _LAW.finditer(body):
        add(start + m.start(), start + m.end(), "kzo:Law", "document", 'Law "On …"')
    for m in _DECREE.finditer(body):
        add(start + m.start(), start + m.end(), "kzo:PolicyDocument", "document", "a decree")
    for m in _PROGRAM.finditer(body):
        g = 1 if m.group(1) else 2
        if m.group(g) in _SENTENCE_WORDS:
            continue
        add(start + m.start(g), start + m.end(g), "kzo:Program", "program", "named as a program")
    for m in _REGION.finditer(body):
        add(start + m.start(), start + m.end(), "kzo:Region", "place", "X region / Territory")
    for m in NAME.finditer(body):
        name, a = _strip_article(m.group(), start + m.start())
        b = start + m.end()
        if not name or name in _SENTENCE_WORDS:
            continue
        if _AGENCY.search(name):
            why = f"names a body ({_AGENCY.search(name).group()})"  # type: ignore[union-attr]
            add(a, b, "kzo:Agency", "agency", why)
            continue
        if _EVENT.search(name):
            add(a, b, "kzo:Event", "event", "names a gathering")
            continue
        # "President Nursultan Nazarbayev", "Askhat Aimagambetov and Valery Falkov"
        lead = re.match(r"(?:(?:President|Prime|Minister|Chairman|Deputy|Vice|Akim)\s+)+", name)
        if lead:
            name, a = name[lead.end() :], a + lead.end()
        offset = 0
        for part in re.split(r"(\s+and\s+)", name):
            if not part.strip().startswith("and"):
                _name(text, start, end, a + offset, a + offset + len(part), add, bool(lead))
            offset += len(part)
    out.sort(key=lambda p: p.start)
    return out


def _name(text: str, start: int, end: int, a: int, b: int, add: Add, titled: bool) -> None:
    """One capitalised name: a place, an acronym, or a person named with a title."""
    name = text[a:b]
    if name in _PLACES:
        cls = "kzo:City" if name in _CITIES else "kzo:Country"
        add(a, b, cls, "place", "in the place list")
        return
    if re.fullmatch(r"[A-Z]{3,}", name):
        add(a, b, "kzo:Organization", "organization", "an acronym")
        return
    if not re.fullmatch(rf"{_CAP}(?:[\s—–-]+{_CAP}){{1,3}}", name):
        return
    title = _TITLE.search(text[max(start, a - 90) : a].split(". ")[-1])
    after = re.match(
        r"^\s*,\s*(?:the\s+)?(?:chairman|chairwoman|head|minister|deputy|director|president)",
        text[b : min(end, b + 30)],
        re.I,
    )
    if titled or title or after:
        why = f"after the title {title.group()!r}" if title else "named with a title"
        why = f"before {after.group().strip()!r}" if after and not titled and not title else why
        add(a, b, "kzo:Person", "person", why)

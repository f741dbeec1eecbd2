"""Segment a text into sections, paragraphs and sentences, with code-point offsets.

Offsets are Python string indices into the text exactly as stored, so that
``text[start:end]`` is always the span; provenance and the source pages rely on
that. Repeated passages (the same sentence more than once) are found here too,
because the anchoring of quotes depends on them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = ("approx.", "e.g.", "i.e.", "etc.", "Mr.", "Mrs.", "Dr.", "St.", "vs.", "No.")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


@dataclass(frozen=True)
class Sentence(Span):
    number: int  # 1-based, in text order
    paragraph: int
    section: int


@dataclass(frozen=True)
class Paragraph(Span):
    number: int
    section: int
    is_heading: bool


@dataclass(frozen=True)
class Section(Span):
    number: int
    title: str
    heading: Span
    run_in: bool  # the heading is run into the paragraph that follows it


@dataclass
class Segmentation:
    text: str
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    # sentence number -> numbers of the other sentences with the same text
    repeats: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def sentences_in(self, start: int, end: int) -> list[Sentence]:
        """The sentences overlapping [start, end)."""
        return [s for s in self.sentences if s.start < end and start < s.end]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


_URL = re.compile(r"\bhttps?://\S+")


def blank_urls(text: str) -> str:
    """``text`` with every URL replaced by spaces, so offsets stay as they are.

    Extractors run over this: the words and numbers inside a link
    ("...Shymkent%20(1%20049%20people)...") are not statements of the text.
    """
    return _URL.sub(lambda m: " " * len(m.group()), text)


def fold_space(text: str) -> str:
    return " ".join(text.split())


def _is_heading(block: str) -> bool:
    if "\n" in block.strip():
        return False
    words = block.split()
    if not words or len(words) > 12 or re.match(r"https?://", block):
        return False
    return not block.rstrip().endswith((".", "!", "?", ":", ",")) or len(words) <= 4


def _paragraph_spans(text: str) -> list[Span]:
    spans, position = [], 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        block = text[position:end]
        stripped = block.strip()
        if stripped:
            start = position + (len(block) - len(block.lstrip()))
            spans.append(Span(start, start + len(stripped)))
        if match:
            position = match.end()
    return spans


def _heading_line(text: str, span: Span) -> list[Span]:
    """Cut a heading that stands on its own line right above its paragraph.

    ("Overview\nSince independence, ..." with no blank line between): the first
    line is a heading when it is short and has no closing punctuation at all.
    """
    block = text[span.start : span.end]
    first, newline, rest = block.partition("\n")
    if not newline or not rest.strip() or not _is_heading(first):
        return [span]
    if first.rstrip().endswith((".", "!", "?", ":", ",", ";")):
        return [span]
    body_start = span.start + len(first) + 1
    body_start += len(text[body_start : span.end]) - len(text[body_start : span.end].lstrip())
    return [Span(span.start, span.start + len(first.rstrip())), Span(body_start, span.end)]


def _sentence_spans(text: str, span: Span) -> list[Span]:
    body = text[span.start : span.end]
    cuts = [0]
    for match in _SENTENCE_END.finditer(body):
        before = body[: match.start()]  # up to and with the full stop (the match follows it)
        if before.endswith(_ABBREVIATIONS):
            continue
        cuts.append(match.end())
    cuts.append(len(body))
    spans = []
    for a, b in itertools.pairwise(cuts):
        chunk = body[a:b].rstrip()
        if chunk.strip():
            spans.append(Span(span.start + a, span.start + a + len(chunk)))
    return spans


def segment(text: str, *, run_in_headings: tuple[str, ...] = ()) -> Segmentation:
    """Split ``text`` into sections, paragraphs and sentences.

    A heading is a one-line paragraph of a few words. ``run_in_headings`` names
    headings that the text runs into a sentence ("Demographic Changes The
    influx ..."): each is cut out as a heading of its own section.
    """
    seg = Segmentation(text)
    blocks: list[tuple[Span, bool]] = []
    spans = [piece for block in _paragraph_spans(text) for piece in _heading_line(text, block)]
    for span in spans:
        pieces = [span]
        for heading in run_in_headings:
            found = text.find(heading, span.start, span.end)
            if found < 0:
                continue
            new = []
            for piece in pieces:
                if piece.start <= found < piece.end:
                    end = found + len(heading)
                    rest = end + (len(text[end : piece.end]) - len(text[end : piece.end].lstrip()))
                    if found > piece.start:
                        new.append(Span(piece.start, len(text[:found].rstrip())))
                    new.append(Span(found, end))
                    if rest < piece.end:
                        new.append(Span(rest, piece.end))
                else:
                    new.append(piece)
            pieces = new
        for piece in pieces:
            is_heading = any(text[piece.start : piece.end] == h for h in run_in_headings) or (
                piece == span and _is_heading(text[span.start : span.end])
            )
            blocks.append((piece, is_heading))

    section_no = 0
    open_section: tuple[int, str, Span, bool] | None = None
    for index, (span, is_heading) in enumerate(blocks):
        if is_heading or section_no == 0:
            if open_section:
                _close(seg, open_section, blocks[index - 1][0].end)
            section_no += 1
            title_span = span if is_heading else Span(span.start, span.start)
            run_in = (
                is_heading
                and index + 1 < len(blocks)
                and blocks[index + 1][0].start
                == (span.end + (len(text[span.end :]) - len(text[span.end :].lstrip(" "))))
            )
            open_section = (section_no, text[title_span.start : title_span.end], title_span, run_in)
        paragraph_no = len(seg.paragraphs) + 1
        seg.paragraphs.append(Paragraph(span.start, span.end, paragraph_no, section_no, is_heading))
        if is_heading:
            continue
        for sentence in _sentence_spans(text, span):
            seg.sentences.append(
                Sentence(
                    sentence.start, sentence.end, len(seg.sentences) + 1, paragraph_no, section_no
                )
            )
    if open_section and blocks:
        _close(seg, open_section, blocks[-1][0].end)
    seg.repeats = _find_repeats(text, seg.sentences)
    return seg


def _close(seg: Segmentation, section: tuple[int, str, Span, bool], end: int) -> None:
    number, title, heading, run_in = section
    seg.sections.append(Section(heading.start, end, number, title, heading, run_in))


def _find_repeats(text: str, sentences: list[Sentence]) -> dict[int, tuple[int, ...]]:
    """Sentences whose words the text repeats elsewhere.

    A long sentence (40+ characters) that recurs is a copied passage; a short
    one counts only next to a long one that recurs, since short sentences
    ("It grew.") also recur by chance.
    """
    by_text: dict[str, list[int]] = {}
    for s in sentences:
        by_text.setdefault(fold_space(s.text(text)), []).append(s.number)
    groups = {n: numbers for key, numbers in by_text.items() if len(numbers) > 1 for n in numbers}
    long_ = {n for n in groups if len(fold_space(sentences[n - 1].text(text))) >= 40}
    kept = long_ | {n for n in groups if n - 1 in long_ or n + 1 in long_}
    return {n: tuple(m for m in groups[n] if m != n and m in kept) for n in sorted(kept)}

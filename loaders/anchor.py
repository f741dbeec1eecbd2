"""Find a verbatim quote in a text: its spans, or an error that helps fix it.

Runs of whitespace in the quote match any run of whitespace in the text, so
an editor may wrap a quote over several lines of a claim sheet; everything
else must match character for character.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .text import Segmentation, Span, fold_space


class AnchorError(ValueError):
    """A quote that cannot be anchored; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class Anchor:
    spans: tuple[Span, ...]  # one per piece of evidence, in text order
    repeated: bool  # the quote stands in copies of one repeated passage


def quote_pattern(quote: str) -> re.Pattern[str]:
    words = quote.split()
    if not words:
        raise AnchorError("the quote is empty: copy the words of the text that support the claim")
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def find_all(text: str, quote: str) -> list[Span]:
    return [Span(m.start(), m.end()) for m in quote_pattern(quote).finditer(text)]


def anchor(seg: Segmentation, quote: str, *, occurrence: int | None = None) -> Anchor:
    """Anchor ``quote`` in the segmented text.

    One occurrence: one span. Several, all inside copies of the same repeated
    sentences: one span per copy (one claim, several pieces of evidence).
    Several otherwise: ``occurrence`` (1-based) must say which.
    """
    spans = find_all(seg.text, quote)
    if not spans:
        raise AnchorError(
            f"the quote does not occur in the text. Closest passage: {closest(seg, quote)!r}. "
            "Copy the words exactly as the text has them (spelling, punctuation, dashes)."
        )
    if occurrence is not None:
        if not 1 <= occurrence <= len(spans):
            raise AnchorError(
                f"occurrence: {occurrence} asked for, but the quote occurs {len(spans)} time(s)"
            )
        return Anchor((spans[occurrence - 1],), False)
    if len(spans) == 1:
        return Anchor((spans[0],), False)
    if _copies_of_one_passage(seg, spans):
        return Anchor(tuple(spans), True)
    where = ", ".join(f"line {seg.line_of(s.start)}" for s in spans)
    raise AnchorError(
        f"the quote occurs {len(spans)} times ({where}) in different passages. "
        "Lengthen it until it is unique, or add `occurrence: N` to say which one."
    )


def _copies_of_one_passage(seg: Segmentation, spans: list[Span]) -> bool:
    """True when every span sits in sentences whose text the others repeat."""
    texts = set()
    for span in spans:
        sentences = seg.sentences_in(span.start, span.end)
        if not sentences or any(s.number not in seg.repeats for s in sentences):
            return False
        texts.add(tuple(fold_space(s.text(seg.text)) for s in sentences))
    return len(texts) == 1


def closest(seg: Segmentation, quote: str) -> str:
    """The stretch of text (a sentence, or a window of words) most like ``quote``."""
    target = fold_space(quote)
    words = fold_space(seg.text).split(" ")
    width = max(1, len(target.split(" ")))
    candidates = {fold_space(s.text(seg.text)) for s in seg.sentences}
    candidates.update(
        " ".join(words[i : i + width]) for i in range(0, max(1, len(words) - width + 1))
    )
    best = max(
        candidates,
        key=lambda c: difflib.SequenceMatcher(None, target, c, autojunk=False).ratio(),
    )
    return best


def context(text: str, span: Span, width: int = 32) -> tuple[str, str]:
    """The prefix and suffix of a span, for a TextQuoteSelector."""
    return text[max(0, span.start - width) : span.start], text[span.end : span.end + width]

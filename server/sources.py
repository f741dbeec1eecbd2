"""Source pages: the text itself, every claim's evidence highlighted and linked to its claims.

Passages are addressed as RFC 5147 fragments, ``#char=start,end`` (positions
between code points, as the provenance offsets are). ``static/passage.js``
highlights such a fragment in the browser; ``?char=start,end`` does the same
on the server, for clients without scripts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape

from . import describe, iris

CHAR = re.compile(r"^(\d+)(?:,(\d+))?$")


def parse_char(value: str | None, length: int) -> tuple[int, int] | None:
    """'12,40' -> (12, 40); '12' -> (12, 12); clamped to the text; None when malformed."""
    if not value:
        return None
    m = CHAR.match(value.strip())
    if not m:
        return None
    start = min(int(m.group(1)), length)
    end = min(int(m.group(2)) if m.group(2) is not None else start, length)
    return (start, end) if start <= end else None


def _text(store: Any, iri: str) -> str | None:
    release = getattr(store, "release", None)
    ns = iris.resource("source/")
    if release is not None and iri.startswith(ns):
        text = release.source_text(iri[len(ns) :])
        if text is not None:
            return str(text)
    return describe.text_of(store, iri)


def highlight(
    text: str, spans: list[tuple[int, int]], target: tuple[int, int] | None = None
) -> Markup:
    """The text as HTML, each evidence span wrapped in a link to its passage entry.

    Overlapping spans are cut at every boundary; a piece covered by several
    links to the shortest span that covers it. The text content of the result
    is exactly ``text`` (no added whitespace), so code point offsets still hold.
    """
    cuts = {0, len(text)}
    for s, e in spans:
        cuts.update((s, e))
    if target:
        cuts.update(target)
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[str] = []
    for a, b in pairwise(points):
        piece = str(escape(text[a:b]))
        covering = [(e - s, s, e) for s, e in spans if s <= a and e >= b]
        if covering:
            _, s, e = min(covering)
            piece = f'<a class="ev" href="#p-{s}-{e}" data-start="{s}" data-end="{e}">{piece}</a>'
        if target and target[0] <= a and b <= target[1] and a < b:
            piece = f'<mark class="target">{piece}</mark>'
        out.append(piece)
    return Markup("".join(out))


def source_model(store: Any, iri: str, char: str | None) -> dict[str, Any] | None:
    """What a source page shows; None when ``iri`` is not a source text."""
    text = _text(store, iri)
    if text is None:
        return None
    prov_graph = iris.resource("graph/provenance")
    found = describe.passages(store, prov_graph, iri)
    claims_at: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s, e, c in found:
        if c not in claims_at[(s, e)]:
            claims_at[(s, e)].append(c)
    target = parse_char(char, len(text))
    passages = [
        {
            "id": f"p-{s}-{e}",
            "start": s,
            "end": e,
            "quote": text[s:e],
            "claims": [{"iri": c, "href": iris.href(c), "id": c.rsplit("/", 1)[-1]} for c in cs],
        }
        for (s, e), cs in sorted(claims_at.items())
    ]
    return {
        "html": highlight(text, list(claims_at), target),
        "length": len(text),
        "passages": passages,
        "claims": len({c for _, _, c in found}),
        "target": target,
    }

"""Which queries are quick: a static screen, then what their shape cost before.

A query runs in the quick lane (executor.py) when nothing in its text can make
it expensive (no aggregate, grouping, ordering, subquery or path closure) and
queries of the same *shape* (the text with its IRIs, names, strings and numbers
blanked) have answered quickly every time lately. A point lookup is learnt after
its first answer; a shape that once ran slow or past its deadline leaves the
lane until it has been quick again ``RECENT`` times. A wrong guess costs little:
the quick lane keeps its deadline and its kill.

A query that is one triple pattern with an IRI as its subject or object (``bounded``)
needs no lane at all: its cost is an index lookup plus the rows it returns, which
the row cap bounds, so the serving process answers it itself, without a pipe
round trip (there is nothing to kill).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

from . import guard

QUICK_SECONDS = 0.05  # a query under this (in its worker) counts as quick
RECENT = 8  # how many of a shape's latest runs must all be quick
MAX_SHAPES = 10_000

# Words that make a query's cost grow with the data, whatever it binds.
_HEAVY_WORDS = frozenset(
    {"GROUP", "ORDER", "HAVING", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE", "GROUP_CONCAT"}
    | {"SERVICE"}
)
_BLANKED = {"iri": "<>", "pname": ":", "string": '""'}


def shape(text: str) -> str | None:
    """The query's shape, or None when its text alone says it may be slow."""
    out: list[str] = []
    selects = 0
    previous = ""
    for tok in guard.tokens(text):
        if tok.kind == "word":
            upper = tok.text.upper()
            if upper in _HEAVY_WORDS:
                return None
            if upper == "SELECT":
                selects += 1
                if selects > 1:  # a subquery
                    return None
            out.append(upper)
        elif tok.kind == "punct":
            if tok.text in "*+" and previous not in ("SELECT", "DISTINCT", "REDUCED"):
                return None  # a path closure (or arithmetic, which is rare in lookups)
            if tok.text.isdigit():
                if previous == "0":
                    continue  # one number, however many digits
                out.append("0")
            else:
                out.append(tok.text)
        else:
            out.append(_BLANKED.get(tok.kind, tok.text))
        previous = out[-1]
    return " ".join(out)


def bounded(text: str) -> bool:
    """Whether the query is ``[PREFIX ...] SELECT [DISTINCT] vars [WHERE] { s p o [.] }
    [LIMIT n]`` with an IRI (or prefixed name) as ``s`` or ``o``: a lookup whose work is
    bounded by the rows it returns."""
    toks = guard.tokens(text)
    i, n = 0, len(toks)

    def word(at: int, *names: str) -> bool:
        return at < n and toks[at].kind == "word" and toks[at].text.upper() in names

    def punct(at: int, char: str) -> bool:
        return at < n and toks[at].kind == "punct" and toks[at].text == char

    while word(i, "PREFIX"):
        if i + 2 >= n or toks[i + 1].kind != "pname" or toks[i + 2].kind != "iri":
            return False
        i += 3
    if not word(i, "SELECT"):
        return False
    i += 1 + word(i + 1, "DISTINCT", "REDUCED")
    if punct(i, "*"):
        i += 1
    else:
        start = i
        while i < n and toks[i].kind == "var":
            i += 1
        if i == start:
            return False
    i += word(i, "WHERE")
    if not punct(i, "{") or i + 4 >= n:
        return False
    s, p, o = toks[i + 1 : i + 4]
    constant = ("iri", "pname")
    if not (
        s.kind in (*constant, "var")
        and (p.kind in (*constant, "var") or (p.kind == "word" and p.text == "a"))
        and o.kind in (*constant, "var")
        and (s.kind in constant or o.kind in constant)
    ):
        return False
    i += 4
    i += punct(i, ".")
    if not punct(i, "}"):
        return False
    i += 1
    if word(i, "LIMIT"):
        i += 1
        start = i
        while i < n and toks[i].kind == "punct" and toks[i].text.isdigit():
            i += 1
        if i == start:
            return False
    return i == n


class CostBook:
    """The latest worker times of each shape, for this HTTP process (thread-safe)."""

    def __init__(self, max_shapes: int = MAX_SHAPES):
        self.max_shapes = max_shapes
        self._runs: OrderedDict[str, deque[bool]] = OrderedDict()
        self._lock = threading.Lock()

    def is_quick(self, key: str | None) -> bool:
        if key is None:
            return False
        with self._lock:
            runs = self._runs.get(key, ())
            return bool(runs) and all(runs)

    def record(self, key: str | None, seconds: float) -> None:
        """One run of ``key`` took ``seconds`` in its worker (inf: it was stopped)."""
        if key is None:
            return
        with self._lock:
            runs = self._runs.get(key)
            if runs is None:
                runs = self._runs[key] = deque(maxlen=RECENT)
                while len(self._runs) > self.max_shapes:
                    self._runs.popitem(last=False)
            else:
                self._runs.move_to_end(key)
            quick = seconds <= QUICK_SECONDS
            if not quick:
                runs.clear()  # slow once: out of the lane until quick RECENT times again
            runs.append(quick)

"""Which queries are quick: a static screen, then what their shape cost before.

A query runs in the quick lane (executor.py) when nothing in its text can make
it expensive (no aggregate, grouping, ordering, subquery or path closure) and
queries of the same *shape* (the text with its IRIs, names, strings and numbers
blanked) have answered quickly every time lately. A point lookup is learnt after
its first answer; a shape that once ran slow or past its deadline leaves the
lane until it has been quick again ``RECENT`` times. A wrong guess costs little:
the quick lane keeps its deadline and its kill.

Every query, a point lookup too, runs in a query worker: the serving process never
hands user text to the engine (issue #14: a lookup "recognised" by this lexer ran a
cartesian product in the HTTP process, past every limit). The shape is only a guess
about cost; a wrong one costs a little time, never a limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

from . import guard

QUICK_SECONDS = 0.05  # a query under this (in its worker) counts as quick
RECENT = 8  # how many of a shape's latest runs must all be quick
MAX_SHAPES = 10_000
MAX_SHAPE_CHARS = 4_000  # a longer query is never taken for a quick one

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
    if len(text) > MAX_SHAPE_CHARS:
        return None  # not a lookup; and lexing it here would cost the HTTP process time
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

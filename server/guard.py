"""Friendly refusals of what a query or update asks for: SERVICE, LOAD, remote FROM, size.

NOT THE DEFENCE. This lexer reads some spellings differently from the engine's parser
(``ex:a\\#`` is an escaped name to the parser and a comment here; ``ex:a\\'`` starts a
string here): what guarantees that no query connects out is that the query workers
have no network (sandbox.py); what bounds a query is the worker's deadline, memory cap
and stack (executor.py). This module only turns the common cases into a clear 400
(docs/security.md).

pyoxigraph fetches over HTTP for ``SERVICE`` and ``LOAD``, so both are refused
before the text reaches it. ``FROM`` / ``FROM NAMED`` never fetch in pyoxigraph,
but a client that writes them expects the Web graph: the worker checks that each
names a graph of this dataset and refuses the others with a clear message.

This is a lexer, not a parser: it skips strings, IRIs and comments so that a
keyword inside them is not mistaken for the real thing, and it knows the few
clauses it looks for. It also rewrites an update for the protocol's
``using-graph-uri`` / ``using-named-graph-uri`` (pyoxigraph has no parameter for them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:
               (?:[^\s{}()\[\];,<>"'\#]*[^\s{}()\[\];,<>"'\#.])?)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Refused(ValueError):
    """A query or update that this server will not run; the message says why."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


MAX_TOKENS = 100_000  # in a query (updates carry data, and are not counted)


def tokens(text: str, limit: int | None = None) -> list[Token]:
    """The significant tokens (no whitespace, no comments); Refused past ``limit`` of them."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, match.group(), match.start()))
        if limit is not None and len(out) > limit:
            raise Refused(
                f"the query is longer than {limit} terms (at {_line_col(text, match.start())}); "
                "split it into smaller queries, or use VALUES for long lists"
            )
    return out


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {col}"


def _prefixes(toks: list[Token]) -> tuple[dict[str, str], str | None]:
    prefixes: dict[str, str] = {}
    base: str | None = None
    for i, tok in enumerate(toks):
        upper = tok.text.upper()
        if tok.kind == "word" and upper == "PREFIX" and i + 2 < len(toks):
            name, iri = toks[i + 1], toks[i + 2]
            if name.kind == "pname" and iri.kind == "iri":
                prefixes[name.text[:-1] if name.text.endswith(":") else name.text] = iri.text[1:-1]
        elif (
            tok.kind == "word"
            and upper == "BASE"
            and i + 1 < len(toks)
            and toks[i + 1].kind == "iri"
        ):
            base = toks[i + 1].text[1:-1]
    return prefixes, base


def _resolve(tok: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    if tok.kind == "iri":
        iri = tok.text[1:-1]
        return urljoin(base, iri) if base else iri
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


MAX_DEPTH = 200  # pyoxigraph's parser overflows its stack at ~2,500 levels and dies


def check_depth(text: str, toks: list[Token]) -> None:
    """Refuse brackets nested deeper than MAX_DEPTH, before the parser crashes on them."""
    depth = 0
    for tok in toks:
        if tok.kind != "punct":
            continue
        if tok.text in "{([":
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(
                    f"at {_line_col(text, tok.start)}: brackets nested more than {MAX_DEPTH} "
                    "levels deep; write the query flatter"
                )
        elif tok.text in "})]":
            depth -= 1


MAX_OPERATORS = 10_000  # || and && in one query: more is no query a person writes
MAX_PATTERNS = 5_000  # triple patterns ('.'-separated) in one query (not in updates' data)


def check_size(text: str, toks: list[Token], *, query: bool = True) -> None:
    """Refuse chains of operators and joins no one writes by hand, with a 400 that says so.

    Not a defence: the worker's large stack, deadline and memory cap stop these whatever
    they are (sandbox.py); this only turns them into a clear answer instead of a 503
    after the timeout. ``query``: count triple patterns too (an update's data may be long).
    """
    run = binary = patterns = 0
    for tok in toks:
        if tok.kind != "punct":
            run = 0
            continue
        if tok.text == "!":
            run += 1
            if run > MAX_DEPTH:
                raise Refused(
                    f"at {_line_col(text, tok.start)}: more than {MAX_DEPTH} '!' in a row; "
                    "write the expression without them (an even number cancels out)"
                )
            continue
        run = 0
        if tok.text in "|&":
            binary += 1
        elif tok.text == ".":
            patterns += 1
    if binary > 2 * MAX_OPERATORS:
        raise Refused(
            f"the query has more than {MAX_OPERATORS} || and && operators; "
            "use IN (...) or VALUES for long lists of alternatives"
        )
    if query and patterns > MAX_PATTERNS:
        raise Refused(
            f"the query joins more than {MAX_PATTERNS} triple patterns; split it into "
            "smaller queries"
        )


def check_no_outbound(text: str, toks: list[Token] | None = None) -> None:
    """Refuse SERVICE and LOAD anywhere they are keywords."""
    for tok in toks if toks is not None else tokens(text):
        if tok.kind != "word":
            continue
        upper = tok.text.upper()
        if upper == "SERVICE":
            raise Refused(
                f"SERVICE at {_line_col(text, tok.start)}: federated queries are off on this "
                "server, which never sends requests elsewhere; query the other endpoint yourself"
            )
        if upper == "LOAD":
            raise Refused(
                f"LOAD at {_line_col(text, tok.start)}: this server never fetches data from "
                "other sites; send the data with the Graph Store Protocol (PUT/POST /store) "
                "or INSERT DATA instead"
            )


def dataset_clauses(
    text: str, base_iri: str | None = None, toks: list[Token] | None = None
) -> list[tuple[str, str]]:
    """The query's FROM / FROM NAMED graphs as ("FROM"|"FROM NAMED", iri)."""
    toks = tokens(text) if toks is None else toks
    prefixes, base = _prefixes(toks)
    base = urljoin(base_iri, base) if base and base_iri else (base or base_iri)
    out = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() != "FROM":
            continue
        j, kind = i + 1, "FROM"
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED":
            j, kind = j + 1, "FROM NAMED"
        if j < len(toks):
            iri = _resolve(toks[j], prefixes, base)
            if iri is not None:
                out.append((kind, iri))
    return out


def add_using(text: str, default: list[str], named: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to each operation.

    Each DELETE/INSERT ... WHERE operation gets ``USING <g>`` / ``USING NAMED <g>``
    before its WHERE. An operation that names its own dataset (USING or WITH) while
    the protocol names one too is refused (SPARQL 1.1 Protocol, section 2.2.3).
    """
    if not default and not named:
        return text
    toks = tokens(text)
    clause = "".join(f" USING <{g}>" for g in default) + "".join(
        f" USING NAMED <{g}>" for g in named
    )
    depth = 0
    inserts: list[int] = []

    def finish(op: list[Token]) -> None:
        while op and op[0].kind == "word" and op[0].text.upper() in ("PREFIX", "BASE"):
            op = op[3:] if op[0].text.upper() == "PREFIX" else op[2:]  # skip the prologue
        if not op:
            return
        for t in op:
            if t.kind == "word" and t.text.upper() in ("USING", "WITH"):
                raise Refused(
                    f"{t.text.upper()} at {_line_col(text, t.start)}: the update names its own "
                    "dataset and the request gives using-graph-uri / using-named-graph-uri; "
                    "use one or the other"
                )
        first = op[0].text.upper()
        second = op[1].text.upper() if len(op) > 1 else ""
        if first in ("DELETE", "INSERT") and second not in ("DATA", "WHERE"):
            where = [t for t in op if t.kind == "word" and t.text.upper() == "WHERE"]
            if where:
                inserts.append(where[-1].start)

    # split into operations at top-level ';'; keep the top-level tokens and the
    # braces that open a group, so that "DELETE WHERE {" and "DELETE {" differ
    current: list[Token] = []
    for tok in toks:
        if tok.text == "{":
            if depth == 0:
                current.append(tok)
            depth += 1
            continue
        if tok.text == "}":
            depth -= 1
            continue
        if depth == 0 and tok.text == ";":
            finish(current)
            current = []
        elif depth == 0:
            current.append(tok)
    finish(current)
    out = text
    for position in sorted(inserts, reverse=True):
        out = out[:position] + clause.strip() + " " + out[position:]
    return out

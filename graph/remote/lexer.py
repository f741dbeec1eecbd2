"""Just enough of a SPARQL lexer to see a query's form, its FROM clauses and its GRAPH names."""

from __future__ import annotations

import re

# A lexer, not a parser: enough to tell a FROM clause from the word in a string,
# an IRI, a comment, a variable or a prefixed name.
_TOKENS = re.compile(
    r"""(?P<skip>\s+|\#[^\n\r]*
        |'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
        |[?$]\w+)
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<pname>[\w.\-]*:[\w.\-:%/]*)
      |(?P<word>[A-Za-z_]\w*)
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def names_its_dataset(sparql: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause (which the store must honour)."""
    return any(
        m.lastgroup == "word" and m.group().upper() == "FROM" for m in _TOKENS.finditer(sparql)
    )


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of those words outside strings and IRIs."""
    for m in _TOKENS.finditer(sparql):
        if m.lastgroup == "word" and m.group().upper() in FORMS:
            return m.group().upper()
    return "SELECT"


FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def graphs_named(sparql: str) -> set[str]:
    """The IRIs written after GRAPH (``<iri>`` or a prefixed name declared in the query)."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(sparql) if m.lastgroup != "skip"]
    tokens = [t for t in tokens if t[0] != "other" or not t[1].isspace()]
    prefixes: dict[str, str] = {}
    named: set[str] = set()
    for i, (kind, text) in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if kind == "word" and text.upper() == "PREFIX" and i + 2 < len(tokens):
            prefixes[following[1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif kind == "word" and text.upper() == "GRAPH":
            if following[0] == "iri":
                named.add(following[1][1:-1])
            elif following[0] == "pname" and following[1].split(":", 1)[0] in prefixes:
                prefix, local = following[1].split(":", 1)
                named.add(prefixes[prefix] + local)
    return named

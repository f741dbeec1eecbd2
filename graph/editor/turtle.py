"""Turtle as editors wrote it: a parser that keeps comments and line numbers.

rdflib and pyoxigraph parse Turtle into triples and drop everything else.
``kzmig fmt`` must keep the comments of hand-edited files, and ``kzmig check``
must say on which line a term is, so this module parses Turtle into a small
syntax tree: directives, statements (subject + predicate-object list), nested
``[ ]`` and ``( )``, each with the comments that belong to it and its line.
It trusts its input to be valid Turtle (callers parse with a real parser
first); what it cannot read raises :class:`TurtleSyntaxError` with the line.

Long because: a Turtle lexer and parser that keeps comments and line numbers is one
grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"


class TurtleSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


# -- tokens ---------------------------------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)

_TOKENS = [
    ("COMMENT", r"#[^\r\n]*"),
    ("IRI", r"<[^<>\"{}|^`\\\x00-\x20]*(?:\\[uU][0-9A-Fa-f]+[^<>\"{}|^`\\\x00-\x20]*)*>"),
    ("STRING_LONG", r'"""(?:[^"\\]|\\.|"(?!""))*"""' + r"|'''(?:[^'\\]|\\.|'(?!''))*'''"),
    ("STRING", r'"(?:[^"\\\n\r]|\\.)*"' + r"|'(?:[^'\\\n\r]|\\.)*'"),
    ("BNODE", rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    (
        "DOUBLE",
        r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)",
    ),
    ("DECIMAL", r"[+-]?[0-9]*\.[0-9]+"),
    ("INTEGER", r"[+-]?[0-9]+"),
    ("PNAME", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("DATATYPE_MARK", r"\^\^"),
    ("ANON", r"\[[\x20\t\r\n]*\]"),
    ("PUNCT", r"[.;,\[\]()]"),
    ("WORD", r"[A-Za-z]+"),
    ("NEWLINE", r"\r\n|\n|\r"),
    ("SPACE", r"[\x20\t]+"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _TOKENS))


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    eol: bool = False  # a comment that follows other tokens on its line


def tokenize(text: str) -> list[Token]:
    """Tokens with their line (1-based); spaces dropped, newlines kept as line counts."""
    out: list[Token] = []
    pos, line, line_has_token = 0, 1, False
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise TurtleSyntaxError(line, f"unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "NEWLINE":
            line += 1
            line_has_token = False
        elif kind != "SPACE":
            out.append(Token(kind, value, line, eol=kind == "COMMENT" and line_has_token))
            line_has_token = True
            line += value.count("\n") if kind in ("STRING_LONG", "ANON") else 0
        pos = m.end()
    return out


# -- syntax tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Iri:
    value: str


@dataclass(frozen=True)
class BNode:
    label: str  # as written, without "_:"


@dataclass(frozen=True)
class Literal:
    lexical: str
    lang: str | None = None
    datatype: str | None = None  # absolute IRI; None for a plain string


@dataclass
class PredicateObjects:
    verb: Iri
    objects: list[Node]
    comments: list[str] = field(default_factory=list)  # shown above the predicate
    line: int = 0


@dataclass
class Anon:
    """``[ ... ]``: a blank node with its own predicate-object list."""

    plist: list[PredicateObjects]
    line: int = 0


@dataclass
class Collection:
    items: list[Node]
    line: int = 0


Node = Iri | BNode | Literal | Anon | Collection


@dataclass
class Statement:
    subject: Node
    plist: list[PredicateObjects]
    comments: list[str] = field(default_factory=list)  # the block directly above it
    line: int = 0


@dataclass
class Prefix:
    name: str
    iri: str
    comments: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Base:
    iri: str
    line: int = 0


@dataclass
class Heading:
    """A comment block that stands on its own (a blank line after it): a section title."""

    lines: list[str]
    line: int = 0


@dataclass
class Document:
    header: list[str]  # the file's leading comment block, blank lines as ""
    items: list[Prefix | Base | Heading | Statement]
    prefixes: dict[str, str]
    uses: list[tuple[str, int]]  # every IRI written in the file, with its line
    undefined_prefixes: list[tuple[str, int]]  # prefixed names whose prefix is not declared


# -- parser ---------------------------------------------------------------------------------

_STRING_ESCAPES = {
    "t": "\t",
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_string(body: str, line: int) -> str:
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[nxt])
            i += 2
        elif nxt in ("u", "U"):
            width = 4 if nxt == "u" else 8
            out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            raise TurtleSyntaxError(line, f"bad escape \\{nxt} in a string")
    return "".join(out)


def _unescape_iri(body: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body)


class _Parser:
    def __init__(self, text: str, *, strict_prefixes: bool):
        self.tokens = tokenize(text)
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.base = ""
        self.pending: list[Token] = []  # comments not yet placed
        self.uses: list[tuple[str, int]] = []
        self.undefined: list[tuple[str, int]] = []
        self.strict_prefixes = strict_prefixes
        self.bnode_count = 0

    # token access, with comments set aside in ``pending``
    def peek(self) -> Token | None:
        while self.i < len(self.tokens) and self.tokens[self.i].kind == "COMMENT":
            self.pending.append(self.tokens[self.i])
            self.i += 1
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise TurtleSyntaxError(last, "unexpected end of file")
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.next()
        if tok.text != text:
            raise TurtleSyntaxError(tok.line, f"expected {text!r}, found {tok.text!r}")
        return tok

    def take_pending(self) -> list[Token]:
        out, self.pending = self.pending, []
        return out

    # document
    def document(self) -> Document:
        header: list[str] = []
        first = self.peek()
        leading = self.take_pending()
        # The leading block: every comment before the first directive or statement,
        # except a block sitting directly on top of a first statement (it belongs to it).
        attached: list[Token] = []
        if (
            leading
            and first is not None
            and not _is_directive(first)
            and leading[-1].line == first.line - 1
        ):
            attached = _last_block(leading)
        header = _lines_with_blanks(leading[: len(leading) - len(attached)])
        self.pending = attached
        items: list[Prefix | Base | Heading | Statement] = []
        while self.peek() is not None:
            tok = self.peek()
            assert tok is not None
            above = self._place_top_comments(self.take_pending(), tok.line, items)
            if _is_directive(tok):
                items.append(self.directive(above))
            else:
                items.append(self.statement(above))
        rest = self.take_pending()
        self._place_top_comments(rest, 10**9, items)
        return Document(header, items, dict(self.prefixes), self.uses, self.undefined)

    def _place_top_comments(
        self,
        comments: list[Token],
        next_line: int,
        items: list[Prefix | Base | Heading | Statement],
    ) -> list[str]:
        """Comments between top-level items: trailing, headings, or attached to what follows."""
        own = []
        for c in comments:
            if c.eol and items and isinstance(items[-1], Statement | Prefix):
                items[-1].comments.append(c.text.rstrip())
            else:
                own.append(c)
        if not own:
            return []
        attached: list[Token] = []
        if own[-1].line == next_line - 1:
            attached = _last_block(own)
        detached = own[: len(own) - len(attached)]
        for block in _blocks(detached):
            items.append(Heading([c.text.rstrip() for c in block], block[0].line))
        return [c.text.rstrip() for c in attached]

    def directive(self, comments: list[str]) -> Prefix | Base:
        tok = self.next()
        word = tok.text.lower()
        sparql_style = not word.startswith("@")
        if word in ("@prefix", "prefix"):
            name_tok = self.next()
            if name_tok.kind != "PNAME" or not name_tok.text.endswith(":"):
                raise TurtleSyntaxError(
                    name_tok.line, f"expected a prefix name, found {name_tok.text!r}"
                )
            iri_tok = self.next()
            if iri_tok.kind != "IRI":
                raise TurtleSyntaxError(iri_tok.line, "expected <IRI> after the prefix name")
            iri = self._resolve(_unescape_iri(iri_tok.text[1:-1]))
            name = name_tok.text[:-1]
            self.prefixes[name] = iri
            if not sparql_style:
                self.expect(".")
            return Prefix(name, iri, comments, tok.line)
        iri_tok = self.next()
        if iri_tok.kind != "IRI":
            raise TurtleSyntaxError(iri_tok.line, "expected <IRI> after base")
        self.base = self._resolve(_unescape_iri(iri_tok.text[1:-1]))
        if not sparql_style:
            self.expect(".")
        return Base(self.base, tok.line)

    def statement(self, comments: list[str]) -> Statement:
        tok = self.peek()
        assert tok is not None
        line = tok.line
        if tok.text == "[" and tok.kind == "PUNCT":
            subject: Node = self.anon()
            plist: list[PredicateObjects] = []
            if self.peek_text() != ".":
                plist = self.plist()
            assert isinstance(subject, Anon)
            subject = Anon(subject.plist + plist, subject.line)
            statement = Statement(subject, [], comments, line)
        else:
            subject = self.subject()
            statement = Statement(subject, self.plist(), comments, line)
        self.expect(".")
        return statement

    def peek_text(self) -> str | None:
        tok = self.peek()
        return tok.text if tok else None

    def subject(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.text == "(":
            return self.collection()
        node = self.term(self.next())
        if isinstance(node, Literal):
            raise TurtleSyntaxError(tok.line, "a literal cannot be a subject")
        return node

    def plist(self) -> list[PredicateObjects]:
        """predicateObjectList; comments go to the predicate they sit above or end."""
        out: list[PredicateObjects] = []
        while True:
            tok = self.peek()
            if tok is None or tok.text in (".", "]"):
                break
            comments = self.take_pending()
            verb_tok = self.next()
            verb = self.verb(verb_tok)
            po = PredicateObjects(verb, [], [], verb_tok.line)
            for c in comments:
                target = out[-1] if (c.eol and out) else po
                target.comments.append(c.text.rstrip())
            po.objects = self.objects()
            out.append(po)
            while self.peek_text() == ";":
                self.next()
            if self.peek_text() in (".", "]", None):
                break
        if out:
            for c in self.take_pending():
                out[-1].comments.append(c.text.rstrip())
        return out

    def objects(self) -> list[Node]:
        out = [self.object()]
        while self.peek_text() == ",":
            self.next()
            out.append(self.object())
        return out

    def object(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise TurtleSyntaxError(self.tokens[-1].line, "expected an object")
        if tok.kind == "PUNCT" and tok.text == "[":
            return self.anon()
        if tok.text == "(":
            return self.collection()
        return self.term(self.next())

    def anon(self) -> Anon:
        tok = self.expect("[")
        plist = self.plist() if self.peek_text() != "]" else []
        self.expect("]")
        return Anon(plist, tok.line)

    def collection(self) -> Collection:
        tok = self.expect("(")
        items: list[Node] = []
        while self.peek_text() != ")":
            items.append(self.object())
        self.expect(")")
        return Collection(items, tok.line)

    def verb(self, tok: Token) -> Iri:
        if tok.kind == "WORD" and tok.text == "a":
            return Iri(RDF_TYPE)
        node = self.term(tok)
        if not isinstance(node, Iri):
            raise TurtleSyntaxError(tok.line, f"a predicate must be an IRI, found {tok.text!r}")
        return node

    def term(self, tok: Token) -> Node:
        kind = tok.kind
        if kind == "IRI":
            iri = self._resolve(_unescape_iri(tok.text[1:-1]))
            self.uses.append((iri, tok.line))
            return Iri(iri)
        if kind == "PNAME":
            return self._pname(tok)
        if kind == "BNODE":
            return BNode(tok.text[2:])
        if kind == "ANON":
            self.bnode_count += 1
            return Anon([], tok.line)
        if kind in ("STRING", "STRING_LONG"):
            quote = 3 if kind == "STRING_LONG" else 1
            lexical = _unescape_string(tok.text[quote:-quote], tok.line)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "LANGTAG":
                self.next()
                return Literal(lexical, lang=nxt.text[1:])
            if nxt is not None and nxt.kind == "DATATYPE_MARK":
                self.next()
                dt = self.term(self.next())
                if not isinstance(dt, Iri):
                    raise TurtleSyntaxError(tok.line, "a datatype must be an IRI")
                return Literal(lexical, datatype=dt.value)
            return Literal(lexical)
        if kind == "INTEGER":
            return Literal(tok.text, datatype=XSD + "integer")
        if kind == "DECIMAL":
            return Literal(tok.text, datatype=XSD + "decimal")
        if kind == "DOUBLE":
            return Literal(tok.text, datatype=XSD + "double")
        if kind == "WORD" and tok.text in ("true", "false"):
            return Literal(tok.text, datatype=XSD + "boolean")
        raise TurtleSyntaxError(tok.line, f"unexpected {tok.text!r}")

    def _pname(self, tok: Token) -> Iri:
        prefix, _, local = tok.text.partition(":")
        if prefix not in self.prefixes:
            self.undefined.append((prefix, tok.line))
            if self.strict_prefixes:
                raise TurtleSyntaxError(tok.line, f"undefined prefix {prefix + ':'!r}")
            return Iri(f"urn:undefined-prefix:{prefix}:{local}")
        local = re.sub(r"\\(.)", r"\1", local)
        iri = self.prefixes[prefix] + local
        self.uses.append((iri, tok.line))
        return Iri(iri)

    def _resolve(self, iri: str) -> str:
        if not self.base or re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return iri
        return urljoin(self.base, iri)


def _is_directive(tok: Token) -> bool:
    return tok.text.lower() in ("@prefix", "@base") or (
        tok.kind == "WORD" and tok.text.lower() in ("prefix", "base")
    )


def _blocks(comments: list[Token]) -> list[list[Token]]:
    """Split comment lines into blocks: a blank line ends a block."""
    blocks: list[list[Token]] = []
    for c in comments:
        if blocks and c.line == blocks[-1][-1].line + 1:
            blocks[-1].append(c)
        else:
            blocks.append([c])
    return blocks


def _last_block(comments: list[Token]) -> list[Token]:
    return _blocks(comments)[-1] if comments else []


def _lines_with_blanks(comments: list[Token]) -> list[str]:
    out: list[str] = []
    for block in _blocks(comments):
        if out:
            out.append("")
        out += [c.text.rstrip() for c in block]
    return out


def parse(text: str, *, strict_prefixes: bool = True) -> Document:
    """Parse Turtle into a :class:`Document`; raises TurtleSyntaxError (with the line)."""
    return _Parser(text, strict_prefixes=strict_prefixes).document()


def subject_lines(doc: Document) -> dict[str, int]:
    """IRI -> the line of the first statement about it (the place to look)."""
    out: dict[str, int] = {}
    for item in doc.items:
        if isinstance(item, Statement) and isinstance(item.subject, Iri):
            out.setdefault(item.subject.value, item.line)
    return out

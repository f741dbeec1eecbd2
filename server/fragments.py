"""Triple Pattern Fragments on ``/fragments``: the whole graph, page by page, with no row cap.

The Linked Data Fragments specification (https://linkeddatafragments.org/specification/
triple-pattern-fragments/): ``/fragments?subject=&predicate=&object=`` lists the
distinct triples of the union graph that match the pattern (an empty or ``?x``
parameter is unbound; IRIs plain, literals as ``"text"@lang`` or
``"text"^^datatype``, the Hydra ``ExplicitRepresentation``), ``PAGE_SIZE`` per
page, with the Hydra controls (``hydra:search`` IriTemplate, ``hydra:first``,
``hydra:next``, ``hydra:previous``) and the fragment's size (``void:triples`` and
``hydra:totalItems``, exact here). ``/fragments`` with no pattern is every triple.
``graph=<IRI>`` narrows the pattern to one named graph (a quad pattern, an
extension of this server's: the quads come back in that graph in TriG/N-Quads).

Answered from ``quads_for_pattern`` only, never from query text. A triple that
several claim graphs assert comes once: the store's indexes return a pattern's
quads ordered by triple, so neighbours are compared (no set of everything seen);
the unbound pattern is read predicate by predicate for the same reason. A page
costs what skipping to it costs (the unbound pattern skips whole predicates by
their sizes); nothing is kept between requests but counts (see ``page_of``).

In the quad formats (TriG, N-Quads; Comunica's choice) the data is in the default
graph and the metadata in ``<page>#metadata``, whose ``foaf:primaryTopic`` is the
dataset that has the page as ``void:subset``: how LDF clients tell them apart.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request, url_for

from . import conneg, jsonld

bp = Blueprint("fragments", __name__)

PAGE_SIZE = 1000  # triples per page; a client can't change it
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OFFERED = [
    "text/turtle",
    "application/trig",
    "application/n-quads",
    "application/n-triples",
    "application/ld+json",
]
QUADS = {"application/trig", "application/n-quads", "application/ld+json"}
OUT_PREFIXES = {"hydra": HYDRA, "void": VOID, "rdf": RDF, "foaf": FOAF, "xsd": XSD}

Pattern = tuple[Any, Any, Any, Any]  # subject, predicate, object, graph (None: unbound)
QuadSource = Callable[[Any, Any, Any, Any], Iterator[ox.Quad]]


class BadTerm(ValueError):
    """A pattern parameter that names no RDF term."""


def parse_term(text: str, name: str) -> Any:
    """A parameter in the Hydra ExplicitRepresentation as a term; None when unbound."""
    text = text.strip()
    if not text or text.startswith("?"):
        return None
    try:
        if text.startswith('"'):
            end = text.rfind('"')
            if end == 0:
                raise BadTerm(f"{name}={text!r}: a literal needs its closing quote")
            value, rest = text[1:end], text[end + 1 :]
            if not rest:
                return ox.Literal(value)
            if rest.startswith("@"):
                return ox.Literal(value, language=rest[1:])
            if rest.startswith("^^"):
                return ox.Literal(value, datatype=ox.NamedNode(rest[2:].strip("<>")))
            raise BadTerm(f"{name}={text!r}: after a literal's quote comes @lang or ^^datatype")
        if text.startswith("_:"):
            return ox.BlankNode(text[2:])
        if text.startswith("<<"):
            raise BadTerm(f"{name}={text!r}: quoted triples are not supported in patterns")
        return ox.NamedNode(text.removeprefix("<").removesuffix(">"))
    except ValueError as e:
        if isinstance(e, BadTerm):
            raise
        raise BadTerm(f"{name}={text!r} is not an IRI or literal: {e}") from None


def quad_source(store: Any) -> QuadSource | None:
    """The store's pattern lookup, when it has one (a remote SPARQL store has not)."""
    direct = getattr(store, "quads_for_pattern", None)
    if direct is not None:
        return direct  # type: ignore[no-any-return]
    oxigraph = getattr(store, "oxigraph", None)
    if oxigraph is not None:
        return oxigraph().quads_for_pattern  # type: ignore[no-any-return]
    return None


def _fits(pattern: Pattern) -> bool:
    """False for patterns no triple can match (a literal as subject or predicate...)."""
    s, p, _, g = pattern
    return (
        not isinstance(s, ox.Literal)
        and (p is None or isinstance(p, ox.NamedNode))
        and not isinstance(g, ox.Literal)
    )


_PREDICATES: dict[str, list[ox.NamedNode]] = {}


def _predicates(source: QuadSource, version: str) -> list[ox.NamedNode]:
    """Every predicate in the store, in order (one scan per release)."""
    known = _PREDICATES.get(version)
    if known is None:
        known = sorted({q.predicate for q in source(None, None, None, None)}, key=str)
        _PREDICATES.clear()
        _PREDICATES[version] = known
    return known


def matches(source: QuadSource, pattern: Pattern, version: str) -> Iterator[ox.Quad]:
    """The pattern's answer in order: distinct triples (in the default graph) when no graph
    is given, else the quads of that graph."""
    s, p, o, g = pattern
    if not _fits(pattern):
        return
    if g is not None:
        yield from source(s, p, o, g)
        return
    default = ox.DefaultGraph()
    has_default = next(iter(source(None, None, None, default)), None) is not None
    # the bare scan is graph-ordered: go predicate by predicate (each stream in triple order)
    bare = s is None and p is None and o is None
    patterns = [(None, pp, None) for pp in _predicates(source, version)] if bare else [(s, p, o)]
    for ps, pp, po in patterns:
        last = None
        for q in source(ps, pp, po, None):
            t = q.triple
            if t == last:
                continue
            last = t
            if has_default and q.graph_name != default and _has(source, _quad(t, default)):
                continue  # asserted in the default graph too: sent from there already
            yield ox.Quad(t.subject, t.predicate, t.object, default)


def _quad(t: ox.Triple, graph: Any) -> ox.Quad:
    return ox.Quad(t.subject, t.predicate, t.object, graph)


def _has(source: QuadSource, q: ox.Quad) -> bool:
    """Whether the store holds ``q`` (a one-quad lookup through the pattern interface)."""
    return next(iter(source(q.subject, q.predicate, q.object, q.graph_name)), None) is not None


class _Counts:
    """Each pattern's size, counted once per release (LRU, per process)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._known: OrderedDict[tuple[Any, ...], int] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> int | None:
        with self._lock:
            return self._known.get(key)

    def put(self, key: tuple[Any, ...], n: int) -> None:
        with self._lock:
            self._known[key] = n
            while len(self._known) > self.size:
                self._known.popitem(last=False)


def _state(name: str, factory: Callable[[], Any]) -> Any:
    return current_app.extensions.setdefault(name, factory())


def _predicate_sizes(source: QuadSource, version: str) -> list[tuple[ox.NamedNode, int]]:
    """Each predicate with its number of distinct triples (one pass per release)."""
    known = _SIZES.get(version)
    if known is None:
        known = [
            (pp, sum(1 for _ in matches(source, (None, pp, None, None), version)))
            for pp in _predicates(source, version)
        ]
        _SIZES.clear()
        _SIZES[version] = known
    return known


_SIZES: dict[str, list[tuple[ox.NamedNode, int]]] = {}


def _from(source: QuadSource, pattern: Pattern, version: str, start: int) -> Iterator[ox.Quad]:
    """The pattern's answer from position ``start`` on; the unbound pattern skips whole
    predicates by their sizes, so a late page of everything reads little more than itself."""
    if all(t is None for t in pattern):
        offset = start
        for pp, size in _predicate_sizes(source, version):
            if offset >= size:
                offset -= size
                continue
            yield from itertools.islice(
                matches(source, (None, pp, None, None), version), offset, None
            )
            offset = 0
        return
    yield from itertools.islice(matches(source, pattern, version), start, None)


def page_of(
    source: QuadSource, version: str, pattern: Pattern, page: int
) -> tuple[list[ox.Quad], bool, int]:
    """(the page's quads, whether another page follows, the pattern's size).

    Everything is read within the call, in the calling thread: pyoxigraph's iterators
    belong to the thread that made them (resumed in another, pyo3 panics and takes the
    HTTP worker down), so none is kept between requests.
    """
    counts: _Counts = _state("kzmig.fragment-counts", _Counts)
    start = (page - 1) * PAGE_SIZE
    key = (version, *(str(t) if t is not None else "" for t in pattern))
    items = list(itertools.islice(_from(source, pattern, version, start), PAGE_SIZE + 1))
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    total = counts.get(key)
    if total is None:
        if all(t is None for t in pattern):
            total = sum(size for _, size in _predicate_sizes(source, version))
        elif more:
            total = sum(1 for _ in matches(source, pattern, version))
        else:
            total = start + len(items)
        counts.put(key, total)
    return items, more, total


def _raw_url() -> str:
    """This page's IRI: the URL exactly as requested (LDF clients match it byte for byte)."""
    base = url_for("fragments.fragments", _external=True)
    query = request.environ.get("QUERY_STRING", "")
    return f"{base}?{query}" if query else base


def _page_url(params: list[tuple[str, str]], page: int) -> str:
    base = url_for("fragments.fragments", _external=True)
    kept = [(k, v) for k, v in params if k != "page"]
    if page > 1:
        kept.append(("page", str(page)))
    return f"{base}?{urlencode(kept)}" if kept else base


def template() -> str:
    return url_for("fragments.fragments", _external=True) + "{?subject,predicate,object}"


def search_form(dataset: Any) -> list[ox.Triple]:
    """The Hydra search form of the interface (also in VoID)."""
    n = ox.NamedNode
    form = ox.BlankNode("search")
    t = [
        ox.Triple(dataset, n(HYDRA + "search"), form),
        ox.Triple(form, n(HYDRA + "template"), ox.Literal(template())),
        ox.Triple(form, n(HYDRA + "variableRepresentation"), n(HYDRA + "ExplicitRepresentation")),
    ]
    for var, prop in (("subject", "subject"), ("predicate", "predicate"), ("object", "object")):
        mapping = ox.BlankNode(var)
        t += [
            ox.Triple(form, n(HYDRA + "mapping"), mapping),
            ox.Triple(mapping, n(HYDRA + "variable"), ox.Literal(var)),
            ox.Triple(mapping, n(HYDRA + "property"), n(RDF + prop)),
        ]
    return t


def dataset_iri() -> ox.NamedNode:
    return ox.NamedNode(url_for("fragments.fragments", _external=True) + "#dataset")


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def metadata(params: list[tuple[str, str]], page: int, more: bool, total: int) -> list[ox.Triple]:
    n = ox.NamedNode
    here = n(_raw_url())
    ds = dataset_iri()
    t = [
        ox.Triple(n(here.value + "#metadata"), n(FOAF + "primaryTopic"), ds),
        ox.Triple(ds, n(VOID + "subset"), here),
        ox.Triple(ds, n(RDF + "type"), n(VOID + "Dataset")),
        ox.Triple(ds, n(RDF + "type"), n(HYDRA + "Collection")),
        ox.Triple(here, n(RDF + "type"), n(HYDRA + "PartialCollectionView")),
        ox.Triple(here, n(VOID + "triples"), _integer(total)),
        ox.Triple(here, n(HYDRA + "totalItems"), _integer(total)),
        ox.Triple(here, n(HYDRA + "itemsPerPage"), _integer(PAGE_SIZE)),
        ox.Triple(here, n(HYDRA + "first"), n(_page_url(params, 1))),
    ]
    if page > 1:
        t.append(ox.Triple(here, n(HYDRA + "previous"), n(_page_url(params, page - 1))))
    if more:
        t.append(ox.Triple(here, n(HYDRA + "next"), n(_page_url(params, page + 1))))
    return t + search_form(ds)


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _choose() -> str:
    fmt = request.args.get("format")
    if fmt:
        chosen = conneg.first_offered(fmt, OFFERED)
        if chosen is not None:
            return chosen
        abort(_error(406, f"format={fmt!r} is not offered here; offered: {', '.join(OFFERED)}"))
    media = conneg.negotiate(request.headers.get("Accept"), OFFERED)
    if media is None:
        abort(_error(406, f"none of the types in Accept is offered; offered: {', '.join(OFFERED)}"))
    return str(media)


@bp.route("/fragments")
def fragments() -> Response:
    store = current_app.extensions["kzmig.store"]
    source = quad_source(store)
    if source is None:
        return _error(501, "this server's store answers SPARQL only: query /sparql instead")
    params = parse_qsl(request.environ.get("QUERY_STRING", ""), keep_blank_values=True)
    one = dict(params)
    try:
        pattern = tuple(parse_term(one.get(k, ""), k) for k in ("subject", "predicate", "object"))
        graph = parse_term(one.get("graph", ""), "graph")
    except BadTerm as e:
        return _error(400, str(e))
    if graph is not None and not isinstance(graph, ox.NamedNode):
        return _error(400, f"graph={one['graph']!r}: a graph is named by an IRI")
    try:
        page = int(one.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        return _error(400, f"page={one.get('page')!r}: pages are numbered from 1")
    media = _choose()
    quads, more, total = page_of(source, str(store.version), (*pattern, graph), page)
    meta = metadata(params, page, more, total)
    here = _raw_url()
    body = write(quads, meta, here, media)
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    response = Response(body, content_type=media + charset)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.set_etag(f"{store.version}-{hash((here, media)) & 0xFFFFFFFF:x}")
    return response.make_conditional(request)  # type: ignore[return-value]


def write(quads: list[ox.Quad], meta: list[ox.Triple], here: str, media: str) -> bytes:
    if media in QUADS:
        graph = ox.NamedNode(here + "#metadata")
        data: list[Any] = list(quads) + [_quad(t, graph) for t in meta]
        if media == "application/ld+json":
            store = current_app.extensions["kzmig.store"]
            profile = jsonld.profile_of(request.headers.get("Accept"))
            return jsonld.write(data, jsonld.context_for(store), profile)
        prefixes = OUT_PREFIXES if media == "application/trig" else None
        return ox.serialize(data, format=conneg.GRAPH_FORMATS[media], prefixes=prefixes) or b""
    triples: list[Any] = list(dict.fromkeys(q.triple for q in quads)) + meta
    prefixes = OUT_PREFIXES if media == "text/turtle" else None
    return ox.serialize(triples, format=conneg.GRAPH_FORMATS[media], prefixes=prefixes) or b""


def lookup_prefix() -> str:
    """VoID's ``void:uriLookupEndpoint``: append a (percent-encoded) IRI to look it up."""
    return url_for("fragments.fragments", _external=True) + "?subject="

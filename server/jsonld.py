"""JSON-LD as people use it: compacted with the project's context, ``@type``, profiles.

The published context (``/context.jsonld``) is made from the release itself, so
it changes only with the release (its ETag is the release version): the
project's prefixes, ``@vocab`` for the ontology (``"@type": "PolicyInstrument"``,
``"measuredGroup": ...``), and a term per property the data uses, coerced to
``@id`` when every object is an IRI or blank node, or to the datatype when every
object is a literal of one datatype. Each document carries, inline, the part of
it that it uses (``used_context``): many readers load no remote context.

``profile`` (JSON-LD 1.1, section 10.1: ``Accept: application/ld+json;
profile="http://www.w3.org/ns/json-ld#expanded"``) picks the expanded,
compacted (the default) or flattened form.

The RDF-to-expanded step is done here, in one pass (the JSON-LD 1.1 "serialize
RDF as JSON-LD" algorithm without list folding, which this data never needs):
pyld's ``from_rdf`` took 25 s for 10,000 triples (quadratic), this takes
~50 ms; pyld, the reference implementation, then compacts or flattens (~0.7 s
for 10,000 triples; rdflib's serializer is as fast but writes no profiles and is
not the reference).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from kzmig.names import PREFIXES, VOCABULARIES
from pyld import jsonld as pyld

NS = "http://www.w3.org/ns/json-ld#"
EXPANDED, COMPACTED, FLATTENED = NS + "expanded", NS + "compacted", NS + "flattened"
PROFILES = (EXPANDED, COMPACTED, FLATTENED)
RDF_TYPE = VOCABULARIES["rdf"] + "type"
XSD_STRING = VOCABULARIES["xsd"] + "string"
EXTRA_PREFIXES = {
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "formats": "http://www.w3.org/ns/formats/",
}
KINDS = """SELECT ?p ?k (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  BIND(IF(isLiteral(?o), IF(LANG(?o) != "", "@language", STR(DATATYPE(?o))), "@id") AS ?k) }
GROUP BY ?p ?k"""

_lock = threading.Lock()
_contexts: dict[str, dict[str, Any]] = {}


def profile_of(accept: str | None) -> str:
    """The JSON-LD profile an Accept header asks for (compacted when it names none)."""
    for item in (accept or "").split(","):
        parts = [p.strip() for p in item.split(";")]
        if parts[0].lower() not in ("application/ld+json", "application/json"):
            continue
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "profile":
                for iri in value.strip().strip('"').split():
                    if iri in PROFILES:
                        return iri
    return COMPACTED


def _term_name(iri: str) -> str | None:
    """The bare term for an ontology IRI (its local name); None for other vocabularies."""
    ns = VOCABULARIES["kzo"]
    return iri[len(ns) :] if iri.startswith(ns) and iri[len(ns) :].isidentifier() else None


def _compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
            local = iri[len(ns) :]
            if local and all(c not in local for c in "/#?"):
                best = prefix
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else iri


def build_context(kinds: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The context for data whose predicates have these (predicate, object kind) pairs."""
    prefixes = {p: ns for p, ns in {**PREFIXES, **EXTRA_PREFIXES}.items() if p != "kzo"}
    ctx: dict[str, Any] = {"@version": 1.1, "@vocab": VOCABULARIES["kzo"], **prefixes}
    ctx["kzo"] = VOCABULARIES["kzo"]
    by_predicate: dict[str, set[str]] = {}
    for predicate, kind in kinds:
        by_predicate.setdefault(predicate, set()).add(kind)
    for predicate in sorted(by_predicate):
        if predicate == RDF_TYPE:
            continue
        found = by_predicate[predicate]
        definition: dict[str, Any] = {}
        if found == {"@id"}:
            definition["@type"] = "@id"
        elif len(found) == 1 and not found & {"@language", XSD_STRING}:
            definition["@type"] = _compact_iri(next(iter(found)), prefixes)
        name = _term_name(predicate)
        if name is not None and name not in ctx:
            ctx[name] = {"@id": "kzo:" + name, **definition}
        elif name is not None and definition:  # the name is a prefix (period:): keep kzo:name
            ctx["kzo:" + name] = definition
        elif definition:
            short = _compact_iri(predicate, prefixes)
            if short != predicate:  # a compact IRI may stand as its own term
                ctx[short] = definition
    return ctx


def context_for(store: Any) -> dict[str, Any]:
    """The store's context (computed once per release version, by SPARQL: any store)."""
    version = str(store.version)
    with _lock:
        known = _contexts.get(version)
    if known is not None:
        return known
    kinds = [(r["p"].value, r["k"].value) for r in store.query(KINDS) if r["k"] is not None]
    ctx = build_context(kinds)
    with _lock:
        _contexts.clear()
        _contexts[version] = ctx
    return ctx


# -- RDF to the expanded form ----------------------------------------------------------------


def _id(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term.value)


def _value(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"@value": term.value}
        if term.language:
            out["@language"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["@type"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        raise ValueError("JSON-LD 1.1 can't write a quoted triple; ask for Turtle or N-Triples")
    return {"@id": _id(term)}


def expand(data: Iterable[ox.Triple | ox.Quad]) -> list[dict[str, Any]]:
    """Triples or quads as JSON-LD in expanded form (named graphs as ``@graph`` nodes)."""
    graphs: dict[str, dict[str, dict[str, Any]]] = {"": {}}
    for item in data:
        graph = ""
        if isinstance(item, ox.Quad) and not isinstance(item.graph_name, ox.DefaultGraph):
            graph = _id(item.graph_name)
        nodes = graphs.setdefault(graph, {})
        subject = _id(item.subject)
        node = nodes.setdefault(subject, {"@id": subject})
        predicate = item.predicate.value
        if predicate == RDF_TYPE and not isinstance(item.object, ox.Literal):
            types = node.setdefault("@type", [])
            if _id(item.object) not in types:
                types.append(_id(item.object))
            continue
        values = node.setdefault(predicate, [])
        value = _value(item.object)
        if value not in values:
            values.append(value)
    default = graphs.pop("")
    for name, nodes in graphs.items():
        holder = default.setdefault(name, {"@id": name})
        holder["@graph"] = list(nodes.values())
    return list(default.values())


def shape(expanded: list[dict[str, Any]], context: dict[str, Any], profile: str) -> Any:
    """The document in ``profile``'s form (compacted and flattened ones with ``context``)."""
    if profile == EXPANDED:
        return expanded
    options = {"processingMode": "json-ld-1.1"}
    if profile == FLATTENED:
        doc = pyld.flatten(expanded, {"@context": context}, options)
    else:
        doc = pyld.compact(expanded, {"@context": context}, options)
    if isinstance(doc, dict):
        doc.pop("@context", None)
        doc = {"@context": used_context(doc, context), **doc}  # the context first, for readers
    return doc


def used_context(doc: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The part of ``context`` that ``doc`` uses: terms, and the prefixes its names need.

    Inline, not the URL of /context.jsonld: a reader with no network access or no
    remote-context loader (pyoxigraph, rapper, rdflib offline) reads it as it is.
    """
    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                names.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            names.add(value)

    walk(doc)
    out: dict[str, Any] = {k: context[k] for k in ("@version", "@vocab") if k in context}
    terms = {n for n in names if n in context and isinstance(context[n], dict)}
    for term in sorted(terms):
        out[term] = context[term]
        for ref in context[term].values():
            names.add(str(ref))
    for name in names:
        prefix = name.split(":", 1)[0] if ":" in name else ""
        if prefix and isinstance(context.get(prefix), str):
            out[prefix] = context[prefix]
    return out


def write(
    data: Iterable[ox.Triple | ox.Quad],
    context: dict[str, Any],
    profile: str = COMPACTED,
) -> bytes:
    """``data`` as JSON-LD in the asked-for profile (compacted with ``context`` by default)."""
    doc = shape(expand(data), context, profile)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def write_quads(data: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """Expanded JSON-LD with no context (the Hydra metadata of a fragment, ...)."""
    return json.dumps(expand(data), ensure_ascii=False).encode()


def content_type(profile: str, media: str = "application/ld+json") -> str:
    return f'{media}; profile="{profile}"'


def context_document(context: dict[str, Any]) -> bytes:
    return json.dumps({"@context": context}, ensure_ascii=False, indent=1).encode()

"""Publishing the dataset: health, dumps, VoID, DCAT and the validation report.

- ``/dumps/`` lists the release's dump files (HTML, or JSON on request) with
  sizes, triple counts and SHA-256 checksums; ``/dumps/<file>`` serves one with
  ``ETag`` (its SHA-256), ``Last-Modified``, conditional requests (304) and
  ``Range`` (206). ``kzmig-latest<rest>`` redirects (302) to the current
  release's ``kzmig-<version><rest>``.
- ``/.well-known/void``: the VoID description (statistics, class and property
  partitions, endpoint, dumps, licence).
- ``/catalog``: the DCAT catalog (dataset, distributions, SPARQL service).
- ``/validation``: the release's SHACL report, inference counts and build report.

Long because: the publishing routes share one release lookup, one dump table and one
set of conditional-request rules; split by route, each part would repeat them.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from kzmig.graph.release.layout import Release
from kzmig.names import PREFIXES, VOCABULARIES

from . import conneg, fragments, iris, jsonld, ranges, rdfview, replay, urls
from .describe import prefixes_used

bp = Blueprint("publish", __name__)

TITLE = "kzmig: Migration in Kazakhstan, a knowledge graph with provenance"
LICENCE = "https://creativecommons.org/licenses/by-sa/4.0/"
RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
HTML = "text/html"

RDF = VOCABULARIES["rdf"]
RDFS = VOCABULARIES["rdfs"]
XSD = VOCABULARIES["xsd"]
DCT = VOCABULARIES["dcterms"]
VOID = VOCABULARIES["void"]
DCAT = VOCABULARIES["dcat"]
PROV = VOCABULARIES["prov"]
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
FORMATS = "http://www.w3.org/ns/formats/"
OUT_PREFIXES = {**PREFIXES, "spdx": SPDX, "formats": FORMATS}


def release_of(store: Any) -> Release | None:
    """The release a store serves, when it serves one (not for `serve --data FILE`)."""
    release = getattr(store, "release", None)
    return release if isinstance(release, Release) else None


def _release() -> Release:
    release = release_of(current_app.extensions["kzmig.store"])
    if release is None:
        abort(404, description="this server serves RDF files, not a release: nothing to list here")
    return release


@bp.route("/health")
def health() -> Response:
    store = current_app.extensions["kzmig.store"]
    try:
        ok = bool(store.query("ASK { ?s ?p ?o }"))
    except Exception as e:
        return Response(f"store unavailable: {e}\n", status=503, content_type="text/plain")
    return jsonify(status="ok", version=store.version, data=ok)


# -- dumps -----------------------------------------------------------------------------------


def dump_files(release: Release) -> list[dict[str, Any]]:
    """The manifest's dump entries, each with its 'latest' names and links."""
    out = []
    for entry in release.manifest.get("dumps", []):
        e = dict(entry)
        e["latest"] = latest_name(e["name"], release.version)
        e["gzip_latest"] = latest_name(e["gzip_name"], release.version)
        e["url"] = urls.external("publish.dump", name=e["name"])
        e["gzip_url"] = urls.external("publish.dump", name=e["gzip_name"])
        out.append(e)
    return out


def latest_name(name: str, version: str) -> str:
    return name.replace(f"kzmig-{version}", "kzmig-latest", 1)


@bp.route("/dumps/")
def dumps() -> Response:
    release = _release()
    files = dump_files(release)
    media = _negotiate([HTML, "application/json"])
    if media == "application/json":
        response = jsonify(
            version=release.version, created=release.manifest.get("created"), files=files
        )
    else:
        response = Response(
            render_template("dumps.html", files=files, release=release),
            content_type="text/html; charset=utf-8",
        )
    response.headers["Vary"] = "Accept"
    replay.mark(release.version)
    return response


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    release = _release()
    entries = {}
    for e in release.manifest.get("dumps", []):
        entries[e["name"]] = (e["sha256"], e["media_type"])
        entries[e["gzip_name"]] = (e["gzip_sha256"], "application/gzip")
    if name.startswith("kzmig-latest"):
        target = name.replace("kzmig-latest", f"kzmig-{release.version}", 1)
        if target in entries:
            response = redirect(url_for("publish.dump", name=target), code=302)
            response.headers["Cache-Control"] = "no-cache"
            return response  # type: ignore[return-value]
        abort(404)
    path = release.dump_path(name)
    if path is None or name not in entries:
        abort(404)
    sha, media = entries[name]
    several = ranges.multipart(path, media, sha, _created(release))  # Range: bytes=0-9,20-29
    if several is not None:
        several.headers.update(digest_headers(sha))
        return several
    response = send_file(
        path,
        mimetype=media,
        conditional=True,
        etag=sha,
        last_modified=_created(release),
        max_age=31536000,  # a versioned file never changes
    )
    response.headers.update(digest_headers(sha))
    return response


def digest_headers(sha_hex: str) -> dict[str, str]:
    """The file's SHA-256 as RFC 3230 ``Digest`` and RFC 9530 ``Repr-Digest`` (base64)."""
    b64 = base64.b64encode(bytes.fromhex(sha_hex)).decode()
    return {"Digest": f"sha-256={b64}", "Repr-Digest": f"sha-256=:{b64}:"}


def _created(release: Release) -> datetime | None:
    created = release.manifest.get("created")
    try:
        return datetime.fromisoformat(created) if created else None
    except ValueError:
        return None


# -- VoID and DCAT ---------------------------------------------------------------------------


def _negotiate(offered: list[str]) -> str:
    fmt = request.args.get("format")
    if fmt:
        # format=json here means plain JSON; a comma-separated list: the first offered one
        media = conneg.first_offered(fmt, offered, {"json": "application/json"})
        if media is not None:
            return media
        abort(406, description=f"format={fmt!r} is not offered; offered: {', '.join(offered)}")
    media = conneg.negotiate(request.headers.get("Accept"), offered)
    if media is None:
        abort(
            406,
            description=f"none of the types in Accept is offered; offered: {', '.join(offered)}",
        )
    return media


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _lit(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def statistics(store: Any) -> dict[str, Any]:
    """Counts for VoID, computed once per release version."""
    cache = current_app.extensions.setdefault("kzmig.void-cache", {})
    if store.version in cache:
        return dict(cache[store.version])
    ns = iris.resource_ns()

    def rows(q: str) -> list[Any]:
        return list(store.query(q))

    per_graph = {
        r["g"].value: int(r["n"].value)
        for r in rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    stats = {
        "triples": sum(per_graph.values()),
        "per_graph": per_graph,
        "classes": {
            r["c"].value: int(r["n"].value)
            for r in rows(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
            )
        },
        "properties": {
            r["p"].value: int(r["n"].value)
            for r in rows("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p")
        },
        "entities": int(
            rows(
                "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ns}")) }}'
            )[0]["n"].value
        ),
        "distinct_subjects": int(
            rows("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value
        ),
        "distinct_objects": int(
            rows("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value
        ),
    }
    cache.clear()
    cache[store.version] = stats
    return dict(stats)


def _graph_kind(graph: str) -> str:
    ns = iris.resource_ns()
    if graph.startswith(ns + "claim/"):
        return "claims"
    if graph.startswith(ns + "graph/"):
        return graph[len(ns + "graph/") :].split("/", 1)[0]
    return "other"


def _dataset_iri() -> str:
    return urls.external("publish.void") + "#dataset"


def _common(ds: ox.NamedNode, release: Release | None, store: Any) -> list[ox.Triple]:
    """What VoID and DCAT both say about the dataset."""
    t = [
        ox.Triple(ds, _n(DCT + "title"), _lit(TITLE, "en")),
        ox.Triple(
            ds,
            _n(DCT + "description"),
            _lit(
                "Migration in Kazakhstan as a knowledge graph built from source texts: every "
                "statement is a claim (a named graph) anchored to the verbatim words of its "
                "source, with the in-text attribution, validated with SHACL and reasoned over "
                "with OWL 2 RL.",
                "en",
            ),
        ),
        ox.Triple(ds, _n(DCT + "license"), _n(LICENCE)),
        ox.Triple(ds, _n(PREFIXES["pav"] + "version"), _lit(str(store.version))),
        ox.Triple(ds, _n(RDFS + "seeAlso"), _n(urls.external("publish.validation"))),
    ]
    if release is not None:
        created = release.manifest.get("created")
        if created:
            t.append(
                ox.Triple(
                    ds, _n(DCT + "modified"), ox.Literal(created, datatype=_n(XSD + "dateTime"))
                )
            )
        for s in release.manifest.get("sources", []):
            t.append(ox.Triple(ds, _n(DCT + "source"), _n(iris.resource(f"source/{s['id']}"))))
            if s.get("attribution"):
                t.append(ox.Triple(ds, _n(DCT + "rights"), _lit(s["attribution"], "en")))
    return t


def void_triples(store: Any) -> list[ox.Triple]:
    release = release_of(store)
    stats = statistics(store)
    ds = _n(_dataset_iri())
    base = urls.external("publish.void")
    t = [ox.Triple(ds, _n(RDF + "type"), _n(VOID + "Dataset"))]
    t += _common(ds, release, store)
    t += [
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(urls.external("sparql.sparql"))),
        ox.Triple(ds, _n(VOID + "uriSpace"), _lit(iris.resource_ns())),
        ox.Triple(ds, _n(VOID + "triples"), _int(stats["triples"])),
        ox.Triple(ds, _n(VOID + "entities"), _int(stats["entities"])),
        ox.Triple(ds, _n(VOID + "classes"), _int(len(stats["classes"]))),
        ox.Triple(ds, _n(VOID + "properties"), _int(len(stats["properties"]))),
        ox.Triple(ds, _n(VOID + "distinctSubjects"), _int(stats["distinct_subjects"])),
        ox.Triple(ds, _n(VOID + "distinctObjects"), _int(stats["distinct_objects"])),
        ox.Triple(ds, _n(VOID + "rootResource"), _n(iris.resource("graph/provenance"))),
        # Triple Pattern Fragments: every triple, paged, no row cap (fragments.py)
        ox.Triple(ds, _n(VOID + "uriLookupEndpoint"), _n(fragments.lookup_prefix())),
        ox.Triple(ds, _n(RDFS + "comment"), _lit(limits_note(), "en")),
        ox.Triple(ds, _n(RDFS + "seeAlso"), _n(urls.external("publish.dcat"))),
    ]
    for prefix in ("kzo", "prov", "oa", "nif", "qb", "dcterms", "skos", "org", "time"):
        t.append(ox.Triple(ds, _n(VOID + "vocabulary"), _n(PREFIXES[prefix])))
    for fmt in ("Turtle", "TriG", "N-Quads", "N-Triples", "JSON-LD", "RDF_XML"):
        t.append(ox.Triple(ds, _n(VOID + "feature"), _n(FORMATS + fmt)))
    t += fragments.search_form(ds)
    if release is not None:
        for e in dump_files(release):
            if e["name"].endswith((".trig", ".nq")):
                t.append(ox.Triple(ds, _n(VOID + "dataDump"), _n(e["url"])))
    kinds: dict[str, int] = {}
    for graph, n in stats["per_graph"].items():
        kinds[_graph_kind(graph)] = kinds.get(_graph_kind(graph), 0) + n
    for kind, n in sorted(kinds.items()):
        sub = _n(f"{base}#{kind}")
        t += [
            ox.Triple(ds, _n(VOID + "subset"), sub),
            ox.Triple(sub, _n(RDF + "type"), _n(VOID + "Dataset")),
            ox.Triple(sub, _n(DCT + "title"), _lit(f"the {kind} graphs", "en")),
            ox.Triple(sub, _n(VOID + "triples"), _int(n)),
        ]
    for i, (cls, n) in enumerate(sorted(stats["classes"].items()), start=1):
        part = _n(f"{base}#class-{i}")
        t += [
            ox.Triple(ds, _n(VOID + "classPartition"), part),
            ox.Triple(part, _n(VOID + "class"), _n(cls)),
            ox.Triple(part, _n(VOID + "entities"), _int(n)),
        ]
    for i, (prop, n) in enumerate(sorted(stats["properties"].items()), start=1):
        part = _n(f"{base}#property-{i}")
        t += [
            ox.Triple(ds, _n(VOID + "propertyPartition"), part),
            ox.Triple(part, _n(VOID + "property"), _n(prop)),
            ox.Triple(part, _n(VOID + "triples"), _int(n)),
        ]
    return t


def limits_note() -> str:
    """The row cap and the uncapped path, in words (VoID and the service description)."""
    from .limits import Limits

    cap = Limits.from_config(current_app.config).max_rows
    return (
        f"SPARQL results are capped at {cap:,} rows (header X-SPARQL-MaxRows; a cut result "
        "carries X-SPARQL-Truncated). The Triple Pattern Fragments interface at "
        f"{urls.external('fragments.fragments')} has no cap: it pages through "
        f"every triple of the union graph, {fragments.PAGE_SIZE:,} per page (hydra:next)."
    )


def dcat_triples(store: Any) -> list[ox.Triple]:
    release = release_of(store)
    catalog = _n(urls.external("publish.dcat") + "#catalog")
    ds = _n(_dataset_iri())
    sparql = urls.external("sparql.sparql")
    service = _n(urls.external("publish.dcat") + "#sparql-service")
    t = [
        ox.Triple(catalog, _n(RDF + "type"), _n(DCAT + "Catalog")),
        ox.Triple(catalog, _n(DCT + "title"), _lit("kzmig catalog", "en")),
        ox.Triple(catalog, _n(DCAT + "dataset"), ds),
        ox.Triple(catalog, _n(DCAT + "service"), service),
        ox.Triple(ds, _n(RDF + "type"), _n(DCAT + "Dataset")),
        ox.Triple(ds, _n(DCAT + "keyword"), _lit("migration", "en")),
        ox.Triple(ds, _n(DCAT + "keyword"), _lit("Kazakhstan", "en")),
        ox.Triple(ds, _n(DCAT + "keyword"), _lit("provenance", "en")),
        ox.Triple(ds, _n(DCAT + "landingPage"), _n(urls.external("pages.home"))),
        ox.Triple(service, _n(RDF + "type"), _n(DCAT + "DataService")),
        ox.Triple(service, _n(DCT + "title"), _lit("kzmig SPARQL 1.1 endpoint", "en")),
        ox.Triple(service, _n(DCAT + "endpointURL"), _n(sparql)),
        ox.Triple(service, _n(DCAT + "endpointDescription"), _n(sparql)),
        ox.Triple(service, _n(DCAT + "servesDataset"), ds),
        ox.Triple(service, _n(DCT + "conformsTo"), _n("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(service, _n(DCT + "license"), _n(LICENCE)),
    ]
    t += _common(ds, release, store)
    sparql_dist = _n(urls.external("publish.dcat") + "#sparql")
    t += [
        ox.Triple(ds, _n(DCAT + "distribution"), sparql_dist),
        ox.Triple(sparql_dist, _n(RDF + "type"), _n(DCAT + "Distribution")),
        ox.Triple(sparql_dist, _n(DCT + "title"), _lit("SPARQL endpoint", "en")),
        ox.Triple(sparql_dist, _n(DCAT + "accessURL"), _n(sparql)),
        ox.Triple(sparql_dist, _n(DCAT + "accessService"), service),
        ox.Triple(sparql_dist, _n(DCT + "license"), _n(LICENCE)),
    ]
    if release is None:
        return t
    for e in dump_files(release):
        for name, url, size, sha, gz in (
            (e["name"], e["url"], e["size"], e["sha256"], False),
            (e["gzip_name"], e["gzip_url"], e["gzip_size"], e["gzip_sha256"], True),
        ):
            d = _n(url)
            checksum = _n(url + "#sha256")
            t += [
                ox.Triple(ds, _n(DCAT + "distribution"), d),
                ox.Triple(d, _n(RDF + "type"), _n(DCAT + "Distribution")),
                ox.Triple(d, _n(DCT + "title"), _lit(name)),
                ox.Triple(d, _n(DCT + "description"), _lit(e["description"], "en")),
                ox.Triple(d, _n(DCAT + "downloadURL"), d),
                ox.Triple(d, _n(DCAT + "accessURL"), _n(urls.external("publish.dumps"))),
                ox.Triple(d, _n(DCAT + "mediaType"), _n(IANA + e["media_type"])),
                ox.Triple(
                    d,
                    _n(DCAT + "byteSize"),
                    ox.Literal(str(size), datatype=_n(XSD + "nonNegativeInteger")),
                ),
                ox.Triple(d, _n(DCT + "license"), _n(LICENCE)),
                ox.Triple(d, _n(SPDX + "checksum"), checksum),
                ox.Triple(checksum, _n(RDF + "type"), _n(SPDX + "Checksum")),
                ox.Triple(checksum, _n(SPDX + "algorithm"), _n(SPDX + "checksumAlgorithm_sha256")),
                ox.Triple(
                    checksum,
                    _n(SPDX + "checksumValue"),
                    ox.Literal(sha, datatype=_n(XSD + "hexBinary")),
                ),
            ]
            if gz:
                t.append(ox.Triple(d, _n(DCAT + "compressFormat"), _n(IANA + "application/gzip")))
    return t


def _rdf_response(triples: list[ox.Triple], title: str) -> Response:
    media = _negotiate([*RDF_TYPES, HTML])
    if media == HTML:
        body = ox.serialize(
            triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes_used(triples, OUT_PREFIXES)
        ).decode()  # type: ignore[union-attr]
        response = Response(
            render_template(
                "rdf.html",
                title=title,
                turtle=body,
                formats=RDF_TYPES,
                tables=rdfview.tables(triples),
            ),
            content_type="text/html; charset=utf-8",
        )
    elif media == "application/ld+json":
        profile = jsonld.profile_of(request.headers.get("Accept"))
        ctx = jsonld.context_for(current_app.extensions["kzmig.store"])
        body = jsonld.write(triples, ctx, profile)
        response = Response(body, content_type=jsonld.content_type(profile))
    else:
        fmt = conneg.GRAPH_FORMATS[media]
        prefixes = (
            prefixes_used(triples, OUT_PREFIXES)
            if media in ("text/turtle", "application/rdf+xml")
            else None
        )
        body = ox.serialize(triples, format=fmt, prefixes=prefixes)
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        response = Response(body, content_type=media + charset)
    response.headers["Vary"] = "Accept"
    response.add_etag()
    return response.make_conditional(request)  # type: ignore[return-value]


@bp.route("/.well-known/void")
def void() -> Response:
    return _rdf_response(void_triples(current_app.extensions["kzmig.store"]), "VoID description")


@bp.route("/catalog")
def dcat() -> Response:
    return _rdf_response(dcat_triples(current_app.extensions["kzmig.store"]), "DCAT catalog")


# -- validation ------------------------------------------------------------------------------


@bp.route("/validation")
def validation() -> Response:
    release = _release()
    report = release.manifest.get("report", {})
    media = _negotiate([HTML, "text/turtle", "application/json"])
    path = release.folder / "validation.ttl"
    if media == "text/turtle":
        if not path.is_file():
            abort(404, description="this release has no SHACL report file")
        response = Response(path.read_bytes(), content_type="text/turtle; charset=utf-8")
    elif media == "application/json":
        response = jsonify(
            version=release.version, created=release.manifest.get("created"), **report
        )
    else:
        response = Response(
            render_template(
                "validation.html",
                release=release,
                report=report,
                validation=report.get("validation", {}),
                counts=report.get("counts", {}),
                timings=report.get("timings", {}),
                inputs=release.manifest.get("inputs", {}),
                shacl=path.read_text(encoding="utf-8") if path.is_file() else "",
                as_json=json.dumps,
            ),
            content_type="text/html; charset=utf-8",
        )
    response.headers["Vary"] = "Accept"
    return response

"""Which IRIs this server answers for, and the local paths that answer them.

The graph names things ``<base>resource/<path>`` (``base`` is
``https://w3id.org/kzmig/`` unless the ``BASE_IRI`` setting, or
``kzmig serve --base-iri``, says otherwise). Whatever host the server runs
on, ``/resource/<path>`` answers for ``<base>resource/<path>``, and pages link
those IRIs to their local paths, so that browsing never leaves the server.
Ontology terms (``https://w3id.org/kzmig/ontology#Term``) link to
``/ontology#Term``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import current_app
from kzmig.names import KZO, ONTOLOGY_IRI

DEFAULT_BASE = "https://w3id.org/kzmig/"
_SAFE = "/-._~:@!$&'()*+,;="  # kept as they are in a local path (with letters and digits)
_PLAIN = re.compile(r"[A-Za-z0-9/\-._~:@!$&'()*+,;=]*")


def base_iri() -> str:
    """The configured base IRI, always ending in '/'."""
    base = current_app.config.get("BASE_IRI") or DEFAULT_BASE
    return base if base.endswith("/") else base + "/"


def resource_ns() -> str:
    return base_iri() + "resource/"


def resource(path: str) -> str:
    """``graph/provenance`` -> the IRI of that resource under the configured base."""
    return resource_ns() + path


def iri_for_path(path: str) -> str:
    """The IRI a request for ``/resource/<path>`` is about."""
    return resource_ns() + path


def local_path(iri: str, ns: str | None = None) -> str | None:
    """The path on this server that answers for ``iri``; None for IRIs it does not serve.
    ``ns``: ``resource_ns()``, when the caller has it (a page links thousands of IRIs)."""
    ns = ns or resource_ns()
    if iri.startswith(ns) and len(iri) > len(ns):
        tail = iri[len(ns) :]
        # most IRIs need no escaping: one regex match instead of urllib's quote (2,820
        # links of a source page: 0.041 of its 0.25 s profiled)
        return "/resource/" + (tail if _PLAIN.fullmatch(tail) else quote(tail, safe=_SAFE))
    if iri.startswith(str(KZO)):
        return "/ontology#" + quote(iri[len(str(KZO)) :], safe="-._~")
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    return None


def href(iri: str, ns: str | None = None) -> str | None:
    """Where a link to ``iri`` should point: the local path, or the IRI itself when it is
    an http(s) IRI; None (show it as text) for any other scheme (``javascript:``, ...)."""
    local = local_path(iri, ns)
    if local:
        return local
    return iri if iri.lower().startswith(("http://", "https://")) else None

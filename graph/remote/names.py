"""The graph names a pushed release uses in a remote store: the pointer, the staging graphs.

Shared by the store (which reads the pointer), push (which writes it) and the adapters.
"""

from __future__ import annotations

#: The graph naming the current release; its subject carries the same IRI.
POINTER = "urn:x-kzmig:pointer"
P_VERSION = "urn:x-kzmig:version"
P_GRAPH = "urn:x-kzmig:graph"
P_PUSHED = "urn:x-kzmig:pushed"
#: A graph ``G`` of release ``V`` is staged as ``<STAGING + V + ":" + G>``.
STAGING = "urn:x-kzmig:staging:"


def staging_name(version: str, graph: str) -> str:
    return f"{STAGING}{version}:{graph}"

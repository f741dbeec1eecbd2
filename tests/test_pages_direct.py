"""The pages' fast reads (#18) give what the slow path gives, on the repo's own release.

A local store is read pattern by pattern (describe.direct); any other store (a
remote one) answers SPARQL only. Both paths must describe every resource alike:
the same quads in the same order, the same labels, mention texts, spans. The
queries rewritten for speed (provenance per claim, statistics and flows from
the linked things) are checked against the queries they replaced, kept here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from kzmig.graph.release.store import ReleaseStore
from kzmig.names import KZO, OA, PREFIXES, PROV
from kzmig.server import describe, summary, view

NS = "https://w3id.org/kzmig/resource/"
PROV_GRAPH = NS + "graph/provenance"


class SparqlOnly:
    """A store that answers SPARQL only, as a remote store does: the slow path."""

    def __init__(self, store: Any):
        self.store = store

    def query(self, sparql: str, **kw: Any) -> Any:
        return self.store.query(sparql, **kw)


@pytest.fixture(scope="module")
def stores(data_dir: Path) -> tuple[ReleaseStore, SparqlOnly]:
    store = ReleaseStore(data_dir)
    assert describe.direct(store) is not None, "a release is read directly"
    return store, SparqlOnly(store)


@pytest.fixture(scope="module")
def resources(stores: tuple[ReleaseStore, SparqlOnly]) -> list[str]:
    rows = stores[0].query(
        f"SELECT DISTINCT ?s WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?s {{ ?a ?b ?c }} }} "
        f'FILTER(STRSTARTS(STR(?s), "{NS}")) }}'
    )
    found = sorted(r["s"].value for r in rows)
    assert len(found) > 1000
    return found


@pytest.mark.slow
def test_describe_reads_the_same_quads_in_the_same_order(stores, resources):
    fast, slow = stores
    assert describe.direct(slow) is None
    for iri in resources:
        a, b = describe.describe(fast, iri), describe.describe(slow, iri)
        assert (a.about, a.content, a.triples_only) == (b.about, b.content, b.triples_only), iri
        assert describe.exists(fast, iri) and describe.exists(slow, iri)
        assert describe.span_of(fast, iri) == describe.span_of(slow, iri), iri
        assert describe.text_of(fast, iri) == describe.text_of(slow, iri), iri
        for langs in (["en"], ["kk"], ["ru"]):
            assert summary.definition(fast, iri, langs) == summary.definition(slow, iri, langs)
    for missing in (NS + "no/such/thing", "http://example.org/x"):
        assert not describe.exists(fast, missing) and not describe.exists(slow, missing)


@pytest.mark.slow
def test_labels_and_mention_texts_the_same(stores, resources):
    fast, slow = stores
    iris = set(resources) | set(PREFIXES.values()) | {str(KZO.Claim), str(KZO.Statistic)}
    a, b = describe.labels(fast, iris), describe.labels(slow, iris)
    assert {k: sorted(v) for k, v in a.items()} == {k: sorted(v) for k, v in b.items()}
    assert sum(map(len, a.values())) > 500
    m_fast, m_slow = (
        describe.mention_texts(fast, resources),
        describe.mention_texts(slow, resources),
    )
    assert m_fast == m_slow and len(m_fast) > 100


def _old_provenance(store: Any, claims: list[str]) -> dict[str, describe.ClaimProvenance]:
    """The provenance query as it was: 200 claims at a time, joined through VALUES."""
    out = {c: describe.ClaimProvenance(c) for c in claims}
    g = describe.node(PROV_GRAPH)
    chunk = " ".join(str(describe.node(c)) for c in claims)
    for row in store.query(
        f"""SELECT ?c ?method ?conf ?src WHERE {{ VALUES ?c {{ {chunk} }}
          GRAPH {g} {{ ?c a <{KZO.Claim}> . OPTIONAL {{ ?c <{KZO.method}> ?method }}
            OPTIONAL {{ ?c <{KZO.confidence}> ?conf }}
            OPTIONAL {{ ?c <{PROV.wasDerivedFrom}> ?src }} }} }}"""
    ):
        p = out[row["c"].value]
        p.method = row["method"].value if row["method"] else None
        p.confidence = row["conf"].value if row["conf"] else None
        p.derived_from = row["src"].value if row["src"] else None
    for row in store.query(
        f"""SELECT DISTINCT ?c ?a WHERE {{ VALUES ?c {{ {chunk} }}
          GRAPH {g} {{ ?c <{PROV.hadPrimarySource}> ?a }} }} ORDER BY ?a"""
    ):
        out[row["c"].value].attribution.append(row["a"].value)
    for row in store.query(
        f"""SELECT DISTINCT ?c ?v ?said ?year WHERE {{ VALUES ?c {{ {chunk} }}
          GRAPH {g} {{ ?c <{KZO.figure}> ?f . ?f <{describe.RDF_VALUE}> ?v ;
            <{KZO.resolved}> true ; <{KZO.quotedAs}> ?said .
            OPTIONAL {{ ?f <{KZO.referenceYear}> ?year }} }} }} ORDER BY ?c ?v"""
    ):
        out[row["c"].value].resolved.append(
            (row["v"].value, row["said"].value, row["year"].value if row["year"] else "")
        )
    for row in store.query(
        f"""SELECT ?c ?ev ?exact ?start ?end ?src WHERE {{ VALUES ?c {{ {chunk} }}
          GRAPH {g} {{ ?c <{KZO.evidence}> ?ev . ?ev <{OA.hasSource}> ?src ;
            <{OA.hasSelector}> ?q . ?q <{OA.exact}> ?exact .
            OPTIONAL {{ ?ev <{OA.hasSelector}> ?pos . ?pos <{OA.start}> ?start ;
              <{OA.end}> ?end }} }} }} ORDER BY ?c ?start"""
    ):
        out[row["c"].value].evidence.append(
            describe.Evidence(
                row["exact"].value,
                int(row["start"].value) if row["start"] else None,
                int(row["end"].value) if row["end"] else None,
                row["src"].value,
            )
        )
    return out


@pytest.mark.slow
def test_provenance_per_claim_equals_the_values_join(stores):
    store = stores[0]
    claims = sorted(
        r["c"].value
        for r in store.query(f"SELECT ?c WHERE {{ GRAPH <{PROV_GRAPH}> {{ ?c a <{KZO.Claim}> }} }}")
    )
    assert len(claims) > 50
    for start in range(0, len(claims), 60):
        chunk = claims[start : start + 60]
        assert describe.provenance(store, PROV_GRAPH, chunk) == _old_provenance(store, chunk)
    found = describe.provenance(store, PROV_GRAPH, claims)
    assert any(p.resolved for p in found.values()), "some claim has a worked-out value"
    assert all(p.evidence for p in found.values())


def _rows(store: Any, q: str) -> list[tuple[str, ...]]:
    return sorted(tuple(str(x) for x in r) for r in store.query(q))


@pytest.mark.slow
def test_statistics_and_flows_queries_equal_the_old_ones(stores, resources, monkeypatch, app):
    ctx = app.app_context()
    ctx.push()
    store = stores[0]
    seen: list[str] = []
    monkeypatch.setattr(summary, "_rows", lambda s, q: seen.append(q) or list(s.query(q)))
    claim_ns = NS + "claim/"
    links = " ".join(f"<{KZO[p]}>" for p in summary.FLOW_LINKS)
    hits = 0
    for iri in resources[::6]:
        n = describe.node(iri)
        seen.clear()
        summary.flows(store, iri)
        (new_flows,) = seen
        fast, slow = summary.statistics(store, iri), summary.statistics(stores[1], iri)
        assert fast == slow, iri  # read apart on a local store, joined on any other
        old_stats = f"""SELECT DISTINCT ?stat ?value ?unit ?period ?who ?lower ?claim WHERE {{
          ?stat a <{KZO.Statistic}> ; <{KZO.value}> ?value .
          {{ VALUES ?stat {{ {n} }} }} UNION {{ ?stat ?p {n} }}
          UNION {{ ?stat ?p ?x . ?x ?q {n} FILTER(isIRI(?x)) }}
          OPTIONAL {{ ?stat <{KZO.unit}> ?unit }}
          OPTIONAL {{ ?stat <{KZO.refPeriod}> ?period }}
          OPTIONAL {{ ?stat <{KZO.attributedTo}> ?who }}
          OPTIONAL {{ ?stat <{KZO.lowerBound}> ?lower }}
          OPTIONAL {{ GRAPH ?claim {{ ?stat <{KZO.value}> ?value }}
            FILTER(STRSTARTS(STR(?claim), "{claim_ns}")) }}
        }}"""
        old_flows = f"""SELECT DISTINCT ?flow ?origin ?destination WHERE {{
          ?flow a <{KZO.MigrationFlow}> .
          {{ VALUES ?flow {{ {n} }} }} UNION {{ VALUES ?link {{ {links} }} ?flow ?link {n} }}
          OPTIONAL {{ ?flow <{KZO.origin}> ?origin }}
          OPTIONAL {{ ?flow <{KZO.destination}> ?destination }} }}"""
        joined = summary._statistics_joined(store, n, claim_ns)
        a = sorted(tuple(str(x) for x in r) for r in joined)
        b = _rows(store, old_stats)
        assert a == b, iri
        assert _rows(store, new_flows) == _rows(store, old_flows), iri
        hits += bool(a)
    ctx.pop()
    assert hits > 20


def test_curie_as_the_longest_namespace_gives(resources):
    def slow(iri: str) -> str | None:
        best = None
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
                best = (prefix, ns)
        if best is None:
            return None
        local = iri[len(best[1]) :]
        return f"{best[0]}:{local}" if local and "/" not in local and "#" not in local else None

    iris = set(resources) | {"urn:x", "", "http://example.org/a#b/c"}
    for ns in PREFIXES.values():
        iris |= {ns, ns[:-1], ns + "x", ns + "x/y", ns + "x#y", ns + "a-b"}
    for iri in iris:
        assert view.curie(iri) == slow(iri), iri
    assert view.curie(str(KZO.Claim)) == "kzo:Claim"


def test_direct_is_off_for_a_store_whose_default_graph_is_not_the_union():
    class Plain:
        union_default = False

        def oxigraph(self) -> ox.Store:
            return ox.Store()

    assert describe.direct(Plain()) is None


def test_a_plain_local_path_is_what_quote_gives():
    """iris.local_path skips urllib's quote for a plain tail: only when quote keeps it."""
    import random
    import string
    from urllib.parse import quote

    from kzmig.server.iris import _PLAIN, _SAFE

    chars = string.printable + 'éжқ%#?[]{}|^`"<> '
    rng = random.Random(18)
    plain = 0
    for _ in range(50_000):
        tail = "".join(rng.choice(chars) for _ in range(rng.randint(0, 6)))
        if _PLAIN.fullmatch(tail):
            plain += 1
            assert quote(tail, safe=_SAFE) == tail, repr(tail)
    assert plain > 1000


def test_the_search_index_has_the_iri_index_a_rebuild_writes(tmp_path, stores):
    """docs(iri) is indexed in every index build_index writes (so a rebuild refreshes it):
    the class labels of a page of hits are read without scanning every document."""
    import sqlite3

    from kzmig.graph.release.search_index import build_index

    path = tmp_path / "search.sqlite"
    build_index(lambda q: stores[0].query(q), path, provenance=PROV_GRAPH)
    db = sqlite3.connect(path)
    plan = " ".join(
        str(r)
        for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT iri, labels FROM docs WHERE fragment IS NULL AND iri IN (?)",
            ("x",),
        )
    )
    assert "docs_iri" in plan, plan
    db.close()

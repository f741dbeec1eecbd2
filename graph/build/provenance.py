"""Claim graphs, and the provenance graph that describes every named graph.

One claim = one named graph (its IRI is the claim's IRI) holding the claim's
plain triples. The provenance graph says, for each claim: the source document,
the in-text attribution, the evidence (a Web Annotation quote selector and a
position selector in code points, both verified against the text here), the
build activity and software agent, the method and confidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kzmig.graph.semantics.quads import Quads
from kzmig.loaders.anchor import context
from kzmig.loaders.sheets import Claim
from kzmig.loaders.sources import SourceText
from kzmig.loaders.text import Segmentation
from kzmig.names import (
    GRAPH_PROVENANCE,
    KZO,
    KZR,
    OA,
    PROV,
    SCHEMA,
    file_iri,
    run_iri,
    sentence_iri,
    software_agent_iri,
    source_iri,
)
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

METHODS = {
    "curated-sheet": KZR["concept/method-curated-sheet"],
    "pattern-extractor": KZR["concept/method-pattern-extractor"],
    "gazetteer": KZR["concept/method-gazetteer"],
}
G = GRAPH_PROVENANCE


@dataclass(frozen=True)
class Run:
    """The build activity: one per release."""

    version: str
    software_version: str
    started: datetime

    @property
    def iri(self) -> URIRef:
        return run_iri(self.version)

    def stage(self, name: str) -> URIRef:
        return URIRef(f"{self.iri}/{name}")


def _dt(value: datetime) -> Literal:
    return Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def _nni(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


class EvidenceError(AssertionError):
    """A selector does not match the text: a bug, never published."""


def claim_quads(
    claims: Iterable[Claim], source: SourceText, seg: Segmentation, run: Run, q: Quads
) -> int:
    """Add each claim's graph and its provenance; return how many claims."""
    count = 0
    src = source_iri(source.id)
    for claim in claims:
        count += 1
        q.add_all(claim.triples, claim.iri)
        c = claim.iri
        q.add(c, RDF.type, KZO.Claim, G)
        q.add(c, DCTERMS.identifier, Literal(claim.id), G)
        q.add(c, PROV.wasDerivedFrom, src, G)
        q.add(c, PROV.wasGeneratedBy, run.iri, G)
        q.add(c, KZO.method, METHODS[claim.method], G)
        q.add(c, KZO.confidence, Literal(str(claim.confidence), datatype=XSD.decimal), G)
        q.add(c, KZO.sheetLocation, Literal(f"sources/{source.id}/claims.yaml:{claim.line}"), G)
        q.add(c, KZO.tripleCount, Literal(len(claim.triples)), G)
        if claim.attribution is not None:
            q.add(c, PROV.hadPrimarySource, claim.attribution, G)
        if claim.reading:
            q.add(c, SKOS.editorialNote, Literal(claim.reading, lang="en"), G)
        for n, span in enumerate(claim.evidence, start=1):
            exact = source.text[span.start : span.end]
            if exact.split() != claim.quote.split():
                raise EvidenceError(f"{claim.iri}: selector {span} gives {exact!r}")
            prefix, suffix = context(source.text, span)
            ev = URIRef(f"{c}/evidence/{n}")
            quote_sel, pos_sel = URIRef(f"{ev}/quote"), URIRef(f"{ev}/position")
            q.add(c, KZO.evidence, ev, G)
            q.add(ev, RDF.type, OA.SpecificResource, G)
            q.add(ev, OA.hasSource, src, G)
            q.add(ev, OA.hasSelector, quote_sel, G)
            q.add(ev, OA.hasSelector, pos_sel, G)
            q.add(quote_sel, RDF.type, OA.TextQuoteSelector, G)
            q.add(quote_sel, OA.exact, Literal(exact), G)
            q.add(quote_sel, OA.prefix, Literal(prefix), G)
            q.add(quote_sel, OA.suffix, Literal(suffix), G)
            q.add(pos_sel, RDF.type, OA.TextPositionSelector, G)
            q.add(pos_sel, OA.start, _nni(span.start), G)
            q.add(pos_sel, OA.end, _nni(span.end), G)
            for sentence in seg.sentences_in(span.start, span.end):
                q.add(ev, KZO.inSentence, sentence_iri(source.id, sentence.number), G)
        for n, fig in enumerate(claim.figures, start=1):
            f = URIRef(f"{c}/figure/{n}")
            q.add(c, KZO.figure, f, G)
            q.add(f, RDF.type, KZO.FigureSupport, G)
            q.add(f, RDF.value, Literal(fig.lexical, datatype=XSD[fig.datatype]), G)
            q.add(f, KZO.quotedAs, Literal(source.text[fig.span.start : fig.span.end]), G)
            q.add(f, KZO.resolved, Literal(fig.resolved), G)
            if fig.resolved:
                q.add(
                    f, KZO.referenceYear, Literal(str(source.reference_year), datatype=XSD.gYear), G
                )
    return count


def _date(text: str) -> Literal:
    """A reference's date, typed by its precision (2007-08-09, 2007-08 or 2007)."""
    kind = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(text))
    return Literal(text, datatype=kind) if kind else Literal(text)


def source_quads(source: SourceText, q: Quads) -> None:
    """Describe a source document (the text the claims were read in)."""
    s = source_iri(source.id)
    q.add(s, RDF.type, KZO.SourceText, G)
    q.add(s, RDF.type, PROV.Entity, G)
    q.add(s, DCTERMS.title, Literal(source.title), G)
    q.add(s, RDFS.label, Literal(source.title, lang=source.language), G)
    q.add(s, DCTERMS.language, Literal(source.language, datatype=XSD.language), G)
    q.add(s, DCTERMS.license, URIRef(source.licence), G)
    q.add(s, DCTERMS.rightsHolder, Literal(source.attribution), G)
    q.add(s, KZO.sha256, Literal(source.sha256), G)
    q.add(s, KZO.characterCount, _nni(len(source.text)), G)
    q.add(s, KZO.referenceYear, Literal(str(source.reference_year), datatype=XSD.gYear), G)
    if source.reference_year_reason:
        q.add(s, KZO.referenceYearReason, Literal(source.reference_year_reason, lang="en"), G)
    if source.form:
        q.add(s, DCTERMS.description, Literal(source.form, lang="en"), G)
    if source.url:
        q.add(s, SCHEMA.url, URIRef(source.url), G)
    for ref in source.references:
        target = source_iri(ref.id) if ref.id else URIRef(ref.url)
        q.add(s, DCTERMS.references, target, G)
        if ref.title:
            q.add(target, DCTERMS.title, Literal(ref.title), G)
        if ref.id and ref.url:
            q.add(target, SCHEMA.url, URIRef(ref.url), G)
        if ref.date:
            q.add(target, DCTERMS.date, _date(ref.date), G)
    q.add(s, PROV.wasDerivedFrom, file_iri(f"sources/{source.id}/text.txt"), G)


def run_quads(run: Run, ended: datetime, inputs: dict[str, str], q: Quads) -> None:
    """Describe the build activity, its software agent, and the files it used."""
    agent = software_agent_iri(run.software_version)
    q.add(run.iri, RDF.type, PROV.Activity, G)
    q.add(run.iri, RDFS.label, Literal(f"kzmig build {run.version}", lang="en"), G)
    q.add(run.iri, PROV.startedAtTime, _dt(run.started), G)
    q.add(run.iri, PROV.endedAtTime, _dt(ended), G)
    q.add(run.iri, PROV.wasAssociatedWith, agent, G)
    q.add(agent, RDF.type, PROV.SoftwareAgent, G)
    q.add(agent, RDFS.label, Literal(f"kzmig {run.software_version}", lang="en"), G)
    q.add(agent, SCHEMA.softwareVersion, Literal(run.software_version), G)
    for path, digest in sorted(inputs.items()):
        f = file_iri(path)
        q.add(run.iri, PROV.used, f, G)
        q.add(f, RDF.type, PROV.Entity, G)
        q.add(f, KZO.path, Literal(path), G)
        q.add(f, KZO.sha256, Literal(digest), G)


def graph_quads(
    graph: URIRef,
    kind: URIRef,
    q: Quads,
    *,
    derived_from: Iterable[URIRef] = (),
    generated_by: URIRef | None = None,
    used: Iterable[URIRef] = (),
) -> None:
    """Describe a named graph in the provenance graph."""
    q.add(graph, RDF.type, kind, G)
    q.add(graph, RDF.type, PROV.Entity, G)
    for d in derived_from:
        q.add(graph, PROV.wasDerivedFrom, d, G)
    if generated_by is not None:
        q.add(graph, PROV.wasGeneratedBy, generated_by, G)
        for u in used:
            q.add(generated_by, PROV.used, u, G)

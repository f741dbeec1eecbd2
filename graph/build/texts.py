"""A segmented text as RDF: NIF sentences, paragraphs and sections with offsets.

NIF (nif-core) is used because its offsets are code points, as ours are, and
because nif:nextSentence / nif:previousSentence let a query walk from a
claim's sentence to its neighbours.
"""

from __future__ import annotations

from kzmig.graph.semantics.quads import Quads
from kzmig.loaders.sources import SourceText
from kzmig.loaders.text import Segmentation
from kzmig.names import (
    KZO,
    NIF,
    paragraph_iri,
    section_iri,
    sentence_iri,
    source_iri,
    text_graph,
)
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD


def _offsets(
    node: URIRef, start: int, end: int, context: URIRef, text: str, q: Quads, g: URIRef
) -> None:
    q.add(node, NIF.beginIndex, Literal(start, datatype=XSD.integer), g)
    q.add(node, NIF.endIndex, Literal(end, datatype=XSD.integer), g)
    q.add(node, NIF.referenceContext, context, g)
    q.add(node, NIF.anchorOf, Literal(text[start:end]), g)


def text_quads(source: SourceText, seg: Segmentation, q: Quads) -> URIRef:
    """Add the text's structure to ``q``; return the graph it went into."""
    g = text_graph(source.id)
    ctx = source_iri(source.id)
    q.add(ctx, RDF.type, NIF.Context, g)
    q.add(ctx, NIF.isString, Literal(source.text), g)
    q.add(ctx, NIF.beginIndex, Literal(0, datatype=XSD.integer), g)
    q.add(ctx, NIF.endIndex, Literal(len(source.text), datatype=XSD.integer), g)
    for section in seg.sections:
        node = section_iri(source.id, section.number)
        q.add(node, RDF.type, KZO.Section, g)
        q.add(node, RDFS.label, Literal(section.title or "(untitled)"), g)
        q.add(node, KZO.sectionNumber, Literal(section.number), g)
        q.add(node, KZO.runInHeading, Literal(section.run_in), g)
        q.add(node, DCTERMS.isPartOf, ctx, g)
        _offsets(node, section.start, section.end, ctx, source.text, q, g)
    for paragraph in seg.paragraphs:
        node = paragraph_iri(source.id, paragraph.number)
        q.add(node, RDF.type, NIF.Paragraph, g)
        q.add(node, KZO.isHeading, Literal(paragraph.is_heading), g)
        q.add(node, DCTERMS.isPartOf, section_iri(source.id, paragraph.section), g)
        _offsets(node, paragraph.start, paragraph.end, ctx, source.text, q, g)
    previous: URIRef | None = None
    for sentence in seg.sentences:
        node = sentence_iri(source.id, sentence.number)
        q.add(node, RDF.type, NIF.Sentence, g)
        q.add(node, KZO.sentenceNumber, Literal(sentence.number), g)
        q.add(node, DCTERMS.isPartOf, paragraph_iri(source.id, sentence.paragraph), g)
        q.add(node, KZO.inSection, section_iri(source.id, sentence.section), g)
        _offsets(node, sentence.start, sentence.end, ctx, source.text, q, g)
        if previous is not None:
            q.add(previous, NIF.nextSentence, node, g)
            q.add(node, NIF.previousSentence, previous, g)
        previous = node
        for other in seg.repeats.get(sentence.number, ()):
            q.add(node, KZO.repeats, sentence_iri(source.id, other), g)
    return g

"""A tiny project (ontology/, shapes/, one claim sheet) that passes every check.

Tests plant one problem at a time in a copy of it and expect exactly the
finding that problem should raise, at the right file and line.
"""

from __future__ import annotations

from pathlib import Path

PREFIXES = """\
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kzo: <https://w3id.org/kzmig/ontology#> .
@prefix kzs: <https://w3id.org/kzmig/shapes#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

ONTOLOGY = (
    "# A tiny ontology for the tests of kzmig check.\n\n"
    + PREFIXES
    + """
<https://w3id.org/kzmig/ontology>
    a owl:Ontology ;
    dcterms:title "test ontology"@en ;
    dcterms:description "Terms for the tests."@en ;
    dcterms:creator "tests"@en ;
    dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> ;
    owl:versionIRI <https://w3id.org/kzmig/ontology/0.0.1> ;
    owl:versionInfo "0.0.1" ;
    vann:preferredNamespacePrefix "kzo" ;
    vann:preferredNamespaceUri "https://w3id.org/kzmig/ontology#"^^xsd:anyURI .

kzo:Country
    a owl:Class ;
    rdfs:subClassOf kzo:Place ;
    rdfs:label "Country"@en , "Ел"@kk , "Страна"@ru ;
    skos:definition "Егемен мемлекет."@kk , "Суверенное государство."@ru ,
        "A sovereign state."@en .

kzo:Person
    a owl:Class ;
    owl:disjointWith kzo:Place ;
    rdfs:label "Person"@en , "Тұлға"@kk , "Лицо"@ru ;
    skos:definition "Адам."@kk , "Человек."@ru ,
        "A human being."@en .

kzo:Place
    a owl:Class ;
    rdfs:label "Place"@en , "Мекен"@kk , "Место"@ru ;
    skos:definition "Жер бетіндегі мекен."@kk , "Место на Земле."@ru ,
        "A place on Earth."@en .

kzo:bornIn
    a owl:ObjectProperty ;
    rdfs:domain kzo:Person ;
    rdfs:range kzo:Place ;
    rdfs:label "born in"@en ;
    rdfs:label "туған жері"@kk , "место рождения"@ru ;
    skos:definition "Where a person was born."@en .

<https://w3id.org/kzmig/resource/place/kazakhstan>
    a kzo:Country ;
    rdfs:label "Kazakhstan"@en , "Қазақстан"@kk , "Казахстан"@ru ;
    skos:definition "The Republic of Kazakhstan."@en .
"""
)

SHAPES = (
    "# Shapes for the tests.\n\n"
    + PREFIXES
    + """
kzs:PersonShape
    a sh:NodeShape ;
    sh:targetClass kzo:Person ;
    sh:property [
        sh:path kzo:bornIn ;
        sh:class kzo:Place ;
        sh:message "A person is born in a place."@en
    ] .

kzs:PlaceShape
    a sh:NodeShape ;
    sh:targetClass kzo:Place ;
    sh:property [
        sh:path rdfs:label ;
        sh:minCount 1 ;
        sh:message "A place needs a label."@en
    ] .
"""
)

CLAIMS = """\
claims:
  - id: someone-born-in-kazakhstan
    quote: Someone was born in Kazakhstan.
    triples: |
      person:someone a kzo:Person ;
          kzo:bornIn place:kazakhstan .
"""


def write(root: Path) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "shapes").mkdir()
    (root / "sources" / "demo").mkdir(parents=True)
    (root / "ontology" / "core.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (root / "shapes" / "structure.ttl").write_text(SHAPES, encoding="utf-8")
    (root / "sources" / "demo" / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    return root


def line_of(path: Path, needle: str) -> int:
    """The 1-based line that starts with ``needle`` (a statement), else the first holding it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        if line.startswith(needle):
            return n
    for n, line in enumerate(lines, start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")

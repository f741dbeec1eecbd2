"""graph/semantics/shacl_core/ gives pyshacl's report, component by component.

Each case is a small shapes graph and data made so that the component fails
at least once (so the comparison can fail), validated by shacl_core and by
plain pyshacl (``validate_reference``). The reports must be the same graph
(isomorphic: every result with its focus node, value, path, messages,
severity, source shape, component and sh:detail results), and give the same
outcome as tests/test_validation_equivalence.py compares it. Shapes that use
a feature shacl_core lacks must go to pyshacl.
"""

from __future__ import annotations

from collections import Counter

import pytest
from kzmig.graph.semantics import shacl_core
from kzmig.graph.semantics import validate as v
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix ex: <urn:ex:> .
"""


def triples(turtle: str) -> list[tuple]:
    return list(Graph().parse(data=PREFIXES + turtle, format="turtle"))


def shapes_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def signature(report: Graph) -> Counter[tuple[str, ...]]:
    """Every result of a report, as comparable text (nested sh:detail results included)."""
    top = set(report.objects(None, SH.result))

    def text(node: object) -> str:
        return node.n3() if node is not None else "-"  # type: ignore[attr-defined]

    return Counter(
        (
            "top" if r in top else "detail",
            text(report.value(r, SH.resultSeverity)),
            text(report.value(r, SH.focusNode)),
            text(report.value(r, SH.resultPath)),
            text(report.value(r, SH.value)),
            text(report.value(r, SH.sourceShape)),
            text(report.value(r, SH.sourceConstraintComponent)),
            " | ".join(sorted(m.n3() for m in report.objects(r, SH.resultMessage))),
            str(len(list(report.objects(r, SH.detail)))),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


def outcome(result: v.Validation) -> Counter[tuple[str, ...]]:
    return Counter((r.severity, r.focus, r.path, r.message, r.shape) for r in result.results)


def compare(shapes_ttl: str, data_ttl: str) -> v.Validation:
    """shacl_core and pyshacl on the same input: the same report; returns ours."""
    shapes, data = shapes_of(shapes_ttl), triples(data_ttl)
    assert shacl_core.supports(shapes), shacl_core.unsupported_features(shapes)
    report = v.fast_report(data, shapes)
    assert report is not None
    ours = v._read_report(report)
    reference = v.validate_reference(data, shapes)
    assert reference.results, "the case must produce results, or the comparison proves nothing"
    assert signature(report) == signature(reference.report)
    assert isomorphic(report, reference.report)
    assert outcome(ours) == outcome(reference)
    assert ours.conforms == reference.conforms
    heads = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(heads) == 1
    ref_head = next(reference.report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(heads[0], SH.conforms) == reference.report.value(ref_head, SH.conforms)
    assert ours.results == v.validate(data, shapes).results  # validate() takes this path
    return ours


def test_min_and_max_count_with_and_without_messages() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] ,
                [ sh:path ex:q ; sh:maxCount 1 ; sh:message "one q"@en, "один q"@ru ] ,
                [ sh:path ex:r ; sh:minCount 2 ; sh:maxCount 2 ] .
        """,
        """
        ex:a a ex:C ; ex:q 1, 2 ; ex:r 1 .
        ex:b a ex:C ; ex:p 1 ; ex:r 1, 2, 3 .
        ex:c a ex:C ; ex:p 1 ; ex:q 1 ; ex:r 1, 2 .
        """,
    )


def test_class_follows_subclasses_in_the_data() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:class ex:Agent ;
            sh:property [ sh:path ex:p ; sh:class ex:Place ] ,
                [ sh:path ex:q ; sh:class ex:Place, ex:Agent ;
                  sh:message "q: a place and an agent" ] .
        """,
        """
        ex:Person rdfs:subClassOf ex:Agent . ex:Minister rdfs:subClassOf ex:Person .
        ex:City rdfs:subClassOf ex:Place .
        ex:a a ex:Minister ; ex:p ex:almaty, ex:nowhere, "Almaty", [ a ex:City ] ; ex:q ex:almaty .
        ex:b ex:p ex:almaty .
        ex:almaty a ex:City , ex:Agent .
        ex:nowhere a ex:Thing .
        """,
    )


def test_datatype_with_ill_typed_plain_and_language_literals() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:int ; sh:datatype xsd:integer ] ,
                [ sh:path ex:str ; sh:datatype xsd:string ] ,
                [ sh:path ex:lang ; sh:datatype rdf:langString ] ,
                [ sh:path ex:year ; sh:datatype xsd:gYear ] ,
                [ sh:path ex:bool ; sh:datatype xsd:boolean ] ,
                [ sh:path ex:any ; sh:datatype rdfs:Literal ] ,
                [ sh:path ex:long ; sh:datatype xsd:long ] .
        """,
        """
        ex:a a ex:C ; ex:int 1, "x"^^xsd:integer, "1.5"^^xsd:decimal, "2"^^xsd:long, ex:iri ;
            ex:long "5"^^xsd:long, "five"^^xsd:long, 5 ;
            ex:str "plain", "typed"^^xsd:string, "en"@en, 3 ;
            ex:lang "en"@en, "plain" ;
            ex:year "2017"^^xsd:gYear, "2017" , "abc"^^xsd:gYear ;
            ex:bool true, "yes"^^xsd:boolean, "1"^^xsd:boolean ;
            ex:any "x", 1, ex:iri .
        """,
    )


def test_node_kind() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:iri ; sh:nodeKind sh:IRI ] ,
                [ sh:path ex:lit ; sh:nodeKind sh:Literal ; sh:message "a literal" ] ,
                [ sh:path ex:bn ; sh:nodeKind sh:BlankNodeOrIRI ] .
        """,
        """
        ex:a a ex:C ; ex:iri ex:x, "x", [ ex:p 1 ] ; ex:lit ex:x, "x" ;
            ex:bn "x", ex:x, [ ex:p 2 ] .
        """,
    )


def test_in_uses_term_equality_on_node_and_property_shapes() -> None:
    compare(
        """
        ex:Closed a sh:NodeShape ; sh:targetClass ex:Level ; sh:in ( ex:low ex:high ) ;
            sh:message "a level is low or high"@en .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
            sh:property [ sh:path ex:n ; sh:in ( 1 2 "three" ex:four ) ] .
        """,
        """
        ex:low a ex:Level . ex:medium a ex:Level .
        ex:a ex:n 1, "01"^^xsd:integer, 1.0, "1", "three", "three"@en, ex:four, ex:five .
        """,
    )


def test_has_value_on_node_and_property_shapes() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:scheme ; sh:hasValue ex:topics ] ,
                [ sh:path rdf:type ; sh:hasValue ex:D ; sh:message "also a D" ] .
        ex:T a sh:NodeShape ; sh:targetNode ex:a, ex:absent ; sh:hasValue ex:a .
        """,
        """
        ex:a a ex:C ; ex:scheme ex:topics .
        ex:b a ex:C, ex:D ; ex:scheme ex:other, "topics" .
        ex:c a ex:C .
        """,
    )


def test_ranges_compare_literals_and_incomparable_values_fail() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:v ;
            sh:property [ sh:path ex:v ; sh:minInclusive 0 ; sh:maxInclusive 1 ] ,
                [ sh:path ex:v ; sh:minExclusive 0.5 ; sh:message "more than a half" ] ,
                [ sh:path ex:v ; sh:maxExclusive 1 ] ,
                [ sh:path ex:d ; sh:minInclusive "2020-01-01"^^xsd:date ] ,
                [ sh:path ex:s ; sh:maxInclusive "m" ] .
        """,
        """
        ex:a ex:v 0, 0.5, 1, 1.0, 2, -1, "0.7"^^xsd:decimal, "x", "1"^^xsd:gYear, ex:iri,
                  [ ex:p 1 ], 1e0, "abc"^^xsd:integer ;
            ex:d "2019-05-01"^^xsd:date, "2021-05-01"^^xsd:date, 2020, "2020-01-01" ;
            ex:s "a", "z", "m"@en, 5 .
        """,
    )


def test_language_in_unique_lang_and_qualified_value_shapes() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path rdfs:label ; sh:languageIn ( "en" "kk" ) ] ,
                [ sh:path rdfs:label ; sh:uniqueLang true ] ,
                [ sh:path rdfs:label ; sh:uniqueLang false ] ,
                [ sh:path rdfs:label ; sh:qualifiedMinCount 1 ;
                  sh:qualifiedValueShape [ sh:languageIn ( "ru" ) ] ; sh:severity sh:Warning ] ,
                [ sh:path rdfs:label ; sh:qualifiedMaxCount 1 ;
                  sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
                  sh:message "one English label" ] .
        """,
        """
        ex:a a ex:C ; rdfs:label "A"@en, "A2"@en-GB, "А"@kk, "A"@EN-us, "plain", ex:x .
        ex:b a ex:C ; rdfs:label "Б"@ru, "B"@fr .
        ex:c a ex:C .
        """,
    )


def test_pattern_and_lengths() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:sha ; sh:pattern "^[0-9a-f]{4}$" ] ,
                [ sh:path ex:sha ; sh:pattern "^AB" ; sh:flags "i" ; sh:message "starts with ab" ] ,
                [ sh:path ex:txt ; sh:minLength 2 ; sh:maxLength 4 ] ,
                [ sh:path ex:txt ; sh:minLength 0 ] .
        """,
        """
        ex:a a ex:C ; ex:sha "ab12", "AB12", "abcdef", 1234, ex:ab12, [ ex:p 1 ] ;
            ex:txt "a", "ab", "abcde", 12345, "x"@en, ex:iri, [ ex:p 2 ] .
        """,
    )


def test_less_than_or_equals() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Sel ;
            sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] ,
                [ sh:path ex:from ; sh:lessThanOrEquals ex:to ; sh:message "from <= to" ] .
        """,
        """
        ex:a a ex:Sel ; ex:start 1, 5 ; ex:end 3, 4 .
        ex:b a ex:Sel ; ex:start 2 ; ex:end "3" .
        ex:c a ex:Sel ; ex:start 2 .
        ex:d a ex:Sel ; ex:from "b", ex:x ; ex:to "a", ex:y .
        """,
    )


def test_or_on_node_and_property_shapes() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Flow ;
            sh:or ( [ sh:path ex:origin ; sh:minCount 1 ]
                    [ sh:path ex:destination ; sh:minCount 1 ; sh:severity sh:Warning ] ) ;
            sh:message "a flow needs a place"@en ;
            sh:property [ sh:path ex:value ;
                          sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] ,
                [ sh:path ex:date ; sh:or ( [ sh:datatype xsd:date ] ) ;
                  sh:or ( [ sh:datatype xsd:gYear ] ) ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:Stat ;
            sh:or ( [ sh:path ex:group ; sh:minCount 1 ] [ sh:path ex:flow ; sh:minCount 1 ] ) .
        ex:U a sh:NodeShape ; sh:targetClass ex:Stat ;
            sh:or ( [ sh:severity sh:Warning ; sh:property [ sh:path ex:group ; sh:minCount 1 ] ]
                    [ sh:path ex:flow ; sh:minCount 1 ] ) .
        """,
        """
        ex:a a ex:Flow ; ex:origin ex:x ; ex:value 1, 1.5, "2", 2e0 ; ex:date "2020"^^xsd:gYear .
        ex:b a ex:Flow ; ex:destination ex:y .
        ex:c a ex:Flow, ex:Stat .
        ex:d a ex:Stat ; ex:flow ex:c .
        """,
    )


def test_node_with_details_and_nested_warnings() -> None:
    compare(
        """
        ex:Claim a sh:NodeShape ; sh:targetClass ex:Claim ;
            sh:property [ sh:path ex:evidence ; sh:minCount 1 ; sh:node ex:Evidence ;
                          sh:message "evidence as an annotation" ] ,
                [ sh:path ex:other ; sh:node ex:Soft ] .
        ex:Evidence a sh:NodeShape ;
            sh:property [ sh:path ex:source ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ,
                [ sh:path ex:selector ; sh:qualifiedMinCount 1 ;
                  sh:qualifiedValueShape [ sh:class ex:Pos ] ] ,
                [ sh:path rdf:type ; sh:hasValue ex:Specific ] .
        ex:Soft a sh:NodeShape ;
            sh:property [ sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Warning ;
                          sh:message "a note" ] .
        """,
        """
        ex:c1 a ex:Claim ; ex:evidence ex:e1, ex:e2 ; ex:other ex:o1, ex:o2 .
        ex:c2 a ex:Claim .
        ex:e1 a ex:Specific ; ex:source ex:text ; ex:selector ex:s1 .
        ex:e2 ex:source "text" ; ex:selector ex:s2 .
        ex:s1 a ex:Pos . ex:s2 a ex:Quote .
        ex:o1 ex:note "n" .
        """,
    )


def test_severities_deactivation_and_blank_node_shapes() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:w ; sh:minCount 1 ; sh:severity sh:Warning ] ,
                [ sh:path ex:i ; sh:minCount 1 ; sh:severity sh:Info ; sh:message "info"@en ] ,
                [ sh:path ex:e ; sh:minCount 1 ; sh:severity ex:Error ] ,
                [ sh:path ex:x ; sh:minCount 1 ; sh:deactivated true ] .
        ex:Off a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true ;
            sh:property [ sh:path ex:y ; sh:minCount 1 ] .
        ex:On a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated false ;
            sh:property [ sh:path ex:z ; sh:minCount 1 ] .
        """,
        "ex:a a ex:C .",
    )


def test_only_warnings_conform() -> None:
    ours = compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:w ; sh:minCount 1 ; sh:severity sh:Warning ] .
        """,
        "ex:a a ex:C .",
    )
    assert ours.conforms and ours.results


def test_targets_of_every_kind() -> None:
    compare(
        """
        ex:ByNode a sh:NodeShape ; sh:targetNode ex:a, ex:absent, "lit" ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:ByObject a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:class ex:Thing .
        ex:Implicit a sh:NodeShape, rdfs:Class ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .
        ex:OwlImplicit a sh:NodeShape, owl:Class ; sh:property [ sh:path ex:q ; sh:maxCount 0 ] .
        ex:Prop a sh:PropertyShape ; sh:targetClass ex:Top ; sh:path ex:r ; sh:minCount 1 .
        """,
        """
        ex:a ex:p ex:b, "x" .
        ex:c a ex:Implicit . ex:d a ex:OwlImplicit ; ex:q 1 .
        ex:Mid rdfs:subClassOf ex:Top . ex:Low rdfs:subClassOf ex:Mid .
        ex:e a ex:Low . ex:f a ex:Top ; ex:r 1 .
        """,
    )


def test_property_shapes_nested_in_property_shapes() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:part ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ] .
        """,
        """
        ex:a a ex:C ; ex:part ex:x, ex:y .
        ex:b a ex:C ; ex:part ex:x .
        ex:y ex:name "y" .
        """,
    )


def test_blank_nodes_in_generic_messages_and_the_report() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:in ( ex:a ) ] , [ sh:path ex:q ; sh:minCount 1 ] ,
                [ sh:path ex:p ; sh:or ( [ sh:nodeKind sh:IRI ] ) ] .
        """,
        """
        [ a ex:C ; ex:p [ ex:label "nested" ; ex:n ( 1 2 ) ] ] .
        """,
    )


def test_generic_messages_name_terms_as_pyshacl_does() -> None:
    compare(
        """
        ex:S a sh:NodeShape ; sh:targetClass schema:Person ;
            sh:property [ sh:path schema:name ; sh:minCount 1 ] ,
                [ sh:path schema:knows ; sh:class schema:Person ; sh:maxCount 1 ] ,
                [ sh:path schema:age ; sh:minInclusive 0 ; sh:datatype xsd:integer ] .
        """,
        """
        <https://example.org/p/1> a schema:Person ; schema:age -1, "x" ;
            schema:knows <urn:other>, <https://example.org/p/2> .
        <https://example.org/p/2> a schema:Person ; schema:name "Two" .
        """,
    )


@pytest.mark.parametrize(
    "shapes_ttl",
    [
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ;"
        " sh:property [ sh:path ex:p ] .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:xone ( [ sh:nodeKind sh:IRI ] [ sh:class ex:C ] ) .",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this <urn:ex:q> ?x }" ] .""",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 2 ] .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
        pytest.param(
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:S ;"
            " sh:property [ sh:path ex:q ; sh:minCount 5 ] .",
            marks=pytest.mark.filterwarnings("ignore::pyshacl.errors.ShapeRecursionWarning"),
        ),
    ],
    ids=["closed", "xone", "sparql", "inverse-path", "equals", "recursive"],
)
def test_unsupported_shapes_go_to_pyshacl(shapes_ttl: str) -> None:
    shapes = shapes_of(shapes_ttl)
    data = triples("ex:a a ex:C ; ex:p ex:b ; ex:q 1 . ex:b ex:p ex:a .")
    assert not shacl_core.supports(shapes)
    assert v.fast_report(data, shapes) is None
    ours, reference = v.validate(data, shapes), v.validate_reference(data, shapes)
    assert reference.results, "the case must produce results"
    assert outcome(ours) == outcome(reference)
    assert ours.conforms == reference.conforms


def test_what_pyshacl_refuses_at_validation_goes_to_pyshacl() -> None:
    """sh:lessThanOrEquals on a blank node: pyshacl raises, so shacl_core hands it over."""
    shapes = shapes_of(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] ."
    )
    data = triples("ex:a a ex:C ; ex:start [ ex:p 1 ] ; ex:end 2 .")
    assert shacl_core.supports(shapes)
    assert v.fast_report(data, shapes) is None
    with pytest.raises(Exception, match="BlankNode"):
        v.validate(data, shapes)


def test_unsupported_features_are_named() -> None:
    shapes = shapes_of(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:not [ sh:class ex:D ] ."
    )
    assert shacl_core.unsupported_features(shapes) == [str(SH.closed), str(SH["not"])]


def test_the_repository_shapes_are_supported() -> None:
    from pathlib import Path

    from kzmig.graph.build.pipeline import read_vocabulary

    _, shapes = read_vocabulary(Path(__file__).resolve().parents[1])
    assert shacl_core.unsupported_features(shapes) == []
    assert shacl_core.supports(shapes)


def test_the_index_drops_repeated_triples() -> None:
    a, p = URIRef("urn:ex:a"), URIRef("urn:ex:p")
    data = shacl_core.Data(
        [(a, p, Literal(1)), (a, p, Literal(1)), (a, p, BNode())], frozenset({p})
    )
    assert len(data.values(a, p)) == 2
    assert data.subjects_of(p) == [a]
    assert data.instances(RDFS.Class) == frozenset()

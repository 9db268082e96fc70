"""The ontology package: Turtle files, IPKG namespace, SHACL shapes, IRI minting, authority loaders."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, RDFS, SH, SKOS

from ipkg.ontology import authority
from ipkg.ontology.authority import AuthorityError
from ipkg.ontology.namespaces import (
    ID,
    IPKG,
    SCHEMES,
    IRIError,
    agency_iri,
    assignment_iri,
    concept_iri,
    document_iri,
    evidence_iri,
    indicator_iri,
    ip_type_iri,
    law_iri,
    lineage_iri,
    measure_iri,
    node_iri,
    raw_iri,
    section_iri,
    span_iri,
)

PACKAGE = files("ipkg.ontology")
NS = str(IPKG)


def _graph(name: str) -> Graph:
    return Graph().parse(data=PACKAGE.joinpath(name).read_text(encoding="utf-8"), format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _graph("ipkg.ttl")


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    return _graph("vocabularies.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _graph("shapes.ttl")


def _ipkg_terms_used(graph: Graph) -> set[str]:
    return {
        str(t)[len(NS) :]
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(NS)
    }


# ------------------------------------------------------------------------------------ ontology terms


@pytest.mark.parametrize("name", ["ipkg.ttl", "vocabularies.ttl", "shapes.ttl"])
def test_turtle_file_parses(name: str) -> None:
    assert len(_graph(name)) > 50


def test_every_declared_term_is_defined_with_label_and_comment(ontology: Graph) -> None:
    declared = set(IPKG.__annotations__)
    problems = []
    for term in sorted(declared):
        iri = IPKG[term]
        if (iri, RDF.type, None) not in ontology:
            problems.append(f"{term}: no rdf:type in ipkg.ttl")
        if not any(label.language == "en" for label in ontology.objects(iri, RDFS.label)):
            problems.append(f"{term}: no rdfs:label@en")
        if not list(ontology.objects(iri, RDFS.comment)):
            problems.append(f"{term}: no rdfs:comment")
    assert not problems, "\n".join(problems)


def test_every_defined_term_is_declared_in_namespace(ontology: Graph) -> None:
    defined = {str(s)[len(NS) :] for s in ontology.subjects() if str(s).startswith(NS)}
    assert defined - set(IPKG.__annotations__) == set(), "add these terms to IPKG in namespaces.py"


@pytest.mark.parametrize("name", ["ipkg.ttl", "vocabularies.ttl", "shapes.ttl"])
def test_files_use_only_defined_ipkg_terms(name: str) -> None:
    used = _ipkg_terms_used(_graph(name))
    assert used - set(IPKG.__annotations__) == set(), f"{name} uses ipkg: terms the ontology lacks"


@pytest.mark.parametrize("name", ["ipkg.ttl", "vocabularies.ttl", "shapes.ttl"])
def test_ipkg_names_in_text_are_defined(name: str) -> None:
    """Also inside SPARQL constraints and comments, where a typo would not surface as a triple."""
    text = PACKAGE.joinpath(name).read_text(encoding="utf-8")
    named = set(re.findall(r"\bipkg:([A-Za-z][A-Za-z0-9_]*)", text))
    assert named - set(IPKG.__annotations__) == set(), f"{name} names undefined ipkg: terms"


def test_misspelt_term_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        _ = IPKG.leadAgencey


def test_terms_are_typed_and_linked_to_standard_vocabularies(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    for term in IPKG.__annotations__:
        assert set(ontology.objects(IPKG[term], RDF.type)) & kinds, term
    expected = {
        (IPKG.PolicyDocument, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#Work")),
        (IPKG.Measure, RDFS.subClassOf, PROV.Plan),
        (IPKG.Assignment, RDFS.subClassOf, PROV.Association),
        (IPKG.LineageLink, RDFS.subClassOf, PROV.Derivation),
        (IPKG.LineageLink, RDFS.subClassOf, IPKG.LineageCandidate),
        (IPKG.continues, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (IPKG.leadAgency, RDFS.subPropertyOf, IPKG.responsibleAgency),
        (IPKG.participatingAgency, RDFS.subPropertyOf, IPKG.responsibleAgency),
        (IPKG.successor, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/isReplacedBy")),
        (IPKG.hostedBy, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#linkedTo")),
        (IPKG.revisesLaw, RDFS.subPropertyOf, IPKG.citesLaw),
        (IPKG.studiesLaw, RDFS.subPropertyOf, IPKG.citesLaw),
    }
    assert expected <= set(ontology)
    assert not list(ontology.objects(None, OWL.imports)), "declare links, do not owl:imports vocabularies"


# ------------------------------------------------------------------------------------ vocabularies

EXPECTED_CONCEPTS = {
    "role": {"lead", "participant", "responsible"},
    "basis": {"first-listed-lead", "explicit-lead-clause", "division-of-responsibilities", "sole-agency",
              "first-listed-convention"},
    "instrument-action": {"revise", "formulate", "implement", "interpret", "study", "cite"},
    "lineage-relation": {"continues", "expands", "completes", "implements"},
    "document-kind": {"strategy-outline", "annual-action-plan", "annual-promotion-plan", "division-of-work",
                      "five-year-plan", "opinions", "development-plan-outline"},
    "instrument-kind": {"law", "administrative-regulation", "departmental-rule", "judicial-interpretation",
                        "policy-document", "guideline", "treaty", "standard", "plan"},
    "agency-kind": {"state-council-ministry", "state-council-agency", "party-organ", "court", "procuratorate",
                    "military", "leading-group", "peoples-organization", "legislature", "academy", "other",
                    "international-organization"},
    "change-kind": {"merger", "renaming", "restructuring", "abolition"},
    "section-kind": {"part", "section", "group", "special-column"},
    "measure-kind": {"numbered", "unnumbered", "special-column-paragraph", "section-paragraph"},
    "jurisdiction": {"cn", "international"},
}  # fmt: skip


def _members(vocabularies: Graph, scheme: str) -> dict[str, URIRef]:
    return {
        str(vocabularies.value(c, SKOS.notation)): c  # type: ignore[misc]
        for c in vocabularies.subjects(SKOS.inScheme, ID[scheme])
    }


def test_schemes_hold_exactly_the_expected_concepts(vocabularies: Graph) -> None:
    assert set(EXPECTED_CONCEPTS) == set(SCHEMES) - {"ip-type"}
    for scheme, notations in EXPECTED_CONCEPTS.items():
        assert (ID[scheme], RDF.type, SKOS.ConceptScheme) in vocabularies, scheme
        members = _members(vocabularies, scheme)
        assert set(members) == notations, scheme
        for notation, concept in members.items():
            assert concept == concept_iri(scheme, notation)
            assert (concept, RDF.type, SKOS.Concept) in vocabularies
            assert (concept, SKOS.topConceptOf, ID[scheme]) in vocabularies
            assert (ID[scheme], SKOS.hasTopConcept, concept) in vocabularies
            assert any(label.language == "en" for label in vocabularies.objects(concept, SKOS.prefLabel))


def test_roles_are_prov_roles(vocabularies: Graph) -> None:
    for notation in EXPECTED_CONCEPTS["role"]:
        assert (concept_iri("role", notation), RDF.type, PROV.Role) in vocabularies


def test_direct_properties_of_qualified_concepts(vocabularies: Graph) -> None:
    expected = {
        ("role", "lead"): IPKG.leadAgency,
        ("role", "participant"): IPKG.participatingAgency,
        ("role", "responsible"): IPKG.responsibleAgency,
        ("instrument-action", "revise"): IPKG.revisesLaw,
        ("instrument-action", "formulate"): IPKG.formulatesLaw,
        ("instrument-action", "implement"): IPKG.implementsLaw,
        ("instrument-action", "interpret"): IPKG.interpretsLaw,
        ("instrument-action", "study"): IPKG.studiesLaw,
        ("instrument-action", "cite"): IPKG.citesLaw,
        ("lineage-relation", "continues"): IPKG.continues,
        ("lineage-relation", "expands"): IPKG.expands,
        ("lineage-relation", "completes"): IPKG.completes,
        ("lineage-relation", "implements"): IPKG.implementsMeasure,
    }
    for (scheme, notation), prop in expected.items():
        assert vocabularies.value(concept_iri(scheme, notation), IPKG.directProperty) == prop


def test_shape_value_lists_match_the_schemes(shapes: Graph, vocabularies: Graph) -> None:
    """Every sh:in list of concept IRIs names exactly the members of one scheme."""
    checked = set()
    for node in shapes.objects(None, SH["in"]):
        items = list(Collection(shapes, node))
        if not items or not all(isinstance(i, URIRef) and str(i).startswith(str(ID)) for i in items):
            continue
        scheme = str(items[0])[len(str(ID)) :].split("/")[0]
        assert set(items) == set(_members(vocabularies, scheme).values()), scheme
        checked.add(scheme)
    assert checked == set(EXPECTED_CONCEPTS)


def test_authority_kind_constants_match_the_schemes() -> None:
    assert authority.AGENCY_KINDS == EXPECTED_CONCEPTS["agency-kind"]
    assert authority.INSTRUMENT_KINDS == EXPECTED_CONCEPTS["instrument-kind"]
    assert authority.JURISDICTIONS == EXPECTED_CONCEPTS["jurisdiction"]
    assert authority.CHANGE_KINDS == EXPECTED_CONCEPTS["change-kind"]


# ------------------------------------------------------------------------------------ SHACL

EXAMPLE = """
@base    <https://w3id.org/ipkg/id/> .
@prefix ipkg:    <https://w3id.org/ipkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix eli:     <http://data.europa.eu/eli/ontology#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix itsrdf:  <http://www.w3.org/2005/11/its/rdf#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

<document/division-of-work-2016> a ipkg:PolicyDocument ;
    dcterms:identifier "division-of-work-2016" ;
    dcterms:title "Plan for the Division of Work for Key Tasks"@en ;
    dcterms:issued "2016-07-08"^^xsd:date ;
    ipkg:documentNumber "Guo Ban Han [2016] No. 66" ;
    ipkg:documentNumberAsPrinted "Letter No. 66 [2016]" ;
    dcterms:creator <agency/gosc> ;
    dcterms:type <document-kind/division-of-work> ;
    ipkg:implementsDocument <document/guo-fa-2015-71> ;
    ipkg:rawText <document/division-of-work-2016/raw> .
<document/division-of-work-2016/raw> a prov:Entity ;
    dcterms:identifier "003_acd87f94b3e5a24f.txt" ;
    ipkg:sha256 "b51733a7a81a3c4904939cad71e35c416e6e9a570aadc7f39a2c110242655157" .
<document/guo-fa-2015-71> a ipkg:PolicyDocument ;
    dcterms:identifier "guo-fa-2015-71" ;
    dcterms:title "Several Opinions of the State Council on Accelerating the Building of an IP Power"@en .

<document/promotion-plan-2012> a ipkg:PolicyDocument ;
    dcterms:identifier "promotion-plan-2012" ;
    dcterms:title "Promotion Plan on the Implementation of National IP Strategy 2012"@en ;
    dcterms:issued "2012-04-06"^^xsd:date ;
    dcterms:type <document-kind/annual-promotion-plan> ;
    ipkg:rawText <document/promotion-plan-2012/raw> .
<document/promotion-plan-2012/raw> a prov:Entity ;
    dcterms:identifier "004_0d2518ec689bdc93.txt" ;
    ipkg:sha256 "0000000000000000000000000000000000000000000000000000000000000000" .

<document/fyp13-plan-2016> a ipkg:PolicyDocument ;
    dcterms:identifier "fyp13-plan-2016" ;
    dcterms:title "National Plan for Protection and Application of IPR (13th Five-Year Plan)"@en ;
    dcterms:issued "2016-12-30"^^xsd:date ;
    dcterms:type <document-kind/five-year-plan> ;
    ipkg:hasIndicator <indicator/fyp13-plan-2016/1> ;
    ipkg:rawText <document/fyp13-plan-2016/raw> .
<document/fyp13-plan-2016/raw> dcterms:identifier "001_f31ff8ecec130f6b.txt" ;
    ipkg:sha256 "1111111111111111111111111111111111111111111111111111111111111111" .

<section/division-of-work-2016/II> a ipkg:Section ;
    skos:notation "II" ; dcterms:title "Implement Strict IP Protection"@en ;
    eli:type_subdivision <section-kind/part> ;
    dcterms:isPartOf <document/division-of-work-2016> .
<section/division-of-work-2016/II.ii> a ipkg:Section ;
    skos:notation "II.ii" ; dcterms:title "Intensify the crackdown on IP crimes."@en ;
    eli:type_subdivision <section-kind/section> ;
    ipkg:inDocument <document/division-of-work-2016> ;
    dcterms:isPartOf <section/division-of-work-2016/II> .

<measure/division-of-work-2016/20> a ipkg:Measure ;
    ipkg:inDocument <document/division-of-work-2016> ;
    dcterms:isPartOf <section/division-of-work-2016/II.ii> ;
    skos:notation "20" ;
    ipkg:measureKind <measure-kind/numbered> ;
    ipkg:text "20. Further strengthen the connection between administrative enforcement and criminal justice."@en ;
    ipkg:span <measure/division-of-work-2016/20#span> ;
    ipkg:leadAgency <agency/nlg-office>, <agency/spp> ;
    ipkg:participatingAgency <agency/sipo> ;
    ipkg:hasAssignment <measure/division-of-work-2016/20#assignment-1>,
        <measure/division-of-work-2016/20#assignment-2>, <measure/division-of-work-2016/20#assignment-3> ;
    ipkg:concernsIPType <ip-type/patent> ;
    ipkg:hasIPTypeTag <measure/division-of-work-2016/20#ip-type-1> ;
    ipkg:revisesLaw <law/patent-law> ;
    ipkg:hasCitation <measure/division-of-work-2016/20#citation-1> ;
    ipkg:continues <measure/promotion-plan-2012/43> ;
    prov:qualifiedDerivation <measure/division-of-work-2016/20#lineage-1> ;
    ipkg:hasLineageCandidate <measure/division-of-work-2016/20#lineage-1>,
        <measure/division-of-work-2016/20#lineage-2> .
<measure/division-of-work-2016/20#span> a oa:SpecificResource ;
    oa:hasSource <document/division-of-work-2016/raw> ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start 11290 ; oa:end 12050 ] .

<measure/division-of-work-2016/20#assignment-1> a ipkg:Assignment ;
    prov:agent <agency/nlg-office> ; prov:hadRole <role/lead> ;
    prov:hadPlan <measure/division-of-work-2016/20> ;
    ipkg:listPosition "1"^^xsd:positiveInteger ; ipkg:basis <basis/explicit-lead-clause> ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start "11496"^^xsd:nonNegativeInteger ;
                         oa:end "11587"^^xsd:nonNegativeInteger ] ,
                       [ a oa:TextQuoteSelector ; oa:exact "The National Leading Group Office" ; oa:prefix "(" ] ] .
<measure/division-of-work-2016/20#assignment-2> a ipkg:Assignment ;
    prov:agent <agency/spp> ; prov:hadRole <role/lead> ;
    prov:hadPlan <measure/division-of-work-2016/20> ;
    ipkg:listPosition 2 ; ipkg:basis <basis/explicit-lead-clause> ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 11592 ; oa:end 11626 ] ] .
<measure/division-of-work-2016/20#assignment-3> a ipkg:Assignment ;
    prov:agent <agency/sipo> ; prov:hadRole <role/participant> ;
    prov:hadPlan <measure/division-of-work-2016/20> ;
    ipkg:listPosition 3 ; ipkg:basis <basis/explicit-lead-clause> ; ipkg:actorText "State Intellectual Property Office" ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 11990 ; oa:end 12023 ] ] .

<measure/division-of-work-2016/20#ip-type-1> a ipkg:IPTypeTag ;
    ipkg:ipType <ip-type/patent> ; ipkg:cue "patent" ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 11300 ; oa:end 11306 ] ] .

<measure/division-of-work-2016/20#citation-1> a ipkg:InstrumentCitation ;
    ipkg:instrument <law/patent-law> ; ipkg:action <instrument-action/revise> ;
    itsrdf:taIdentRef <law/patent-law> ; itsrdf:taConfidence 1.0 ;
    ipkg:text "Patent Law" ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Patent Law" ] ] .

<measure/division-of-work-2016/20#lineage-1> a ipkg:LineageCandidate, ipkg:LineageLink, prov:Derivation ;
    ipkg:earlierMeasure <measure/promotion-plan-2012/43> ;
    prov:entity <measure/promotion-plan-2012/43> ;
    ipkg:relation <lineage-relation/continues> ;
    ipkg:score 0.87 ; ipkg:rank 1 ;
    ipkg:sharedAgency <agency/spp> ;
    ipkg:sharedProgramme "online information sharing" ;
    ipkg:signal <measure/division-of-work-2016/20#lineage-1-lexical> ;
    ipkg:evidence <measure/division-of-work-2016/20#lineage-1-e1> .
<measure/division-of-work-2016/20#lineage-1-lexical> a ipkg:LineageSignal ;
    ipkg:signalName "lexical" ; ipkg:signalValue 0.61 .
<measure/division-of-work-2016/20#lineage-1-e1> a ipkg:SharedPhrase ;
    ipkg:phrase "criminal justice" ;
    ipkg:laterSpan [ a oa:SpecificResource ; oa:hasSource <document/division-of-work-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 11355 ; oa:end 11387 ] ] ;
    ipkg:earlierSpan [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 17100 ; oa:end 17132 ] ] .
<measure/division-of-work-2016/20#lineage-2> a ipkg:LineageCandidate ;
    ipkg:earlierMeasure <measure/promotion-plan-2012/31> ;
    ipkg:relation <lineage-relation/expands> ;
    ipkg:score 0.34 ; ipkg:rank 2 .

<measure/promotion-plan-2012/43> a ipkg:Measure ;
    ipkg:inDocument <document/promotion-plan-2012> ;
    dcterms:isPartOf <document/promotion-plan-2012> ;
    skos:notation "43" ;
    ipkg:text "43. Advance the linkage of administrative law enforcement and criminal justice." ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 17000 ; oa:end 17400 ] ] ;
    ipkg:leadAgency <agency/mofcom> ;
    ipkg:hasAssignment <measure/promotion-plan-2012/43#assignment-1>, <measure/promotion-plan-2012/43#assignment-2> .
<measure/promotion-plan-2012/43#assignment-1> a ipkg:Assignment ;
    prov:agent <agency/mofcom> ; prov:hadRole <role/lead> ;
    prov:hadPlan <measure/promotion-plan-2012/43> ;
    ipkg:listPosition 1 ; ipkg:basis <basis/first-listed-convention> ; ipkg:vague false ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 17300 ; oa:end 17320 ] ] .
<measure/promotion-plan-2012/43#assignment-2> a ipkg:Assignment ;
    ipkg:actorText "relevant administrative law enforcement authorities" ; ipkg:vague true ;
    prov:hadRole <role/participant> ;
    prov:hadPlan <measure/promotion-plan-2012/43> ;
    ipkg:listPosition 2 ; ipkg:basis <basis/first-listed-convention> ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 17330 ; oa:end 17381 ] ] .

<measure/promotion-plan-2012/31> a ipkg:Measure ;
    ipkg:inDocument <document/promotion-plan-2012> ;
    dcterms:isPartOf <document/promotion-plan-2012> ;
    skos:notation "31" ;
    ipkg:text "31. Strengthen IP protection in national defense." ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 12000 ; oa:end 12100 ] ] ;
    ipkg:responsibleAgency <agency/sipo> ;
    ipkg:hasAssignment <measure/promotion-plan-2012/31#assignment-1> ;
    ipkg:mentionsAgency <agency/mofcom> ;
    ipkg:hasMention <measure/promotion-plan-2012/31#mention-1> .
<measure/promotion-plan-2012/31#assignment-1> a ipkg:Assignment ;
    prov:agent <agency/sipo> ; prov:hadRole <role/responsible> ;
    prov:hadPlan <measure/promotion-plan-2012/31> ;
    ipkg:listPosition 1 ; ipkg:basis <basis/division-of-responsibilities> ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 12060 ; oa:end 12093 ] ] .
<measure/promotion-plan-2012/31#mention-1> a ipkg:Mention ;
    itsrdf:taIdentRef <agency/mofcom> ; itsrdf:taConfidence 0.9 ; ipkg:text "Ministry of Commerce" ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/promotion-plan-2012/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 12010 ; oa:end 12030 ] ] .

<indicator/fyp13-plan-2016/1> a ipkg:Indicator ;
    ipkg:inDocument <document/fyp13-plan-2016> ;
    dcterms:title "Invention Patents Per Ten Thousand People"@en ;
    ipkg:unit "Pieces" ; ipkg:baselineValue 6.3 ; ipkg:baselineYear "2015"^^xsd:gYear ;
    ipkg:targetValue 12.0 ; ipkg:targetYear "2020"^^xsd:gYear ; ipkg:addedValue 5.7 ;
    ipkg:attribute "Anticipatory" ; ipkg:listPosition 1 ;
    ipkg:span [ a oa:SpecificResource ; oa:hasSource <document/fyp13-plan-2016/raw> ;
        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 9000 ; oa:end 9066 ] ] .

<agency/gosc> a org:Organization ; dcterms:identifier "gosc" ;
    skos:prefLabel "General Office of the State Council"@en, "国务院办公厅"@zh-Hans ;
    org:classification <agency-kind/state-council-agency> .
<agency/spp> a org:Organization ; dcterms:identifier "spp" ;
    skos:prefLabel "Supreme People's Procuratorate"@en ; skos:altLabel "SPP"@en ;
    org:classification <agency-kind/procuratorate> .
<agency/nlg> a org:Organization, org:OrganizationalCollaboration ; dcterms:identifier "nlg" ;
    skos:prefLabel "National Leading Group on the Fight against IPR Infringement and Counterfeiting"@en .
<agency/nlg-office> a org:Organization ; dcterms:identifier "nlg-office" ;
    skos:prefLabel "Office of the National Leading Group"@en ;
    org:subOrganizationOf <agency/nlg> ; ipkg:hostedBy <agency/mofcom> .
<agency/mofcom> a org:Organization ; dcterms:identifier "mofcom" ;
    skos:prefLabel "Ministry of Commerce"@en ; skos:altLabel "MOFCOM"@en .
<agency/sipo> a org:Organization ; dcterms:identifier "sipo" ;
    skos:prefLabel "State Intellectual Property Office"@en ; ipkg:successor <agency/cnipa> .
<agency/cnipa> a org:Organization ; dcterms:identifier "cnipa" ;
    skos:prefLabel "China National Intellectual Property Administration"@en .
<agency/npcsc> a org:Organization ; dcterms:identifier "npcsc" ;
    skos:prefLabel "Standing Committee of the National People's Congress"@en .
<change/2018-sipo-cnipa> a org:ChangeEvent ;
    org:originalOrganization <agency/sipo> ; org:resultingOrganization <agency/cnipa> ;
    dcterms:date "2018"^^xsd:gYear ; dcterms:type <change-kind/restructuring> .

<ip-type> a skos:ConceptScheme ; skos:prefLabel "IP types"@en .
<ip-type/patent> a skos:Concept ; skos:inScheme <ip-type> ; skos:topConceptOf <ip-type> ;
    skos:notation "patent" ; skos:prefLabel "patent"@en, "专利"@zh-Hans ; ipkg:cue "patents" .
<ip-type/utility-model> a skos:Concept ; skos:inScheme <ip-type> ; skos:broader <ip-type/patent> ;
    skos:notation "utility-model" ; skos:prefLabel "utility model"@en .

<law/patent-law> a ipkg:LegalInstrument ;
    dcterms:identifier "patent-law" ;
    skos:prefLabel "Patent Law of the People's Republic of China"@en ;
    skos:altLabel "Patent Law"@en ;
    eli:type_document <instrument-kind/law> ; eli:jurisdiction <jurisdiction/cn> ;
    eli:passed_by <agency/npcsc> .
<law/patent-law-implementing-rules> a ipkg:LegalInstrument ;
    dcterms:identifier "patent-law-implementing-rules" ;
    skos:prefLabel "Implementing Rules of the Patent Law of the People's Republic of China"@en ;
    eli:type_document <instrument-kind/administrative-regulation> ; eli:based_on <law/patent-law> .

<build/20240101T000000Z> a ipkg:Build ;
    ipkg:builtAt "2024-01-01T00:00:00Z"^^xsd:dateTime ; ipkg:extractorVersion "0.1.0" .
"""

DW20 = measure_iri("division-of-work-2016", "20")
PP43 = measure_iri("promotion-plan-2012", "43")


@pytest.fixture(scope="module")
def example(vocabularies: Graph) -> Graph:
    graph = Graph().parse(data=EXAMPLE, format="turtle")
    graph += vocabularies
    return graph


def _validate(data: Graph, shapes: Graph, meta_shacl: bool = False) -> tuple[bool, Graph, str]:
    pyshacl = pytest.importorskip("pyshacl")
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", meta_shacl=meta_shacl
    )
    return bool(conforms), results, text


def _copy(graph: Graph) -> Graph:
    clone = Graph()
    clone += graph
    return clone


def test_vocabularies_conform_and_shapes_are_valid_shacl(vocabularies: Graph, shapes: Graph) -> None:
    conforms, _, text = _validate(vocabularies, shapes, meta_shacl=True)
    assert conforms, text


def test_example_graph_conforms(example: Graph, shapes: Graph) -> None:
    conforms, _, text = _validate(example, shapes)
    assert conforms, text


def _without_notation(g: Graph) -> None:
    g.remove((DW20, SKOS.notation, None))


def _without_role(g: Graph) -> None:
    g.remove((assignment_iri("division-of-work-2016", "20", 3), PROV.hadRole, None))


def _score_too_high(g: Graph) -> None:
    link = lineage_iri("division-of-work-2016", "20", 1)
    g.set((link, IPKG.score, Literal(Decimal("1.5"))))


def _score_as_double(g: Graph) -> None:
    g.set((lineage_iri("division-of-work-2016", "20", 2), IPKG.score, Literal(0.34)))


def _vague_actor_with_agent(g: Graph) -> None:
    g.add((node_iri(PP43, "assignment-2"), PROV.agent, agency_iri("sipo")))


def _agency_without_assignment(g: Graph) -> None:
    g.add((PP43, IPKG.participatingAgency, agency_iri("spp")))


def _role_without_direct_statement(g: Graph) -> None:
    g.remove((DW20, IPKG.participatingAgency, agency_iri("sipo")))


def _candidate_posing_as_derivation(g: Graph) -> None:
    g.add((lineage_iri("division-of-work-2016", "20", 2), RDF.type, PROV.Derivation))


def _link_entity_differs(g: Graph) -> None:
    g.set(
        (lineage_iri("division-of-work-2016", "20", 1), PROV.entity, measure_iri("promotion-plan-2012", "31"))
    )


def _continues_without_link(g: Graph) -> None:
    g.add((PP43, IPKG.continues, measure_iri("promotion-plan-2012", "31")))


def _span_start_after_end(g: Graph) -> None:
    selector = g.value(span_iri(DW20), URIRef("http://www.w3.org/ns/oa#hasSelector"))
    g.set((selector, URIRef("http://www.w3.org/ns/oa#start"), Literal(13000)))


def _span_source_not_raw_text(g: Graph) -> None:
    g.set(
        (span_iri(DW20), URIRef("http://www.w3.org/ns/oa#hasSource"), document_iri("division-of-work-2016"))
    )


def _issued_as_string(g: Graph) -> None:
    g.set((document_iri("promotion-plan-2012"), URIRef("http://purl.org/dc/terms/issued"), Literal("2012")))


def _unknown_basis(g: Graph) -> None:
    g.set((node_iri(PP43, "assignment-1"), IPKG.basis, ID["basis/guesswork"]))


def _citation_without_direct_statement(g: Graph) -> None:
    g.remove((DW20, IPKG.revisesLaw, None))


def _alt_label_repeats_pref_label(g: Graph) -> None:
    g.add((agency_iri("sipo"), SKOS.altLabel, Literal("State Intellectual Property Office", lang="en")))


def _two_english_pref_labels(g: Graph) -> None:
    g.add((ip_type_iri("patent"), SKOS.prefLabel, Literal("patents", lang="en")))


def _measure_iri_disagrees_with_label(g: Graph) -> None:
    g.set((measure_iri("promotion-plan-2012", "31"), SKOS.notation, Literal("32")))


def _ip_type_in_two_schemes(g: Graph) -> None:
    g.add((ip_type_iri("utility-model"), SKOS.inScheme, ID["role"]))


BROKEN = {
    "measure without notation": (_without_notation, DW20, "skos:notation"),
    "assignment without role": (_without_role, assignment_iri("division-of-work-2016", "20", 3), "prov:hadRole"),
    "lineage score 1.5": (_score_too_high, lineage_iri("division-of-work-2016", "20", 1), "between 0 and 1"),
    "lineage score as a float": (_score_as_double, lineage_iri("division-of-work-2016", "20", 2), "xsd:decimal"),
    "vague actor with an agent": (_vague_actor_with_agent, node_iri(PP43, "assignment-2"), "vague"),
    "agency without assignment": (_agency_without_assignment, PP43, "ipkg:Assignment"),
    "role without direct statement": (
        _role_without_direct_statement, assignment_iri("division-of-work-2016", "20", 3), "direct statement"
    ),
    "candidate posing as derivation": (
        _candidate_posing_as_derivation, lineage_iri("division-of-work-2016", "20", 2), "prov:Derivation"
    ),
    "link entity differs": (_link_entity_differs, lineage_iri("division-of-work-2016", "20", 1), "prov:entity"),
    "continues without link": (_continues_without_link, PP43, "LineageLink"),
    "span start after end": (_span_start_after_end, None, "oa:start"),
    "span source not a raw text": (_span_source_not_raw_text, span_iri(DW20), "oa:hasSource"),
    "issued as a string": (_issued_as_string, document_iri("promotion-plan-2012"), "xsd:gYear"),
    "unknown basis": (_unknown_basis, node_iri(PP43, "assignment-1"), "ipkg:basis"),
    "citation without direct statement": (
        _citation_without_direct_statement, node_iri(DW20, "citation-1"), "revisesLaw"
    ),
    "altLabel repeats prefLabel": (_alt_label_repeats_pref_label, agency_iri("sipo"), "S13"),
    "two English prefLabels": (_two_english_pref_labels, ip_type_iri("patent"), "prefLabel"),
    "IP type in two schemes": (_ip_type_in_two_schemes, None, "IP-type scheme"),
    "measure IRI disagrees with its label": (
        _measure_iri_disagrees_with_label, measure_iri("promotion-plan-2012", "31"), "measure/promotion-plan-2012/32"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_shapes_reject_broken_graph(case: str, example: Graph, shapes: Graph) -> None:
    breaks, focus, message = BROKEN[case]
    data = _copy(example)
    breaks(data)
    conforms, results, text = _validate(data, shapes)
    assert not conforms, f"{case}: the shapes accepted a broken graph"
    found = [
        (
            {results.value(r, SH.focusNode), results.value(r, SH.value)},
            str(results.value(r, SH.resultMessage)),
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    assert any((focus is None or focus in nodes) and message in msg for nodes, msg in found), (
        f"{case}: expected a result on {focus} mentioning {message!r}, got:\n{text}"
    )


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    """pySHACL's default wording ("More than 1 values on ...") is for developers; users get a sentence."""
    missing = [
        str(shape)
        for shape in shapes.objects(None, SH.property)
        if not list(shapes.objects(shape, SH.message))
    ]
    missing += [str(c) for c in shapes.objects(None, SH.sparql) if not list(shapes.objects(c, SH.message))]
    node_level = (SH["class"], SH.xone, SH["or"], SH["not"])
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if any((shape, p, None) in shapes for p in node_level) and not list(
            shapes.objects(shape, SH.message)
        ):
            missing.append(str(shape))
    assert not missing, missing


def test_result_messages_are_written_for_users(example: Graph, shapes: Graph) -> None:
    """Every constraint that can fire carries a sentence, not pySHACL's default wording."""
    data = _copy(example)
    _without_notation(data)
    _without_role(data)
    _, results, _ = _validate(data, shapes)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        message = str(results.value(result, SH.resultMessage))
        assert message[:1].isupper() and message.endswith("."), message


# ------------------------------------------------------------------------------------ IRI minting


def test_iris_follow_the_contract() -> None:
    base = str(ID)
    assert document_iri("outline-2008") == URIRef(base + "document/outline-2008")
    assert raw_iri("outline-2008") == URIRef(base + "document/outline-2008/raw")
    assert measure_iri("action-plan-2009", "I.1.1") == URIRef(base + "measure/action-plan-2009/I.1.1")
    assert measure_iri("fyp13-plan-2016", "SC3.2") == URIRef(base + "measure/fyp13-plan-2016/SC3.2")
    assert section_iri("division-of-work-2016", "II.ii") == URIRef(
        base + "section/division-of-work-2016/II.ii"
    )
    assert agency_iri("sipo") == URIRef(base + "agency/sipo")
    assert ip_type_iri("utility-model") == URIRef(base + "ip-type/utility-model")
    assert law_iri("patent-law") == URIRef(base + "law/patent-law")
    assert indicator_iri("fyp13-plan-2016", 3) == URIRef(base + "indicator/fyp13-plan-2016/3")
    assert concept_iri("role", "lead") == URIRef(base + "role/lead")
    assert concept_iri("agency-kind", "people's-organization") == URIRef(
        base + "agency-kind/peoples-organization"
    )
    assert assignment_iri("division-of-work-2016", "20", 1) == URIRef(
        base + "measure/division-of-work-2016/20#assignment-1"
    )
    assert evidence_iri("division-of-work-2016", "20", 1, 2) == URIRef(
        base + "measure/division-of-work-2016/20#lineage-1-e2"
    )
    assert span_iri(DW20) == URIRef(str(DW20) + "#span")
    assert measure_iri("outline-2008", "47") == measure_iri("outline-2008", "47")


@pytest.mark.parametrize(
    "mint",
    [
        lambda: measure_iri("outline-2008", "4 7"),
        lambda: measure_iri("outline-2008", "I/1"),
        lambda: measure_iri("outline-2008", ""),
        lambda: measure_iri("Outline 2008", "1"),
        lambda: section_iri("outline-2008", "II#x"),
        lambda: agency_iri("SIPO"),
        lambda: indicator_iri("fyp13-plan-2016", 0),
        lambda: assignment_iri("division-of-work-2016", "20", 0),
        lambda: node_iri(node_iri(DW20, "a"), "b"),
    ],
)
def test_unsafe_iri_parts_fail_loudly(mint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IRIError):
        mint()


# ------------------------------------------------------------------------------------ authority files

CONTRACT_IP_TYPES = {
    "patent", "utility-model", "industrial-design", "trademark", "well-known-trademark", "copyright",
    "software-copyright", "trade-secret", "plant-variety", "geographical-indication", "ic-layout-design",
    "genetic-resource", "traditional-knowledge", "folklore", "tcm-knowledge", "national-defense-ip",
}  # fmt: skip


def _require(name: str) -> None:
    assert PACKAGE.joinpath(name).is_file(), f"ontology/{name} is missing from the package"


def test_real_agencies_load() -> None:
    _require("agencies.tsv")
    table = authority.agencies()
    assert {"state-council", "sipo", "cnipa", "nlg-office", "spp"} <= set(table)
    sipo = table["sipo"]
    assert sipo.successor_id == "cnipa" and sipo.successor_year == 2018
    assert "State Intellectual Property Office" in sipo.variants
    assert isinstance(sipo.variants, tuple) and sipo.international is False
    assert authority.successors("sipo") == ["cnipa"]
    assert authority.successors("sarft") == ["sapprft", "nrta"]
    assert authority.successors("cnipa") == []
    assert table["nlg-office"].hosted_by == "mofcom"
    assert all(agency.kind_slug in authority.AGENCY_KINDS for agency in table.values())
    with pytest.raises(KeyError):
        authority.successors("no-such-agency")


def test_real_instruments_load() -> None:
    _require("instruments.tsv")
    table = authority.instruments()
    assert table["patent-law"].kind == "law"
    assert table["patent-law-implementing-rules"].based_on == "patent-law"


def test_real_ip_types_load() -> None:
    _require("ip_types.tsv")
    table = authority.ip_types()
    assert CONTRACT_IP_TYPES <= set(table)
    assert table["utility-model"].broader == "patent"
    assert table["software-copyright"].broader == "copyright"
    assert isinstance(table["patent"].cues, tuple) and table["patent"].cues


def test_real_authorities_refer_to_each_other_consistently() -> None:
    for name in ("agencies.tsv", "instruments.tsv", "ip_types.tsv"):
        _require(name)
    authority.check_authorities()


AGENCY_HEADER = "\t".join(authority.AGENCY_COLUMNS)


def _agency_row(agency_id: str, **cells: str) -> str:
    row = dict.fromkeys(authority.AGENCY_COLUMNS, "")
    row.update(id=agency_id, name_en=f"Agency {agency_id}", kind="other", international="no")
    row.update(cells)
    return "\t".join(row[c] for c in authority.AGENCY_COLUMNS)


def _write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fixture_agencies_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "agencies.tsv", "# a comment", AGENCY_HEADER,
        _agency_row("old", successor_id="new", successor_year="2018", change_kind="merger", variants="Old | the Old"),
        _agency_row("new", kind="people's-organization", international="yes"),
    )  # fmt: skip
    table = authority.agencies(path)
    assert table["old"].variants == ("Old", "the Old")
    assert table["new"].kind_slug == "peoples-organization" and table["new"].international
    assert authority.successors("old", path) == ["new"]


MALFORMED_AGENCIES = {
    "duplicate id": ([_agency_row("a"), _agency_row("a")], 3, "duplicate id"),
    "unknown successor": ([_agency_row("a", successor_id="b", successor_year="2018")], 2, "successor_id 'b'"),
    "unknown parent": ([_agency_row("a", parent="b")], 2, "parent 'b'"),
    "unknown host": ([_agency_row("a", hosted_by="b")], 2, "hosted_by 'b'"),
    "successor cycle": (
        [_agency_row("a", successor_id="b"), _agency_row("b", successor_id="a")], 2, "loops"
    ),
    "missing cell": ([_agency_row("a").rsplit("\t", 1)[0]], 2, "cells"),
    "bad kind": ([_agency_row("a", kind="ministry")], 2, "kind 'ministry'"),
    "bad international": ([_agency_row("a", international="maybe")], 2, "international"),
    "bad year": ([_agency_row("a", successor_id="a2", successor_year="18"), _agency_row("a2")], 2, "year"),
    "id not a slug": ([_agency_row("SIPO")], 2, "slug"),
    "variant of two agencies": (
        [_agency_row("a", variants="Office"), _agency_row("b", variants="Office")], 3, "also belongs"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MALFORMED_AGENCIES))
def test_malformed_agencies_are_rejected(case: str, tmp_path: Path) -> None:
    rows, line, message = MALFORMED_AGENCIES[case]
    path = _write(tmp_path, "agencies.tsv", AGENCY_HEADER, *rows)
    with pytest.raises(AuthorityError) as caught:
        authority.agencies(path)
    assert caught.value.line == line, str(caught.value)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_missing_header_column_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "ip_types.tsv", "id\tpref_label_en\tbroader\tcues\tnote", "patent\tpatent\t\t\t")
    with pytest.raises(AuthorityError, match="pref_label_zh"):
        authority.ip_types(path)


def test_unknown_broader_is_rejected(tmp_path: Path) -> None:
    header = "\t".join(authority.IP_TYPE_COLUMNS)
    path = _write(
        tmp_path,
        "ip_types.tsv",
        header,
        "patent\tpatent\t专利\t\tpatent\t",
        "utility-model\tum\t\tpatents\t\t",
    )
    with pytest.raises(AuthorityError, match="broader 'patents'") as caught:
        authority.ip_types(path)
    assert caught.value.line == 3


def test_unknown_based_on_is_rejected(tmp_path: Path) -> None:
    header = "\t".join(authority.INSTRUMENT_COLUMNS)
    row = "rules\tImplementing Rules\tadministrative-regulation\tcn\tstate-council\tpatent-law\t\t\t"
    path = _write(tmp_path, "instruments.tsv", header, row)
    with pytest.raises(AuthorityError, match="based_on 'patent-law'"):
        authority.instruments(path)


def test_unknown_passed_by_is_rejected(tmp_path: Path) -> None:
    agencies_path = _write(tmp_path, "agencies.tsv", AGENCY_HEADER, _agency_row("npcsc"))
    header = "\t".join(authority.INSTRUMENT_COLUMNS)
    instruments_path = _write(
        tmp_path, "instruments.tsv", header, "patent-law\tPatent Law\tlaw\tcn\tnpc\t\t\t\t"
    )
    ip_types_path = _write(tmp_path, "ip_types.tsv", "\t".join(authority.IP_TYPE_COLUMNS))
    with pytest.raises(AuthorityError, match="passed_by 'npc'"):
        authority.check_authorities(agencies_path, instruments_path, ip_types_path)


# ------------------------------------------------------------------------------------ package rules


def test_ontology_is_a_leaf() -> None:
    """ipkg.ontology imports nothing from extract, graph or api (STYLE.md rule 1)."""
    forbidden = ("ipkg.extract", "ipkg.graph", "ipkg.api", "extract", "graph", "api")
    for resource in PACKAGE.iterdir():
        if not resource.name.endswith(".py"):
            continue
        tree = ast.parse(resource.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{resource.name} imports {name}"


def test_authority_loaders_do_not_import_rdflib() -> None:
    """extract/ reads the authority files; that must not drag in the RDF stack."""
    code = "import sys, ipkg.ontology.authority; sys.exit('rdflib' in sys.modules or 'spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_blank_node_free_vocabularies(vocabularies: Graph) -> None:
    """Vocabulary concepts are addressable: no blank nodes in vocabularies.ttl."""
    assert not [t for triple in vocabularies for t in triple if isinstance(t, BNode)]


def test_real_topics_load_and_every_cue_keeps_its_words() -> None:
    """A cue is matched on content stems; one that loses words to the function-word list ("china-us" -> "china")
    would tag half the corpus, so every cue must keep a stem per content word."""
    from ipkg.extract.lineage_signals import FUNCTION_WORDS, content_tokens

    _require("topics.tsv")
    table = authority.topics()
    assert {"ip-appraisal", "customs-protection", "case-transfer", "patent-navigation"} <= set(table)
    for topic in table.values():
        assert topic.cues, topic.id
        for cue in topic.cues:
            words = [w for w in re.findall(r"[A-Za-z]+|\d+", cue) if w.lower() not in FUNCTION_WORDS]
            assert len(content_tokens(cue)) == len(words) >= 1, (topic.id, cue)


def test_topic_without_cues_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "topics.tsv"
    path.write_text("id\tpref_label_en\tcues\tnote\nip-appraisal\tIP appraisal\t\t\n", encoding="utf-8")
    with pytest.raises(AuthorityError, match="no cues") as caught:
        authority.topics(path)
    assert caught.value.line == 2


def test_topic_scheme_in_the_authority_graph() -> None:
    from ipkg.graph.authority import authority_graph
    from ipkg.ontology.namespaces import topic_iri

    g = authority_graph()
    members = set(g.subjects(SKOS.inScheme, ID["topic"]))
    assert len(members) == len(authority.topics())
    appraisal = topic_iri("ip-appraisal")
    assert appraisal in members and (appraisal, RDF.type, SKOS.Concept) in g
    assert Literal("IP appraisal of major economic activities", lang="en") in set(g.objects(appraisal, SKOS.prefLabel))

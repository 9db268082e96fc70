"""The authority files (ontology/*.tsv) as RDF: agencies (W3C ORG), legal instruments (ELI + schema.org)
and the IP-type SKOS scheme.

SKOS hygiene (S13/S14): one prefLabel per language; an altLabel never repeats the prefLabel of the same
language; variants are deduplicated. Reorganisations become ``org:ChangeEvent`` nodes
(``id/change/{year}-{from}-{to}``) plus the ``ipkg:successor`` shortcut.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from ipkg.ontology import authority
from ipkg.ontology.namespaces import (
    CV,
    DCTERMS,
    ELI,
    IPKG,
    ORG,
    RDF,
    SCHEMA,
    SKOS,
    XSD,
    agency_iri,
    change_iri,
    concept_iri,
    ip_type_iri,
    law_iri,
    scheme_iri,
    topic_iri,
)

# Offices inside a body (org:OrganizationalUnit, org:unitOf) and coordination bodies
# (org:OrganizationalCollaboration), per the ontology notes (A.2, "agency").
UNIT_IDS = frozenset({"gosc", "ijc-office", "nlg-office", "spc-tc"})
COLLABORATION_IDS = frozenset({"nlg", "ijc"})


def _labels(g: Graph, node, pref_en: str, pref_zh: str | None, variants: tuple[str, ...]) -> None:
    g.add((node, SKOS.prefLabel, Literal(pref_en, lang="en")))
    if pref_zh:
        g.add((node, SKOS.prefLabel, Literal(pref_zh, lang="zh-Hans")))
    for variant in dict.fromkeys(v.strip() for v in variants if v and v.strip()):
        if variant == pref_en:
            continue  # SKOS S13: an altLabel must not repeat the prefLabel
        if pref_zh and variant == pref_zh:
            continue
        lang = "zh-Hans" if any("\u4e00" <= ch <= "\u9fff" for ch in variant) else "en"
        g.add((node, SKOS.altLabel, Literal(variant, lang=lang)))


def agency_kind(agency: authority.Agency) -> str:
    kind = agency.kind_slug
    if agency.international and kind == "other":
        return "international-organization"
    return kind


def add_agencies(g: Graph, agencies: dict[str, authority.Agency] | None = None) -> None:
    table = authority.agencies() if agencies is None else agencies
    for a in table.values():
        node = agency_iri(a.id)
        g.add((node, RDF.type, ORG.Organization))
        if a.id in COLLABORATION_IDS:
            g.add((node, RDF.type, ORG.OrganizationalCollaboration))
        elif a.id in UNIT_IDS:
            g.add((node, RDF.type, ORG.OrganizationalUnit))
        else:
            g.add((node, RDF.type, ORG.FormalOrganization))
            if not a.international:
                g.add((node, RDF.type, CV.PublicOrganisation))
        g.add((node, DCTERMS.identifier, Literal(a.id)))
        _labels(g, node, a.name_en, a.name_zh, tuple(x for x in (a.acronym, *a.variants) if x))
        g.add((node, ORG.classification, concept_iri("agency-kind", agency_kind(a))))
        if a.note:
            g.add((node, SKOS.note, Literal(a.note, lang="en")))
        if a.parent:
            parent = agency_iri(a.parent)
            if a.id in UNIT_IDS:
                g.add((node, ORG.unitOf, parent))
                g.add((parent, ORG.hasUnit, node))
            else:
                g.add((node, ORG.subOrganizationOf, parent))
                g.add((parent, ORG.hasSubOrganization, node))
        if a.hosted_by:
            g.add((node, IPKG.hostedBy, agency_iri(a.hosted_by)))
        if a.successor_id:
            succ = agency_iri(a.successor_id)
            g.add((node, IPKG.successor, succ))
            if a.successor_year:
                event = change_iri(a.successor_year, a.id, a.successor_id)
                g.add((event, RDF.type, ORG.ChangeEvent))
                g.add((event, ORG.originalOrganization, node))
                g.add((event, ORG.resultingOrganization, succ))
                g.add((event, DCTERMS.date, Literal(str(a.successor_year), datatype=XSD.gYear)))
                if a.change_kind:
                    g.add((event, DCTERMS.type, concept_iri("change-kind", a.change_kind)))
                if a.change_note:
                    g.add((event, DCTERMS.description, Literal(a.change_note, lang="en")))
                g.add((node, ORG.changedBy, event))
                g.add((succ, ORG.resultedFrom, event))


def add_instruments(g: Graph, instruments: dict[str, authority.Instrument] | None = None) -> None:
    table = authority.instruments() if instruments is None else instruments
    for i in table.values():
        node = law_iri(i.slug)
        g.add((node, RDF.type, IPKG.LegalInstrument))
        g.add((node, RDF.type, SCHEMA.Legislation))
        g.add((node, DCTERMS.identifier, Literal(i.slug)))
        _labels(g, node, i.name_en, i.name_zh, i.variants)
        kind = concept_iri("instrument-kind", i.kind)
        g.add((node, ELI.type_document, kind))
        g.add((node, SCHEMA.legislationType, kind))
        g.add((node, ELI.jurisdiction, concept_iri("jurisdiction", i.jurisdiction)))
        if i.passed_by:
            g.add((node, ELI.passed_by, agency_iri(i.passed_by)))
            g.add((node, SCHEMA.legislationPassedBy, agency_iri(i.passed_by)))
        if i.based_on:
            g.add((node, ELI.based_on, law_iri(i.based_on)))
        if i.note:
            g.add((node, SKOS.note, Literal(i.note, lang="en")))


def _scheme(g: Graph, notation: str, labels: dict[str, str]) -> URIRef:
    scheme = scheme_iri(notation)
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for lang, label in labels.items():
        g.add((scheme, SKOS.prefLabel, Literal(label, lang=lang)))
    g.add((scheme, SKOS.notation, Literal(notation)))
    return scheme


def _concept(g: Graph, node: URIRef, scheme: URIRef, notation: str, labels: dict[str, str | None],
             cues: tuple[str, ...], note: str, broader: URIRef | None = None) -> None:
    """A concept of an authority scheme: a top concept unless ``broader`` is given."""
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.inScheme, scheme))
    g.add((node, SKOS.notation, Literal(notation)))
    for lang, label in labels.items():
        if label:
            g.add((node, SKOS.prefLabel, Literal(label, lang=lang)))
    if broader is not None:
        g.add((node, SKOS.broader, broader))
        g.add((broader, SKOS.narrower, node))
    else:
        g.add((node, SKOS.topConceptOf, scheme))
        g.add((scheme, SKOS.hasTopConcept, node))
    for cue in cues:
        g.add((node, IPKG.cue, Literal(cue, lang="en")))
    if note:
        g.add((node, SKOS.scopeNote, Literal(note, lang="en")))


def add_ip_types(g: Graph, ip_types: dict[str, authority.IPType] | None = None) -> None:
    table = authority.ip_types() if ip_types is None else ip_types
    scheme = _scheme(g, "ip-type", {"en": "IP types", "zh-Hans": "知识产权类型"})
    for t in table.values():
        _concept(g, ip_type_iri(t.id), scheme, t.id, {"en": t.pref_label_en, "zh-Hans": t.pref_label_zh},
                 t.cues, t.note, ip_type_iri(t.broader) if t.broader else None)


def add_topics(g: Graph, topics: dict[str, authority.Topic] | None = None) -> None:
    table = authority.topics() if topics is None else topics
    scheme = _scheme(g, "topic", {"en": "Policy topics"})
    for t in table.values():
        _concept(g, topic_iri(t.id), scheme, t.id, {"en": t.pref_label_en}, t.cues, t.note)


def authority_graph() -> Graph:
    """Agencies, instruments, IP types and policy topics of the packaged authority files, as one graph."""
    g = Graph()
    add_agencies(g)
    add_instruments(g)
    add_ip_types(g)
    add_topics(g)
    return g

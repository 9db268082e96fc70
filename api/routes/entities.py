"""The JSON API under ``/api/``: the same dicts the HTML pages render, with typed response models so the
OpenAPI page (``/docs``) documents them. Unknown ids raise ``NotFound`` (404), as does a malformed id; bad
parameters are a 400; the mapping lives in ``ipkg.api.errors``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from ipkg.api.deps import SettingsDep, StoreDep
from ipkg.graph.views import Views, views_for
from ipkg.graph.views_measure import CANDIDATES_SHOWN

# ---------------------------------------------------------------------------------------------- dependencies


async def get_views(store: StoreDep, settings: SettingsDep) -> Views:
    """The page views of the served store (catalogue read once per store, entity dicts cached)."""
    return views_for(store, Path(settings.data_dir) / "raw")


ViewsDep = Annotated[Views, Depends(get_views)]

Slug = Annotated[str, PathParam(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80,
                                description="document slug, e.g. division-of-work-2016")]
Label = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,30})$",
                                 description="measure label, e.g. 20, I.1.1, IV.i.1, SC3.2")]
SectionPath = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,30})$",
                                       description="section path, e.g. II.ii")]
AgencyId = Annotated[str, PathParam(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60,
                                    description="agency id (ontology/agencies.tsv), e.g. sipo")]
OPTIONAL_ID = r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$"  # an id, or empty for "any" (select boxes send "")
Candidates = Annotated[int, Query(ge=0, le=1000, description="candidates below the threshold shown per other "
                                  "document and direction (asserted links are always shown)")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="skip this many results (for the next page)")]
SearchText = Annotated[str, Query(min_length=0, max_length=200, description="words to find (all must occur)")]


# ---------------------------------------------------------------------------------------------- models


class _Model(BaseModel):
    # The views return richer dicts than the fields listed; the extra keys are passed through.
    model_config = ConfigDict(extra="allow")


class DocumentRef(_Model):
    slug: str
    title: str
    url: str
    issued: str | None = None
    year: int | None = None
    number: str | None = None


class AgencyRef(_Model):
    id: str
    label: str
    url: str
    iri: str
    acronym: str | None = None


class InstrumentRef(_Model):
    slug: str
    label: str
    url: str
    iri: str
    kind: str | None = None


class IPTypeRef(_Model):
    id: str
    label: str
    url: str
    iri: str


class MeasureRef(_Model):
    slug: str
    label: str
    iri: str
    url: str
    document: DocumentRef
    year: int | None = None
    excerpt: str = ""


class Cite(_Model):
    document: str
    number: str | None = None
    measure: str
    quote: str | None = None
    iri: str
    stated: bool | None = None
    text: str


class DocumentSummary(_Model):
    slug: str
    iri: str
    url: str
    title: str
    issued: str | None = None
    year: int | None = None
    number: str | None = None
    kind: str | None = None
    in_corpus: bool
    measure_count: int
    section_count: int


class DocumentList(_Model):
    documents: list[DocumentSummary]
    count: int


class Document(DocumentSummary):
    implements: list[DocumentRef]
    implemented_by: list[DocumentRef]
    issuer: AgencyRef | None = None
    outline: list[dict[str, Any]]


class Span(_Model):
    start: int | None = None
    end: int | None = None
    exact: str | None = None


class Assignment(_Model):
    position: int | None = None
    agency: AgencyRef | None = None
    actor_text: str | None = None
    vague: bool = False
    role: str
    basis: str | None = None
    stated: bool | None = None
    span: Span | None = None
    iri: str
    cite: Cite


class Citation(_Model):
    instrument: InstrumentRef | None = None
    action: str | None = None
    text: str | None = None
    span: Span | None = None
    iri: str
    cite: Cite


class IPTypeTag(_Model):
    ip_type: IPTypeRef
    cues: list[str]
    iri: str
    cite: Cite


class TopicWording(_Model):
    topic: str  # the policy topic's label
    later: str  # the later measure's words for it
    earlier: str  # the earlier measure's (a raw-text quote)


class LinkClause(_Model):
    number: int  # which clause of the later measure (1 = first) carries the link best
    rank: int  # the earlier measure's rank among that clause's candidates in its document
    quote: str  # the clause, as the raw text prints it


class LineageLink(_Model):
    iri: str
    later: MeasureRef
    earlier: MeasureRef
    score: float | None = None
    rank: int | None = None
    relation: str
    asserted: bool
    evidence: list[str]
    topics: list[str] = []  # policy topics both measures address
    topic_wordings: list[TopicWording] = []  # how each text words a shared topic, where no shared phrase says it
    clause: LinkClause | None = None  # only where the later measure has several clauses
    cite: Cite


class ClauseLineage(_Model):
    number: int
    quote: str
    links: list[LineageLink]  # the clause's best earlier measures, at most 3 per document


class Measure(MeasureRef):
    heading_path: str = ""
    section: dict[str, Any] | None = None
    text: str
    span: Span
    segments: list[dict[str, Any]]
    assignments: list[Assignment]
    mentions: list[dict[str, Any]]
    instruments: list[Citation]
    ip_types: list[IPTypeTag]
    lineage_back: list[LineageLink]
    lineage_forward: list[LineageLink]
    lineage_hidden: int = 0  # candidates below the threshold left out (all on /api/lineage/{slug}/{label})
    lineage_by_clause: list[ClauseLineage] = []  # a measure of several clauses: each clause's own candidates
    lineage_candidates_shown: int = 0  # candidates below the threshold kept per other document and direction
    lineage_threshold: float | None = None
    cite: Cite


class AgencySummary(_Model):
    id: str
    iri: str
    url: str
    label: str
    label_zh: str | None = None
    acronym: str | None = None
    kind: str | None = None
    lead: int
    participant: int
    responsible: int
    mentioned: int


class AgencyList(_Model):
    agencies: list[AgencySummary]
    count: int


class AgencyMeasure(MeasureRef):
    role: str
    basis: str | None = None
    stated: bool | None = None


class Reorganisation(_Model):
    direction: str
    agency: AgencyRef
    year: str | None = None
    kind: str | None = None
    description: str | None = None


class Agency(_Model):
    id: str
    iri: str
    url: str
    label: str
    label_zh: str | None = None
    acronym: str | None = None
    kind: str | None = None
    alt_labels: list[str]
    counts: dict[str, int]
    by_year: list[dict[str, Any]]
    measures: list[AgencyMeasure]
    history: list[Reorganisation]
    successor_chain: list[AgencyRef]
    predecessor_chain: list[AgencyRef]


class InstrumentSummary(_Model):
    slug: str
    iri: str
    url: str
    label: str
    kind: str | None = None
    measure_count: int


class InstrumentList(_Model):
    instruments: list[InstrumentSummary]
    count: int


class InstrumentMeasure(MeasureRef):
    actions: list[str]
    quotes: list[str]


class Instrument(_Model):
    slug: str
    iri: str
    url: str
    label: str
    kind: str | None = None
    alt_labels: list[str]
    passed_by: list[AgencyRef]
    based_on: list[InstrumentRef]
    measures: list[InstrumentMeasure]
    by_year: list[dict[str, Any]]


class IPTypeSummary(_Model):
    id: str
    iri: str
    url: str
    label: str
    broader: str | None = None
    narrower: list[str]
    measure_count: int


class IPTypeList(_Model):
    ip_types: list[IPTypeSummary]
    count: int


class IPType(_Model):
    id: str
    iri: str
    url: str
    label: str
    broader: IPTypeRef | None = None
    narrower: list[IPTypeRef]
    measures: list[MeasureRef]
    by_year: list[dict[str, Any]]


class Lineage(_Model):
    measure: MeasureRef
    columns: list[dict[str, Any]]
    links: list[LineageLink]
    asserted_count: int
    candidates_shown: int  # candidates below the threshold kept per other document and direction
    candidates_hidden: int  # candidates below the threshold left out (raise ?candidates= to see them)
    threshold: float | None = None  # the score from which the build asserted a link


class DocumentLineagePair(_Model):
    later: dict[str, Any]
    earlier: dict[str, Any]
    implements: bool  # the manifest says the later plan implements the earlier document
    later_linked: int  # measures of the later plan with an asserted link into the earlier one
    later_measures: int
    earlier_carried: int  # measures of the earlier plan carried forward by the later one
    earlier_measures: int
    asserted_links: int
    compare_url: str


class DocumentLineage(_Model):
    pairs: list[DocumentLineagePair]
    threshold: float | None = None


class SearchHit(MeasureRef):
    heading_path: str = ""
    phrase: bool = False  # the text holds the query as a phrase (these come first)
    agency_role: str | None = None  # when the query names agencies: their best role in this measure
    snippet: list[dict[str, Any]]


class SearchResult(_Model):
    q: str
    terms: list[str]  # the stems searched for: every one must occur
    within_agencies: list[dict[str, Any]] = []  # agencies the query names: only their measures (any role)
    text: str = ""  # the query without those names: the words searched for in the measures' text
    total: int
    phrase_matches: int = 0  # how many of the total hold the query as a phrase
    offset: int = 0  # the rank of the first result (0: the best); page on with offset + limit while < total
    limit: int = 50
    results: list[SearchHit]
    sections: list[dict[str, Any]] = []  # sections whose own introduction holds the words (no measure does)
    agencies: list[dict[str, Any]]
    instruments: list[dict[str, Any]]
    ip_types: list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------- routes

router = APIRouter(prefix="/api", tags=["entities"])


async def _answer(views: Views, key: tuple, model: type[BaseModel] | None, make: Any) -> Response:
    """The JSON of a view: validated against its response model and serialised once, then served as bytes."""
    body = views.serialised(key)
    if body is None:
        data = await run_in_threadpool(make)
        text = model.model_validate(data).model_dump_json(by_alias=True) if model else json.dumps(data)
        body = text.encode("utf-8")
        views.remember_serialised(key, body)
    return Response(body, media_type="application/json")


@router.get("/documents", response_model=DocumentList, summary="All policy documents")
async def list_documents(views: ViewsDep) -> Response:
    return await _answer(views, ("list_documents",), DocumentList, lambda: views.documents())


@router.get("/documents/{slug}", response_model=Document, summary="One document with its outline")
async def get_document(slug: Slug, views: ViewsDep) -> Response:
    return await _answer(views, ("get_document", slug), Document, lambda: views.document(slug))


@router.get("/sections/{slug}/{path}", summary="One section with its measures")
async def get_section(slug: Slug, path: SectionPath, views: ViewsDep) -> Response:
    return await _answer(views, ("get_section", slug, path), None, lambda: views.section(slug, path))


@router.get("/measures/{slug}/{label}", response_model=Measure,
            summary="One measure: text, agencies (stated or inferred), instruments, IP types, lineage")
async def get_measure(slug: Slug, label: Label, views: ViewsDep) -> Response:
    return await _answer(views, ("get_measure", slug, label), Measure, lambda: views.measure(slug, label))


@router.get("/agencies", response_model=AgencyList, summary="All agencies with their measure counts by role")
async def list_agencies(views: ViewsDep) -> Response:
    return await _answer(views, ("list_agencies",), AgencyList, lambda: views.agencies())


@router.get("/agencies/{agency_id}", response_model=Agency,
            summary="What an agency leads and co-handles, by year and document; its reorganisations")
async def get_agency(agency_id: AgencyId, views: ViewsDep) -> Response:
    return await _answer(views, ("get_agency", agency_id), Agency, lambda: views.agency(agency_id))


@router.get("/instruments", response_model=InstrumentList, summary="Legal instruments")
async def list_instruments(views: ViewsDep) -> Response:
    return await _answer(views, ("list_instruments",), InstrumentList, lambda: views.instruments())


@router.get("/instruments/{slug}", response_model=Instrument, summary="The measures that cite an instrument")
async def get_instrument(slug: Slug, views: ViewsDep) -> Response:
    return await _answer(views, ("get_instrument", slug), Instrument, lambda: views.instrument(slug))


@router.get("/ip-types", response_model=IPTypeList, summary="The IP-type scheme")
async def list_ip_types(views: ViewsDep) -> Response:
    return await _answer(views, ("list_ip_types",), IPTypeList, lambda: views.ip_types())


@router.get("/ip-types/{type_id}", response_model=IPType, summary="The measures concerning an IP type")
async def get_ip_type(type_id: AgencyId, views: ViewsDep) -> Response:
    return await _answer(views, ("get_ip_type", type_id), IPType, lambda: views.ip_type(type_id))


@router.get("/lineage", response_model=DocumentLineage,
            summary="Per pair of plans: how many measures the later carries forward from the earlier")
async def get_document_lineage(views: ViewsDep) -> Response:
    return await _answer(views, ("get_document_lineage",), DocumentLineage, lambda: views.document_lineage())


@router.get("/lineage/{slug}/{label}", response_model=Lineage,
            summary="A measure's lineage across plans, with scores and evidence")
async def get_lineage(slug: Slug, label: Label, views: ViewsDep, candidates: Candidates = CANDIDATES_SHOWN) -> Response:
    return await _answer(views, ("get_lineage", slug, label, candidates), Lineage,
                         lambda: views.lineage(slug, label, candidates))


@router.get("/search", response_model=SearchResult, summary="Full-text search over measure texts")
async def search(views: ViewsDep, q: SearchText = "", limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Offset = 0) -> Response:
    return await _answer(views, ("search", q, limit, offset), SearchResult, lambda: views.search(q, limit, offset))


@router.get("/compare", summary="Two plans side by side: carried forward, dropped, new")
async def compare(
    views: ViewsDep,
    a: Annotated[str, Query(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)] = "promotion-plan-2012",
    b: Annotated[str, Query(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)] = "division-of-work-2016",
    agency: Annotated[str | None, Query(pattern=OPTIONAL_ID, max_length=60)] = None,
    ip_type: Annotated[str | None, Query(pattern=OPTIONAL_ID, max_length=60)] = None,
) -> Response:
    return await _answer(views, ("compare", a, b, agency or None, ip_type or None), None, lambda: views.compare(a, b, agency or None, ip_type or None))

"""The browsable HTML pages. Each renders a dict from ``ipkg.graph.views``; its machine twin is the same
URL with ``?format=json`` (or ``Accept: application/json``), and the typed JSON API under ``/api/``
returns the same dicts. Errors (``NotFound``, ``BadParameter``) are mapped to status codes, and to the
site's error page, in ``ipkg.api.errors``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ipkg.api.deps import VARY, negotiated_page, templates
from ipkg.api.routes.entities import (
    OPTIONAL_ID,
    AgencyId,
    Candidates,
    Label,
    Offset,
    SearchText,
    SectionPath,
    Slug,
    ViewsDep,
)
from ipkg.graph import network
from ipkg.graph.views_measure import CANDIDATES_SHOWN

SEARCH_PAGE = 50  # results per search page

NAV = [
    ("/", "Home"),
    ("/documents", "Documents"),
    ("/agencies", "Agencies"),
    ("/instruments", "Instruments"),
    ("/ip-types", "IP types"),
    ("/search", "Search"),
    ("/lineage", "Lineage"),
    ("/compare", "Compare plans"),
    ("/network/agencies", "Network"),
    ("/query", "Query"),
    ("/docs", "API docs"),
]
templates.env.globals["nav"] = NAV
templates.env.globals["ROLE_CLASS"] = {"lead": "lead", "participant": "part", "responsible": "resp",
                                       "mentioned": "ment"}

router = APIRouter(include_in_schema=False)


def page(request: Request, template: str, data: dict[str, Any], title: str, status_code: int = 200,
         **extra: Any) -> Response:
    """``template`` rendered with ``data`` (as ``d``), or ``data`` as JSON when a machine asks."""
    return negotiated_page(request, data, status_code, lambda: templates.TemplateResponse(
        request, template, {"d": data, "title": title, **extra}, status_code=status_code, headers=VARY))



@router.get("/", response_class=HTMLResponse)
def home(request: Request, views: ViewsDep) -> Response:
    return page(request, "home.html", views.home(), "ipkg — Chinese national IP policy as a knowledge graph")


@router.get("/documents", response_class=HTMLResponse)
def documents(request: Request, views: ViewsDep) -> Response:
    return page(request, "documents.html", views.documents(), "Documents")


@router.get("/document/{slug}", response_class=HTMLResponse)
def document(request: Request, slug: Slug, views: ViewsDep) -> Response:
    d = views.document(slug)
    return page(request, "document.html", d, d["title"])


@router.get("/section/{slug}/{path}", response_class=HTMLResponse)
def section(request: Request, slug: Slug, path: SectionPath, views: ViewsDep) -> Response:
    d = views.section(slug, path)
    return page(request, "section.html", d, f"{d['path']} {d['title']}")


@router.get("/measure/{slug}/{label}", response_class=HTMLResponse)
def measure(request: Request, slug: Slug, label: Label, views: ViewsDep) -> Response:
    d = views.measure(slug, label)
    net = None
    if d["lineage_back"] or d["lineage_forward"]:
        net = network.lineage_network(views.lineage(slug, label))
    return page(request, "measure.html", d, f"{d['document']['short_title']} — measure {label}", net=net)


@router.get("/agencies", response_class=HTMLResponse)
def agencies(request: Request, views: ViewsDep) -> Response:
    return page(request, "agencies.html", views.agencies(), "Agencies")


@router.get("/agency/{agency_id}", response_class=HTMLResponse)
def agency(request: Request, agency_id: AgencyId, views: ViewsDep) -> Response:
    d = views.agency(agency_id)
    net = network.agency_neighbourhood(views.catalogue, agency_id)
    return page(request, "agency.html", d, d["label"], net=net)


@router.get("/instruments", response_class=HTMLResponse)
def instruments(request: Request, views: ViewsDep) -> Response:
    return page(request, "instruments.html", views.instruments(), "Legal instruments")


@router.get("/instrument/{slug}", response_class=HTMLResponse)
def instrument(request: Request, slug: Slug, views: ViewsDep) -> Response:
    d = views.instrument(slug)
    return page(request, "instrument.html", d, d["label"])


@router.get("/ip-types", response_class=HTMLResponse)
def ip_types(request: Request, views: ViewsDep) -> Response:
    return page(request, "ip_types.html", views.ip_types(), "IP types")


@router.get("/ip-type/{type_id}", response_class=HTMLResponse)
def ip_type(request: Request, type_id: AgencyId, views: ViewsDep) -> Response:
    d = views.ip_type(type_id)
    return page(request, "ip_type.html", d, d["label"])


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, views: ViewsDep, q: SearchText = "", offset: Offset = 0) -> Response:
    return page(request, "search.html", views.search(q, SEARCH_PAGE, offset), f"Search: {q}" if q else "Search")


@router.get("/lineage", response_class=HTMLResponse)
def document_lineage(request: Request, views: ViewsDep) -> Response:
    return page(request, "lineage_documents.html", views.document_lineage(), "Lineage between plans")


@router.get("/lineage/{slug}/{label}", response_class=HTMLResponse)
def lineage(request: Request, slug: Slug, label: Label, views: ViewsDep,
            candidates: Candidates = CANDIDATES_SHOWN) -> Response:
    d = views.lineage(slug, label, candidates)
    doc = d["measure"]["document"]
    return page(request, "lineage.html", d, f"Lineage of measure {label} ({doc['year']} {doc['short_title']})",
                net=network.lineage_network(d))


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    views: ViewsDep,
    a: Annotated[str, Query(pattern=OPTIONAL_ID, max_length=80)] = "promotion-plan-2012",
    b: Annotated[str, Query(pattern=OPTIONAL_ID, max_length=80)] = "division-of-work-2016",
    agency: Annotated[str | None, Query(pattern=OPTIONAL_ID, max_length=60)] = None,
    ip_type: Annotated[str | None, Query(pattern=OPTIONAL_ID, max_length=60)] = None,
) -> Response:
    d = views.compare(a or "promotion-plan-2012", b or "division-of-work-2016", agency or None, ip_type or None)
    cat = views.catalogue
    choices = {
        "agencies": sorted(({"id": x["id"], "label": x["label"]} for x in cat.agencies.values()
                            if x["lead"] + x["participant"] + x["responsible"]), key=lambda x: x["label"]),
        "ip_types": sorted(({"id": x["id"], "label": x["label"]} for x in cat.ip_types.values()),
                           key=lambda x: x["label"]),
    }
    return page(request, "compare.html", d,
                f"Compare {d['earlier']['slug']} and {d['later']['slug']}", choices=choices)

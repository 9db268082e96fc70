"""Interactive network views (vis-network, served from /static/vendor): agency co-responsibility, one
agency's neighbourhood, a measure's lineage tree and the network of any CONSTRUCT query. Each page's
machine twin is ``?format=json`` (the vis-network nodes, edges, options and legend)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ipkg.api.deps import EngineDep
from ipkg.api.routes.entities import AgencyId, Label, Slug, ViewsDep
from ipkg.api.routes.pages import page
from ipkg.graph import network
from ipkg.graph.catalogue import BadParameter, NotFound

router = APIRouter(prefix="/network", include_in_schema=False)

EXAMPLE_CONSTRUCT = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?later ipkg:continues ?earlier . ?later ipkg:leadAgency ?a . ?a skos:prefLabel ?name }
WHERE { ?later ipkg:continues ?earlier .
        OPTIONAL { ?later ipkg:leadAgency ?a . ?a skos:prefLabel ?name FILTER(lang(?name) = "en") } }"""


@router.get("/agencies", response_class=HTMLResponse)
def agencies(
    request: Request,
    views: ViewsDep,
    min_weight: Annotated[int | None, Query(ge=1, le=500, description="hide pairs sharing fewer measures")] = None,
) -> Response:
    data = network.agency_network(views.catalogue, min_weight)
    return page(request, "network.html", data, "Agency co-responsibility network",
                intro="Agencies named together in a measure's responsibility clause. Click an agency to open it.",
                min_weight=data["min_weight"])


@router.get("/agency/{agency_id}", response_class=HTMLResponse)
def agency(request: Request, agency_id: AgencyId, views: ViewsDep) -> Response:
    if agency_id not in views.catalogue.agencies:
        raise NotFound(f"no agency {agency_id!r}; the ids are those of /agencies")
    data = network.agency_neighbourhood(views.catalogue, agency_id)
    label = views.catalogue.agencies[agency_id]["label"]
    return page(request, "network.html", data, f"Neighbourhood of {label}",
                intro=f"The agencies that share most measures with {label}.",
                back={"url": f"/agency/{agency_id}", "label": label})


@router.get("/lineage/{slug}/{label}", response_class=HTMLResponse)
def lineage(request: Request, slug: Slug, label: Label, views: ViewsDep) -> Response:
    data = network.lineage_network(views.lineage(slug, label))
    return page(request, "network.html", data, f"Lineage network of {slug} {label}",
                intro="Later measures point to the earlier measures they carry forward; columns are plans by date.",
                back={"url": f"/lineage/{slug}/{label}", "label": "timeline view"})


@router.get("/construct", response_class=HTMLResponse)
def construct(
    request: Request,
    engine: EngineDep,
    query: Annotated[str, Query(max_length=20_000, description="a SPARQL CONSTRUCT or DESCRIBE query")] = "",
) -> Response:
    data: dict[str, Any] = {"query": query, "nodes": [], "edges": [], "legend": [], "notes": [], "options": {}}
    if query.strip():
        analysed = engine.analyse(query)  # refuses updates, SERVICE, FROM; raises with line and column
        if analysed.kind != "graph":
            raise BadParameter("this view draws graphs: send a CONSTRUCT or DESCRIBE query")
        graph, cut = engine.graph_of(analysed)  # bounded by the SPARQL endpoint's time and size limits
        data = {"query": query, **network.rdf_network(graph)}
        if cut:
            data["notes"].insert(0, f"The query's result was cut at {len(graph)} triples, the endpoint's limit: "
                                    "narrow the query to draw all of it.")
    return page(request, "network_construct.html", data, "Network of a CONSTRUCT query", example=EXAMPLE_CONSTRUCT)

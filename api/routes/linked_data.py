"""Linked data: every IRI ``https://w3id.org/ipkg/id/{path}`` is answered at ``/id/{path}``.

HTML for browsers (a 303 to the entity's own page when one exists — ``/document/...``, ``/section/...``,
``/measure/...``, ``/agency/...``, ``/instrument/...`` for ``id/law/...``, ``/ip-type/...`` — else a
generic resource page), Turtle, JSON-LD, N-Triples and RDF/XML by Accept, by suffix (``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``) or by ``?format=`` (which wins; an unknown value is a 400), and the page's
data as JSON (``application/json``). The description is the IRI's concise bounded description: its
triples plus those of the blank and fragment nodes hanging off it (``#span``, ``#assignment-1``, ...).

Whether an IRI exists, which page it has and what resembles a missing one come from
:mod:`ipkg.graph.resource_index` (the catalogue in memory, else one indexed lookup), so an unknown IRI is
a quick 404. Existing resources are described on the store in process (:mod:`ipkg.graph.description`),
not through the SPARQL endpoint's workers, so ``/id/`` answers while user queries hold every slot.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import VOID
from starlette.concurrency import run_in_threadpool

from ipkg.api.deps import templates
from ipkg.api.errors import error_response
from ipkg.api.routes.entities import ViewsDep
from ipkg.graph.dataset import DATASET, void_description
from ipkg.graph.description import describe, incoming_query, incoming_references
from ipkg.graph.queries import sparql_string
from ipkg.graph.resource_index import Entry, ResourceIndex, index_for, iri_of
from ipkg.graph.sparql import FORMATS, GRAPH_FORMATS, UnknownFormat, negotiate
from ipkg.ontology.namespaces import ID, PREFIXES, RDF, XSD

__all__ = ["label_search", "router", "term_view"]

router = APIRouter(tags=["linked data"])

SUFFIXES = {".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdf"}
_RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
_OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "application/json",
           "text/html")
# Values of ?format= (case-insensitive): the RDF formats and their usual names, the page's data, the page
_FORMAT_PARAMS = {**{f.key: f.media_type for f in GRAPH_FORMATS}, "turtle": "text/turtle",
                  "ntriples": "application/n-triples", "n-triples": "application/n-triples",
                  "json-ld": "application/ld+json", "rdfxml": "application/rdf+xml", "json": "application/json",
                  "html": "text/html"}
_FORMAT_CHOICES = "ttl, jsonld, nt, rdf (RDF), json (the page's data), html"
_LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/title",
           "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#notation",
           "http://purl.org/dc/terms/identifier")


# ------------------------------------------------------------------------------------ term views


# ipkg's prefixes leave rdf: out (rdflib binds it by itself), and void: describes only the dataset (/id/); a
# view shortens them like the rest
_SHORT_PREFIXES = {**PREFIXES, "rdf": str(RDF), "void": str(VOID)}
# the XSD datatypes whose values are numbers (right-aligned in tables)
_NUMERIC = frozenset(str(XSD) + name for name in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def compact(iri: str) -> str:
    """``ipkg:Measure``, ``rdf:type``, ``xsd:integer`` for an IRI in a known namespace; the IRI itself otherwise."""
    best = ""
    for prefix, namespace in _SHORT_PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best) and prefix != "id":
            best, name = namespace, f"{prefix}:{iri[len(namespace):]}"
    return name if best else iri


def local_href(iri: str) -> str | None:
    """The local URL answering an ipkg data IRI (fragment kept), or None for other IRIs."""
    base = str(ID)
    if not iri.startswith(base):
        return None
    return "/id/" + quote(iri[len(base):], safe="/#:@!$&'()*+,;=.-_~%")


def term_view(term: Any) -> dict[str, Any]:
    """A term as the templates and the JSON twins show it; accepts rdflib terms or SPARQL JSON terms."""
    if isinstance(term, dict):  # a term of the SPARQL JSON results format
        kind = term.get("type")
        value = term.get("value", "")
        if kind == "uri":
            term = URIRef(value)
        elif kind == "bnode":
            term = BNode(value)
        else:
            term = Literal(value, lang=term.get("xml:lang"),
                           datatype=None if term.get("xml:lang") else term.get("datatype"))
    if term is None:
        return {"kind": "none", "value": "", "display": ""}
    if isinstance(term, URIRef):
        iri = str(term)
        href = local_href(iri)
        display = ("id:" + iri[len(str(ID)):]) if href else compact(iri)
        return {"kind": "iri", "value": iri, "display": display, "href": href}
    if isinstance(term, BNode):
        return {"kind": "bnode", "value": str(term), "display": f"_:{term}", "href": None}
    view: dict[str, Any] = {"kind": "literal", "value": str(term), "display": str(term), "href": None}
    if term.language:
        view["lang"] = term.language
    elif term.datatype is not None:
        view["datatype"] = compact(str(term.datatype))
        view["datatype_iri"] = str(term.datatype)
        if str(term.datatype) in _NUMERIC:
            view["numeric"] = True
    return view


# ------------------------------------------------------------------------------------ the route


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


def _format_param(request: Request) -> str | None:
    """The media type ``?format=`` asks for (None when absent); raises ``UnknownFormat`` for other values."""
    value = request.query_params.get("format")
    if value is None or not value.strip():
        return None
    media_type = _FORMAT_PARAMS.get(value.strip().lower())
    if media_type is None:
        raise UnknownFormat(f"unknown format {value!r} for /id/... resources; use one of: {_FORMAT_CHOICES} "
                            "(or the suffixes .ttl, .jsonld, .nt, .rdf, or an Accept header)")
    return media_type


def _page(iri: str, graph: Graph, incoming: list[tuple[str, str]]) -> dict[str, Any]:
    subject = URIRef(iri)
    props: dict[str, list[Any]] = {}
    for p, o in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1]))):
        props.setdefault(str(p), []).append(o)
    label = next((str(o) for key in _LABELS for o in graph.objects(subject, URIRef(key))
                  if isinstance(o, Literal) and (o.language in (None, "en"))), None)
    nodes = []
    for node in sorted({s for s in graph.subjects() if s != subject}, key=str):
        nodes.append({
            "node": term_view(node),
            "properties": [{"predicate": term_view(p), "object": term_view(o)}
                           for p, o in sorted(graph.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1])))],
        })
    href = local_href(iri) or ""
    return {
        "iri": iri,
        "href": href,
        "label": label or iri.rsplit("/", 1)[-1],
        "types": [term_view(o) for o in sorted(graph.objects(subject, RDF.type), key=str)],
        "properties": [{"predicate": term_view(URIRef(p)), "objects": [term_view(o) for o in objs]}
                       for p, objs in props.items() if p != str(RDF.type)],
        "nodes": nodes,
        "incoming": [{"subject": term_view(URIRef(s)), "predicate": term_view(URIRef(p))} for s, p in incoming],
        "formats": [{"key": f.key, "label": f.label, "media_type": f.media_type, "url": f"{href}.{f.key}"}
                    for f in GRAPH_FORMATS],
        "triples": len(graph),
    }


@router.get("/id/", name="dataset")
async def dataset(request: Request, views: ViewsDep) -> Response:
    """The dataset's VoID description (where its IRIs live, its SPARQL endpoint, its figures), in every
    format a resource is; a browser gets it as a resource page."""
    chosen = _format_param(request) or negotiate(request.headers.get("accept"), _OFFERS)
    if chosen is None:
        return error_response(request, 406, f"available as {', '.join(_OFFERS)}", name="NotAcceptable")
    figures = await run_in_threadpool(views.dataset_figures)
    documents = [d["iri"] for d in views.catalogue.documents.values() if d["in_corpus"]]
    graph = void_description(figures["totals"], figures["classes"], str(request.url_for("sparql")), documents)
    return _answer(request, str(DATASET), graph, chosen, _page(str(DATASET), graph, []))


@router.get("/id/{path:path}", name="resource")
async def resource(path: str, request: Request, views: ViewsDep) -> Response:
    requested = _format_param(request)
    iri = iri_of(path)
    if iri is None:  # no IRI of the graph has this path (see graph.resource_index): nothing to look up
        return error_response(request, 404, f"no resource at /id/{path}", name="NotFound")
    index = await run_in_threadpool(index_for, views)
    base_path, suffix = _split_suffix(path)
    target = iri_of(base_path) or iri
    exists = await run_in_threadpool(index.exists, target)
    if suffix is not None and not exists and await run_in_threadpool(index.exists, iri):
        target, suffix, exists = iri, None, True  # a label that merely ends like a suffix
    if requested is not None:
        chosen: str | None = requested
    elif suffix is not None:
        chosen = FORMATS[suffix].media_type
    else:
        chosen = negotiate(request.headers.get("accept"), _OFFERS)
    if not exists:
        return await _not_found(request, index, target, html=chosen == "text/html")
    if chosen is None:
        return error_response(request, 406, f"available as {', '.join(_OFFERS)}", name="NotAcceptable")
    if chosen == "text/html":
        page_url = index.page(target)
        if page_url is not None:
            return RedirectResponse(page_url, status_code=303, headers={"Vary": "Accept"})
    graph = await run_in_threadpool(describe, views.store, target)
    if chosen in ("text/html", "application/json"):
        incoming, more = await run_in_threadpool(incoming_references, views.store, target)
        page = _page(target, graph, incoming)
        if more:  # the page lists the first ones only: say so, and where the rest are
            page["incoming_more"] = "/query?" + urlencode({"query": incoming_query(target)})
        return _answer(request, target, graph, chosen, page)
    return _answer(request, target, graph, chosen)


def _answer(request: Request, iri: str, graph: Graph, chosen: str, page: dict[str, Any] | None = None) -> Response:
    """``graph``, the description of ``iri``, as ``chosen``: an RDF format, or ``page`` (its view) as JSON or
    as the resource page."""
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if chosen == "application/json":
        return JSONResponse(page, headers=headers)
    if chosen == "text/html":
        assert page is not None
        return templates.TemplateResponse(request, "resource.html", {"page": page, "title": page["label"]},
                                          headers=headers)
    fmt = next(f for f in GRAPH_FORMATS if chosen in f.media_types)
    body = graph.serialize(format=_RDFLIB[fmt.key], encoding="utf-8")
    return Response(body, media_type=fmt.media_type, headers=headers)


# ------------------------------------------------------------------------------------ not found


async def _not_found(request: Request, index: ResourceIndex, iri: str, *, html: bool) -> Response:
    """A 404 from memory (and at most one indexed lookup for a concept scheme): never a query slot."""
    message = f"{iri} is not in the graph"
    if not html:
        return error_response(request, 404, message, name="NotFound")
    similar = await run_in_threadpool(index.similar, iri)
    last = iri.rstrip("/").rsplit("/", 1)[-1]
    page = {"iri": iri, "message": message, "similar": [_suggestion(e) for e in similar],
            "search_url": "/query?query=" + quote(label_search(last), safe="")}
    return templates.TemplateResponse(request, "resource.html", {"page": None, "missing": page, "title": "Not found"},
                                      status_code=404)


def _suggestion(entry: Entry) -> dict[str, Any]:
    view = term_view(URIRef(entry.iri))
    if entry.label and entry.label != entry.iri.rsplit("/", 1)[-1]:
        view["display"] = f"{view['display']} — {entry.label}"
    view["label"] = entry.label
    return view


def label_search(text: str) -> str:
    """A SPARQL query for the query page finding the labels, titles and ids that contain ``text`` (or its
    words); ``text`` enters the query only as an escaped string literal."""
    terms = sorted({t for t in (text.lower(), re.sub(r"[-_.]+", " ", text).strip().lower()) if t})
    condition = " || ".join(f"CONTAINS(LCASE(STR(?label)), {sparql_string(t)})" for t in terms) or "false"
    return ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?s ?label WHERE {\n"
            "  VALUES ?p { skos:prefLabel skos:altLabel skos:notation dcterms:title dcterms:identifier rdfs:label }\n"
            f"  ?s ?p ?label .\n  FILTER({condition})\n}}\nLIMIT 50")

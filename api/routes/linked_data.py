"""Linked data: every IRI ``https://w3id.org/ipkg/id/{path}`` is answered at ``/id/{path}``.

HTML for browsers (a 303 to the entity's own page when one exists, else a generic resource page),
Turtle, JSON-LD, N-Triples and RDF/XML by Accept or by suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``),
and the page's data as JSON (``application/json``). The description is the IRI's concise bounded
description: its triples plus those of the blank and fragment nodes hanging off it (``#span``,
``#assignment-1``, ...).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match

from ipkg.api.deps import EngineDep, templates
from ipkg.api.errors import error_response
from ipkg.graph.sparql import FORMATS, GRAPH_FORMATS, SparqlEngine, negotiate
from ipkg.ontology.namespaces import ID, PREFIXES, RDF

__all__ = ["router", "term_view"]

router = APIRouter(tags=["linked data"])

SUFFIXES = {".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdf"}
_RDFLIB = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
# Characters allowed in a path under /id/ (IRI path characters, without anything SPARQL or HTML treat specially).
_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")
_LABELS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/title",
           "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#notation",
           "http://purl.org/dc/terms/identifier")


# ------------------------------------------------------------------------------------ term views


def compact(iri: str) -> str:
    """``ipkg:Measure`` for an IRI in a known namespace; the IRI itself otherwise."""
    best = ""
    for prefix, namespace in PREFIXES.items():
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
    return view


# ------------------------------------------------------------------------------------ the route


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


# IRI path prefixes whose pages live under another name
_PAGE_ALIASES = {"law/": "instrument/"}


def _entity_page(request: Request, path: str) -> str | None:
    """The path of another page of this app that shows the entity (``/agency/sipo``...), if any."""
    for prefix, alias in _PAGE_ALIASES.items():
        if path.startswith(prefix):
            path = alias + path[len(prefix):]
    target = "/" + path
    scope = {"type": "http", "path": target, "method": "GET", "root_path": ""}
    for route in request.app.routes:
        if getattr(route, "path", "").startswith("/id/") or getattr(route, "path", "") == "/":
            continue
        methods = getattr(route, "methods", None)
        if methods is None or "GET" not in methods:
            continue
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return target
    return None


def _similar(engine: SparqlEngine, iri: str) -> list[dict[str, Any]]:
    parent = iri.rstrip("/").rsplit("/", 1)[0] + "/"
    if not parent.startswith(str(ID)) or '"' in parent or "\\" in parent:
        return []
    _, rows = engine.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"" + parent + "\")) } "
        "ORDER BY ?s LIMIT 20"
    )
    return [term_view(r["s"]) for r in rows]


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


@router.get("/id/{path:path}", name="resource")
async def resource(path: str, request: Request, engine: EngineDep) -> Response:
    accept = request.headers.get("accept")
    if not path or not _PATH.fullmatch(path):
        return error_response(request, 404, f"no resource at /id/{path}", name="NotFound")
    base_path, fmt_key = _split_suffix(path)
    if fmt_key is None and request.query_params.get("format") in FORMATS:
        fmt_key = request.query_params["format"]
    iri = str(ID) + base_path
    exists = await run_in_threadpool(engine.exists, iri)
    if not exists and fmt_key is not None:  # a label that merely ends like a suffix
        if await run_in_threadpool(engine.exists, str(ID) + path):
            base_path, fmt_key, iri, exists = path, None, str(ID) + path, True
    if request.query_params.get("format") == "json":
        chosen: str | None = "application/json"
    elif fmt_key is None:
        offers = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
                  "application/json", "text/html")
        chosen = negotiate(accept, offers)
        if chosen is None:
            return error_response(request, 406, "available as text/html, text/turtle, application/ld+json, "
                                                 "application/n-triples, application/rdf+xml, application/json",
                                  name="NotAcceptable")
    else:
        chosen = FORMATS[fmt_key].media_type
        if FORMATS[fmt_key].kind != "graph":
            return error_response(request, 400, f"format {fmt_key!r} is not an RDF format; use ttl, jsonld, nt "
                                                "or rdf", name="UnknownFormat")
    if not exists:
        return await _not_found(request, engine, iri, html=chosen == "text/html")
    if chosen == "text/html":
        target = _entity_page(request, base_path)
        if target is not None:
            return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    graph = await run_in_threadpool(engine.describe, iri)
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if chosen in ("text/html", "application/json"):
        incoming = await run_in_threadpool(engine.incoming, iri)
        page = _page(iri, graph, incoming)
        if chosen == "application/json":
            return JSONResponse(page, headers=headers)
        return templates.TemplateResponse(request, "resource.html", {"page": page, "title": page["label"]},
                                          headers=headers)
    fmt = next(f for f in GRAPH_FORMATS if chosen in f.media_types)
    body = graph.serialize(format=_RDFLIB[fmt.key], encoding="utf-8")
    return Response(body, media_type=fmt.media_type, headers=headers)


async def _not_found(request: Request, engine: SparqlEngine, iri: str, *, html: bool) -> Response:
    message = f"{iri} is not in the graph"
    if not html:
        return error_response(request, 404, message, name="NotFound")
    similar = await run_in_threadpool(_similar, engine, iri)
    last = iri.rstrip("/").rsplit("/", 1)[-1]
    search = ("SELECT ?s ?label WHERE {\n  ?s ?p ?label .\n  FILTER(isLiteral(?label) && CONTAINS(LCASE(STR(?label)), "
              f"\"{last.lower().replace(chr(34), '').replace(chr(92), '')}\"))\n}}\nLIMIT 50")
    page = {"iri": iri, "message": message, "similar": similar, "search_url": "/query?query=" + quote(search)}
    return templates.TemplateResponse(request, "resource.html", {"page": None, "missing": page, "title": "Not found"},
                                      status_code=404)

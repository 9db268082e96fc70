"""The SPARQL 1.1 Protocol endpoint (``/sparql``) and its HTML face, the query page (``/query``).

The handlers only read the protocol's inputs and pick a format; parsing, refusing and running
queries is :mod:`ipkg.graph.sparql`'s job, and errors become status codes in :mod:`ipkg.api.errors`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from ipkg.api.deps import VARY, EngineDep, negotiated_page, templates
from ipkg.api.errors import BadRequest, UnsupportedMediaType, status_of
from ipkg.api.routes.linked_data import term_view
from ipkg.api.routes.sparql_openapi import (
    QUERY_PAGE_GET_DOC,
    QUERY_PAGE_POST_DOC,
    SPARQL_GET_DOC,
    SPARQL_POST_DOC,
)
from ipkg.graph.queries import named_queries
from ipkg.graph.sparql import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    FeatureNotAllowed,
    Format,
    SparqlError,
    UpdateNotAllowed,
    format_for,
    negotiate,
    negotiate_format,
)

__all__ = ["router"]

router = APIRouter(tags=["sparql"])

# Rows shown on the HTML page; the download links give the full (capped) result.
PAGE_ROWS = 1000
# Queries longer than this (characters) are posted by the page, not put in a URL: even at 12 bytes a character
# once percent-encoded (a 4-byte UTF-8 character), such a URL stays under the server's and browsers' limits.
LONG_QUERY = 4_000
DEFAULT_QUERY = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# Which agencies lead the most measures?
SELECT ?agency ?name (COUNT(DISTINCT ?measure) AS ?measures)
WHERE {
  ?measure ipkg:leadAgency ?agency .
  OPTIONAL { ?agency skos:prefLabel ?name FILTER(lang(?name) = "en") }
}
GROUP BY ?agency ?name
ORDER BY DESC(?measures)
LIMIT 20
"""
_UPDATE_MESSAGE = ("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
                   "is not accepted")


# --------------------------------------------------------------------------------- the protocol


async def _read_request(request: Request) -> dict[str, list[str]]:
    """The protocol parameters of a GET or POST request, as lists (a parameter may repeat)."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        form = await request.form()
        for key, value in form.multi_items():
            params.setdefault(key, []).append(str(value))
    elif content_type == "application/sparql-query":
        body = await request.body()
        try:
            params["query"] = [body.decode("utf-8")]
        except UnicodeDecodeError:
            raise BadRequest("the query is not valid UTF-8") from None
    elif content_type == "application/sparql-update":
        raise UpdateNotAllowed(_UPDATE_MESSAGE)
    else:
        raise UnsupportedMediaType(
            f"cannot read a POST body of type {content_type or '(none)'!r}: send application/sparql-query, "
            "or application/x-www-form-urlencoded with a 'query' field"
        )
    return params


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"the '{name}' parameter was given {len(values)} times; give it once")
    return values[0]


def _check_dataset(params: dict[str, list[str]]) -> None:
    if "update" in params:
        raise UpdateNotAllowed(_UPDATE_MESSAGE)
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if name in params:
            raise FeatureNotAllowed(
                f"'{name}' is not accepted: the dataset of this endpoint is fixed (the whole ipkg graph)"
            )


def _wants_html(accept: str | None, fmt_param: str | None) -> bool:
    if fmt_param or not accept:
        return False
    offers = tuple(mt for f in RESULT_FORMATS + GRAPH_FORMATS for mt in f.media_types) + ("text/html",)
    return negotiate(accept, offers) == "text/html"


@router.get("/sparql", name="sparql", operation_id="sparql_query_get",
            summary="SPARQL 1.1 Protocol endpoint (read-only, bounded): query by GET",
            response_class=Response, openapi_extra=SPARQL_GET_DOC)
async def sparql(request: Request, engine: EngineDep) -> Response:
    params = await _read_request(request)
    _check_dataset(params)
    query = _single(params, "query")
    fmt_param = _single(params, "format")
    accept = request.headers.get("accept")
    if _wants_html(accept, fmt_param):
        if query is None:
            return await query_page(request, engine)
        if request.method == "GET":
            return RedirectResponse("/query?" + urlencode({"query": query}), status_code=303)
    if query is None:
        raise BadRequest("missing 'query': send a SPARQL query as ?query=..., as a form field, or as an "
                         "application/sparql-query body (the query page is at /query)")
    analysed = await run_in_threadpool(engine.analyse, query)
    fmt = format_for(fmt_param, analysed.kind) if fmt_param else negotiate_format(accept, analysed.kind)
    result = await run_in_threadpool(engine.run, analysed, fmt)
    headers = {"Vary": "Accept", "X-IPKG-Row-Limit": str(result.max_rows),
               "X-IPKG-Result-Count": str(result.count)}
    if result.truncated:
        headers["X-IPKG-Truncated"] = "true"
    return Response(result.body, media_type=fmt.media_type, headers=headers)


router.add_api_route("/sparql", sparql, methods=["POST"], name="sparql_post", operation_id="sparql_query_post",
                     summary="SPARQL 1.1 Protocol endpoint: query by URL-encoded or direct POST",
                     response_class=Response, openapi_extra=SPARQL_POST_DOC)


# --------------------------------------------------------------------------------- the query page


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    sparql: str  # rendered: the parameters carry their defaults
    params: dict[str, str] = field(default_factory=dict)  # name -> default


@cache
def _examples() -> tuple[Example, ...]:
    """The named queries of ``graph/queries/``, rendered: each ``$param`` filled with its default (as
    ``ipkg query NAME`` does), so an example runs as it stands and shows where to change it. Read once:
    they ship with the package."""
    return tuple(Example(q.name, q.title, q.description, q.render(), dict(q.params)) for q in named_queries())


def _downloads(query: str, formats: tuple[Format, ...]) -> list[dict[str, str]]:
    """Links to the whole result in each format; for a long query, a POST of the query (field ``query``) to
    ``url``, as a link could not carry it."""
    if len(query) > LONG_QUERY:
        return [{"key": f.key, "label": f.label, "media_type": f.media_type, "method": "POST",
                 "url": "/sparql?" + urlencode({"format": f.key})} for f in formats]
    return [{"key": f.key, "label": f.label, "media_type": f.media_type, "method": "GET",
             "url": "/sparql?" + urlencode({"query": query, "format": f.key})} for f in formats]


def _run_for_page(engine: Any, query: str) -> dict[str, Any]:
    analysed = engine.analyse(query)
    if analysed.kind == "results":
        raw = engine.run(analysed, format_for("json", "results"), max_rows=PAGE_ROWS)
        data = json.loads(raw.body)
        result: dict[str, Any] = {"form": analysed.form, "truncated": raw.truncated, "count": raw.count,
                                  "shown_limit": raw.max_rows}
        if analysed.form == "ask":
            result["boolean"] = bool(data["boolean"])
        else:
            variables = data["head"]["vars"]
            result["variables"] = variables
            result["rows"] = [[term_view(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
        result["downloads"] = _downloads(query, RESULT_FORMATS)
        return result
    raw = engine.run(analysed, format_for("nt", "graph"), max_rows=PAGE_ROWS)
    graph = Graph()
    if raw.body.strip():
        graph.parse(data=raw.body.decode("utf-8"), format="nt")
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    return {
        "form": analysed.form, "truncated": raw.truncated, "count": raw.count, "shown_limit": raw.max_rows,
        "variables": ["subject", "predicate", "object"],
        "rows": [[term_view(s), term_view(p), term_view(o)] for s, p, o in triples],
        "downloads": _downloads(query, GRAPH_FORMATS),
        "network_url": "/network/construct?" + urlencode({"query": query}),
    }


async def _page_query(request: Request) -> str | None:
    """The query the page is asked to run: ``?query=`` of a GET, the form field ``query`` of a POST (the
    page's form posts a long query, which would not fit in a URL)."""
    if request.method != "POST":
        return request.query_params.get("query")
    return _single(await _read_request(request), "query")


@router.get("/query", name="query_page", summary="The query page: an editor, examples and results",
            response_class=Response, openapi_extra=QUERY_PAGE_GET_DOC)
async def query_page(request: Request, engine: EngineDep) -> Response:
    query = await _page_query(request)
    examples = _examples()
    page: dict[str, Any] = {
        "query": query if query is not None else (examples[0].sparql if examples else DEFAULT_QUERY),
        "ran": query is not None and bool(query.strip()),
        "examples": [{"name": e.name, "title": e.title, "description": e.description, "params": e.params,
                      "url": "/query?" + urlencode({"query": e.sparql})} for e in examples],
        "result": None,
        "error": None,
        # a query that was sent but holds nothing to run: said, rather than answered with nothing
        "notice": "the query is empty: write a SPARQL query, or pick an example, and run it"
                  if query is not None and not query.strip() else None,
        "endpoint": "/sparql",
    }
    status = 200
    if page["ran"]:
        try:
            page["result"] = await run_in_threadpool(_run_for_page, engine, query)
        except SparqlError as e:
            status = status_of(e)
            page["error"] = {"status": status, "name": type(e).__name__, "message": str(e)}
    form = {"post_over": LONG_QUERY, "max_bytes": request.app.state.settings.max_request_bytes}
    return negotiated_page(request, page, status, lambda: templates.TemplateResponse(
        request, "query.html", {"page": page, "form": form, "title": "SPARQL query"}, status_code=status,
        headers=VARY))


router.add_api_route("/query", query_page, methods=["POST"], name="query_page_post", operation_id="query_page_post",
                     summary="The query page, for a query too long for a URL (the form field `query`)",
                     response_class=Response, openapi_extra=QUERY_PAGE_POST_DOC)

"""Errors -> HTTP status codes, in one place. Handlers never turn bad input into a 500.

Every error answers in the client's terms: the JSON API (``/api/...``) always in JSON, the pages with the
site's error page (JSON when the page's JSON twin was asked for), the protocol endpoints (``/sparql``,
``/id/...``) by content negotiation with plain text first. The JSON body is always
``{"status", "error", "detail"}`` (plus ``errors``, the parameters at fault, for a bad parameter).
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import TemplateNotFound
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from ipkg.graph.catalogue import BadParameter, ViewError
from ipkg.graph.catalogue import NotFound as EntityNotFound
from ipkg.graph.sparql import (
    EngineBusy,
    FeatureNotAllowed,
    NotAcceptable,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    SparqlError,
    StoreUnavailable,
    UnknownFormat,
    UpdateNotAllowed,
    negotiate,
)
from ipkg.graph.store import QueryError, StoreError

__all__ = ["BadRequest", "NotFound", "RequestTooLarge", "UnsupportedMediaType", "allowed_methods", "error_response",
           "install_error_handlers", "status_of"]


class RequestTooLarge(Exception):
    """The request body (or URL) is larger than ``settings.max_request_bytes``."""


class UnsupportedMediaType(Exception):
    """A POST body in a content type the endpoint does not read."""


class BadRequest(Exception):
    """Input the endpoint cannot use (a missing parameter, undecodable bytes...)."""


class NotFound(Exception):
    """No such resource."""


STATUS: dict[type[Exception], int] = {
    QuerySyntaxError: 400,
    FeatureNotAllowed: 400,
    UnknownFormat: 400,
    QueryFailed: 400,
    ResultTooLarge: 400,
    QueryError: 400,
    BadRequest: 400,
    BadParameter: 400,
    EntityNotFound: 404,
    UpdateNotAllowed: 403,
    NotFound: 404,
    NotAcceptable: 406,
    RequestTooLarge: 413,
    UnsupportedMediaType: 415,
    EngineBusy: 429,
    QueryTimeout: 503,
    StoreUnavailable: 503,
    StoreError: 503,
}
TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
          413: "Request too large", 414: "URL too long", 415: "Unsupported media type", 429: "Too many queries",
          503: "Service unavailable"}

# What an error may be answered in, best first, by the kind of URL it is about (see ``_offers``).
_PAGE_OFFERS = ("text/html", "application/json", "text/plain")
_PROTOCOL_OFFERS = ("text/plain", "application/json", "text/html")
_PROTOCOL_PREFIXES = ("/sparql/", "/id/", "/static/")
# The methods a 405 may list; HEAD is answered wherever GET is (``ipkg.api.app.HeadAsGet``).
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def status_of(error: Exception) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _offers(request: Request) -> tuple[str, ...] | None:
    """The media types an error about this URL may take, best first; None for the JSON API (JSON only).

    Pages (and unknown URLs, which a browser followed) prefer the site's error page; the SPARQL endpoint,
    the linked-data IRIs and static files prefer plain text, which SPARQL clients and curl print as is."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/") or path == (request.app.openapi_url or "/openapi.json"):
        return None
    return _PROTOCOL_OFFERS if path == "/sparql" or path.startswith(_PROTOCOL_PREFIXES) else _PAGE_OFFERS


def error_response(request: Request, status: int, message: str, *, name: str = "Error",
                   headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> Response:
    """The error as the client prefers it: always JSON under ``/api/``; elsewhere an HTML page for browsers
    and pages, JSON for JSON clients (also with ``?format=json``), plain text for SPARQL clients and curl."""
    # worth retrying shortly: all query slots busy, the store being swapped; not a query over its time limit
    transient = status == 429 or (status == 503 and name != "QueryTimeout")
    headers = {**({"Retry-After": "2"} if transient else {}), **(headers or {})}
    data: dict[str, Any] = {"status": status, "error": name, "detail": message, **(extra or {})}
    offers = _offers(request)
    if offers is not None:
        headers["Vary"] = "Accept"
    if offers is None or request.query_params.get("format", "").strip().lower() == "json":
        chosen: str | None = "application/json"
    else:
        chosen = negotiate(request.headers.get("accept"), offers)
    if chosen == "application/json":
        return JSONResponse(data, status, headers=headers)
    if chosen == "text/html":
        from ipkg.api.deps import templates  # late: deps imports the graph layer's heavier modules

        title = f"{status} {TITLES.get(status, 'Error')}"
        try:
            return templates.TemplateResponse(request, "error.html", {"d": data, "title": title},
                                              status_code=status, headers=headers)
        except TemplateNotFound:
            body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
                    f"</head><body><main><h1>{title}</h1><pre class=\"error\">{html.escape(message)}</pre>"
                    "<p><a href=\"/query\">SPARQL query page</a> · <a href=\"/\">home</a></p></main></body></html>")
            return HTMLResponse(body, status, headers=headers)
    return PlainTextResponse(message + "\n", status, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (the router's 405 names only the first
    route that matched the path, e.g. ``GET`` for ``/sparql``, which answers POST too). Mounted apps
    (``/static``) are left out: they match any method and name their own."""
    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    if "GET" in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return allowed


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors: an unknown URL (404), a method the path does not answer (405)..."""
    assert isinstance(exc, HTTPException)
    status, headers = exc.status_code, dict(exc.headers or {})
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    message = exc.detail if exc.detail and exc.detail != phrase else phrase
    if status == 404 and message == phrase:
        where = "the JSON API's routes are listed at /docs" if _offers(request) is None else "start from / or /search"
        message = f"nothing is published at {request.url.path}; {where}"
    elif status == 405:
        allow = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
        headers["Allow"] = allow
        message = f"{request.method} is not allowed on {request.url.path}; it answers {allow}"
    return error_response(request, status, message, name=phrase.replace(" ", "").replace("-", ""),
                          headers=headers)


async def _bad_parameter(request: Request, exc: Exception) -> Response:
    """FastAPI's parameter checks: a path segment that cannot be an id names nothing (404); a bad query
    parameter is a 400 that says which parameter and what is wrong with it."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    in_path = [e for e in errors if e["loc"][:1] == ["path"]]
    if in_path:
        reasons = "; ".join(_reason(e, request.path_params) for e in in_path)
        return error_response(request, 404, f"nothing is published at {request.url.path}: {reasons}",
                              name="NotFound", extra={"errors": in_path})
    reasons = "; ".join(_reason(e, request.path_params) for e in errors)
    return error_response(request, 400, f"bad {reasons}", name="BadParameter", extra={"errors": errors})


def _reason(error: dict[str, Any], path_params: dict[str, Any]) -> str:
    if len(error["loc"]) < 2:
        return f"request: {error['msg']}"
    where, name = error["loc"][0], error["loc"][-1]
    if where == "path":
        return f"{path_params.get(name, '')!r} is not a valid {str(name).replace('_', ' ')} ({error['msg']})"
    return f"{where} parameter {name!r}: {error['msg']}"


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        return error_response(request, status_of(exc), str(exc), name=type(exc).__name__)

    for cls in (SparqlError, QueryError, StoreError, ViewError, RequestTooLarge, UnsupportedMediaType, BadRequest,
                NotFound):
        app.add_exception_handler(cls, handle)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_parameter)

"""Errors -> HTTP status codes, in one place. Handlers never turn bad input into a 500."""

from __future__ import annotations

import html

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import TemplateNotFound

from ipkg.graph.catalogue import BadParameter, ViewError
from ipkg.graph.catalogue import NotFound as EntityNotFound
from ipkg.graph.sparql import (
    EngineBusy,
    FeatureNotAllowed,
    NotAcceptable,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    SparqlError,
    StoreUnavailable,
    UnknownFormat,
    UpdateNotAllowed,
    negotiate,
)
from ipkg.graph.store import QueryError, StoreError

__all__ = ["BadRequest", "NotFound", "RequestTooLarge", "UnsupportedMediaType", "error_response", "install_error_handlers", "status_of"]


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
TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 406: "Not acceptable",
          413: "Request too large", 415: "Unsupported media type", 429: "Too many queries",
          503: "Service unavailable"}


def status_of(error: Exception) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_response(request: Request, status: int, message: str, *, name: str = "Error") -> Response:
    """The error as the client prefers it: an HTML page for browsers, JSON for JSON clients (also with
    ``?format=json``), plain text otherwise (SPARQL clients, curl)."""
    headers = {"Retry-After": "2"} if status in (429, 503) else {}
    data = {"status": status, "error": name, "detail": message}
    chosen = negotiate(request.headers.get("accept"), ("text/plain", "application/json", "text/html"))
    if request.query_params.get("format") == "json":
        chosen = "application/json"
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


def install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        return error_response(request, status_of(exc), str(exc), name=type(exc).__name__)

    for cls in (SparqlError, QueryError, StoreError, ViewError, RequestTooLarge, UnsupportedMediaType, BadRequest,
                NotFound):
        app.add_exception_handler(cls, handle)


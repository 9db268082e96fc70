"""The FastAPI application: ``create_app(settings)``, and the ASGI middleware every request passes:
CORS for any origin, HEAD answered like GET (``HeadAsGet``), the request-size limits (``RequestSizeLimit``) and
the page cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipkg.api.deps import STATIC_DIR, StoreHolder, templates
from ipkg.api.errors import error_response, install_error_handlers
from ipkg.api.page_cache import PageCache
from ipkg.api.routes import entities, linked_data, network, pages, sparql
from ipkg.graph.sparql import SparqlEngine
from ipkg.settings import Settings

__all__ = ["create_app"]


API_DESCRIPTION = """An open knowledge graph of Chinese national intellectual-property policy.

Every page of the site also answers `?format=json`, every thing has a Turtle twin under `/id/`
(for example `/id/agency/sipo.ttl`), and SPARQL 1.1 queries go to `/sparql` (GET or POST)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine.start()  # worker processes start now, not at import
        try:
            yield
        finally:
            app.state.engine.close()
            app.state.store_holder.close()

    app = FastAPI(
        title="ipkg",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own docs pages load their scripts from a CDN; /docs below serves a vendored copy
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = SparqlEngine(settings)
    app.state.store_holder = StoreHolder(settings)
    install_error_handlers(app)
    for module in (sparql, linked_data, pages, entities, network):
        app.include_router(module.router)
    # one look for every page: the pages' layout globals (navigation...) serve these templates too
    templates.env.globals.update(getattr(getattr(pages, "templates", None), "env", templates.env).globals)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        """The generated OpenAPI page inside the site's layout (Swagger UI served from /static, no CDN); its
        machine twin is the OpenAPI document itself."""
        return pages.page(request, "api_docs.html", app.openapi(), "API",
                          openapi_url=app.openapi_url or "/openapi.json")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # the last added runs first: HEAD becomes GET before the size limits and the page cache see it
    app.add_middleware(PageCache, build_key=lambda scope: scope["app"].state.store_holder.build_key())
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(HeadAsGet)
    # open data: any web page may query the endpoint and read the API (no cookies, so no credentials)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                       allow_headers=["Accept", "Content-Type"], expose_headers=EXPOSED_HEADERS, max_age=86_400)
    return app


# the endpoint's result headers, readable by a page on another origin
EXPOSED_HEADERS = ["X-IPKG-Row-Limit", "X-IPKG-Result-Count", "X-IPKG-Truncated", "Link", "Retry-After"]


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["status", "error", "detail"],
    "properties": {
        "status": {"type": "integer", "title": "HTTP status"},
        "error": {"type": "string", "title": "Error name", "examples": ["NotFound", "BadParameter"]},
        "detail": {"type": "string", "title": "What went wrong and what to do"},
        "errors": {"type": "array", "items": {"type": "object"}, "title": "The parameters at fault (bad parameters)"},
    },
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema with the errors this app really answers (``ipkg.api.errors``): a path segment that
    cannot be an id is a 404 and a bad query parameter a 400, both in the one error shape, never a 422; an
    id in the query (``/api/compare?a=``) that names nothing is a 404 too."""
    if app.openapi_schema:
        return app.openapi_schema

    def takes_an_id(parameter: dict[str, Any]) -> bool:
        # the API's ids (slugs, agency ids) are the strings it checks against a pattern; text and numbers have none
        return any("pattern" in s for s in (parameter.get("schema", {}), *parameter.get("schema", {}).get("anyOf", [])))

    schema = FastAPI.openapi(app)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is None:
                continue
            parameters = operation.get("parameters", [])
            places = {p.get("in") for p in parameters}
            if "path" in places:
                responses.setdefault("404", {"description": "Not found (also: a path segment that cannot be an id)",
                                             "content": content})
            elif any(takes_an_id(p) for p in parameters):
                responses.setdefault("404", {"description": "Not found: an id among the parameters names nothing",
                                             "content": content})
            if places - {"path"}:
                responses.setdefault("400", {"description": "Bad parameter", "content": content})
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    app.openapi_schema = schema
    return schema


class HeadAsGet:
    """Answer HEAD like GET, without the body: link checkers and caches ask HEAD of every page and API route.

    The app sees a GET (one handler run, one query; the page cache answers a HEAD of a cached page), and
    the body it produces is dropped here: the client gets GET's status and headers, Content-Length included,
    and no body. Starlette routes answer HEAD themselves, FastAPI's do not; this does it for all, in one place.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class _TooLarge(Exception):
    pass


class RequestSizeLimit:
    """Refuse request bodies over ``max_bytes`` (413) and URLs whose query is over it (414), before any
    handler reads them; counts streamed bodies too, so a missing Content-Length does not get around it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_bytes:
            await _refuse(scope, send, 414, f"the URL is longer than {self.max_bytes} bytes. Requests are limited to "
                          f"{self.max_bytes} bytes; a SPARQL query near that size fits in a POST body "
                          "(application/sparql-query), where it is not percent-encoded")
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                too_large = int(length) > self.max_bytes
            except ValueError:
                await _refuse(scope, send, 400, "invalid Content-Length header")
                return
            if too_large:
                await _refuse(scope, send, 413, f"the request body is larger than {self.max_bytes} bytes")
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _refuse(scope, send, 413, f"the request body is larger than {self.max_bytes} bytes")


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """The error in the client's terms (JSON under /api/, plain text to SPARQL clients, a page to browsers)."""
    name = {400: "BadRequest", 413: "RequestTooLarge", 414: "URITooLong"}.get(status, "Error")
    response = error_response(Request(scope), status, message, name=name)

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)

"""The FastAPI application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipkg.api.deps import STATIC_DIR, StoreHolder, templates
from ipkg.api.errors import install_error_handlers
from ipkg.api.page_cache import PageCache
from ipkg.api.routes import entities, linked_data, network, pages, sparql
from ipkg.graph.sparql import SparqlEngine
from ipkg.settings import Settings

__all__ = ["create_app"]


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
        description="An open knowledge graph of Chinese national intellectual-property policy.",
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
    def api_docs() -> HTMLResponse:
        """The generated OpenAPI page, with Swagger UI served from /static (no CDN)."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="ipkg — API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    app.add_middleware(PageCache, build_key=lambda scope: scope["app"].state.store_holder.build_key())
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    return app


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
            await _plain(send, 414, f"the URL is longer than {self.max_bytes} bytes; POST the query instead")
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                too_large = int(length) > self.max_bytes
            except ValueError:
                await _plain(send, 400, "invalid Content-Length header")
                return
            if too_large:
                await _plain(send, 413, f"the request body is larger than {self.max_bytes} bytes")
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
                await _plain(send, 413, f"the request body is larger than {self.max_bytes} bytes")


async def _plain(send: Send, status: int, message: str) -> None:
    body = (message + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})

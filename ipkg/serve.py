"""``ipkg serve``: run the web application (SPARQL endpoint, linked data, pages) under uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipkg.settings import Settings

if TYPE_CHECKING:
    import uvicorn


def uvicorn_config(settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for ``create_app(settings)``: what ``serve`` runs, and the tests' servers.

    The HTTP parser stays httptools (uvicorn's default; h11 serves a third fewer entity pages a second).
    Its URL parser stops at 65,535 bytes, so a URL longer than that is its bare 400 rather than the app's
    414 that says to POST the query."""
    import uvicorn

    from ipkg.api.app import create_app

    return uvicorn.Config(create_app(settings), host=settings.host, port=settings.port, proxy_headers=False,
                          **options)


def serve(settings: Settings | None = None, *, log_level: str = "info") -> None:
    """Serve the app on ``settings.host:settings.port`` until interrupted."""
    import uvicorn

    uvicorn.Server(uvicorn_config(settings or Settings(), log_level=log_level, timeout_graceful_shutdown=5)).run()

"""``ipkg serve``: run the web application (SPARQL endpoint, linked data, pages) under uvicorn."""

from __future__ import annotations

from ipkg.settings import Settings


def serve(settings: Settings | None = None, *, log_level: str = "info") -> None:
    """Serve ``create_app(settings)`` on ``settings.host:settings.port`` until interrupted."""
    import uvicorn

    from ipkg.api.app import create_app

    settings = settings or Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level,
                proxy_headers=False, timeout_graceful_shutdown=5)

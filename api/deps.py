"""Dependencies, declared once: settings, the store, the SPARQL engine and the templates; and how a page
chooses between its HTML and its JSON twin."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader, pass_context

from ipkg.graph.catalogue import PAGE_OF_KIND
from ipkg.graph.sparql import NotAcceptable, SparqlEngine, UnknownFormat, negotiate
from ipkg.graph.store import Store, open_store
from ipkg.settings import Settings

__all__ = [
    "EngineDep",
    "SettingsDep",
    "StoreDep",
    "TEMPLATES_DIR",
    "STATIC_DIR",
    "get_engine",
    "get_settings",
    "get_store",
    "templates",
    "twin_url",
    "page_format",
    "page_media",
    "negotiated_page",
    "VARY",
]

TEMPLATES_DIR = Path(str(files("ipkg.api") / "templates"))
STATIC_DIR = Path(str(files("ipkg.api") / "static"))

# Used only while api/templates/base.html does not exist (the pages' layout owns it).
_FALLBACK_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}ipkg{% endblock %} · ipkg</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>{% block content %}{% endblock %}</main></body></html>
"""

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.loader = ChoiceLoader(
    [FileSystemLoader(str(TEMPLATES_DIR)), DictLoader({"base.html": _FALLBACK_BASE})]
)


def twin_url(request: Request, fmt: str = "json") -> str:
    """The link to this page's machine twin: the same query with ``format`` set to ``fmt`` and every other
    parameter kept (a bare ``?format=json`` would lead from /search?q=patent to the JSON of the empty search)."""
    params = [(key, value) for key, value in request.query_params.multi_items() if key != "format"]
    return "?" + urlencode([("format", fmt), *params])


PAGE_MEDIA = {"html": "text/html", "json": "application/json"}  # ?format= of a page -> media type
_KIND_OF_PAGE = {page: kind for kind, page in PAGE_OF_KIND.items()}


def rdf_twin(path: str) -> str | None:
    """The Turtle of the thing a page shows (``/agency/sipo`` -> ``/id/agency/sipo.ttl``); None for lists."""
    page, _, rest = path.strip("/").partition("/")
    return f"/id/{_KIND_OF_PAGE[page]}/{rest}.ttl" if page in _KIND_OF_PAGE and rest else None


def page_format(request: Request) -> str | None:
    """``?format=`` on a page: "html" or "json", None when absent; anything else is a 400 rather than a
    silent HTML page."""
    fmt = request.query_params.get("format", "").strip().lower()
    if not fmt:
        return None
    if fmt not in PAGE_MEDIA:
        twin = rdf_twin(request.url.path)
        rdf = f"this page's RDF is at {twin}" if twin else "RDF: the /id/... IRIs"
        raise UnknownFormat(f"unknown format {fmt!r} for pages; use format=json for the page's data or "
                            f"format=html ({rdf}, which also takes .jsonld, .nt, .rdf or ?format=)")
    return fmt


def page_media(request: Request) -> str | None:
    """How a page is asked for: "text/html", "application/json" (its JSON twin), or None when the Accept
    header takes neither. ``?format=`` wins; then the Accept header, by its q-values (browsers send
    ``*/*`` after text/html, so they get the page)."""
    fmt = page_format(request)
    if fmt is not None:
        return PAGE_MEDIA[fmt]
    return negotiate(request.headers.get("accept"), tuple(PAGE_MEDIA.values()))


@pass_context
def _twin_url(context: Any, fmt: str = "json") -> str:
    return twin_url(context["request"], fmt)


templates.env.globals["twin_url"] = _twin_url


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine(request: Request) -> SparqlEngine:
    return request.app.state.engine


class StoreHolder:
    """Opens the store on first use and re-opens it when a new build has been swapped in."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._key: str | None = None
        self._lock = threading.Lock()

    def _current_key(self) -> str:
        if self.settings.store == "oxigraph":
            return os.path.realpath(self.settings.store_dir)
        if self.settings.store == "memory":
            nt = self.settings.build_dir / "ipkg.nt"
            return f"{nt}:{nt.stat().st_mtime_ns if nt.exists() else 0}"
        return self.settings.store

    def build_key(self) -> str:
        """Names the build being served; changes when a new build is swapped in."""
        return self._current_key()

    def get(self) -> Store:
        with self._lock:
            key = self._current_key()
            if self._store is None or key != self._key:
                old, self._store = self._store, open_store(self.settings, read_only=True)
                self._key = key
                if old is not None:
                    old.close()
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


async def get_store(request: Request) -> Store:
    return request.app.state.store_holder.get()


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[SparqlEngine, Depends(get_engine)]


VARY = {"Vary": "Accept"}  # one URL, two representations: a shared cache must key on the Accept header


def negotiated_page(request: Request, data: dict[str, Any], status_code: int,
                    html: Callable[[], Response]) -> Response:
    """The page (``html()``) or its JSON twin, as the request asks; 406 when it accepts neither."""
    media = page_media(request)
    if media == "application/json":
        return JSONResponse(data, status_code=status_code, headers=VARY)
    if media is None:
        raise NotAcceptable("this page is available as text/html and application/json (?format=json)")
    return html()

"""Rendered pages are kept per build: the same URL is rendered once, a new build renders again."""

from __future__ import annotations

import httpx
import pytest

from ipkg.api.page_cache import PageCache


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        status = 404 if scope["path"].endswith("missing") else 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": f"render {self.calls}".encode()})


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def app():
    build = {"key": "build-1"}
    inner = Counting()
    return PageCache(inner, build_key=lambda scope: build["key"]), inner, build


async def get(app, path, accept="text/html"):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path, headers={"accept": accept})


async def test_same_page_is_rendered_once_per_build(app):
    cache, inner, build = app
    first, second = await get(cache, "/agency/sipo"), await get(cache, "/agency/sipo")
    assert first.text == second.text == "render 1" and inner.calls == 1
    build["key"] = "build-2"
    assert (await get(cache, "/agency/sipo")).text == "render 2"


async def test_errors_json_twins_and_other_routes_are_not_mixed_up(app):
    cache, inner, _ = app
    await get(cache, "/agency/missing")
    await get(cache, "/agency/missing")
    assert inner.calls == 2  # a 404 is never kept
    await get(cache, "/agency/spp")
    await get(cache, "/agency/spp", accept="application/json")
    assert inner.calls == 4  # the JSON twin is its own entry
    await get(cache, "/sparql")
    await get(cache, "/sparql")
    assert inner.calls == 6  # SPARQL answers are not cached

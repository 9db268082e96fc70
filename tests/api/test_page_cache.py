"""Rendered pages are kept per build: the same URL is rendered once, a new build renders again."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from ipkg.api.page_cache import PageCache


class Counting:
    """An ASGI app that says how many times it rendered."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            return
        self.calls += 1
        status = 404 if scope["path"].endswith("missing") else 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": f"render {self.calls}".encode()})


@pytest.fixture
def app():
    build = {"key": "build-1"}
    inner = Counting()
    # TestClient runs the app on its own thread and loop, whatever else the test session has running.
    client = TestClient(PageCache(inner, build_key=lambda scope: build["key"]))
    return client, inner, build


def test_same_page_is_rendered_once_per_build(app):
    client, inner, build = app
    first, second = client.get("/agency/sipo"), client.get("/agency/sipo")
    assert first.text == second.text == "render 1" and inner.calls == 1
    build["key"] = "build-2"
    assert client.get("/agency/sipo").text == "render 2"


def test_errors_json_twins_and_other_routes_are_not_mixed_up(app):
    client, inner, _ = app
    client.get("/agency/missing")
    client.get("/agency/missing")
    assert inner.calls == 2  # a 404 is never kept
    client.get("/agency/spp")
    client.get("/agency/spp", headers={"accept": "application/json"})
    assert inner.calls == 4  # the JSON twin is its own entry
    client.get("/sparql")
    client.get("/sparql")
    assert inner.calls == 6  # SPARQL answers are not cached

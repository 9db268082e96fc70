"""The generated OpenAPI page is served with a vendored Swagger UI: nothing from a CDN."""

from __future__ import annotations

import re

import httpx


def test_docs_page_loads_only_local_assets(server_url):
    page = httpx.get(f"{server_url}/docs")
    assert page.status_code == 200
    sources = re.findall(r"""<(?:script|link)\b[^>]*?(?:src|href)=["']([^"']+)["']""", page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for asset in sources:
        assert httpx.get(f"{server_url}{asset}").status_code == 200, asset


def test_openapi_documents_the_json_api(server_url):
    spec = httpx.get(f"{server_url}/openapi.json").json()
    assert {"/api/agencies/{agency_id}", "/api/documents"} & set(spec["paths"]) or any(
        p.startswith("/api/agencies/") for p in spec["paths"])


def test_docs_json_twin_is_the_openapi_document(server_url):
    twin = httpx.get(f"{server_url}/docs", params={"format": "json"})
    assert twin.status_code == 200
    assert twin.json() == httpx.get(f"{server_url}/openapi.json").json()

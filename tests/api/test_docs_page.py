"""The generated OpenAPI page is served with a vendored Swagger UI: nothing from a CDN."""

from __future__ import annotations

import re

import httpx
import pytest

from ipkg.graph.sparql import FORMATS


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


# ------------------------------------------------------------------ the SPARQL endpoint and the query page


def _operation(spec: dict, path: str, method: str) -> dict:
    return spec["paths"][path][method]


def _parameters(operation: dict) -> dict[str, dict]:
    return {p["name"]: p for p in operation.get("parameters", [])}


def test_openapi_documents_the_sparql_endpoint_parameters_and_bodies(server_url):
    """Regression: GET and POST /sparql listed no parameters and no body, so "Try it out" sent nothing (400)."""
    spec = httpx.get(f"{server_url}/openapi.json").json()
    get = _parameters(_operation(spec, "/sparql", "get"))
    assert get["query"]["required"] is True and get["query"]["in"] == "query"
    assert get["query"]["schema"]["type"] == "string"
    assert get["format"]["required"] is False
    assert get["format"]["schema"]["enum"] == list(FORMATS)
    post = _operation(spec, "/sparql", "post")
    body = post["requestBody"]["content"]
    assert set(body) == {"application/x-www-form-urlencoded", "application/sparql-query"}
    form = body["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["query"] and set(form["properties"]) == {"query", "format"}
    assert form["properties"]["format"]["enum"] == list(FORMATS)
    assert body["application/sparql-query"]["schema"]["type"] == "string"
    assert _parameters(post)["format"]["schema"]["enum"] == list(FORMATS)


def test_openapi_documents_the_sparql_endpoint_responses(server_url):
    spec = httpx.get(f"{server_url}/openapi.json").json()
    assert "Error" in spec["components"]["schemas"]
    media_types = {f.media_type for f in FORMATS.values()}
    for method in ("get", "post"):
        responses = _operation(spec, "/sparql", method)["responses"]
        assert set(responses["200"]["content"]) == media_types, method
        assert {"X-IPKG-Row-Limit", "X-IPKG-Result-Count", "X-IPKG-Truncated"} <= set(responses["200"]["headers"])
        for status in ("400", "403", "406", "413", "429", "503"):
            content = responses[status]["content"]
            assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (method, status)
            assert "text/plain" in content  # what a SPARQL client gets by default
    assert "415" in _operation(spec, "/sparql", "post")["responses"]


def test_openapi_documents_the_query_page(server_url):
    spec = httpx.get(f"{server_url}/openapi.json").json()
    get = _operation(spec, "/query", "get")
    params = _parameters(get)
    assert params["query"]["required"] is False and params["format"]["schema"]["enum"] == ["html", "json"]
    assert {"text/html", "application/json"} <= set(get["responses"]["200"]["content"])
    assert {"400", "403", "406", "429", "503"} <= set(get["responses"])
    post = _operation(spec, "/query", "post")
    form = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["query"]
    assert _parameters(post)["format"]["schema"]["enum"] == ["html", "json"]


def test_openapi_lists_the_404_of_an_id_in_the_query(server_url):
    """Regression: /api/compare?a=nope answers 404, which its operation did not list."""
    spec = httpx.get(f"{server_url}/openapi.json").json()
    compare = _operation(spec, "/api/compare", "get")["responses"]
    assert {"200", "400", "404"} <= set(compare)
    assert compare["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    for params in ({"a": "nope"}, {"agency": "nope"}, {"ip_type": "nope"}):
        assert httpx.get(f"{server_url}/api/compare", params=params, timeout=30).status_code == 404, params
    assert httpx.get(f"{server_url}/api/compare", params={"a": "Not an id"}).status_code == 400
    # free text and numbers name nothing: no 404 to list
    assert "404" not in _operation(spec, "/api/search", "get")["responses"]


@pytest.mark.browser
def test_try_it_out_on_the_sparql_endpoint(browser_page):
    """In /docs, "Try it out" on GET /sparql with a query (and on POST with a SPARQL body) gets a 200."""
    page = browser_page
    page.goto("/docs")
    get = page.locator("#operations-sparql-sparql_query_get")
    get.wait_for()
    get.locator(".opblock-summary").click()
    get.locator("button.try-out__btn").click()
    get.locator("tr[data-param-name=query] input").fill("SELECT * WHERE { ?s ?p ?o } LIMIT 2")
    get.locator("tr[data-param-name=format] select").select_option("csv")
    get.locator("button.execute").click()
    status = get.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "https://w3id.org/ipkg/" in get.locator(".live-responses-table .response .response-col_description").first.inner_text()

    post = page.locator("#operations-sparql-sparql_query_post")
    post.locator(".opblock-summary").click()
    post.locator("button.try-out__btn").click()
    post.locator("select.content-type").first.select_option("application/sparql-query")
    post.locator(".opblock-section-request-body textarea").fill("ASK { ?s ?p ?o }")
    post.locator("button.execute").click()
    status = post.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert page.console_errors == []

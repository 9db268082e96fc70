"""The query page at /query: its data (the JSON twin) and, in Chromium, the editor, results and links."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

SELECT = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
SELECT ?measure ?agency WHERE { ?measure ipkg:leadAgency ?agency } ORDER BY ?measure LIMIT 5"""
CONSTRUCT = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
CONSTRUCT { ?measure ipkg:leadAgency ?agency } WHERE { ?measure ipkg:leadAgency ?agency } LIMIT 5"""


def page_data(url: str, query: str | None = None) -> httpx.Response:
    params = {"query": query} if query is not None else {}
    return httpx.get(f"{url}/query", params=params, headers={"Accept": "application/json"}, timeout=30)


def test_page_data_for_a_select(server_url):
    r = page_data(server_url, SELECT)
    assert r.status_code == 200
    d = r.json()
    assert d["result"]["variables"] == ["measure", "agency"]
    first = d["result"]["rows"][0]
    assert first[0]["href"].startswith("/id/measure/") and first[1]["href"].startswith("/id/agency/")
    assert {x["key"] for x in d["result"]["downloads"]} == {"json", "xml", "csv", "tsv"}


def test_page_data_for_a_construct_links_to_the_network(server_url):
    d = page_data(server_url, CONSTRUCT).json()
    assert d["result"]["network_url"].startswith("/network/construct?query=")
    assert {x["key"] for x in d["result"]["downloads"]} == {"ttl", "nt", "jsonld", "rdf"}


def test_page_shows_errors_with_status(server_url):
    r = page_data(server_url, "SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    assert "line 1" in r.json()["error"]["message"]
    r = page_data(server_url, "DROP ALL")
    assert r.status_code == 403


def test_download_links_work(server_url):
    d = page_data(server_url, SELECT).json()
    for link in d["result"]["downloads"]:
        r = httpx.get(server_url + link["url"], timeout=30)
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == link["media_type"]


def test_html_escapes_results(server_url):
    query = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) }'
    r = httpx.get(f"{server_url}/query", params={"query": query}, timeout=30)
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


@pytest.mark.browser
def test_query_page_in_chromium(browser_page, server_url, artifacts, outside_requests):
    page = browser_page
    page.goto("/query")
    assert page.locator("textarea#query").is_visible()
    page.fill("textarea#query", SELECT)
    page.click("button#run")
    page.wait_for_selector("#results-table tbody tr")
    assert "query=" in page.url  # the result is a shareable link
    rows = page.locator("#results-table tbody tr")
    assert rows.count() == 5
    link = rows.first.locator("a").first
    assert link.get_attribute("href").startswith("/id/measure/")
    assert page.locator(".downloads a").count() == 4
    page.screenshot(path=str(artifacts / "query-page-select.png"), full_page=True)

    page.goto("/query?" + urlencode({"query": CONSTRUCT}))
    assert page.locator("a.network-link").get_attribute("href").startswith("/network/construct?query=")
    page.screenshot(path=str(artifacts / "query-page-construct.png"), full_page=True)

    # an example, one click away
    examples = page.locator("a.example")
    if examples.count():
        examples.first.click()
        page.wait_for_load_state()
        assert page.locator("#results, #query-error").count() == 1

    # Ctrl+Enter runs the editor's query
    page.goto("/query")
    page.fill("textarea#query", "ASK { ?s ?p ?o }")
    page.press("textarea#query", "Control+Enter")
    page.wait_for_selector("#ask-result")
    assert page.locator("#ask-result").inner_text() == "true"

    # following an entity link lands on a page for that entity
    page.goto("/query?" + urlencode({"query": SELECT}))
    page.locator("#results-table tbody tr").first.locator("a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(server_url + "/")
    assert outside_requests(page.requested_urls) == []

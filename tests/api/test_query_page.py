"""The query page at /query: its data (the JSON twin) and, in Chromium, the editor, results and links."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import URIRef

from ipkg.api.routes.linked_data import term_view
from ipkg.api.routes.sparql import LONG_QUERY

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


def test_whitespace_query_says_it_is_empty(server_url):
    """Regression: a whitespace-only query answered 200 with nothing said."""
    d = page_data(server_url, "  \n\t ").json()
    assert d["ran"] is False and d["result"] is None and d["error"] is None
    assert d["notice"].startswith("the query is empty")
    assert page_data(server_url, SELECT).json()["notice"] is None
    assert page_data(server_url).json()["notice"] is None  # no query at all: the editor with an example
    r = httpx.get(f"{server_url}/query", params={"query": "   "}, timeout=30)
    assert r.status_code == 200 and 'id="query-notice"' in r.text and "The query is empty" in r.text


TYPED = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?n ?p ?label WHERE { BIND(8 AS ?n) BIND(rdf:type AS ?p) BIND("eight"@en AS ?label) }"""


def test_typed_values_show_their_datatype_apart(server_url):
    """Regression: "8xsd:integer" (value and datatype run together), rdf:type as a full IRI."""
    n, p, label = page_data(server_url, TYPED).json()["result"]["rows"][0]
    assert (n["display"], n["datatype"], n["numeric"]) == ("8", "xsd:integer", True)
    assert n["datatype_iri"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert p["display"] == "rdf:type" and p["value"].endswith("22-rdf-syntax-ns#type")
    assert "numeric" not in label and label["lang"] == "en"
    html = httpx.get(f"{server_url}/query", params={"query": TYPED}, timeout=30).text
    assert re.search(r'<td class="num"><span class="literal">8</span> <small class="datatype"[^>]*>xsd:integer</small>', html)
    assert "rdf:type" in html


def test_term_view_shortens_the_standard_prefixes():
    for iri, short in [("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "rdf:type"),
                       ("http://www.w3.org/2000/01/rdf-schema#label", "rdfs:label"),
                       ("http://www.w3.org/2004/02/skos/core#prefLabel", "skos:prefLabel"),
                       ("http://purl.org/dc/terms/issued", "dcterms:issued"),
                       ("http://www.w3.org/ns/prov#wasDerivedFrom", "prov:wasDerivedFrom"),
                       ("http://www.w3.org/ns/org#Organization", "org:Organization"),
                       ("http://www.w3.org/2002/07/owl#Class", "owl:Class"),
                       ("https://w3id.org/ipkg/ontology#Measure", "ipkg:Measure"),
                       ("http://example.org/x", "http://example.org/x")]:
        assert term_view(URIRef(iri))["display"] == short


def test_query_page_answers_a_post(server_url):
    """The page's form posts a long query; POST /query is the page (and its JSON twin) as GET is."""
    got = page_data(server_url, SELECT).json()
    posted = httpx.post(f"{server_url}/query", data={"query": SELECT}, headers={"Accept": "application/json"},
                        timeout=30)
    assert posted.status_code == 200 and posted.json()["result"] == got["result"]
    twin = httpx.post(f"{server_url}/query?format=json", data={"query": SELECT}, timeout=30).json()
    assert twin["result"]["rows"] == got["result"]["rows"]
    html = httpx.post(f"{server_url}/query", data={"query": SELECT}, timeout=30)
    assert html.status_code == 200 and 'id="results-table"' in html.text
    bad = httpx.post(f"{server_url}/query", data={"query": "DROP ALL"}, headers={"Accept": "application/json"})
    assert bad.status_code == 403 and bad.json()["error"]["status"] == 403


def long_query(rows: int = 3) -> str:
    padding = "\n".join(f"# line {i} of a long comment that makes the query longer than a URL should be" for i in range(120))
    return f"{padding}\n{SELECT.replace('LIMIT 5', f'LIMIT {rows}')}"


def test_long_query_downloads_are_posted(server_url):
    query = long_query()
    assert len(query) > LONG_QUERY
    d = httpx.post(f"{server_url}/query", data={"query": query}, headers={"Accept": "application/json"},
                   timeout=30).json()
    assert len(d["result"]["rows"]) == 3
    for link in d["result"]["downloads"]:
        assert link["method"] == "POST" and "query=" not in link["url"]
        r = httpx.post(server_url + link["url"], data={"query": query}, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == link["media_type"]
    short = page_data(server_url, SELECT).json()["result"]["downloads"]
    assert {link["method"] for link in short} == {"GET"}


def test_select_star_columns_are_the_engines_order(server_url):
    # Oxigraph lists SELECT *'s variables sorted by name (SPARQL leaves the order open); the page keeps it
    d = page_data(server_url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1").json()
    assert d["result"]["variables"] == ["o", "p", "s"]


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


@pytest.mark.browser
def test_query_page_long_query_and_construct_example_in_chromium(browser_page, server_url, artifacts):
    """A long query is posted (its text kept in the editor, its downloads posted); a whitespace query is
    answered with a notice; the CONSTRUCT example offers the network."""
    page = browser_page
    query = long_query()
    page.goto("/query")
    page.fill("textarea#query", query)
    page.click("button#run")
    page.wait_for_selector("#results-table tbody tr")
    assert page.url == f"{server_url}/query"  # posted: the URL does not carry it
    assert page.locator("#results-table tbody tr").count() == 3
    assert page.input_value("textarea#query") == query
    with page.expect_download() as download:
        page.click("form.download button[data-format=csv]")
    assert download.value.path().read_text(encoding="utf-8").startswith("measure,agency")

    page.goto("/query")  # Ctrl+Enter posts a long query too
    page.fill("textarea#query", query)
    page.press("textarea#query", "Control+Enter")
    page.wait_for_selector("#results-table tbody tr")
    assert page.url == f"{server_url}/query"

    page.goto("/query")
    page.fill("textarea#query", "   ")
    page.click("button#run")
    assert "The query is empty" in page.locator("#query-notice").inner_text()

    page.goto("/query?" + urlencode({"query": TYPED}))
    assert page.locator("#results-table tbody td").first.inner_text() == "8 xsd:integer"
    page.screenshot(path=str(artifacts / "query-page-typed.png"), full_page=True)

    page.goto("/query")
    page.click("a.example[data-name=agency-partners]")
    page.wait_for_selector("#results-table tbody tr")
    page.click("a.network-link")
    page.wait_for_url(f"{server_url}/network/construct?*")
    assert page.console_errors == [] and page.failed_urls == []

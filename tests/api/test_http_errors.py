"""HTTP behaviour every route shares: HEAD answers like GET without a body, a 405 names every method of the
path, a bad id or parameter is the site's 404/400 page for browsers and the one JSON error shape for JSON
clients (always under /api/), unknown URLs get the error page, and every page's JSON twin keeps its query.

One regression test per defect of the HTTP audit, against live servers (no mocks)."""

from __future__ import annotations

import html
import re
import socket
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
ASK = "ASK { ?s ?p ?o }"
ERROR_KEYS = {"status", "error", "detail"}


def _media_type(r: httpx.Response) -> str:
    return r.headers.get("content-type", "").split(";")[0]


def _is_error_page(r: httpx.Response, status: int) -> bool:
    """The site's error template (its header and footer), not a bare JSON or text body."""
    return (r.status_code == status and _media_type(r) == "text/html" and '<header class="site">' in r.text
            and f"<h1>{status} —" in r.text)


def _is_json_error(r: httpx.Response, status: int) -> bool:
    if r.status_code != status or _media_type(r) != "application/json":
        return False
    body = r.json()
    return ERROR_KEYS <= set(body) and body["status"] == status and isinstance(body["detail"], str)


# ------------------------------------------------------------------ 1. HEAD answers like GET, without a body


@pytest.mark.parametrize(
    "path",
    ["/", "/agency/sipo", "/api/agencies/sipo", "/search?q=patent", "/compare?a=outline-2008&b=action-plan-2009",
     "/docs", "/openapi.json"],
)
def test_head_405_on_every_route_now_answers_like_get(server_url, path):
    get = httpx.get(server_url + path, timeout=30)
    head = httpx.head(server_url + path, timeout=30)
    assert get.status_code == 200
    assert head.status_code == 200, head.headers
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content)


@pytest.mark.parametrize(
    ("path", "headers", "media_type"),
    [
        ("/id/agency/sipo", {"Accept": "text/turtle"}, "text/turtle"),
        ("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", {}, "application/sparql-results+json"),
    ],
)
def test_head_on_linked_data_and_sparql(server_url, path, headers, media_type):
    head = httpx.head(server_url + path, headers=headers, timeout=30)
    assert head.status_code == 200
    assert _media_type(head) == media_type
    assert head.content == b""
    assert int(head.headers["content-length"]) > 0


def test_head_on_sparql_runs_the_query_once_and_reports_it(server_url):
    # the handler runs as for GET (one run: the result headers describe the query's answer)
    head = httpx.head(f"{server_url}/sparql", params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 3"}, timeout=30)
    assert head.status_code == 200
    assert head.headers["x-ipkg-result-count"] == "3"
    assert head.content == b""


def test_head_follows_get_for_browsers_and_errors(server_url):
    redirect = httpx.head(f"{server_url}/sparql", params={"query": ASK}, headers=BROWSER, timeout=30)
    assert redirect.status_code == 303 and redirect.headers["location"].startswith("/query?")
    missing = httpx.head(f"{server_url}/agency/no-such-agency", headers=BROWSER, timeout=30)
    assert missing.status_code == 404 and missing.content == b""


def test_head_sends_no_body_on_the_wire(server_url):
    host, port = urlsplit(server_url).hostname, urlsplit(server_url).port
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(b"HEAD /agency/sipo HTTP/1.1\r\nHost: test\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert int(re.search(rb"(?i)content-length: (\d+)", head)[1]) > 1000
    assert rest == b""


# ------------------------------------------------------------------ 2. a 405's Allow names every method


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_405_allow_header_lists_every_method_of_the_path(server_url, method):
    r = httpx.request(method, f"{server_url}/sparql", params={"query": ASK}, timeout=30)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD", "POST"}


def test_405_on_other_paths(server_url):
    r = httpx.delete(f"{server_url}/api/agencies", timeout=30)
    assert _is_json_error(r, 405)
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD"}
    page = httpx.post(f"{server_url}/agency/sipo", headers=BROWSER, timeout=30)
    assert _is_error_page(page, 405)
    assert {m.strip() for m in page.headers["allow"].split(",")} == {"GET", "HEAD"}
    static = httpx.put(f"{server_url}/static/style.css", timeout=30)
    assert static.status_code == 405
    assert {m.strip() for m in static.headers["allow"].split(",")} == {"GET", "HEAD"}


# ------------------------------------------------------------------ 3. a bad id or parameter: 404 / 400, never a raw 422


@pytest.mark.parametrize(
    ("path", "value"),
    [("/agency/SIPO", "SIPO"), ("/document/NOPE", "NOPE"), ("/measure/division-of-work-2016/%3Cb%3E", "<b>"),
     ("/ip-type/Patent", "Patent"), ("/lineage/Division/20", "Division"), ("/network/agency/SIPO", "SIPO")],
)
def test_raw_422_for_browsers_on_an_id_that_cannot_exist_is_a_404_page(server_url, path, value):
    r = httpx.get(server_url + path, headers=BROWSER, timeout=30)
    assert _is_error_page(r, 404), (r.status_code, r.text[:300])
    assert html.escape(value) in r.text and "<b>" not in r.text.split("<main>")[1]


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [("/search", {"q": "x" * 201}, "q"), ("/compare", {"a": "x" * 100, "b": "division-of-work-2016"}, "a"),
     ("/compare", {"a": "promotion-plan-2012", "agency": "SIPO!"}, "agency"),
     ("/network/agencies", {"min_weight": "0"}, "min_weight")],
)
def test_raw_422_for_browsers_on_a_bad_query_parameter_is_a_400_page(server_url, path, params, name):
    r = httpx.get(server_url + path, params=params, headers=BROWSER, timeout=30)
    assert _is_error_page(r, 400), (r.status_code, r.text[:300])
    assert f"parameter &#39;{name}&#39;" in r.text


@pytest.mark.parametrize(
    ("path", "params", "headers", "status", "loc"),
    [
        ("/api/agencies/SIPO", {}, {}, 404, ["path", "agency_id"]),
        ("/api/measures/division-of-work-2016/%3Cb%3E", {}, JSON, 404, ["path", "label"]),
        ("/api/search", {"q": "x" * 201}, JSON, 400, ["query", "q"]),
        ("/api/search", {"q": "patent", "limit": "0"}, {}, 400, ["query", "limit"]),
        ("/document/NOPE", {"format": "json"}, {}, 404, ["path", "slug"]),
        ("/search", {"q": "x" * 201}, JSON, 400, ["query", "q"]),
    ],
)
def test_json_clients_get_the_one_error_shape_for_bad_parameters(server_url, path, params, headers, status, loc):
    r = httpx.get(server_url + path, params=params, headers=headers, timeout=30)
    assert _is_json_error(r, status), (r.status_code, r.text[:300])
    assert [e["loc"] for e in r.json()["errors"]] == [loc]


@pytest.mark.parametrize("path", ["/", "/agency/sipo", "/network/agencies", "/query"])
def test_an_unknown_page_format_is_a_400_not_a_silent_html_page(server_url, path):
    r = httpx.get(server_url + path, params={"format": "ttl"}, headers=BROWSER, timeout=30)
    assert _is_error_page(r, 400), (r.status_code, r.text[:300])
    assert "format=json" in r.text and "/id/" in r.text
    if path == "/agency/sipo":  # a page of one thing names its RDF, which is there
        assert "/id/agency/sipo.ttl" in r.text
        assert httpx.get(server_url + "/id/agency/sipo.ttl", timeout=30).headers["content-type"].startswith(
            "text/turtle")
    assert _is_json_error(httpx.get(server_url + path, params={"format": "ttl"}, headers=JSON, timeout=30), 400)
    # the two formats pages do have, in any case
    assert httpx.get(server_url + path, params={"format": "JSON"}, timeout=30).headers["content-type"].startswith(
        "application/json")
    html = httpx.get(server_url + path, params={"format": "html"}, headers=JSON, timeout=30)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")


def test_openapi_documents_the_errors_really_answered(server_url):
    spec = httpx.get(f"{server_url}/openapi.json", timeout=30).json()
    assert "422" not in str([op["responses"] for item in spec["paths"].values() for op in item.values()])
    assert "404" in spec["paths"]["/api/agencies/{agency_id}"]["get"]["responses"]
    assert "400" in spec["paths"]["/api/search"]["get"]["responses"]
    assert ERROR_KEYS <= set(spec["components"]["schemas"]["Error"]["properties"])


# ------------------------------------------------------------------ 4. unknown URLs; /api/ errors always JSON


@pytest.mark.parametrize("path", ["/nope", "/measure/outline-2008/..%2F..%2Fetc", "/agency/sipo/extra"])
def test_unknown_route_json_for_browsers_is_now_the_error_page(server_url, path):
    r = httpx.get(server_url + path, headers=BROWSER, timeout=30)
    assert _is_error_page(r, 404), (r.status_code, r.text[:300])
    assert '"detail"' not in r.text


@pytest.mark.parametrize("accept", [None, "*/*", "text/plain", "text/html"])
@pytest.mark.parametrize("path", ["/api/agencies/nope", "/api/nope", "/api/agencies/SIPO"])
def test_api_404_text_plain_without_accept_is_now_json(server_url, path, accept):
    with httpx.Client(timeout=30) as client:
        del client.headers["accept"]
        r = client.get(server_url + path, headers={"Accept": accept} if accept else {})
    assert _is_json_error(r, 404), (r.status_code, r.headers.get("content-type"), r.text[:200])


def test_errors_elsewhere_are_content_negotiated(server_url):
    # a SPARQL client (or curl) keeps the plain-text message it prints as is
    r = httpx.get(f"{server_url}/sparql", params={"query": "SELECT ?s WHERE {"}, timeout=30)
    assert r.status_code == 400 and _media_type(r) == "text/plain"
    # an unknown URL: the error page for browsers, JSON for JSON clients, text for those that want only text
    assert _is_json_error(httpx.get(f"{server_url}/nope", headers=JSON, timeout=30), 404)
    text = httpx.get(f"{server_url}/nope", headers={"Accept": "text/plain"}, timeout=30)
    assert text.status_code == 404 and _media_type(text) == "text/plain" and "/nope" in text.text
    # a page's errors are the error page even when the client names no type
    assert _is_error_page(httpx.get(f"{server_url}/agency/no-such-agency", timeout=30), 404)


def test_api_errors_from_the_size_limits_are_json(limited_server_url):
    r = httpx.get(f"{limited_server_url}/api/search", params={"q": "x" * 5_000}, timeout=30)
    assert _is_json_error(r, 414)
    r = httpx.post(f"{limited_server_url}/api/documents", content=b"x" * 5_000, timeout=30)
    assert _is_json_error(r, 413)
    # the SPARQL endpoint's clients keep plain text
    r = httpx.get(f"{limited_server_url}/sparql", params={"query": ASK + " #" + "x" * 5_000}, timeout=30)
    assert r.status_code == 414 and _media_type(r) == "text/plain"


# ------------------------------------------------------------------ 5. the JSON twin link keeps the query


def _twin(server_url: str, path: str) -> str:
    page = httpx.get(server_url + path, headers=BROWSER, timeout=30)
    assert page.status_code == 200
    href = re.search(r'machine twin: <a href="([^"]+)">JSON</a>', page.text)[1]
    return urljoin(server_url + path, html.unescape(href))


def test_footer_json_link_dropping_the_query_now_keeps_it(server_url):
    twin = _twin(server_url, "/search?q=patent")
    assert parse_qs(urlsplit(twin).query) == {"q": ["patent"], "format": ["json"]}
    assert httpx.get(twin, timeout=30).json()["q"] == "patent"

    twin = _twin(server_url, "/compare?a=outline-2008&b=action-plan-2009")
    data = httpx.get(twin, timeout=30).json()
    assert (data["earlier"]["slug"], data["later"]["slug"]) == ("outline-2008", "action-plan-2009")


def test_footer_json_link_replaces_only_format(server_url):
    twin = _twin(server_url, "/network/agencies?min_weight=5&format=html")
    assert parse_qs(urlsplit(twin).query) == {"min_weight": ["5"], "format": ["json"]}
    assert httpx.get(twin, timeout=30).json()["min_weight"] == 5
    assert parse_qs(urlsplit(_twin(server_url, "/agency/sipo")).query) == {"format": ["json"]}

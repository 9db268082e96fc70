"""The public endpoint is read-only and bounded: refusals are clear 4xx, never a 500 or a hung worker."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from ipkg.graph.sparql import FeatureNotAllowed, QuerySyntaxError, UpdateNotAllowed, analyse

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
UPDATES = [
    'INSERT DATA { <urn:a> <urn:b> "c" }',
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <urn:g>",
    "PREFIX x: <urn:x:> INSERT { ?s x:p 1 } WHERE { ?s ?p ?o }",
]


def get(url: str, query: str, **kw) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, timeout=30, **kw)


# ----------------------------------------------------------------- the analysis alone (no server)


@pytest.mark.parametrize("update", UPDATES)
def test_analyse_refuses_updates(update):
    with pytest.raises(UpdateNotAllowed):
        analyse(update)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:8000/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE ?svc { ?s ?p ?o } } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } FROM <http://example.org/x> WHERE { ?s ?p ?o }",
    "ASK FROM <file:///etc/hosts> { ?s ?p ?o }",
])
def test_analyse_refuses_service_and_from(query):
    with pytest.raises(FeatureNotAllowed):
        analyse(query)


def test_analyse_reports_line_and_column():
    with pytest.raises(QuerySyntaxError) as info:
        analyse("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}")
    assert info.value.line == 4 and info.value.column is not None


def test_analyse_classifies():
    assert analyse("SELECT * WHERE { ?s ?p ?o }").kind == "results"
    assert analyse("ASK { ?s ?p ?o }").form == "ask"
    assert analyse("DESCRIBE <urn:x>").kind == "graph"
    assert analyse("CONSTRUCT WHERE { ?s ?p ?o }").form == "construct"


# ----------------------------------------------------------------- refusals over HTTP


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_403(limited_server_url, update):
    assert get(limited_server_url, update).status_code == 403
    r = httpx.post(f"{limited_server_url}/sparql", content=update.encode(),
                   headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    r = httpx.post(f"{limited_server_url}/sparql", data={"update": update})
    assert r.status_code == 403
    assert "read-only" in r.text


def test_service_is_refused(limited_server_url):
    r = get(limited_server_url, f"SELECT * WHERE {{ SERVICE <{limited_server_url}/sparql> {{ ?s ?p ?o }} }}")
    assert r.status_code == 400
    assert "SERVICE" in r.text


def test_from_file_is_refused(limited_server_url):
    r = get(limited_server_url, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert r.status_code == 400
    assert "FROM" in r.text and "root:" not in r.text


def test_runaway_query_times_out_and_the_server_stays_up(limited_server_url):
    started = time.monotonic()
    r = get(limited_server_url, RUNAWAY)
    elapsed = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert "time limit" in r.text
    assert elapsed < 10
    # the killed worker is replaced: the next queries work
    for _ in range(3):
        ok = get(limited_server_url, "ASK { ?s ?p ?o }", headers={"Accept": "application/json"})
        assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_huge_result_is_capped(limited_server_url):
    r = get(limited_server_url, "SELECT * WHERE { ?s ?p ?o }", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 20
    assert r.headers["x-ipkg-truncated"] == "true"
    assert r.headers["x-ipkg-row-limit"] == "20"
    r = get(limited_server_url, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len([line for line in r.text.splitlines() if line.strip()]) == 20
    assert r.headers["x-ipkg-truncated"] == "true"
    small = get(limited_server_url, "SELECT * WHERE { ?s ?p ?o } LIMIT 3", headers={"Accept": "application/json"})
    assert "x-ipkg-truncated" not in small.headers


def test_oversized_requests(limited_server_url):
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5_000
    r = httpx.post(f"{limited_server_url}/sparql", content=big.encode(),
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = httpx.post(f"{limited_server_url}/sparql", data={"query": big})
    assert r.status_code == 413

    def chunks():  # no Content-Length: the body is counted as it streams
        for _ in range(10):
            yield b"#" + b"y" * 999

    r = httpx.post(f"{limited_server_url}/sparql", content=chunks(),
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert get(limited_server_url, big).status_code == 414


def test_too_many_concurrent_queries(limited_server_url):
    statuses: list[int] = []
    retry_after: list[str | None] = []

    def run() -> None:
        r = get(limited_server_url, RUNAWAY)
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry_after.append(r.headers.get("retry-after"))

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert 429 in statuses, statuses
    assert set(statuses) <= {429, 503}, statuses
    assert retry_after and set(retry_after) == {"2"}  # busy, not broken: worth a retry shortly
    time.sleep(0.5)
    ok = get(limited_server_url, "ASK { ?s ?p ?o }", headers={"Accept": "application/json"})
    assert ok.status_code == 200


@pytest.mark.parametrize("query", [
    "(" * 3000,
    "SELECT * WHERE { " + "{ " * 500 + "?s ?p ?o" + " }" * 500 + " }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o > \"x\"^^<http://www.w3.org/2001/XMLSchema#integer>) }",
    "SELECT (1/0 AS ?x) WHERE {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
    "\x00\x01",
    "SELECT * WHERE { ?s <http://example.org/a b> ?o }",
    "PREFIX : <x> SELECT * { ?s :p ?o }",
])
def test_bad_input_never_gives_500(limited_server_url, query):
    r = get(limited_server_url, query)
    assert r.status_code < 500 or r.status_code == 503, (r.status_code, r.text)
    assert r.status_code != 500


def test_invalid_utf8_body_is_400(limited_server_url):
    r = httpx.post(f"{limited_server_url}/sparql", content=b"SELECT * WHERE { ?s ?p \xff }",
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400

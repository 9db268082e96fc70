"""Results within a byte budget, one serialiser for the endpoint and the CLI, queries that ask nothing, and
the HTTP semantics a cache or a browser client relies on: ``Vary: Accept``, q-values, CORS."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ipkg.graph import result_formats
from ipkg.graph.result_formats import ResultTooLarge, serialise_rows, take
from ipkg.graph.sparql import FORMATS, QuerySyntaxError, SparqlEngine, analyse
from ipkg.graph.sparql import ResultTooLarge as EndpointResultTooLarge
from ipkg.graph.store import QueryResult, serialise_result
from ipkg.settings import Settings

from .conftest import fixture_data_dir

SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


# ------------------------------------------------------------------------------ the byte budget


def test_take_stops_at_the_row_cap_or_the_byte_budget_whichever_comes_first():
    rows = [[Literal("x" * 100)] for _ in range(50)]
    assert take(rows, 10) == (rows[:10], True)
    assert take(rows, 100) == (rows, False)
    kept, truncated = take(rows, 100, max_bytes=1_000)
    assert truncated and 8 <= len(kept) <= 10
    with pytest.raises(ResultTooLarge, match="one result row holds"):
        take([[Literal("x" * 5_000)]], 100, max_bytes=1_000)


@pytest.fixture(scope="module")
def small_budget_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlEngine]:
    data = fixture_data_dir(tmp_path_factory.mktemp("budget-data"))
    engine = SparqlEngine(Settings(data_dir=data, max_result_bytes=3_000, max_concurrent_queries=1))
    yield engine
    engine.close()


def test_a_result_over_the_byte_budget_is_cut_and_flagged(small_budget_engine):
    engine = small_budget_engine
    total = int(json.loads(engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").body)
                ["results"]["bindings"][0]["n"]["value"])
    raw = engine.run(analyse("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"), FORMATS["json"])
    assert raw.truncated and 0 < raw.count < total
    assert len(raw.body) < 3 * 3_000  # the JSON's own markup on top of the terms' text
    graph = engine.run(analyse("CONSTRUCT WHERE { ?s ?p ?o }"), FORMATS["nt"])
    assert graph.truncated and 0 < graph.count < total


def test_one_row_over_the_byte_budget_is_a_clear_error_not_a_huge_answer(small_budget_engine):
    # one row, the whole graph's text: the row cap alone let 85 MB through on the real corpus
    concat = "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) ?x ?y ?z }"
    with pytest.raises(EndpointResultTooLarge, match="SUBSTR"):
        small_budget_engine.run(analyse(concat), FORMATS["csv"])


# ------------------------------------------------------------------------------ one serialiser


ROW = [URIRef("http://example.org/a"), Literal("two\tcells\nand two lines", lang="en"),
       Literal("8", datatype=XSD.integer), BNode("b1"), None]
VARIABLES = ["s", "text", "n", "node", "unbound"]


def test_tsv_writes_each_row_on_one_line_with_turtle_terms():
    body = serialise_rows(VARIABLES, [ROW], "tsv").decode()
    header, row, end = body.split("\n")
    assert header == "?s\t?text\t?n\t?node\t?unbound" and end == ""
    assert row.split("\t") == ["<http://example.org/a>", '"two\\tcells\\nand two lines"@en',
                               f'"8"^^<{XSD.integer}>', "_:b1", ""]


def test_the_cli_writes_what_the_endpoint_writes():
    # ipkg query -f goes through store.serialise_result; the workers through result_formats: the same bytes
    rows = QueryResult("select", variables=VARIABLES, rows=[tuple(ROW)])
    for key in ("json", "xml", "csv", "tsv"):
        fmt = FORMATS[key]
        assert serialise_result(rows, fmt.media_type) == serialise_rows(VARIABLES, [ROW], key), key
        ask = QueryResult("ask", boolean=True)
        assert serialise_result(ask, fmt.media_type) == result_formats.serialise_boolean(True, key), key
    assert serialise_result(QueryResult("ask", boolean=False), "text/csv") == b"_askResult\nfalse\n"


# ------------------------------------------------------------------------------ queries that ask nothing


@pytest.mark.parametrize("text, message", [
    ("# just a comment", "only comments"),
    ("PREFIX ex: <http://example.org/>", "only PREFIX/BASE"),
    ("PREFIX ex: <http://example.org/>\n# nothing yet\nBASE <http://example.org/>", "only PREFIX/BASE"),
    ("SELEC * WHERE { ?s ?p ?o }", "starts with SELECT, ASK, CONSTRUCT or DESCRIBE"),
    ("PREFIX ex: <http://example.org/>\nselct * WHERE { ?s ?p ?o }", "not 'selct'"),
])
def test_a_text_that_asks_nothing_is_a_syntax_error_not_a_refused_update(text, message):
    # rdflib parses a prologue alone as an empty update: it was refused as "read-only" (403)
    with pytest.raises(QuerySyntaxError, match=message):
        analyse(text)


def test_the_endpoint_answers_a_comment_with_400(server_url):
    r = httpx.get(f"{server_url}/sparql", params={"query": "# just a comment"}, timeout=60)
    assert r.status_code == 400 and "only comments" in r.text


# ------------------------------------------------------------------------------ HTTP semantics


def test_pages_negotiate_by_q_values_and_say_so_in_vary(server_url):
    def media(accept: str) -> tuple[int, str, str]:
        r = httpx.get(f"{server_url}/documents", headers={"Accept": accept}, timeout=60)
        vary = {v.strip() for v in r.headers.get("vary", "").split(",")}
        return r.status_code, r.headers["content-type"].split(";")[0], "Accept" if "Accept" in vary else ""

    assert media("text/html,application/xhtml+xml,*/*;q=0.8") == (200, "text/html", "Accept")
    assert media("application/json") == (200, "application/json", "Accept")
    # the client prefers JSON and tolerates HTML: JSON (it used to get HTML whenever text/html was named)
    assert media("application/json, text/html;q=0.1") == (200, "application/json", "Accept")
    assert media("text/html;q=0.5, application/json;q=0.9")[1] == "application/json"
    assert media("application/json;q=0, text/html")[1] == "text/html"
    assert media("image/png")[0] == 406
    # the page cache keys on the representation: the same URL right after in the other one
    assert media("application/json")[1] == "application/json" and media("text/html")[1] == "text/html"


def test_the_query_page_negotiates_as_the_other_pages(server_url):
    r = httpx.get(f"{server_url}/query", headers={"Accept": "application/json, text/html;q=0.1"}, timeout=60)
    assert r.headers["content-type"].startswith("application/json") and "Accept" in r.headers["vary"]


def test_any_origin_may_query_the_endpoint(server_url):
    origin = {"Origin": "https://notebook.example.org"}
    preflight = httpx.options(f"{server_url}/sparql", timeout=60, headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    r = httpx.get(f"{server_url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60,
                  headers={**origin, "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert "X-IPKG-Result-Count" in r.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in r.headers


# ------------------------------------------------------------------------------ cut results say so


def test_an_id_page_says_when_it_lists_only_the_first_references(server_url):
    # 2,155 measures point at the relation "continues"; the page lists 500 and links to the rest
    r = httpx.get(f"{server_url}/id/lineage-relation/continues", params={"format": "json"}, timeout=60)
    page = r.json()
    assert len(page["incoming"]) == 500 and page["incoming_more"].startswith("/query?")
    every = httpx.get(f"{server_url}{page['incoming_more']}&format=json", timeout=60).json()
    assert every["result"]["count"] > 500 or every["result"]["truncated"]
    few = httpx.get(f"{server_url}/id/document/outline-2008", params={"format": "json"}, timeout=60).json()
    assert 0 < len(few["incoming"]) < 500 and "incoming_more" not in few


def test_the_construct_network_says_when_the_result_was_cut(limited_server_url):
    # the limited server returns at most 20 rows: the whole graph is cut, and the page says so
    data = httpx.get(f"{limited_server_url}/network/construct", timeout=60,
                     params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "json"}).json()
    assert any("cut at 20 triples" in n for n in data["notes"])
    whole = httpx.get(f"{limited_server_url}/network/construct", timeout=60, params={
        "query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "format": "json"}).json()
    assert not any("cut at" in n for n in whole["notes"])

"""Regressions of the /id/... audit: unknown IRIs are 404s that take no query slot, entities redirect to
their own pages, malformed IRIs are 404s (never a SPARQL error), and an unknown ``?format=`` is a 400."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import unquote

import httpx
import pyoxigraph
import pytest
from rdflib import Graph, URIRef

from ipkg.api.routes.linked_data import label_search
from ipkg.graph.queries import sparql_string
from ipkg.graph.resource_index import iri_of
from ipkg.graph.sparql import analyse

ID = "https://w3id.org/ipkg/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
# (IRI path, the entity's own page) for every kind that has one
ENTITY_PAGES = [
    ("document/outline-2008", "/document/outline-2008"),
    ("section/division-of-work-2016/II.ii", "/section/division-of-work-2016/II.ii"),
    ("measure/division-of-work-2016/20", "/measure/division-of-work-2016/20"),
    ("measure/fyp13-plan-2016/IV.i.1", "/measure/fyp13-plan-2016/IV.i.1"),
    ("agency/sipo", "/agency/sipo"),
    ("law/patent-law", "/instrument/patent-law"),
    ("ip-type/patent", "/ip-type/patent"),
]
RDF_ACCEPTS = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
SUFFIXES = [(".ttl", "text/turtle", "turtle"), (".jsonld", "application/ld+json", "json-ld"),
            (".nt", "application/n-triples", "nt"), (".rdf", "application/rdf+xml", "xml")]
UNKNOWN = ["/id/foo", "/id/agency/nope", "/id/measure/outline-2008/999", "/id/topic/no-such-topic",
           "/id/law/no-such-law", "/id/section/nope/I", "/id/document/nope", "/id/nothing/at/all"]


def get(url: str, path: str, accept: str | None = None, **kw) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{url}{path}", headers=headers, timeout=60, **kw)


def sparql(url: str, query: str) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=60)


# ------------------------------------------------------------- 1. unknown IRIs: 404s without a query slot


@pytest.mark.parametrize("server", ["server_url", "limited_server_url"])
def test_unknown_iris_are_404s_that_leave_the_engine_free(request, server):
    url = request.getfixturevalue(server)
    paths = UNKNOWN[:8]
    with ThreadPoolExecutor(max_workers=10) as pool:
        missing = [pool.submit(get, url, path, BROWSER) for path in paths]
        real = pool.submit(sparql, url, "SELECT ?p WHERE { ?s ?p ?o } LIMIT 3")
        described = pool.submit(get, url, "/id/agency/sipo.ttl")
        statuses = {path: f.result().status_code for path, f in zip(paths, missing, strict=True)}
        assert statuses == dict.fromkeys(paths, 404)
        assert real.result().status_code == 200
        assert described.result().status_code == 200
    for f in missing:
        page = f.result()
        assert page.headers["content-type"].startswith("text/html")
        assert "is not in the graph" in page.text


def test_linked_data_answers_while_every_query_slot_is_taken(limited_server_url):
    """With both slots of the limited server busy (a probe query gets 429), unknown IRIs still get 404 and
    known ones their description."""
    url = limited_server_url
    runaways = [threading.Thread(target=sparql, args=(url, RUNAWAY)) for _ in range(2)]
    for t in runaways:
        t.start()
    try:
        busy = False
        for _ in range(200):  # until the runaway queries hold both slots
            if sparql(url, "ASK { ?s ?p ?o }").status_code == 429:
                busy = True
                break
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda p: get(url, p, BROWSER), UNKNOWN))
        assert [a.status_code for a in answers] == [404] * len(UNKNOWN)
        assert get(url, "/id/agency/nope", "text/turtle").status_code == 404
        # and known ones are described: /id/ queries the store itself, not through the endpoint's slots
        described = get(url, "/id/agency/sipo.ttl")
        assert described.status_code == 200 and "skos:prefLabel" in described.text
        assert get(url, "/id/agency/sipo", "application/json").json()["iri"].endswith("/id/agency/sipo")
        assert "void:triples" in get(url, "/id/", "text/turtle").text
        assert busy, "the runaway queries never took both slots; the check above proved nothing"
    finally:
        for t in runaways:
            t.join(60)
    for _ in range(50):  # leave the shared server with its workers back
        if sparql(url, "ASK { ?s ?p ?o }").status_code == 200:
            break


def test_not_found_page_suggests_siblings_from_memory(server_url):
    r = get(server_url, "/id/agency/sipoo", BROWSER)
    assert r.status_code == 404
    similar = re.findall(r'<ul class="similar">(.*?)</ul>', r.text, re.S)
    assert similar and 'href="/id/agency/sipo"' in similar[0]
    r = get(server_url, "/id/measure/division-of-work-2016/200", BROWSER)
    assert r.status_code == 404 and 'href="/id/measure/division-of-work-2016/20"' in r.text
    r = get(server_url, "/id/topic/ip-apraisal", BROWSER)  # a concept scheme's members
    assert r.status_code == 404 and 'href="/id/topic/ip-appraisal"' in r.text
    r = get(server_url, "/id/foo", BROWSER)
    assert r.status_code == 404 and 'href="/id/document/' in r.text


def test_not_found_search_link_is_a_valid_query(limited_server_url):
    r = get(limited_server_url, "/id/agency/it's-(spp)", BROWSER)
    assert r.status_code == 404
    link = re.search(r'href="(/query\?query=[^"]*)"', r.text)
    assert link
    query = unquote(unescape(link.group(1)).split("query=", 1)[1])
    assert analyse(query).form == "select"
    assert sparql(limited_server_url, query).status_code == 200


# ------------------------------------------------------------- 2. entities redirect to their own pages


@pytest.mark.parametrize(("path", "page"), ENTITY_PAGES)
def test_entity_iris_redirect_browsers_to_their_page(server_url, path, page):
    for query in ("", "?format=html"):
        r = get(server_url, f"/id/{path}{query}", BROWSER, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert r.headers["location"] == page
        assert "Accept" in r.headers["vary"]
    landed = get(server_url, page, BROWSER)
    assert landed.status_code == 200 and landed.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("path", "page"), ENTITY_PAGES)
@pytest.mark.parametrize(("accept", "fmt"), RDF_ACCEPTS)
def test_entity_iris_give_rdf_to_rdf_clients(server_url, path, page, accept, fmt):
    r = get(server_url, f"/id/{path}", accept, follow_redirects=False)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    assert (URIRef(ID + path), None, None) in Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize(("path", "page"), ENTITY_PAGES)
@pytest.mark.parametrize(("suffix", "media_type", "fmt"), SUFFIXES)
def test_entity_iris_with_suffixes_give_rdf_even_to_browsers(server_url, path, page, suffix, media_type, fmt):
    r = get(server_url, f"/id/{path}{suffix}", BROWSER, follow_redirects=False)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert (URIRef(ID + path), None, None) in Graph().parse(data=r.content, format=fmt)


def test_every_listed_entity_redirects_to_its_listed_page(server_url):
    for listing, key in (("documents", "documents"), ("agencies", "agencies"), ("instruments", "instruments"),
                         ("ip-types", "ip_types")):
        items = httpx.get(f"{server_url}/api/{listing}", timeout=60).json()[key]
        assert items, listing
        for item in items:
            iri = item["iri"]
            r = get(server_url, "/id/" + iri[len(ID):], BROWSER, follow_redirects=False)
            assert (r.status_code, r.headers.get("location")) == (303, item["url"]), iri


def test_iris_without_a_page_get_the_generic_page(server_url):
    for path in ("/id/role/lead", "/id/topic/ip-appraisal"):
        r = get(server_url, path, BROWSER, follow_redirects=False)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    r = get(server_url, "/id/agency/sipo", "application/json")  # the JSON twin stays the generic page's data
    assert r.status_code == 200 and r.json()["iri"] == ID + "agency/sipo"


# ------------------------------------------------------------- 3. malformed IRIs: 404, never a query error


@pytest.mark.parametrize("path", ["/id/agency/%25", "/id/agency/a%25zz", "/id/%25", "/id/agency/%2541",
                                  "/id/agency/sipo%25", "/id/agency/%25.ttl", "/id/agency/a%20b", "/id/agency/a%5Cb"])
@pytest.mark.parametrize("accept", [BROWSER, "text/turtle", "application/json", "text/plain"])
def test_malformed_iris_are_404(limited_server_url, path, accept):
    r = get(limited_server_url, path, accept)
    assert r.status_code == 404, r.text
    assert "syntax error" not in r.text.lower() and "parsing failed" not in r.text


def test_no_character_in_an_iri_reaches_a_query(limited_server_url):
    """Every ASCII character, percent-encoded inside a segment: a 404 (no such IRI), never a 400 or 500."""
    for code in range(32, 127):
        r = get(limited_server_url, f"/id/agency/s%{code:02X}pp", "text/plain")
        assert r.status_code == 404, (chr(code), r.status_code, r.text)
        assert "SPARQL" not in r.text, chr(code)


def test_iri_of_accepts_only_paths_a_minted_iri_can_have():
    assert iri_of("agency/sipo") == ID + "agency/sipo"
    assert iri_of("measure/fyp13-plan-2016/SC3.2") == ID + "measure/fyp13-plan-2016/SC3.2"
    for bad in ("", "agency/%", "agency/%41", "a b", "a>b", 'a"b', "a{b", "a\\b", "a#b", "a?b", "agency/é"):
        assert iri_of(bad) is None, bad


@pytest.mark.parametrize("text", ['a"b', "a'b", "a\\b", 'x") } DROP ALL #', "line\nbreak", "tab\there", ""])
def test_text_enters_queries_only_as_an_escaped_literal(text):
    query = f"SELECT ?x WHERE {{ BIND({sparql_string(text)} AS ?x) }}"
    assert analyse(query).form == "select"
    assert [row["x"].value for row in pyoxigraph.Store().query(query)] == [text]
    assert analyse(label_search(text)).form == "select"


# ------------------------------------------------------------- 4. an unknown ?format= is a 400


@pytest.mark.parametrize("fmt", ["bogus", "csv", "xml", "tsv", "html5"])
@pytest.mark.parametrize("path", ["/id/agency/sipo", "/id/agency/sipo.ttl", "/id/agency/nope"])
def test_unknown_format_is_400_listing_the_formats(server_url, fmt, path):
    r = get(server_url, f"{path}?format={fmt}", "text/plain")
    assert r.status_code == 400, r.text
    assert fmt in r.text
    for key in ("ttl", "jsonld", "nt", "rdf", "json"):
        assert key in r.text
    r = get(server_url, f"{path}?format={fmt}", "application/json")
    assert r.status_code == 400 and r.json()["error"] == "UnknownFormat"


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("ttl", "text/turtle"), ("turtle", "text/turtle"), ("TTL", "text/turtle"), ("nt", "application/n-triples"),
    ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"), ("json", "application/json"),
])
def test_known_formats_are_served(server_url, fmt, media_type):
    r = get(server_url, f"/id/agency/sipo?format={fmt}", BROWSER, follow_redirects=False)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type

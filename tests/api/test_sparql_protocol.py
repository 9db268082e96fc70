"""The SPARQL 1.1 Protocol at /sparql, request by request against a live server, and two real clients."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from rdflib import Graph, URIRef

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?agency ?label WHERE { ?agency a <http://www.w3.org/ns/org#Organization> ; skos:prefLabel ?label }
ORDER BY ?agency LIMIT 5"""
CONSTRUCT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?a skos:prefLabel ?l } WHERE {
  VALUES ?a { <https://w3id.org/ipkg/id/agency/spp> <https://w3id.org/ipkg/id/agency/sipo> }
  ?a a <http://www.w3.org/ns/org#Organization> ; skos:prefLabel ?l }"""
ASK = "ASK { <https://w3id.org/ipkg/id/agency/spp> ?p ?o }"
SPP = "https://w3id.org/ipkg/id/agency/spp"


def sparql(url: str, **kw) -> httpx.Response:
    return httpx.get(f"{url}/sparql", timeout=30, **kw)


# ----------------------------------------------------------------- the three ways to send a query


def test_get_select_json(server_url):
    r = sparql(server_url, params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    data = r.json()
    assert data["head"]["vars"] == ["agency", "label"]
    assert 0 < len(data["results"]["bindings"]) <= 5
    assert all(b["agency"]["type"] == "uri" for b in data["results"]["bindings"])


def test_post_form(server_url):
    r = httpx.post(f"{server_url}/sparql", data={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json() == {"head": {}, "boolean": True}


def test_post_sparql_query_body(server_url):
    r = httpx.post(f"{server_url}/sparql", content=SELECT.encode(),
                   headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["head"]["vars"] == ["agency", "label"]


# ----------------------------------------------------------------- result formats


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.2, */*;q=0.1", "text/csv"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),  # an HTML-first client with a query: 303
    ],
)
def test_select_accept_negotiation(server_url, accept, expected):
    r = sparql(server_url, params={"query": SELECT}, headers={"Accept": accept}, follow_redirects=False)
    if accept.startswith("text/html"):
        assert r.status_code == 303 and r.headers["location"].startswith("/query?query=")
        return
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_select_bodies_parse_in_every_format(server_url):
    bodies = {}
    for fmt in ("json", "xml", "csv", "tsv"):
        r = sparql(server_url, params={"query": SELECT, "format": fmt})
        assert r.status_code == 200, (fmt, r.text)
        bodies[fmt] = r.text
    n = len(json.loads(bodies["json"])["results"]["bindings"])
    root = ET.fromstring(bodies["xml"].encode())
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(root.findall(f"{ns}results/{ns}result")) == n
    rows = list(csv.reader(io.StringIO(bodies["csv"])))
    assert rows[0] == ["agency", "label"] and len(rows) == n + 1
    lines = bodies["tsv"].strip("\n").split("\n")
    assert lines[0] == "?agency\t?label" and len(lines) == n + 1
    assert lines[1].startswith("<https://w3id.org/ipkg/id/agency/")


def test_ask_formats(server_url):
    r = sparql(server_url, params={"query": ASK, "format": "xml"})
    assert r.status_code == 200
    assert "<boolean>true</boolean>" in r.text
    r = sparql(server_url, params={"query": "ASK { <urn:x:nothing> ?p ?o }"}, headers={"Accept": "application/json"})
    assert r.json()["boolean"] is False


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdflib_format"),
    [("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
     ("jsonld", "application/ld+json", "json-ld"), ("rdf", "application/rdf+xml", "xml")],
)
def test_construct_formats(server_url, fmt, media_type, rdflib_format):
    for kw in ({"params": {"query": CONSTRUCT, "format": fmt}},
               {"params": {"query": CONSTRUCT}, "headers": {"Accept": media_type}}):
        r = sparql(server_url, **kw)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == media_type
        g = Graph().parse(data=r.content, format=rdflib_format)
        assert (URIRef(SPP), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None) in g


def test_describe(server_url):
    r = sparql(server_url, params={"query": f"DESCRIBE <{SPP}>"}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    assert (URIRef(SPP), None, None) in Graph().parse(data=r.text, format="turtle")


# ----------------------------------------------------------------- protocol errors


def test_malformed_query_is_400_with_line_and_column(server_url):
    r = sparql(server_url, params={"query": "SELECT ?s WHERE {\n  ?s ?p \n}"})
    assert r.status_code == 400
    assert "line 3" in r.text and "column" in r.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(server_url, method):
    r = httpx.request(method, f"{server_url}/sparql", params={"query": ASK})
    assert r.status_code == 405


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x"])
def test_unsupported_post_type_is_415(server_url, content_type):
    r = httpx.post(f"{server_url}/sparql", content=ASK.encode(), headers={"Content-Type": content_type})
    assert r.status_code == 415
    assert "application/sparql-query" in r.text


def test_nothing_acceptable_is_406(server_url):
    r = sparql(server_url, params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = sparql(server_url, params={"query": CONSTRUCT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406


def test_unknown_format_parameter_is_400(server_url):
    r = sparql(server_url, params={"query": SELECT, "format": "ttl"})
    assert r.status_code == 400
    assert "json" in r.text


def test_missing_query_is_400_for_machines(server_url):
    r = sparql(server_url, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    assert "query" in r.text


def test_browser_without_query_gets_the_query_page(server_url):
    r = sparql(server_url, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'name="query"' in r.text


def test_dataset_parameters_are_refused(server_url):
    for name in ("default-graph-uri", "named-graph-uri"):
        r = sparql(server_url, params={"query": SELECT, name: "file:///etc/passwd"})
        assert r.status_code == 400
        assert "dataset" in r.text


def test_errors_as_json_for_json_clients(server_url):
    r = sparql(server_url, params={"query": "SELEC nothing"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "QuerySyntaxError"


# ----------------------------------------------------------------- real clients


def test_sparqlwrapper(server_url):
    from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{server_url}/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert rows and all("agency" in row for row in rows)

    client.setReturnFormat(XML)
    doc = client.query().convert()
    assert doc.getElementsByTagName("result")

    client.setMethod(POST)
    client.setQuery(ASK)
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True

    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert (URIRef(SPP), None, None) in graph


def test_rdflib_sparqlstore(server_url):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(query_endpoint=f"{server_url}/sparql")
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert rows and all(isinstance(row[0], URIRef) for row in rows)
    assert graph.query(ASK).askAnswer is True
    built = graph.query(CONSTRUCT).graph
    assert (URIRef(SPP), None, None) in built
    # triple-pattern access goes through SELECT queries too
    assert list(graph.triples((URIRef(SPP), None, None)))

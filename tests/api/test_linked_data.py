"""Every data IRI is answered at /id/...: conneg, suffixes, the concise bounded description, and 404s."""

from __future__ import annotations

import httpx
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SKOS

SPP = "https://w3id.org/ipkg/id/agency/spp"
MEASURE = "https://w3id.org/ipkg/id/measure/division-of-work-2016/20"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(url: str, path: str, accept: str | None = None, **kw) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{url}{path}", headers=headers, timeout=30, **kw)


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [("text/turtle", "text/turtle", "turtle"), ("application/ld+json", "application/ld+json", "json-ld"),
     ("application/n-triples", "application/n-triples", "nt"), ("application/rdf+xml", "application/rdf+xml", "xml"),
     ("*/*", "text/turtle", "turtle"),
     ("application/ld+json;q=0.5, text/turtle;q=0.4", "application/ld+json", "json-ld")],
)
def test_conneg(server_url, accept, media_type, fmt):
    r = get(server_url, "/id/agency/spp", accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    g = Graph().parse(data=r.content, format=fmt)
    assert (URIRef(SPP), SKOS.prefLabel, None) in g


@pytest.mark.parametrize(
    ("suffix", "media_type", "fmt"),
    [(".ttl", "text/turtle", "turtle"), (".jsonld", "application/ld+json", "json-ld"),
     (".nt", "application/n-triples", "nt"), (".rdf", "application/rdf+xml", "xml")],
)
def test_suffixes(server_url, suffix, media_type, fmt):
    r = get(server_url, f"/id/agency/spp{suffix}", BROWSER)  # the suffix wins over a browser's Accept
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert (URIRef(SPP), None, None) in Graph().parse(data=r.content, format=fmt)


def test_labels_with_dots_are_not_suffixes(server_url):
    r = get(server_url, "/id/section/division-of-work-2016/II.ii.ttl")
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef("https://w3id.org/ipkg/id/section/division-of-work-2016/II.ii"), None, None) in g


def test_description_is_the_cbd(server_url):
    g = Graph().parse(data=get(server_url, "/id/measure/division-of-work-2016/20.nt").text, format="nt")
    span = URIRef(MEASURE + "#span")
    assignment = URIRef(MEASURE + "#assignment-1")
    assert (URIRef(MEASURE), None, span) in g
    assert (span, None, None) in g  # the fragment node's own triples
    assert (assignment, URIRef("http://www.w3.org/ns/prov#agent"), None) in g
    selectors = list(g.objects(span, URIRef("http://www.w3.org/ns/oa#hasSelector")))
    # selectors are blank nodes or fragment nodes of the measure: either way they are in the description
    assert selectors and all(isinstance(s, BNode) or str(s).startswith(MEASURE + "#") for s in selectors)
    assert any((s, URIRef("http://www.w3.org/ns/oa#start"), None) in g for s in selectors)
    # but not other resources' descriptions
    assert not list(g.triples((URIRef(SPP), None, None)))


def test_html_for_browsers(server_url):
    r = get(server_url, "/id/measure/division-of-work-2016/20", BROWSER, follow_redirects=False)
    if r.status_code == 303:  # the measure page of the pages router
        assert r.headers["location"] == "/measure/division-of-work-2016/20"
    else:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    r = get(server_url, "/id/role/lead", BROWSER, follow_redirects=False)  # no own page: the generic one
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/id/' in r.text or "lead" in r.text


def test_generic_page_has_a_json_twin(server_url):
    r = get(server_url, "/id/measure/division-of-work-2016/20", "application/json")
    assert r.status_code == 200
    page = r.json()
    assert page["iri"] == MEASURE
    assert any(p["predicate"]["display"] == "ipkg:inDocument" for p in page["properties"])
    assert any(n["node"]["value"] == MEASURE + "#span" for n in page["nodes"])
    assert {f["key"] for f in page["formats"]} == {"ttl", "nt", "jsonld", "rdf"}


def test_unknown_iri_is_404(server_url):
    r = get(server_url, "/id/agency/no-such-agency", "text/turtle")
    assert r.status_code == 404
    assert "not in the graph" in r.text
    r = get(server_url, "/id/agency/no-such-agency", BROWSER)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "/id/agency/" in r.text  # similar IRIs
    assert "/query?query=" in r.text  # a search link


@pytest.mark.parametrize("path", ["/id/%3Cscript%3E", "/id/a%22b", "/id/agency/s%0App", "/id/x%7Dy", "/id//"])
def test_hostile_paths_are_404_not_500(server_url, path):
    r = get(server_url, path, BROWSER)
    assert r.status_code == 404
    assert "<script>" not in r.text


def test_the_dataset_describes_itself_at_the_iri_the_ontology_names(server_url):
    """/id/, the ontology's rdfs:seeAlso, was a 404: it is the dataset's VoID description, counted live."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, VOID

    r = httpx.get(f"{server_url}/id/", headers={"Accept": "text/turtle"}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef("https://w3id.org/ipkg/id/")
    assert (dataset, RDF.type, VOID.Dataset) in g
    assert str(g.value(dataset, VOID.sparqlEndpoint)) == f"{server_url}/sparql"
    triples = httpx.get(f"{server_url}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
    assert g.value(dataset, VOID.triples).toPython() == int(triples["results"]["bindings"][0]["n"]["value"])
    measures = {g.value(p, VOID.entities).toPython() for p in g.objects(dataset, VOID.classPartition)
                if g.value(p, VOID["class"]) == URIRef("https://w3id.org/ipkg/ontology#Measure")}
    assert measures == {504}
    assert len(set(g.objects(dataset, URIRef("http://purl.org/dc/terms/source")))) == 5
    assert Literal("https://w3id.org/ipkg/id/") == g.value(dataset, VOID.uriSpace)
    page = httpx.get(f"{server_url}/id/", headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and "void:Dataset" in page.text

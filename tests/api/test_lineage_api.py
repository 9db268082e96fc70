"""A measure's lineage through the API and its pages, checked against the graph itself (SPARQL on the same
server): the chain holds exactly the asserted links of the measure's ancestors and descendants, the
candidates below the threshold are the best few per document unless asked for all, and the threshold
shown is the one the build asserted with."""

from __future__ import annotations

import httpx
import pytest

M = "https://w3id.org/ipkg/id/measure/"
PREFIX = "PREFIX ipkg: <https://w3id.org/ipkg/ontology#>\n"
FOCUS = "outline-2008/47"  # carried forward by 2016 tasks that also carry forward other measures


def select(server_url: str, query: str) -> list[dict[str, str]]:
    r = httpx.get(server_url + "/sparql", params={"query": PREFIX + query}, timeout=30,
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def lineage(server_url: str, measure: str, **params) -> dict:
    r = httpx.get(f"{server_url}/api/lineage/{measure}", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def pair(link: dict) -> tuple[str, str]:
    return link["later"]["iri"], link["earlier"]["iri"]


@pytest.mark.parametrize("measure", [FOCUS, "fyp13-plan-2016/IV.iii.1", "outline-2008/8"])
def test_the_chain_is_the_asserted_links_of_ancestors_and_descendants(server_url, measure):
    iri = M + measure
    chain = {(r["later"], r["earlier"]) for r in select(server_url, f"""SELECT ?later ?earlier WHERE {{
        {{ <{iri}> ipkg:continues* ?later . ?later ipkg:continues ?earlier }}
        UNION {{ ?earlier ipkg:continues* <{iri}> . ?later ipkg:continues ?earlier }} }}""")}
    d = lineage(server_url, measure)
    asserted = {pair(lk) for lk in d["links"] if lk["asserted"]}
    assert asserted == chain and d["asserted_count"] == len(chain) > 0


def test_candidates_below_the_threshold_are_the_best_few_per_document_unless_all_are_asked(server_url):
    iri = M + FOCUS
    everything = {(r["later"], r["earlier"]) for r in select(server_url, f"""SELECT ?later ?earlier WHERE {{
        ?later ipkg:hasLineageCandidate ?c . ?c ipkg:earlierMeasure ?earlier .
        FILTER((?later = <{iri}> || ?earlier = <{iri}>) && NOT EXISTS {{ ?c a ipkg:LineageLink }}) }}""")}
    shown = lineage(server_url, FOCUS)
    below = [lk for lk in shown["links"] if not lk["asserted"]]
    per_document: dict[str, list[float]] = {}
    for lk in below:
        other = lk["later"] if lk["earlier"]["iri"] == iri else lk["earlier"]
        per_document.setdefault(other["slug"], []).append(lk["score"])
    assert shown["candidates_shown"] == 3 and all(len(s) <= 3 for s in per_document.values())
    assert shown["candidates_hidden"] == len(everything) - len(below) > 0
    complete = lineage(server_url, FOCUS, candidates=1000)
    assert {pair(lk) for lk in complete["links"] if not lk["asserted"]} == everything
    assert complete["candidates_hidden"] == 0
    for doc, scores in per_document.items():  # the ones shown are the best of their document
        rest = [lk["score"] for lk in complete["links"] if not lk["asserted"] and doc in (
            lk["later"]["slug"], lk["earlier"]["slug"]) and pair(lk) not in {pair(b) for b in below}]
        assert not rest or min(scores) >= max(rest)
    assert httpx.get(f"{server_url}/api/lineage/{FOCUS}", params={"candidates": -1}, timeout=30).status_code == 400


def test_the_threshold_shown_is_the_one_the_build_asserted_with(server_url):
    [row] = select(server_url, "SELECT ?t WHERE { ?b a ipkg:Build ; ipkg:lineageThreshold ?t }")
    threshold = float(row["t"])
    d = lineage(server_url, "fyp13-plan-2016/IV.iii.1", candidates=1000)
    assert d["threshold"] == threshold
    assert all((lk["score"] >= threshold) == lk["asserted"] for lk in d["links"])
    page = httpx.get(f"{server_url}/lineage/{FOCUS}", timeout=30).text
    assert f"(score ≥ {threshold:.3f})" in page and "?candidates=1000" in page
    measure = httpx.get(f"{server_url}/api/measures/{FOCUS}", timeout=30).json()
    assert measure["lineage_threshold"] == threshold and measure["lineage_hidden"] > 0


def test_document_lineage_agrees_with_the_records_and_links_each_pair_to_its_comparison(server_url, built):
    from ipkg.extract.lineage import document_lineage
    from ipkg.extract.records import Corpus

    table = document_lineage(Corpus.load(built[0].records_path))
    r = httpx.get(f"{server_url}/api/lineage", timeout=30)
    assert r.status_code == 200
    got = [[p["later"]["slug"], p["earlier"]["slug"], "yes" if p["implements"] else "",
            f"{p['later_linked']}/{p['later_measures']}", f"{p['earlier_carried']}/{p['earlier_measures']}",
            p["asserted_links"]] for p in r.json()["pairs"]]
    assert sorted(got) == sorted(table.rows) and len(got) == 10
    page = httpx.get(f"{server_url}/lineage", timeout=30).text
    assert page.count('href="/compare?a=') == 10 and "/compare?a=outline-2008&amp;b=action-plan-2009" in page


def test_every_asserted_link_shows_its_evidence_in_words(server_url):
    """A shared phrase, or where none says it, each text's own words for a topic both share, as each
    measure's text has them."""
    links = select(server_url, """SELECT DISTINCT ?later WHERE { ?later ipkg:continues ?earlier }""")
    texts: dict[str, str] = {}

    def text(ref: dict) -> str:
        if ref["iri"] not in texts:
            r = httpx.get(f"{server_url}/api/measures/{ref['slug']}/{ref['label']}", timeout=30)
            texts[ref["iri"]] = r.json()["text"]
        return texts[ref["iri"]]

    worded = 0
    for measure in sorted({r["later"].removeprefix(M) for r in links})[::5]:  # every 5th with a link
        for lk in lineage(server_url, measure)["links"]:
            if not lk["asserted"]:
                continue
            assert lk["evidence"] or lk["topic_wordings"], pair(lk)
            assert {w["topic"] for w in lk["topic_wordings"]} <= set(lk["topics"])
            for w in lk["topic_wordings"]:
                assert w["later"] in text(lk["later"]) and w["earlier"] in text(lk["earlier"]), w
                worded += 1
    assert worded > 0
    unshared = select(server_url, """SELECT ?c WHERE { ?c ipkg:evidence/ipkg:rendersTopic ?t .
        FILTER NOT EXISTS { ?c ipkg:sharedTopic ?t } } LIMIT 1""")
    assert unshared == []

"""The HTML pages: every page answers 200 for real entities, shows the same data as its JSON twin, links
on, escapes what it renders, and 404s on unknown ids."""

from __future__ import annotations

import re

import httpx
import pytest

HTML = {"Accept": "text/html"}


def page(server_url: str, path: str, **params) -> httpx.Response:
    return httpx.get(server_url + path, params=params, headers=HTML, timeout=30)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/documents",
        "/document/division-of-work-2016",
        "/section/division-of-work-2016/II.ii",
        "/measure/division-of-work-2016/20",
        "/agencies",
        "/agency/spp",
        "/instruments",
        "/ip-types",
        "/ip-type/patent",
        "/search?q=criminal",
        "/lineage/division-of-work-2016/20",
        "/compare?a=promotion-plan-2012&b=division-of-work-2016",
        "/network/agencies",
        "/network/agency/spp",
        "/network/lineage/division-of-work-2016/20",
        "/network/construct",
    ],
)
def test_page_answers(server_url, path):
    r = httpx.get(server_url + path, headers=HTML, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    body = r.text
    for nav in ("/documents", "/agencies", "/instruments", "/ip-types", "/search", "/compare", "/query", "/docs"):
        assert f'href="{nav}' in body
    # no asset from outside
    assert not re.search(r"""(src|href)=["']https?://""", body)


def test_home_counts(server_url):
    data = httpx.get(server_url + "/", params={"format": "json"}, timeout=30).json()
    assert data["counts"]["measures"] >= 2
    assert data["counts"]["documents"] >= 1
    body = page(server_url, "/").text
    assert 'name="q"' in body


def test_measure_page_highlights_and_cites(server_url):
    body = page(server_url, "/measure/division-of-work-2016/20").text
    # the leads link to their agency pages, highlighted in the text
    assert re.search(r'class="hl hl-agency[^"]*" href="/agency/(spp|nlg-office)"', body)
    assert 'href="/agency/spp"' in body and 'href="/agency/nlg-office"' in body
    assert "cite" in body and "https://w3id.org/ipkg/id/measure/division-of-work-2016/20" in body
    assert "stated" in body


def test_page_and_json_twin_are_the_same_data(server_url):
    twin = httpx.get(server_url + "/agency/spp", params={"format": "json"}, timeout=30).json()
    api = httpx.get(server_url + "/api/agencies/spp", timeout=30).json()
    assert twin["id"] == api["id"] == "spp"
    assert [m["iri"] for m in twin["measures"]] == [m["iri"] for m in api["measures"]]


def test_agency_page_lists_lead_measures(server_url):
    body = page(server_url, "/agency/spp").text
    assert "Supreme People" in body
    assert 'href="/measure/division-of-work-2016/20"' in body


def test_document_page_outline_links_measures(server_url):
    body = page(server_url, "/document/division-of-work-2016").text
    assert 'href="/measure/division-of-work-2016/20"' in body
    assert "Guo Ban Han [2016] No. 66" in body


def test_search_escapes_script(server_url):
    evil = "<script>alert('x')</script>"
    r = page(server_url, "/search", q=evil)
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text


def test_search_long_query_refused(server_url):
    assert page(server_url, "/search", q="x" * 500).status_code == 400


def test_search_finds_measure(server_url):
    body = page(server_url, "/search", q="criminal justice").text
    assert 'href="/measure/division-of-work-2016/20"' in body
    assert "<mark>" in body


def test_search_page_names_the_agency_it_narrows_to(server_url):
    body = page(server_url, "/search", q="SIPO patent navigation").text
    summary = body[body.index('id="search-summary"'):body.index("</p>", body.index('id="search-summary"'))]
    assert 'of <a href="/agency/sipo">SIPO</a> (any role) holds “patent navigation”' in summary
    assert 'href="?q=patent+navigation"' in summary  # the same words in every measure
    assert 'href="/measure/division-of-work-2016/72"' in body and '<span class="badge">' in body


def test_search_page_says_chinese_finds_only_agency_names(server_url):
    body = page(server_url, "/search", q="知识产权").text
    assert 'id="chinese-note"' in body and "English translation" in body
    assert 'id="chinese-note"' not in page(server_url, "/search", q="patent").text


@pytest.mark.parametrize(
    "path",
    [
        "/agency/no-such-agency",
        "/document/no-such-doc",
        "/measure/division-of-work-2016/9999",
        "/section/division-of-work-2016/IX.ix",
        "/instrument/no-such-law",
        "/ip-type/no-such-type",
        "/lineage/division-of-work-2016/9999",
        "/network/agency/no-such-agency",
    ],
)
def test_unknown_pages_404(server_url, path):
    r = page(server_url, path)
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]


def test_compare_page(server_url):
    body = page(server_url, "/compare", a="promotion-plan-2012", b="division-of-work-2016", agency="spp").text
    assert "Carried forward" in body and "No asserted link back" in body
    assert "may still be carried forward" in body  # unlinked is not "dropped": the threshold favours precision
    assert page(server_url, "/compare", a="x" * 100, b="division-of-work-2016").status_code == 400


def test_lineage_page_columns(server_url):
    data = httpx.get(server_url + "/lineage/division-of-work-2016/20", params={"format": "json"}, timeout=30).json()
    dates = [c["document"]["issued"] or "" for c in data["columns"]]
    assert dates == sorted(dates)


def test_lineage_page_shows_the_best_candidate_of_each_clause(server_url):
    """A paragraph of several clauses: past the best 3 per document, each clause's own best candidate per
    document is a card too, with the clause that carries it."""
    url = server_url + "/lineage/fyp13-plan-2016/III.i"
    every = httpx.get(url, params={"format": "json", "candidates": 1000}, timeout=30).json()["links"]
    shown = httpx.get(url, params={"format": "json"}, timeout=30).json()
    back = [lk for lk in every if lk["later"]["label"] == "III.i" and lk["clause"] and lk["clause"]["rank"] == 1]
    assert {lk["clause"]["number"] for lk in back} >= {1, 2, 5}
    assert {lk["iri"] for lk in back} <= {lk["iri"] for lk in shown["links"]}
    assert shown["candidates_hidden"] > 0  # the rest still wait behind "show all"
    body = httpx.get(url, timeout=30).text
    card = body.split('id="card-fyp13-plan-2016-III.i"', 1)[1].split('<div class="card', 1)[0]
    assert "in clause 2 (rank 1 there)" in card and "2016 3" in card


def test_search_pages_through_every_result(server_url):
    """Following the "next" links lists each matching measure once, in the order of the API's pages."""
    api = [r["url"] for offset in range(0, 1000, 200)
           for r in httpx.get(server_url + "/api/search", params={"q": "patent", "limit": 200, "offset": offset},
                              timeout=30).json()["results"]]
    seen: list[str] = []
    url = server_url + "/search?q=patent"
    while url:
        body = httpx.get(url, timeout=30).text
        ol = body.split('<ol class="results"', 1)[1].split("</ol>", 1)[0]
        seen += re.findall(r'<li><a href="(/measure/[^"]+)"', ol)
        more = re.search(r'<a rel="next" href="\?([^"]+)"', body)
        url = server_url + "/search?" + more[1].replace("&amp;", "&") if more else ""
    assert seen == api and len(set(seen)) == len(seen) > 100
    beyond = page(server_url, "/search", q="patent", offset=5000).text
    assert "none from 5001 on" in beyond and 'rel="prev"' in beyond


@pytest.mark.parametrize(("path", "entity", "noise"), [
    ("/measure/promotion-plan-2012/59", "during the 12th Five-year Plan Period", "<sup>"),
    ("/measure/promotion-plan-2012/22", "State Intellectual Property Office", "Prop-20 —"),
    ("/measure/fyp13-plan-2016/IV.vii.1", "Beijing Treaty on Audiovisual Performances", "*"),
    ("/measure/promotion-plan-2012/89", "", "$"),
])
def test_measure_text_is_shown_without_layout_noise(server_url, path, entity, noise):
    """The page shows the raw span cleaned as the extractor cleans it; the highlights still sit on their words."""
    data = httpx.get(server_url + path, params={"format": "json"}, timeout=30).json()
    shown = "".join(s["text"] for s in data["segments"])
    assert noise not in shown and shown.startswith(data["number_as_printed"])  # the whole span, number first
    assert not entity or any(s["entity"] and s["text"].endswith(entity) for s in data["segments"])


def test_a_section_shows_its_own_text_before_its_first_item(server_url):
    """The 2016 plan's background and goals, and the 2012 plan's objectives, belong to no measure."""
    goals = httpx.get(server_url + "/section/fyp13-plan-2016/II.iii", params={"format": "json"}, timeout=30).json()
    paragraphs = goals["intro"]["paragraphs"]
    assert paragraphs[0].startswith("Till 2020, targets of the IP strategy will be achieved")
    assert not any("\t" in p or "Anticipatory" in p for p in paragraphs)  # the indicator table is not prose
    objectives = httpx.get(server_url + "/section/promotion-plan-2012/I", params={"format": "json"}, timeout=30).json()
    first = objectives["intro"]["paragraphs"][0]
    assert first.startswith("Objectives and tasks:") and "examination and management of IPRs" in first  # across a page
    html = page(server_url, "/section/fyp13-plan-2016/I").text
    assert 'id="intro"' in html and "Twelfth Five-Year Plan" in html
    assert httpx.get(server_url + "/section/fyp13-plan-2016/III.i", params={"format": "json"},
                     timeout=30).json()["intro"] is None  # a heading followed by its items has none

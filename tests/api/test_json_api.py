"""The JSON API under /api/: real entities answer with the facts of the texts, unknown ids 404, bad
parameters 4xx (never 500), and the OpenAPI page documents the typed responses."""

from __future__ import annotations

import httpx
import pytest


def get(server_url: str, path: str, **params) -> httpx.Response:
    return httpx.get(server_url + path, params=params, timeout=30)


def test_documents_list(server_url):
    r = get(server_url, "/api/documents")
    assert r.status_code == 200
    slugs = {d["slug"] for d in r.json()["documents"]}
    assert {"division-of-work-2016", "promotion-plan-2012"} <= slugs


def test_document_has_outline(server_url):
    d = get(server_url, "/api/documents/division-of-work-2016").json()
    assert d["issued"] == "2016-07-08"
    assert d["number"] == "Guo Ban Han [2016] No. 66"

    def labels(items):
        for it in items:
            if it["type"] == "measure":
                yield it["label"]
            else:
                yield from labels(it["children"])

    assert "20" in set(labels(d["outline"]))


def test_task_20_leads_are_nlg_office_and_spp(server_url):
    m = get(server_url, "/api/measures/division-of-work-2016/20").json()
    leads = {a["agency"]["id"] for a in m["assignments"] if a["role"] == "lead"}
    assert leads == {"nlg-office", "spp"}
    assert m["document"]["slug"] == "division-of-work-2016"
    assert m["label"] == "20"
    assert "criminal justice" in m["text"]
    raw = m["span"]["exact"]  # the raw characters of the span, as the entities' quote selectors hold theirs
    assert raw.startswith("20.") and len(raw) == m["span"]["end"] - m["span"]["start"]
    assert " ".join(raw.split()).endswith("are responsible for this task)")
    for a in m["assignments"]:
        assert a["cite"]["iri"].startswith("https://w3id.org/ipkg/id/measure/division-of-work-2016/20")


def test_sipo_leads_task_16(server_url):
    a = get(server_url, "/api/agencies/sipo").json()
    roles = {(m["slug"], m["label"]): m["role"] for m in a["measures"]}
    assert roles[("division-of-work-2016", "16")] == "lead"
    assert a["counts"]["lead"] >= 1
    m = get(server_url, "/api/measures/division-of-work-2016/16").json()
    assert [(x["agency"]["id"], x["role"]) for x in m["assignments"]] == [("sipo", "lead")]


def test_promotion_plan_leads_are_inferred(server_url):
    m = get(server_url, "/api/measures/promotion-plan-2012/43").json()
    first = m["assignments"][0]
    assert first["agency"]["id"] == "mofcom" and first["role"] == "lead"
    assert first["basis"] == "first-listed-convention" and first["stated"] is False


def test_agency_page_data(server_url):
    a = get(server_url, "/api/agencies/spp").json()
    assert a["id"] == "spp"
    assert a["label"] == "Supreme People's Procuratorate"
    led = {(m["slug"], m["label"]) for m in a["measures"] if m["role"] == "lead"}
    assert ("division-of-work-2016", "20") in led
    assert any(row["document"]["slug"] == "division-of-work-2016" for row in a["by_year"])


def test_sipo_reorganisation(server_url):
    a = get(server_url, "/api/agencies/sipo").json()
    assert any(h["agency"]["id"] == "cnipa" and h["year"] == "2018" for h in a["history"])


def test_agency_list_counts(server_url):
    agencies = {a["id"]: a for a in get(server_url, "/api/agencies").json()["agencies"]}
    assert agencies["spp"]["lead"] >= 1


def test_ip_types_and_instruments(server_url):
    assert get(server_url, "/api/ip-types").status_code == 200
    t = get(server_url, "/api/ip-types/patent").json()
    assert t["id"] == "patent"
    assert get(server_url, "/api/instruments").status_code == 200


def test_instrument_cited(server_url):
    ins = get(server_url, "/api/instruments/patent-law").json()
    assert ins["measures"], "the Patent Law is cited"
    assert all(m["actions"] for m in ins["measures"])


def test_lineage(server_url):
    r = get(server_url, "/api/lineage/division-of-work-2016/20")
    assert r.status_code == 200
    d = r.json()
    assert d["measure"]["label"] == "20"
    assert any(m["focus"] for c in d["columns"] for m in c["measures"])


def test_search(server_url):
    d = get(server_url, "/api/search", q="criminal justice").json()
    hits = {(r["slug"], r["label"]) for r in d["results"]}
    assert ("division-of-work-2016", "20") in hits
    assert get(server_url, "/api/search", q="").json()["total"] == 0


def test_search_matches_words_by_stem_and_puts_phrases_first(server_url):
    def hits(q):
        return [(r["slug"], r["label"], r["phrase"]) for r in get(server_url, "/api/search", q=q, limit=200).json()["results"]]

    # "pledge financing" finds the 2012 plan's "patent pledging and financing" too, after the exact phrases
    pledge = hits("pledge financing")
    assert ("promotion-plan-2012", "23", False) in pledge
    phrases = [p for *_, p in pledge]
    assert phrases == sorted(phrases, reverse=True) and phrases[0]
    # whole words: "art" is not in "partners" or "starting"
    for r in get(server_url, "/api/search", q="art", limit=200).json()["results"]:
        hit_words = {s["text"].lower() for s in r["snippet"] if s["hit"]}
        assert hit_words <= {"art", "arts"}, hit_words
    assert get(server_url, "/api/search", q=".").json()["total"] == 0  # no word, no match (it was every measure)
    assert [h[:2] for h in hits("12330")] == [("fyp13-plan-2016", "SC2.3")]
    [law] = [i for i in get(server_url, "/api/search", q="patent law").json()["instruments"] if i["id"] == "patent-law"]
    assert law["slug"] == "patent-law"  # the key of /api/instruments too


def test_search_for_an_agency_and_words_keeps_that_agencys_measures(server_url):
    """ "SIPO patent navigation": the agency's name is not the measures' text; it narrows to SIPO's measures."""
    sipo = get(server_url, "/api/agencies/sipo").json()
    of_sipo = {(m["slug"], m["label"]) for m in sipo["measures"]}
    d = get(server_url, "/api/search", q="SIPO patent navigation", limit=200).json()
    assert [a["id"] for a in d["within_agencies"]] == ["sipo"] and d["text"] == "patent navigation"
    hits = {(r["slug"], r["label"]) for r in d["results"]}
    assert ("division-of-work-2016", "72") in hits and hits <= of_sipo
    assert all(r["agency_role"] for r in d["results"])
    everywhere = get(server_url, "/api/search", q="patent navigation", limit=200).json()
    assert hits < {(r["slug"], r["label"]) for r in everywhere["results"]}  # other agencies' measures too
    assert everywhere["within_agencies"] == [] and everywhere["results"][0].get("agency_role") is None
    # the name alone: every measure SIPO has a role in, leads first; the full name works as the acronym does
    alone = get(server_url, "/api/search", q="SIPO", limit=200).json()
    assert {(r["slug"], r["label"]) for r in alone["results"]} == of_sipo and alone["total"] == len(of_sipo)
    assert alone["results"][0]["agency_role"] == "lead"
    full = get(server_url, "/api/search", q="the State Intellectual Property Office", limit=200).json()
    assert full["total"] == alone["total"]


def test_search_takes_agency_names_as_people_type_them(server_url):
    """QA: "sipo patent navigation" found nothing while "SIPO patent navigation" found the measure."""
    upper = get(server_url, "/api/search", q="SIPO patent navigation").json()
    lower = get(server_url, "/api/search", q="sipo patent navigation").json()
    assert lower["results"] == upper["results"] and lower["total"] == upper["total"] == 1
    assert get(server_url, "/api/search", q="mofcom").json()["total"] == get(
        server_url, "/api/search", q="MOFCOM").json()["total"] > 0
    # Chinese: the texts are English translations; an agency's Chinese name is the one thing it can find
    zh = get(server_url, "/api/search", q="国家知识产权局").json()
    assert "sipo" in {a["id"] for a in zh["within_agencies"]} and zh["total"] == get(
        server_url, "/api/search", q="SIPO").json()["total"]
    rest = get(server_url, "/api/search", q="知识产权").json()
    assert rest["total"] == 0 and rest["chinese"] is True
    # the chips list names holding the query's content words, not every name with "the" or "of" in it
    assert get(server_url, "/api/search", q="the").json()["agencies"] == []
    assert get(server_url, "/api/search", q="I.P. pledge").json()["text"] == "IP pledge"


def test_search_finds_the_section_introductions_no_measure_holds(server_url):
    d = get(server_url, "/api/search", q="Twelfth Five-Year Plan").json()
    assert d["total"] == 0  # the 2016 plan's background names it; no measure does
    [background] = d["sections"]
    assert (background["slug"], background["path"], background["url"]) == (
        "fyp13-plan-2016", "I", "/section/fyp13-plan-2016/I")
    assert [p["text"] for p in background["snippet"] if p["hit"]] == ["Twelfth", "Five", "Year", "Plan"]
    goals = get(server_url, "/api/search", q="development goals").json()
    assert goals["total"] > 0 and ("fyp13-plan-2016", "II.iii") in {(s["slug"], s["path"]) for s in goals["sections"]}
    assert get(server_url, "/api/search", q="SIPO").json()["sections"] == []  # an agency's measures only


@pytest.mark.parametrize(
    "path",
    [
        "/api/agencies/no-such-agency",
        "/api/documents/no-such-doc",
        "/api/measures/division-of-work-2016/9999",
        "/api/measures/no-such-doc/1",
        "/api/instruments/no-such-law",
        "/api/ip-types/no-such-type",
        "/api/lineage/division-of-work-2016/9999",
    ],
)
def test_unknown_ids_404(server_url, path):
    r = httpx.get(server_url + path, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 404
    assert "detail" in r.json()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/search", {"q": "x" * 201}),
        ("/api/search", {"q": "patent", "limit": "0"}),
        ("/api/measures/division-of-work-2016/%3Cb%3E", {}),
        ("/api/agencies/SIPO!", {}),
        ("/api/compare", {"a": "promotion-plan-2012", "b": "promotion-plan-2012"}),
        ("/api/compare", {"a": "../etc", "b": "division-of-work-2016"}),
        ("/api/compare", {"a": "no-such-doc", "b": "division-of-work-2016"}),
    ],
)
def test_bad_parameters_are_4xx(server_url, path, params):
    r = httpx.get(server_url + path, params=params, headers={"Accept": "application/json"}, timeout=30)
    assert 400 <= r.status_code < 500, r.text


def test_compare(server_url):
    d = get(server_url, "/api/compare", a="promotion-plan-2012", b="division-of-work-2016").json()
    assert d["earlier"]["slug"] == "promotion-plan-2012"
    assert d["counts"]["later_measures"] >= 1
    filtered = get(server_url, "/api/compare", a="promotion-plan-2012", b="division-of-work-2016",
                   agency="spp").json()
    assert filtered["counts"]["later_measures"] <= d["counts"]["later_measures"]


def test_filtered_compare_counts_what_its_lists_hold(server_url):
    """A pair is listed when either side matches the filter (a later SIPO measure continuing an NCAC one is
    not new); each side says whether it matches, and the counts agree with the rows (QA found "0 of 0
    carried forward" above a listed pair)."""
    for params in ({"agency": "sipo"}, {"agency": "sipo", "ip_type": "copyright"}, {"ip_type": "patent"}):
        d = get(server_url, "/api/compare", a="promotion-plan-2012", b="division-of-work-2016", **params).json()
        rows, c = d["carried_forward"], d["counts"]
        assert all(p["earlier_matches"] or p["later_matches"] for p in rows), params
        assert c["carried_forward"] == len({p["earlier"]["iri"] for p in rows if p["earlier_matches"]}), params
        assert c["continuing"] == len({p["later"]["iri"] for p in rows if p["later_matches"]}), params
        assert c["continuing"] + c["new"] == c["later_measures"], params
        assert c["carried_forward"] + c["dropped"] == c["earlier_measures"], params
    both = get(server_url, "/api/compare", a="promotion-plan-2012", b="division-of-work-2016", agency="sipo",
               ip_type="copyright").json()
    assert any(not p["earlier_matches"] for p in both["carried_forward"])  # the case QA met: 38 -> 87


def test_compare_scores_only_direct_asserted_links(server_url):
    """A pair joined through an intermediate plan shows "via", never the score of a rejected candidate that
    happens to join the same two measures (outline-2008/65 -> division-of-work-2016/88 went through 2009)."""
    d = get(server_url, "/api/compare", a="outline-2008", b="division-of-work-2016").json()
    asserted = {(r["l"]["value"], r["e"]["value"]) for r in httpx.get(
        server_url + "/sparql", params={"query": "PREFIX ipkg: <https://w3id.org/ipkg/ontology#> "
                                                 "SELECT ?l ?e WHERE { ?l ipkg:continues ?e }"},
        headers={"Accept": "application/sparql-results+json"}, timeout=30).json()["results"]["bindings"]}
    rows = d["carried_forward"]
    assert any(not p["direct"] for p in rows) and any(p["direct"] for p in rows)
    for p in rows:
        direct = (p["later"]["iri"], p["earlier"]["iri"]) in asserted
        assert p["direct"] == direct and (p["score"] is not None) == direct, p


def test_openapi_documents_models(server_url):
    spec = get(server_url, "/openapi.json").json()
    assert "/api/agencies/{agency_id}" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"Agency", "Measure", "Document", "LineageLink", "SearchResult"} <= set(schemas)
    assert "assignments" in schemas["Measure"]["properties"]

"""Named example queries: well-formed, parameterised, the same rows (or triples) on every store, right answers."""

from __future__ import annotations

import time

import pytest

from ipkg.graph.queries import named_queries
from ipkg.graph.sparql import analyse
from ipkg.graph.store import MemoryStore, OxigraphStore, QueryResult

from .test_stores import canon, graph_under_test, three_stores  # noqa: F401 - fixtures

ID = "https://w3id.org/ipkg/id/"
NAMES = [q.name for q in named_queries()]


def by_name(name: str):  # noqa: ANN201
    return next(q for q in named_queries() if q.name == name)


def test_metadata() -> None:
    assert {"who-leads-what", "agency-leads-vs-shares", "ip-types-over-time", "instruments-revised",
            "successor-inheritance", "task-20-leads", "lineage-chain", "agency-partners"} <= set(NAMES)  # fmt: skip
    forms = {q.name: analyse(q.render()).form for q in named_queries()}
    for q in named_queries():
        assert q.title and q.description and forms[q.name] in ("select", "construct")
    # the query page offers a CONSTRUCT result as a network: at least one example shows it
    assert forms["agency-partners"] == "construct"
    assert by_name("agency-partners").params == {"agency": "sipo"}
    assert by_name("agency-leads-vs-shares").params == {"agency": "sipo"}
    with pytest.raises(ValueError):
        by_name("agency-leads-vs-shares").render({"agency": 'x" } DROP'})
    with pytest.raises(ValueError):
        by_name("agency-leads-vs-shares").render({"nope": "x"})


def answer(result: QueryResult) -> list[tuple[str, ...]]:
    """The rows of a SELECT, the triples of a CONSTRUCT, comparable across stores."""
    return canon(result.rows) if result.kind != "graph" else canon(result.graph or [])


@pytest.mark.parametrize("name", NAMES)
def test_same_rows_on_three_stores(three_stores, name: str) -> None:  # noqa: ANN001, F811
    text = by_name(name).render()
    results = {store: s.query(text) for store, s in three_stores.items()}
    baseline = answer(results["memory"])
    for store, r in results.items():
        assert answer(r) == baseline, store


def _rows(store, name: str, **params):  # noqa: ANN001, ANN202
    return [tuple(str(v) for v in row) for row in store.query(by_name(name).render(params)).rows]


def test_answers_on_the_fixture(three_stores) -> None:  # noqa: ANN001, F811
    s = three_stores["oxigraph"]
    assert _rows(s, "task-20-leads") == [
        (f"{ID}agency/nlg-office", "nlg-office", "1", "explicit-lead-clause"),
        (f"{ID}agency/spp", "spp", "2", "explicit-lead-clause"),
    ]
    roles = {(r[0], r[2]) for r in _rows(s, "agency-leads-vs-shares", agency="spp")}
    assert roles == {("lead", "20"), ("participant", "43")}
    chain = _rows(s, "lineage-chain", measure="division-of-work-2016/20")
    assert [(r[0].rsplit("/", 2)[-2:], r[1].rsplit("/", 1)[-1]) for r in chain] == [
        (["division-of-work-2016", "20"], "43")
    ]
    inherit = {(r[1], r[3]): (r[4], r[5]) for r in _rows(s, "successor-inheritance")}
    assert inherit[("cnipa", "sipo")] == ("1", "1")
    assert _rows(s, "instruments-revised")[0][:2] == ("division-of-work-2016", f"{ID}law/patent-law")
    years = {(r[1], r[2], r[3]) for r in _rows(s, "ip-types-over-time")}
    assert ("patent", "2016", "1") in years
    assert _partners(s, "spp") == {"mofcom", "nlg-office", "spc"}
    assert _partners(s, "nlg-office") == {"spc", "spp"}


def _partners(store, agency: str) -> set[str]:  # noqa: ANN001
    """The agency-partners graph's org:linkedTo targets (ids); checks each is an org:Organization with a name."""
    graph = store.query(by_name("agency-partners").render({"agency": agency})).graph
    org, agency_iri = "http://www.w3.org/ns/org#", f"{ID}agency/{agency}"
    partners = {str(o) for s, p, o in graph if str(p) == org + "linkedTo"}
    assert {str(s) for s, p, _o in graph if str(p) == org + "linkedTo"} == {agency_iri}
    named = {str(s) for s, p, _o in graph if str(p) == "http://www.w3.org/2004/02/skos/core#prefLabel"}
    typed = {str(s) for s, p, o in graph if str(p).endswith("#type") and str(o) == org + "Organization"}
    assert partners | {agency_iri} <= named & typed
    return {iri.rsplit("/", 1)[-1] for iri in partners}


# ------------------------------------------------------------------------------------ real corpus


@pytest.fixture(scope="module")
def real_stores(built):  # noqa: ANN001, ANN201
    settings, _ = built
    mem = MemoryStore()
    mem.load(settings.build_dir / "ipkg.nt")
    return {"oxigraph": OxigraphStore(settings.store_dir, read_only=True), "memory": mem}


@pytest.mark.parametrize("name", NAMES)
def test_real_same_rows(real_stores, name: str) -> None:  # noqa: ANN001
    text = by_name(name).render()
    assert answer(real_stores["oxigraph"].query(text)) == answer(real_stores["memory"].query(text))


def test_real_agency_partners(real_stores) -> None:  # noqa: ANN001
    # a CONSTRUCT example for the query page's network view: non-empty and quick on the real graph
    started = time.perf_counter()
    partners = _partners(real_stores["oxigraph"], "sipo")
    assert time.perf_counter() - started < 1.0
    assert len(partners) > 10 and "sipo" not in partners


def test_real_task_20_leads(real_stores) -> None:  # noqa: ANN001
    # division-of-work-2016 task 20: "(The National Leading Group Office ... and the Supreme People's
    # Procuratorate take the lead, ...)"
    assert [r[1] for r in _rows(real_stores["oxigraph"], "task-20-leads")] == ["nlg-office", "spp"]


def test_real_successors(real_stores) -> None:  # noqa: ANN001
    pairs = {(r[1], r[3]) for r in _rows(real_stores["oxigraph"], "successor-inheritance")}
    assert ("cnipa", "sipo") in pairs and ("samr", "saic") in pairs


def test_real_lineage_chain(real_stores, built) -> None:  # noqa: ANN001
    _, report = built
    assert any(c.asserted for c in report.corpus.lineage)
    later = next(c.later for c in report.corpus.lineage if c.asserted)
    rows = _rows(real_stores["oxigraph"], "lineage-chain", measure=later)
    assert rows and rows[0][0] == f"{ID}measure/{later}"

"""Regression tests of the SPARQL endpoint's audit, against live servers: queries that crashed the server
process, rdflib's parser under concurrent first use, named queries on the query page, timeout messages."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from ipkg.graph.queries import named_queries
from ipkg.graph.query_workers import WorkerPool
from ipkg.graph.sparql import (
    FORMATS,
    MAX_NESTING,
    MAX_TOKENS,
    FeatureNotAllowed,
    QuerySyntaxError,
    SparqlEngine,
    UpdateNotAllowed,
    analyse,
)
from ipkg.settings import Settings

from .conftest import fixture_data_dir, live_server

JSON = {"Accept": "application/sparql-results+json"}
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
STAR = "BIND(<<( <http://a> <http://b> <http://c> )>> AS ?x)"  # Oxigraph accepts it, rdflib does not
AUDIT_CRASH = f"SELECT * WHERE {{ {STAR} FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
FLAT_CRASH = f"SELECT * WHERE {{ {STAR} FILTER(" + "+".join(["1"] * 28_000) + ") }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def ask_works(url: str) -> bool:
    r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=60)
    return r.status_code == 200 and r.json()["boolean"] is True


def count(url: str, query: str = COUNT) -> int:
    r = httpx.post(f"{url}/sparql", content=query.encode(), timeout=120,
                   headers={"Content-Type": "application/sparql-query", **JSON})
    assert r.status_code == 200, r.text[:500]
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def hardened_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The fixture graph behind the default request size (64 KB), on its own data folder (so the test can
    tell its worker processes from the other servers')."""
    data = fixture_data_dir(tmp_path_factory.mktemp("hardening-data"))
    with live_server(Settings(data_dir=data, query_timeout_s=6.0, max_concurrent_queries=2)) as url:
        yield url, data


def worker_pids(data_dir: Path) -> list[int]:
    """The query workers of this test process's server on ``data_dir``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if (ppid == os.getpid() and b"ipkg.graph.query_workers" in cmdline
                and str(data_dir).encode() in environ):
            pids.append(int(entry.name))
    return pids


# ------------------------------------------------------------ 1. untrusted text never crashes the server


def test_audit_crash_query_is_400_on_every_route(hardened_server):
    url, _ = hardened_server
    responses = {
        "POST body": httpx.post(f"{url}/sparql", content=AUDIT_CRASH.encode(), timeout=60,
                                headers={"Content-Type": "application/sparql-query"}),
        "POST form": httpx.post(f"{url}/sparql", data={"query": AUDIT_CRASH}, timeout=60),
        "GET": httpx.get(f"{url}/sparql", params={"query": AUDIT_CRASH}, timeout=60),
        "query page": httpx.get(f"{url}/query", params={"query": AUDIT_CRASH, "format": "json"}, timeout=60),
        "network": httpx.get(f"{url}/network/construct", params={"query": AUDIT_CRASH}, timeout=60),
    }
    for route, r in responses.items():
        assert r.status_code == 400, (route, r.status_code, r.text[:300])
        assert "nest more than" in r.text, route
    assert ask_works(url)


def test_query_oxigraph_overflows_on_is_400_and_the_server_stays_up(hardened_server):
    # shallow (the nesting bound lets it through), rejected by rdflib, and a 28 000-operand chain that
    # overflowed Oxigraph's stack in the process that looked for a better error position
    url, _ = hardened_server
    r = httpx.post(f"{url}/sparql", content=FLAT_CRASH.encode(), timeout=60,
                   headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text[:300]
    assert "line 1" in r.text
    assert ask_works(url)


def test_long_chain_is_refused_and_behind_the_bound_a_worker_survives_it(hardened_server):
    # 5000 MINUS groups: no deep nesting, but 10 000 tokens, so the endpoint refuses them before any parser
    # (rdflib would spend seconds of the server's CPU on them). Behind that bound the workers still answer
    # on a large stack: sent to a pool directly, the chain (Oxigraph's planner recursed once per group and
    # overflowed the 8 MiB main-thread stack of a worker) comes back counted.
    url, data = hardened_server
    chain = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o " + " ".join(["MINUS {}"] * 5000) + " }"
    assert 40_000 < len(chain) < 64_000
    r = httpx.post(f"{url}/sparql", content=chain.encode(), timeout=60,
                   headers={"Content-Type": "application/sparql-query", **JSON})
    assert r.status_code == 400 and f"more than {MAX_TOKENS} tokens" in r.text
    pool = WorkerPool(Settings(data_dir=data, query_timeout_s=30.0, max_concurrent_queries=1))
    try:
        status, payload = pool.call(("run", chain, "json", "application/sparql-results+json", 10))
    finally:
        pool.close()
    assert status == "ok", payload
    n = json.loads(payload[0])["results"]["bindings"][0]["n"]["value"]
    assert int(n) == count(url)  # MINUS {} shares no variable: it removes nothing


# ORDER BY holds every row of a four-way cross join: on the fixture graph a worker grows by about 300 MB a second.
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l LIMIT 1"


def test_a_query_over_the_memory_cap_fails_alone_and_its_worker_is_replaced(tmp_path_factory):
    data = fixture_data_dir(tmp_path_factory.mktemp("memory-data"))
    # a time limit far beyond what the query needs to reach the cap: it must be the cap that stops it
    pool = WorkerPool(Settings(data_dir=data, query_timeout_s=120.0, max_concurrent_queries=1, query_memory_mb=768))
    try:
        started = time.monotonic()
        status, (name, message) = pool.call(("run", MEMORY_HOG, "json", "application/sparql-results+json", 10))
        assert status == "error" and name == "QueryFailed"
        assert "more memory than a query may use (768 MB)" in message and "replaced" in message
        assert time.monotonic() - started < 120
        status, payload = pool.call(("run", "ASK { ?s ?p ?o }", "json", "application/sparql-results+json", 10))
        assert status == "ok" and json.loads(payload[0])["boolean"] is True
    finally:
        pool.close()


def test_a_worker_crash_is_a_clean_400_and_the_worker_is_replaced(hardened_server):
    url, data = hardened_server
    answer: dict[str, httpx.Response] = {}

    def runaway() -> None:
        answer["r"] = httpx.get(f"{url}/sparql", params={"query": RUNAWAY}, timeout=60)

    thread = threading.Thread(target=runaway)
    started = time.monotonic()
    thread.start()
    time.sleep(1.0)  # the query is running in one of the workers
    pids = worker_pids(data)
    assert pids
    for pid in pids:  # the busy one dies as a native crash would kill it; the idle ones die too
        os.kill(pid, signal.SIGSEGV)
    thread.join(30)
    assert not thread.is_alive()
    r = answer["r"]
    assert r.status_code == 400, r.text
    assert "stopped the process" in r.text and "replaced" in r.text
    assert time.monotonic() - started < 5  # not left to run into the 6 s time limit
    for _ in range(4):  # the dead idle workers are replaced too, without failing a query
        assert ask_works(url)
    deadline = time.monotonic() + 60
    while len(worker_pids(data)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not set(worker_pids(data)) & set(pids)


# ------------------------------------------------------------ 2. concurrent parses


# Each uses other parts of rdflib's grammar (functions, operators, modifiers): a first use in this
# process would settle the arity of their parse actions concurrently, which broke the grammar for good.
FILTERS = [
    ("STRLEN(?l) > {n}", lambda v, n: len(v) > n),
    ("STRLEN(?l) <= {n}", lambda v, n: len(v) <= n),
    ("CONTAINS(LCASE(?l), \"o\") && STRLEN(?l) > {n}", lambda v, n: "o" in v.lower() and len(v) > n),
    ("STRSTARTS(UCASE(?l), \"S\") || STRLEN(?l) < {n}", lambda v, n: v.upper().startswith("S") or len(v) < n),
    ("!STRENDS(?l, \"e\") && STRLEN(?l) >= {n}", lambda v, n: not v.endswith("e") and len(v) >= n),
    ("REGEX(?l, \"^[A-M]\") && STRLEN(?l) != {n}", lambda v, n: "A" <= v[:1] <= "M" and len(v) != n),
    ("STR(SUBSTR(?l, 1, 1)) IN (\"N\", \"S\", \"M\") && STRLEN(?l) > {n}", lambda v, n: v[:1] in ("N", "S", "M") and len(v) > n),
    ("STRLEN(CONCAT(?l, ?l)) > 2 * {n}", lambda v, n: 2 * len(v) > 2 * n),
]


def test_concurrent_distinct_queries_all_answer_right(server_url):
    labels_query = SKOS + "SELECT ?l WHERE { ?s skos:prefLabel ?l FILTER(LANG(?l) = \"en\") }"
    r = httpx.get(f"{server_url}/sparql", params={"query": labels_query}, headers=JSON, timeout=60)
    assert r.status_code == 200
    labels = [b["l"]["value"] for b in r.json()["results"]["bindings"]]
    assert len(labels) > 20

    jobs = []
    for i in range(24):
        template, keep = FILTERS[i % len(FILTERS)]
        n = 5 + i
        query = (SKOS + f"SELECT ?l WHERE {{ ?s skos:prefLabel ?l FILTER(LANG(?l) = \"en\") "
                 f"FILTER({template.format(n=n)}) }}")
        jobs.append((query, Counter(v for v in labels if keep(v, n))))
    pages = [f"/id/agency/{a}" for a in ("spp", "sipo", "saic", "moc")]
    barrier = threading.Barrier(len(jobs) + len(pages))
    answers: dict[int, httpx.Response] = {}

    def run(i: int) -> None:
        barrier.wait()
        if i < len(jobs):
            answers[i] = httpx.get(f"{server_url}/sparql", params={"query": jobs[i][0]}, headers=JSON, timeout=120)
        else:
            answers[i] = httpx.get(server_url + pages[i - len(jobs)], headers={"Accept": "text/turtle"}, timeout=120)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs) + len(pages))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    for i, (query, expected) in enumerate(jobs):
        assert answers[i].status_code == 200, (query, answers[i].text[:300])
        got = Counter(b["l"]["value"] for b in answers[i].json()["results"]["bindings"])
        assert got == expected, query
    for i, page in enumerate(pages, start=len(jobs)):
        assert answers[i].status_code == 200, (page, answers[i].text[:300])
        assert "prefLabel" in answers[i].text

    # and the grammar still works afterwards
    later = SKOS + "SELECT ?l WHERE { ?s skos:altLabel ?l FILTER(STRLEN(?l) > 3) } LIMIT 3"
    r = httpx.get(f"{server_url}/sparql", params={"query": later}, headers=JSON, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["head"]["vars"] == ["l"]


# ------------------------------------------------------------ 3. untrusted text is parsed in the workers


def test_the_engine_parses_outside_queries_in_a_worker(hardened_server):
    # analyse() is the parse in this process (lru-cached); the engine's own analyse must leave it alone and
    # still classify and refuse exactly as the endpoint promises.
    _, data = hardened_server
    engine = SparqlEngine(Settings(data_dir=data, max_concurrent_queries=1))
    try:
        before = analyse.cache_info()
        sums = "SELECT (" + "+".join(["1"] * 2000) + " AS ?n) WHERE {}"  # seconds of rdflib CPU, once
        assert engine.analyse(sums).form == "select"
        assert engine.analyse("CONSTRUCT WHERE { ?s ?p ?o }").kind == "graph"
        # as deep as the endpoint promises: rdflib's parser needs more than Python's default recursion limit
        deep = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2) + ") }"
        assert engine.analyse(deep).form == "select"
        with pytest.raises(UpdateNotAllowed):
            engine.analyse("DELETE WHERE { ?s ?p ?o }")
        with pytest.raises(FeatureNotAllowed, match="SERVICE"):
            engine.analyse("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
            engine.analyse("SELECT * WHERE {\n ?s ?p ?o FILTER( }")
        after = analyse.cache_info()
        assert (after.hits, after.misses) == (before.hits, before.misses)
        assert json.loads(engine.run(engine.analyse(sums), FORMATS["json"]).body)[
            "results"]["bindings"][0]["n"]["value"] == "2000"
    finally:
        engine.close()


# ------------------------------------------------------------ 4. named queries on the query page


def page_data(url: str, query: str | None = None) -> httpx.Response:
    params = {"format": "json"} | ({"query": query} if query is not None else {})
    return httpx.get(f"{url}/query", params=params, timeout=60)


def test_query_page_offers_rendered_named_queries(server_url):
    page = page_data(server_url).json()
    by_name = {q.name: q for q in named_queries()}
    assert [e["name"] for e in page["examples"]] == sorted(by_name)
    for example in page["examples"]:
        named = by_name[example["name"]]
        query = parse_qs(urlparse(example["url"]).query)["query"][0]
        assert query == named.render()
        assert example["params"] == named.params
        for name, default in named.params.items():
            assert f"${name}" not in query and default in query
    # the editor starts with the first example, filled in too
    assert page["query"] == by_name[page["examples"][0]["name"]].render()


@pytest.mark.parametrize(("name", "column"), [("agency-leads-vs-shares", "measure"), ("lineage-chain", "later")])
def test_parameterised_examples_find_rows(server_url, name, column):
    example = next(e for e in page_data(server_url).json()["examples"] if e["name"] == name)
    r = httpx.get(server_url + example["url"] + "&format=json", timeout=60)
    assert r.status_code == 200
    result = r.json()["result"]
    assert result["count"] > 0, name
    assert column in result["variables"]
    html = httpx.get(server_url + example["url"], headers={"Accept": "text/html"}, timeout=60)
    assert html.status_code == 200 and 'id="results-table"' in html.text
    assert "Parameter" in html.text  # the page says which value was filled in


# ------------------------------------------------------------ 5. a timeout says what happened


def test_timeout_says_the_query_exceeded_the_time_limit(limited_server_url):
    r = httpx.get(f"{limited_server_url}/sparql", params={"query": RUNAWAY}, timeout=60)
    assert r.status_code == 503
    assert "exceeded the time limit of 1.5 s" in r.text
    assert "do not retry it unchanged" in r.text
    assert "retry-after" not in r.headers  # the same query would time out again

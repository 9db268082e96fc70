"""Stores: embedded Oxigraph, rdflib in memory and a real `oxigraph serve` give the same answers;
publishing swaps stores atomically and a failed build leaves the previous store serving."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pydantic import ValidationError
from rdflib import Graph, Literal, URIRef

from ipkg.extract.records import Corpus
from ipkg.graph.publish import current_store, publish
from ipkg.graph.rdf import corpus_graph
from ipkg.graph.store import MemoryStore, OxigraphStore, QueryError, RemoteStore, StoreError, open_store
from ipkg.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def tiny_graph() -> Graph:
    data = json.loads((FIXTURES / "tiny_corpus.json").read_text(encoding="utf-8"))
    return corpus_graph(Corpus.from_json(data["corpus"]), data["raws"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_oxigraph_server(location: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1) as r:  # noqa: S310
                r.read()
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("oxigraph serve did not become ready")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def graph_under_test() -> Graph:
    return tiny_graph()


@pytest.fixture(scope="session")
def three_stores(graph_under_test: Graph, tmp_path_factory: pytest.TempPathFactory):
    g = graph_under_test
    ox = OxigraphStore(tmp_path_factory.mktemp("ox") / "store")
    ox.load(g)
    mem = MemoryStore()
    mem.load(g)
    proc, base = start_oxigraph_server(tmp_path_factory.mktemp("serve"))
    remote = RemoteStore(f"{base}/query", f"{base}/store")
    remote.load(g)
    yield {"oxigraph": ox, "memory": mem, "remote": remote}
    stop(proc)
    ox.close()


def canon(rows) -> list[tuple[str, ...]]:  # noqa: ANN001
    return sorted(tuple("" if v is None else v.n3() for v in row) for row in rows)


QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
       SELECT ?m ?a WHERE { ?m ipkg:leadAgency ?a }""",
    """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
       SELECT ?m (COUNT(?a) AS ?n) WHERE { ?m ipkg:hasAssignment ?a } GROUP BY ?m""",
]


def test_same_triples_everywhere(three_stores, graph_under_test: Graph) -> None:  # noqa: ANN001
    for name, store in three_stores.items():
        assert len(store) == len(graph_under_test), name


@pytest.mark.parametrize("sparql", QUERIES)
def test_same_rows_everywhere(three_stores, sparql: str) -> None:  # noqa: ANN001
    results = {name: s.query(sparql) for name, s in three_stores.items()}
    baseline = canon(results["memory"].rows)
    assert baseline
    for name, r in results.items():
        assert r.kind == "select"
        assert canon(r.rows) == baseline, name


def test_ask_and_construct(three_stores) -> None:  # noqa: ANN001
    for name, s in three_stores.items():
        assert s.query("ASK { ?s a <https://w3id.org/ipkg/ontology#Measure> }").boolean is True, name
        r = s.query("CONSTRUCT { ?m a ?t } WHERE { ?m a ?t . FILTER(?t = <https://w3id.org/ipkg/ontology#Measure>) }")
        assert r.kind == "graph" and len(r.graph) == 3, name


def test_bad_queries_are_query_errors(three_stores) -> None:  # noqa: ANN001
    for name, s in three_stores.items():
        with pytest.raises(QueryError):
            s.query("SELECT ?x WHERE {")
        with pytest.raises(QueryError):
            s.query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        assert len(s) > 0, name


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])  # fmt: skip
def test_query_raw_results(three_stores, accept: str) -> None:  # noqa: ANN001
    for name, s in three_stores.items():
        body, ctype = s.query_raw(QUERIES[1], accept)
        assert ctype == accept and b"nlg-office" in body, name


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_query_raw_graphs(three_stores, accept: str) -> None:  # noqa: ANN001
    q = "CONSTRUCT { ?m a ?t } WHERE { ?m a ?t . FILTER(?t = <https://w3id.org/ipkg/ontology#Measure>) }"
    for name, s in three_stores.items():
        body, _ = s.query_raw(q, accept)
        assert b"division-of-work-2016/20" in body, name
    with pytest.raises(QueryError):
        three_stores["oxigraph"].query_raw(q, "text/csv")


def test_read_only_store_refuses_load(tmp_path: Path, graph_under_test: Graph) -> None:
    d = tmp_path / "s"
    s = OxigraphStore(d)
    s.load(graph_under_test)
    s.close()
    ro = OxigraphStore(d, read_only=True)
    assert len(ro) == len(graph_under_test)
    with pytest.raises(StoreError):
        ro.load(graph_under_test)


def test_open_store_missing_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(Settings(data_dir=tmp_path))
    with pytest.raises(StoreError):
        open_store(Settings(data_dir=tmp_path, store="memory"))


@pytest.mark.parametrize("env", [{"IPKG_STORE": "bogus"}, {"IPKG_STORE": "remote"}, {"IPKG_MAX_ROWS": "0"},
                                 {"IPKG_QUERY_TIMEOUT_S": "-1"}, {"IPKG_LINEAGE_BUDGET": "0"}])
def test_bad_settings_are_refused_when_made(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown store, a remote store without its URL or a limit below 1 is refused at start, naming the
    setting, not on the first request."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    name = next(iter(env)).removeprefix("IPKG_").lower()
    assert name in str(caught.value) or "REMOTE_QUERY_URL" in str(caught.value)


# ------------------------------------------------------------------------------------ publish / swap


def test_publish_and_swap(tmp_path: Path, graph_under_test: Graph) -> None:
    build_dir = tmp_path / "build"
    first = publish(graph_under_test, build_dir, "b1")
    assert current_store(build_dir) == first.store_dir.resolve()
    for kind in ("oxigraph", "memory"):
        with open_store(Settings(data_dir=tmp_path, store=kind)) as s:
            assert len(s) == len(graph_under_test)
    g2 = Graph()
    for t in graph_under_test:
        g2.add(t)
    g2.add((URIRef("https://w3id.org/ipkg/id/x"), URIRef("https://w3id.org/ipkg/ontology#note"), Literal("new")))
    reader = open_store(Settings(data_dir=tmp_path))  # opened on b1, keeps serving it
    second = publish(g2, build_dir, "b2")
    assert current_store(build_dir) == second.store_dir.resolve()
    assert len(reader) == len(graph_under_test)
    with open_store(Settings(data_dir=tmp_path)) as s:
        assert len(s) == len(g2)
    publish(graph_under_test, build_dir, "b3")
    assert not (build_dir / "stores" / "b1").exists()  # pruned: the last two are kept


def test_interrupted_publish_keeps_previous_store(tmp_path: Path, graph_under_test: Graph, monkeypatch) -> None:  # noqa: ANN001
    import ipkg.graph.publish as pub

    build_dir = tmp_path / "build"
    publish(graph_under_test, build_dir, "old")
    before = current_store(build_dir)
    nt_before = (build_dir / "ipkg.nt").read_bytes()

    def killed(*_a, **_k):  # noqa: ANN002, ANN003
        raise KeyboardInterrupt("killed between write and swap")

    monkeypatch.setattr(pub, "swap", killed)
    g2 = Graph()
    g2.add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))
    with pytest.raises(KeyboardInterrupt):
        publish(g2, build_dir, "new")
    assert current_store(build_dir) == before
    assert not (build_dir / "stores" / "new").exists()
    assert not [p for p in (build_dir / "stores").iterdir() if p.name.endswith(".tmp")]
    with open_store(Settings(data_dir=tmp_path)) as s:
        assert len(s) == len(graph_under_test)
    assert (build_dir / "ipkg.nt").read_bytes() == nt_before  # the published files stay with the old store


def test_failing_graph_stage_keeps_previous_store(tmp_path: Path) -> None:
    from ipkg import build as b

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(Path(__file__).parent.parent / "data" / "manifest.toml", data / "manifest.toml")
    shutil.copytree(Path(__file__).parent.parent / "data" / "raw", data / "raw")
    settings = Settings(data_dir=data)
    fast = [(n, f) for n, f in b.STAGES if n not in ("entities", "lineage")]
    report = b.build(settings, stages=fast)
    live = current_store(settings.build_dir)
    assert live is not None and report.triples > 0

    def broken(ctx) -> None:  # noqa: ANN001
        raise RuntimeError("boom inside the graph stage")

    stages = [(n, broken if n == "graph" else f) for n, f in fast]
    with pytest.raises(RuntimeError):
        b.build(settings, stages=stages)
    assert current_store(settings.build_dir) == live
    with open_store(settings) as s:
        assert len(s) == report.triples


def test_non_conforming_graph_is_not_published(tmp_path: Path) -> None:
    from ipkg import build as b
    from ipkg.ontology.namespaces import ID, IPKG

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(Path(__file__).parent.parent / "data" / "manifest.toml", data / "manifest.toml")
    shutil.copytree(Path(__file__).parent.parent / "data" / "raw", data / "raw")
    settings = Settings(data_dir=data)
    fast = [(n, f) for n, f in b.STAGES if n not in ("entities", "lineage")]
    b.build(settings, stages=fast)
    live = current_store(settings.build_dir)

    def corrupt(ctx) -> None:  # noqa: ANN001
        b.stage_graph(ctx)
        ctx.graph.add((ID["measure/outline-2008/1"], IPKG.leadAgency, ID["agency/sipo"]))

    with pytest.raises(b.BuildError, match="does not conform"):
        b.build(settings, stages=[(n, corrupt if n == "graph" else f) for n, f in fast])
    assert current_store(settings.build_dir) == live
    assert (settings.build_dir / "ipkg.rejected.ttl").is_file()


def test_the_memory_store_answers_concurrent_queries():
    """rdflib's SPARQL parser is not thread-safe (pyparsing settles each parse action's arity on first use:
    two threads at once break it for good); the store parses under the endpoint's lock. In a fresh
    interpreter, where the first parses race: without the lock every one of these queries fails."""
    code = """
from concurrent.futures import ThreadPoolExecutor
from rdflib import Graph, Literal, URIRef
from ipkg.graph.store import MemoryStore
g = Graph()
for k in range(50):
    g.add((URIRef(f"http://example.org/s{k}"), URIRef("http://example.org/p"), Literal(k)))
store = MemoryStore(g)
def count(n):
    return len(store.query(f"SELECT ?s WHERE {{ ?s <http://example.org/p> ?o FILTER(?o < {n}) }}").rows)
with ThreadPoolExecutor(16) as pool:
    print(list(pool.map(count, range(1, 49))) == list(range(1, 49)))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "True", run.stderr[-2000:]

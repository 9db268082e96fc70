"""The bench machinery on tiny inputs. No timing is ever asserted here: speed is shown by `make bench`."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console

from ipkg import bench
from ipkg.extract.pipeline import extract_structure
from ipkg.synthetic import make_corpus

DATA = Path(__file__).resolve().parent.parent / "data"


def test_percentile_and_ratio() -> None:
    assert bench.percentile([], 50) == 0.0
    assert bench.percentile([1.0, 2.0, 3.0], 50) == 2.0
    assert bench.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 100) == 5.0
    assert bench.percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    assert bench.ratio(10.0, 2.0) == 5.0
    assert bench.ratio(1.0, 0.0) is None and bench.ratio(None, 1.0) is None


def test_latency_counts_runs() -> None:
    calls = []
    out = bench.latency(lambda: calls.append(1), runs=7, warmup=2, budget_s=60)
    assert out["runs"] == 7 and len(calls) == 9
    assert set(out) == {"p50_ms", "p95_ms", "runs"}


def test_section_degrades_to_na() -> None:
    figures: dict = {}

    def boom() -> dict:
        raise RuntimeError("store missing")

    bench._section(figures, "queries", boom, lambda _: None)
    assert figures["queries"] == {"na": "RuntimeError: store missing"}


def test_replicate_renames_documents_but_shares_agencies(tmp_path: Path) -> None:
    p = bench.DATA_PREFIX
    src = tmp_path / "g.nt"
    src.write_text(
        f"<{p}measure/outline-2008/1> <{p}x> <{p}agency/sipo> .\n"
        f"<{p}document/outline-2008> <{p}x> _:b1 .\n"
        f'_:b1 <http://www.w3.org/2004/02/skos/core#notation> "1" .\n',
        encoding="utf-8",
    )
    dst = tmp_path / "big.nt"
    n = bench.replicate_ntriples(src, dst, target_triples=9)
    lines = dst.read_text(encoding="utf-8").splitlines()
    assert n == len(lines) == 9
    assert len(set(lines)) == 9
    assert f"<{p}measure/outline-2008-r2/1> <{p}x> <{p}agency/sipo> ." in lines
    assert f"<{p}document/outline-2008-r1> <{p}x> _:b1r1 ." in lines


def test_synthetic_corpus_parses_like_the_real_one(tmp_path: Path) -> None:
    made = make_corpus(DATA, tmp_path / "syn", 2)
    real = extract_structure(DATA)
    syn = extract_structure(tmp_path / "syn")
    assert made.warnings == []
    assert made.measures == len(syn.measures) == 2 * len(real.measures)
    assert made.documents == 2 * sum(1 for d in real.documents if d.in_corpus)
    labels = {}
    for m in syn.measures:
        labels.setdefault(m.doc, []).append(m.label)
    for slug in {m.doc for m in real.measures}:
        assert labels[f"{slug}-s1"] == labels[slug]
    original = {m.label: m.text for m in syn.measures if m.doc == "promotion-plan-2012"}
    variant = {m.label: m.text for m in syn.measures if m.doc == "promotion-plan-2012-s1"}
    assert sum(original[k] != variant[k] for k in original) > len(original) // 2
    # The agency clauses are kept, so the responsibility parser still has work to do.
    assert sum(1 for m in syn.measures if m.clause is not None) == 2 * sum(
        1 for m in real.measures if m.clause is not None
    )


def test_synthetic_factor_one_is_the_real_corpus(tmp_path: Path) -> None:
    made = make_corpus(DATA, tmp_path / "one", 1)
    assert made.measures == len(extract_structure(DATA).measures)
    with pytest.raises(ValueError):
        make_corpus(DATA, tmp_path / "zero", 0)


WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/api/agencies/sipo
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.01ms    3.02ms  45.10ms   80.00%
  Latency Distribution
     50%   19.50ms
     75%   21.00ms
     90%   23.00ms
     99%  850.00us
  7500 requests in 5.00s, 3.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1500.25
Transfer/sec:    600.00KB
"""


def test_parse_wrk() -> None:
    out = bench._parse_wrk(WRK_OUTPUT)
    assert out["rps"] == 1500.25 and out["requests"] == 7500 and out["errors"] == 3
    assert out["p50_ms"] == pytest.approx(19.5) and out["p99_ms"] == pytest.approx(0.85)


def test_partial_timings(tmp_path: Path) -> None:
    log = tmp_path / "p.progress"
    log.write_text(
        '{"t": 10.0, "msg": "__start__", "wall": 0}\n{"t": 11.0, "msg": "structure"}\n'
        '{"t": 12.5, "msg": "entities"}\n{"t": 13.0, "msg": "entities: 7 texts"}\n{"t": 20.0, "msg": "lineage"}\n',
        encoding="utf-8",
    )
    done, running = bench._partial_timings(log, ["structure", "entities", "lineage"], stopped_at=25.0)
    assert done == {"structure": 1.5, "entities": 7.5}
    assert running == {"lineage": 5.0}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b'{"ok": true}' if self.path == "/ok" else b"missing"
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _run(coro):  # noqa: ANN001, ANN202
    """Run a coroutine on a fresh loop in its own thread: the session's browser fixture keeps a loop running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_asyncio_load_client_on_loopback() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        port = httpd.server_address[1]
        ok = _run(bench._load(port, "/ok", "application/json", connections=2, duration_s=0.3))
        assert ok["requests"] > 0 and ok["errors"] == 0 and ok["connection_failures"] == []
        bad = _run(bench._load(port, "/nope", "text/html", connections=1, duration_s=0.2))
        assert bad["errors"] == bad["requests"] > 0 and bad["error_statuses"] == [404]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_render_tables_with_missing_parts() -> None:
    figures = {
        "build": {"stages": {"structure": 0.1, "entities": 1.0}, "total_s": 1.1, "bare_parse_s": 0.9,
                  "product_pipeline_s": 0.95, "total_over_bare": 1.22, "texts": 3, "characters": 30,
                  "measures": 2, "triples": 10, "bare_components": ["tok2vec", "ner"]},
        "queries": {"triples": 10, "errors": {"remote": "no oxigraph binary"}, "queries": [
            {"name": "q", "oxigraph": {"p50_ms": 1.0, "p95_ms": 2.0, "runs": 5},
             "memory": {"p50_ms": 20.0, "p95_ms": 30.0, "runs": 5}, "remote": {"na": "down"},
             "memory_over_oxigraph": 20.0, "remote_over_oxigraph": None}]},
        "million": {"na": "skipped (--quick)"},
        "load": {"na": "no app"},
        "scaling": {"runs": {
            "1": {"measures": 2, "timings": {"structure": 0.1}, "total_s": 0.1, "complete": True,
                  "stage_ratio": {"structure": 1.0}, "total_ratio": 1.0, "queries": {}, "query_ratio": {}},
            "10": {"measures": 20, "timings": {"structure": 0.5}, "running": {"entities": 30.0},
                   "complete": False, "note": "stopped", "stage_ratio": {"structure": 5.0},
                   "total_ratio": None, "queries": {}, "query_ratio": {}}}},
    }
    tables = bench.render(figures)
    assert len(tables) == 5
    console = Console(record=True, width=200)
    for t in tables:
        console.print(t)
    text = console.export_text()
    assert "n/a: skipped (--quick)" in text and "n/a: no app" in text and "> 30 (stopped)" in text

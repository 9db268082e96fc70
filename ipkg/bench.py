"""``ipkg bench``: the product's performance figures in one run (``run_bench``), printed by ``render``.

Four parts, each of which degrades to ``{"na": reason}`` when a piece it needs is missing or fails:

1. ``build`` — the build's time per stage on a fresh copy of the corpus, against the BARE spaCy parse of the
   same measure texts (``spacy.load(MODEL)`` with the product's enabled components, without the ipkg ones):
   the floor of the NLP stage. One-time model loading is EXCLUDED from both (both pipelines are loaded
   before the clock starts, and the timed build is the second one in the process).
2. ``queries`` — median/p95 latency of every named query on embedded Oxigraph, in-memory rdflib and a real
   ``oxigraph serve`` (remote store, loaded through the Graph Store Protocol), as ratios to Oxigraph; and
   the same on a ~1M-triple graph (the real graph replicated with renamed IRIs) for Oxigraph vs rdflib.
3. ``load`` — requests per second and p50/p99 latency of the real server (uvicorn + the product's app) under
   concurrent load from a separate process (``wrk`` when installed, else a Python asyncio keep-alive client).
4. ``scaling`` — build (per stage) and query times on synthetic corpora of 10x and 100x the measures
   (``ipkg.synthetic``), each built in a subprocess with a time limit, as ratios to the 1x corpus.

Everything listens on and talks to 127.0.0.1 only; every server and worker is stopped in ``finally``.
``quick=True`` skips the 100x corpus and the million-triple graph (and uses fewer runs).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipkg.settings import Settings

Progress = Callable[[str], None]

DATA_PREFIX = "https://w3id.org/ipkg/id/"
# Entities a bigger corpus shares with the real one (the replicated graph keeps their IRIs).
SHARED_KINDS = ("agency", "ip-type", "law")
TARGETS = {
    "build_over_bare_parse": 1.5,
    "oxigraph_speedup_1m": 15.0,
    "corpus_p50_ms": 5.0,
    "entity_json_rps": 1500.0,
    "time_100x_over_1x": 30.0,
}


@dataclass(frozen=True)
class BenchQuery:
    name: str
    title: str
    sparql: str


# ---------------------------------------------------------------------------------------------- helpers


def _na(reason: object) -> dict[str, str]:
    text = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return {"na": text[:300]}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def latency(fn: Callable[[], object], runs: int = 50, warmup: int = 3, budget_s: float = 10.0) -> dict[str, float]:
    """Median and p95 (ms) of ``fn`` over up to ``runs`` timed calls after ``warmup`` calls; stops early
    (at least 3 timed calls) once ``budget_s`` seconds are spent."""
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
        if time.perf_counter() - start > budget_s / 2:
            break
    times: list[float] = []
    t_end = time.perf_counter() + budget_s
    while len(times) < runs:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
        if len(times) >= 3 and time.perf_counter() > t_end:
            break
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 95), "runs": len(times)}


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout_s:.0f} s")


def stop(proc: subprocess.Popen[Any] | None, grace_s: float = 5.0) -> None:
    """Stop a process this module started (its own process group), by id."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(timeout=grace_s)


def _spawn(cmd: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen[bytes]:
    out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's exit
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def copy_corpus(src: Path, dst: Path) -> Path:
    """A fresh data dir with the manifest and raw texts of ``src`` (no build output)."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "manifest.toml", dst / "manifest.toml")
    shutil.copytree(src / "raw", dst / "raw", dirs_exist_ok=True)
    return dst


# ---------------------------------------------------------------------------------------------- queries

_META = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")


def _queries_from_files(folder: Path) -> list[BenchQuery]:
    out = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = path.stem
        for line in text.splitlines():
            m = _META.match(line)
            if m and m.group(1) == "title":
                title = m.group(2).strip()
        out.append(BenchQuery(path.stem, title, text))
    return out


def load_queries() -> list[BenchQuery]:
    """The named example queries (``ipkg.graph.queries.named_queries``; the ``.rq`` files as a fallback)."""
    try:
        from ipkg.graph.queries import named_queries  # type: ignore[import-not-found]
    except ImportError:
        folder = Path(__file__).resolve().parent.parent / "graph" / "queries"
        if not folder.is_dir():
            import ipkg.graph

            folder = Path(ipkg.graph.__file__).parent / "queries"
        if not folder.is_dir():
            raise RuntimeError("no named queries (ipkg.graph.queries and graph/queries/*.rq missing)") from None
        return _queries_from_files(folder)
    out = []
    for q in named_queries():
        sparql = getattr(q, "sparql", None)
        render = getattr(q, "render", None) or getattr(q, "with_params", None)
        if callable(render):
            try:
                sparql = render()
            except TypeError:
                pass
        out.append(BenchQuery(str(q.name), str(getattr(q, "title", q.name)), str(sparql)))
    return out


def replicate_ntriples(src: Path, dst: Path, target_triples: int = 1_000_000) -> int:
    """Write ``dst``: the graph of ``src`` (N-Triples) replicated until about ``target_triples`` triples,
    each copy with its documents, measures, sections, links and blank nodes renamed (``...-r{k}``);
    agencies, IP types, laws and ontology terms are shared, as in a bigger corpus. Returns the triple count."""
    lines = [ln for ln in src.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    copies = max(1, -(-target_triples // max(1, len(lines))))  # ceil: at least the target
    iri = re.compile(r"<" + re.escape(DATA_PREFIX) + r"([^/>]+)/([^/>]+)([^>]*)>")
    bnode = re.compile(r"_:([A-Za-z0-9_\-.]+)")
    shared = set(SHARED_KINDS)
    text = "\n".join(lines) + "\n"
    with open(dst, "w", encoding="utf-8") as out:
        out.write(text)
        for k in range(1, copies):
            def rename(m: re.Match[str], k: int = k) -> str:
                if m.group(1) in shared:
                    return m.group(0)
                return f"<{DATA_PREFIX}{m.group(1)}/{m.group(2)}-r{k}{m.group(3)}>"

            out.write(bnode.sub(lambda m, k=k: f"_:{m.group(1)}r{k}", iri.sub(rename, text)))
    return len(lines) * copies


def _query_store(store: Any, sparql: str) -> Callable[[], object]:
    def run() -> object:
        return store.query(sparql)

    return run


def bench_stores(build_dir: Path, queries: list[BenchQuery], runs: int, tmp: Path,
                 progress: Progress) -> dict[str, Any]:
    """Latency of every named query on embedded Oxigraph, rdflib and a real ``oxigraph serve``."""
    from ipkg.graph.store import MemoryStore, OxigraphStore, RemoteStore

    nt = build_dir / "ipkg.nt"
    store_dir = build_dir / "store"
    if not nt.is_file() or not store_dir.exists():
        return _na(f"no built graph in {build_dir} (ipkg.nt / store)")
    stores: dict[str, Any] = {}
    errors: dict[str, str] = {}
    server: subprocess.Popen[bytes] | None = None
    try:
        stores["oxigraph"] = OxigraphStore(store_dir, read_only=True)
        mem = MemoryStore()
        mem.load(nt)
        stores["memory"] = mem
        binary = Path(sys.executable).parent / "oxigraph"
        if not binary.is_file():
            binary = Path(shutil.which("oxigraph") or "")
        if binary.is_file():
            try:
                port = free_port()
                server = _spawn([str(binary), "serve", "--location", str(tmp / "remote-store"),
                                 "--bind", f"127.0.0.1:{port}"], log=tmp / "oxigraph-serve.log")
                wait_for_port(port, 30, server)
                remote = RemoteStore(f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store",
                                     timeout_s=60)
                remote.load(nt)
                stores["remote"] = remote
            except Exception as e:  # noqa: BLE001 - reported as n/a
                errors["remote"] = str(e)
        else:
            errors["remote"] = "no oxigraph binary in .venv/bin"
        rows = []
        for q in queries:
            progress(f"queries: {q.name}")
            row: dict[str, Any] = {"name": q.name, "title": q.title}
            for name, store in stores.items():
                try:
                    n = store.query(q.sparql)
                    row["rows"] = len(n.rows) if n.kind == "select" else (len(n.graph) if n.graph else 1)
                    row[name] = latency(_query_store(store, q.sparql), runs=runs, budget_s=8.0)
                except Exception as e:  # noqa: BLE001
                    row[name] = _na(e)
            ox_p50 = row.get("oxigraph", {}).get("p50_ms")
            row["memory_over_oxigraph"] = ratio(row.get("memory", {}).get("p50_ms"), ox_p50)
            row["remote_over_oxigraph"] = ratio(row.get("remote", {}).get("p50_ms"), ox_p50)
            rows.append(row)
        return {"triples": len(stores["oxigraph"]), "queries": rows, "errors": errors, "runs": runs}
    finally:
        for store in stores.values():
            try:
                store.close()
            except Exception:  # noqa: BLE001, S110
                pass
        stop(server)


def bench_million(nt: Path, queries: list[BenchQuery], tmp: Path, runs: int, progress: Progress,
                  target: int = 1_000_000, rdflib_timeout_s: float = 300.0) -> dict[str, Any]:
    """Oxigraph (on disk, bulk-loaded) vs rdflib on a ~1M-triple replica of the real graph. rdflib runs in
    a worker process with a time limit; its figures so far are kept if it runs out of time."""
    from ipkg.graph.store import OxigraphStore

    if not nt.is_file():
        return _na(f"no graph at {nt}")
    progress("million: replicating the graph")
    big = tmp / "million.nt"
    n = replicate_ntriples(nt, big, target)
    t0 = time.perf_counter()
    store = OxigraphStore(tmp / "million-store")
    store.load(big)
    load_s = time.perf_counter() - t0
    out: dict[str, Any] = {"triples": len(store), "oxigraph_load_s": load_s, "lines": n, "queries": []}
    try:
        for q in queries:
            progress(f"million: oxigraph {q.name}")
            try:
                out["queries"].append({"name": q.name, "oxigraph": latency(_query_store(store, q.sparql), runs, budget_s=8)})
            except Exception as e:  # noqa: BLE001
                out["queries"].append({"name": q.name, "oxigraph": _na(e)})
    finally:
        store.close()
    progress("million: rdflib (worker process)")
    qfile = tmp / "million-queries.json"
    qfile.write_text(json.dumps([q.__dict__ for q in queries]), encoding="utf-8")
    result_file = tmp / "million-rdflib.jsonl"
    done = _run_worker(["rdflib", str(big), str(qfile), str(result_file), str(max(3, runs // 5))], rdflib_timeout_s)
    got: dict[str, Any] = {}
    if result_file.is_file():
        for line in result_file.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            got[item["name"]] = item
    out["rdflib_load_s"] = got.get("__load__", {}).get("seconds")
    if done is not None:
        out["rdflib_note"] = done
    for row in out["queries"]:
        item = got.get(row["name"])
        row["memory"] = item["latency"] if item else _na(done or "not reached")
        row["memory_over_oxigraph"] = ratio(row["memory"].get("p50_ms"), row["oxigraph"].get("p50_ms"))
    big.unlink(missing_ok=True)
    return out


# ---------------------------------------------------------------------------------------------- workers


def _run_worker(args: list[str], timeout_s: float) -> str | None:
    """Run ``python -m ipkg.bench _worker ARGS`` with a time limit; None when it finished cleanly."""
    proc = subprocess.Popen([sys.executable, "-m", "ipkg.bench", "_worker", *args], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop(proc)
        return f"stopped after the {timeout_s:.0f} s time limit"
    finally:
        stop(proc)
    if proc.returncode != 0:
        tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        return f"worker failed ({proc.returncode}): {tail[0][:200]}"
    return None


def _worker_rdflib(nt: str, qfile: str, out: str, runs: str) -> None:
    from ipkg.graph.store import MemoryStore

    t0 = time.perf_counter()
    store = MemoryStore()
    store.load(Path(nt))
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps({"name": "__load__", "seconds": time.perf_counter() - t0}) + "\n")
    for q in json.loads(Path(qfile).read_text(encoding="utf-8")):
        try:
            lat: dict[str, Any] = latency(_query_store(store, q["sparql"]), runs=int(runs), warmup=1, budget_s=10)
        except Exception as e:  # noqa: BLE001
            lat = _na(e)
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": q["name"], "latency": lat}) + "\n")


def _worker_build(data_dir: str, out: str, qfile: str) -> None:
    """Build ``data_dir`` (model loaded first, not timed) and time the named queries on its store."""
    from ipkg.build import build
    from ipkg.extract.nlp import default_nlp

    progress_file = Path(out + ".progress")
    with open(progress_file, "a", encoding="utf-8") as f:
        f.write(json.dumps({"t": time.perf_counter(), "msg": "__start__", "wall": time.time()}) + "\n")
    t_load = time.perf_counter()
    default_nlp()
    load_s = time.perf_counter() - t_load

    def progress(msg: str) -> None:
        with open(progress_file, "a", encoding="utf-8") as f:
            f.write(json.dumps({"t": time.perf_counter(), "msg": msg}) + "\n")

    settings = Settings(data_dir=Path(data_dir))
    report = build(settings, progress)
    result: dict[str, Any] = {
        "model_load_s": load_s, "timings": report.timings, "measures": len(report.corpus.measures),
        "documents": sum(1 for d in report.corpus.documents if d.in_corpus), "triples": report.triples,
        "lineage_candidates": len(getattr(report.corpus, "lineage", []) or []),
    }
    queries = json.loads(Path(qfile).read_text(encoding="utf-8")) if qfile else []
    if queries and (settings.store_dir).exists():
        from ipkg.graph.store import OxigraphStore

        store = OxigraphStore(settings.store_dir, read_only=True)
        result["queries"] = {}
        for q in queries:
            try:
                result["queries"][q["name"]] = latency(_query_store(store, q["sparql"]), runs=20, budget_s=5)
            except Exception as e:  # noqa: BLE001
                result["queries"][q["name"]] = _na(e)
        store.close()
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def _partial_timings(progress_file: Path, stage_names: list[str],
                     stopped_at: float | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """Stage durations recovered from the progress log of a build that was stopped: the finished stages,
    and the stage that was running with the seconds it had run (a lower bound)."""
    if not progress_file.is_file():
        return {}, {}
    marks = []
    for line in progress_file.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if item.get("msg") in stage_names:
            marks.append((item["t"], item["msg"]))
    done = {name: marks[i + 1][0] - t for i, (t, name) in enumerate(marks[:-1])}
    running = {marks[-1][1]: stopped_at - marks[-1][0]} if marks and stopped_at is not None else {}
    return done, running


def _worker_clock(progress_file: Path) -> float | None:
    """The worker's perf_counter at the moment it was stopped (now), from its start mark's wall time."""
    if not progress_file.is_file():
        return None
    first = progress_file.read_text(encoding="utf-8").splitlines()[:1]
    if not first:
        return None
    item = json.loads(first[0])
    return item["t"] + (time.time() - item["wall"]) if "wall" in item else None


# ---------------------------------------------------------------------------------------------- build


def _entity_texts(corpus: Any, raws: dict[str, str]) -> list[str]:
    """The texts the entities stage sends through spaCy (bodies and clauses), built as it builds them."""
    from ipkg.extract.cleaning import Cleaner, normalised_offsets

    cleaners = {slug: Cleaner(raw) for slug, raw in raws.items()}
    texts = []
    for m in corpus.measures:
        raw = raws[m.doc]
        texts.append(normalised_offsets(cleaners[m.doc], raw, m.body or m.span)[0])
        if m.clause is not None:
            texts.append(normalised_offsets(cleaners[m.doc], raw, m.clause)[0])
    return texts


def bench_build(data_dir: Path, tmp: Path, progress: Progress) -> dict[str, Any]:
    """Stage times of a warm build of a fresh copy of the corpus vs the bare spaCy parse of its texts."""
    import spacy

    from ipkg.build import build
    from ipkg.extract import nlp as nlp_mod

    work = copy_corpus(data_dir, tmp / "build-1x")
    settings = Settings(data_dir=work)
    progress("build: loading the spaCy pipelines (not timed)")
    t0 = time.perf_counter()
    product_nlp = nlp_mod.default_nlp()
    product_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    bare = spacy.load(nlp_mod.MODEL, exclude=list(nlp_mod.MODEL_EXCLUDE))
    bare_load = time.perf_counter() - t0
    progress("build: timed build")
    report = build(settings, progress)
    texts = _entity_texts(report.corpus, {s: r for s, r in _raws(work).items()})
    progress("build: bare spaCy parse")
    for _ in nlp_mod.default_nlp().pipe(texts[:20]):
        pass
    bare_times, product_times = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        for _doc in bare.pipe(texts):
            pass
        bare_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _doc in product_nlp.pipe(texts):
            pass
        product_times.append(time.perf_counter() - t0)
    bare_s, product_s = min(bare_times), min(product_times)
    total = report.total
    return {
        "model_loading": "excluded from both (both pipelines are loaded before the clock starts)",
        "model_load_s": {"product": product_load, "bare": bare_load},
        "stages": report.timings,
        "total_s": total,
        "bare_parse_s": bare_s,
        "product_pipeline_s": product_s,
        "bare_components": list(bare.pipe_names),
        "product_components": list(product_nlp.pipe_names),
        "texts": len(texts),
        "characters": sum(len(t) for t in texts),
        "measures": len(report.corpus.measures),
        "triples": report.triples,
        "total_over_bare": ratio(total, bare_s),
        "entities_over_bare": ratio(report.timings.get("entities"), bare_s),
        "build_dir": str(settings.build_dir),
    }


def _raws(data_dir: Path) -> dict[str, str]:
    from ipkg.extract.pipeline import raw_texts

    return raw_texts(data_dir)


# ---------------------------------------------------------------------------------------------- load


def _parse_wrk(text: str) -> dict[str, Any]:
    def ms(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", value)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]

    out: dict[str, Any] = {"generator": "wrk"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.MULTILINE)
        out[key] = ms(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:.*", text)
    if m:
        out["socket_errors"] = m.group(0)
    return out


async def _http_loop(port: int, request: bytes, deadline: float, lat: list[float], bad: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionError("server closed the connection")
            status = int(status_line.split()[1])
            length, chunked, close = None, False, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value:
                    chunked = True
                elif name == "connection" and value == "close":
                    close = True
            if chunked:
                while True:
                    size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                    await reader.readexactly(size + 2) if size else await reader.readline()
                    if not size:
                        break
            elif length:
                await reader.readexactly(length)
            lat.append((time.perf_counter() - t0) * 1000.0)
            if status >= 400:
                bad.append(status)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _load(port: int, path: str, accept: str, connections: int, duration_s: float) -> dict[str, Any]:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n"
               "User-Agent: ipkg-bench\r\n\r\n").encode("latin-1")
    warm: list[float] = []
    await asyncio.gather(*[_http_loop(port, request, time.perf_counter() + 1.0, warm, [])
                           for _ in range(min(4, connections))])
    lat: list[float] = []
    bad: list[int] = []
    t0 = time.perf_counter()
    results = await asyncio.gather(*[_http_loop(port, request, t0 + duration_s, lat, bad)
                                     for _ in range(connections)], return_exceptions=True)
    elapsed = time.perf_counter() - t0
    failures = [repr(r) for r in results if isinstance(r, BaseException)]
    return {
        "generator": "python-asyncio", "rps": len(lat) / elapsed, "requests": len(lat),
        "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "errors": len(bad),
        "error_statuses": sorted(set(bad))[:5], "connection_failures": failures[:3],
    }


def _worker_load(port: str, path: str, accept: str, connections: str, duration: str) -> None:
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_load(int(port), path, accept, int(connections), float(duration)))
    sys.stdout.write(json.dumps(result))


def drive(port: int, path: str, accept: str, connections: int, duration_s: float) -> dict[str, Any]:
    """Load ``http://127.0.0.1:{port}{path}`` from a separate process (wrk if installed)."""
    wrk = shutil.which("wrk")
    url = f"http://127.0.0.1:{port}{path}"
    if wrk:
        subprocess.run([wrk, "-t1", "-c4", "-d1s", "-H", f"Accept: {accept}", url], capture_output=True,
                       timeout=30, check=False)
        done = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{duration_s:.0f}s", "--latency",
                               "-H", f"Accept: {accept}", url], capture_output=True, text=True,
                              timeout=duration_s + 30, check=False)
        return _parse_wrk(done.stdout)
    done = subprocess.run([sys.executable, "-m", "ipkg.bench", "_worker", "load", str(port), path, accept,
                           str(connections), str(duration_s)], capture_output=True, text=True,
                          timeout=duration_s + 60, check=False)
    if done.returncode != 0:
        return _na(f"load generator failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout)


def _get(port: int, path: str, accept: str) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
            return resp.status, resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", "")


SERVER_SCRIPT = (
    "import uvicorn\n"
    "from ipkg.api.app import create_app\n"
    "from ipkg.settings import Settings\n"
    "s = Settings()\n"
    "uvicorn.run(create_app(s), host='127.0.0.1', port=s.port, log_level='warning', access_log=False)\n"
)


@contextmanager
def server(data_dir: Path, log: Path) -> Iterator[int]:
    """The product's app under uvicorn on a free loopback port (a separate process)."""
    port = free_port()
    env = dict(os.environ, IPKG_DATA_DIR=str(data_dir.resolve()), IPKG_HOST="127.0.0.1", IPKG_PORT=str(port))
    proc = _spawn([sys.executable, "-c", SERVER_SCRIPT], env=env, log=log)
    try:
        wait_for_port(port, 60, proc)
        yield port
    finally:
        stop(proc)


def bench_load(data_dir: Path, queries: list[BenchQuery], tmp: Path, progress: Progress,
               connections: int = 32, duration_s: float = 5.0) -> dict[str, Any]:
    try:
        import ipkg.api.app  # noqa: F401
    except ImportError as e:
        return _na(f"no app: {e}")
    targets: list[tuple[str, str, str]] = [
        ("entity JSON /api/agencies/sipo", "/api/agencies/sipo", "application/json"),
        ("entity HTML /agency/sipo", "/agency/sipo", "text/html"),
    ]
    sparql = next((q for q in queries if "agenc" in q.name.lower()), queries[0] if queries else None)
    if sparql is not None:
        path = "/sparql?" + urllib.parse.urlencode({"query": sparql.sparql})
        targets.append((f"SPARQL /sparql ({sparql.name})", path, "application/sparql-results+json"))
    out: dict[str, Any] = {"connections": connections, "duration_s": duration_s,
                           "generator": "wrk" if shutil.which("wrk") else "python-asyncio (separate process)",
                           "targets": []}
    with server(data_dir, tmp / "uvicorn.log") as port:
        for label, path, accept in targets:
            progress(f"load: {label}")
            row: dict[str, Any] = {"target": label, "path": path[:80]}
            status, ctype = _get(port, path, accept)
            if status != 200:
                row.update(_na(f"GET {path[:60]} -> {status} {ctype}"))
            else:
                row.update(drive(port, path, accept, connections, duration_s))
            out["targets"].append(row)
    return out


# ---------------------------------------------------------------------------------------------- scaling


def bench_scaling(data_dir: Path, queries: list[BenchQuery], tmp: Path, factors: list[int],
                  progress: Progress, timeout_s: dict[int, float] | None = None,
                  baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build synthetic corpora of each factor in a worker process; times relative to factor 1 (``baseline``:
    the 1x figures already measured, see ``baseline_from``; else the 1x corpus is built in a worker too)."""
    from ipkg.build import STAGES
    from ipkg.synthetic import make_corpus

    stage_names = [name for name, _ in STAGES]
    qfile = tmp / "scaling-queries.json"
    qfile.write_text(json.dumps([q.__dict__ for q in queries]), encoding="utf-8")
    runs: dict[str, Any] = {}
    if baseline is not None and "na" not in baseline:
        runs["1"] = baseline
        factors = [f for f in factors if f != 1]
    for factor in factors:
        progress(f"scaling: {factor}x corpus")
        folder = tmp / f"scale-{factor}x"
        made = make_corpus(data_dir, folder, factor)
        out = tmp / f"scale-{factor}x.json"
        limit = (timeout_s or {}).get(factor, 120 + 60 * factor)
        t0 = time.perf_counter()
        note = _run_worker(["build", str(folder), str(out), str(qfile)], limit)
        wall = time.perf_counter() - t0
        run: dict[str, Any] = {"factor": factor, "documents": made.documents, "measures": made.measures,
                               "raw_mb": made.raw_bytes / 1e6, "wall_s": wall, "synthetic_warnings": made.warnings}
        if note is None and out.is_file():
            run.update(json.loads(out.read_text(encoding="utf-8")))
            run["complete"] = True
        else:
            run["complete"] = False
            run["note"] = note or "no result"
            run["timings"], run["running"] = _partial_timings(
                Path(str(out) + ".progress"), stage_names, _worker_clock(Path(str(out) + ".progress")))
        run["total_s"] = sum(run.get("timings", {}).values()) if run.get("complete") else None
        runs[str(factor)] = run
        shutil.rmtree(folder, ignore_errors=True)
    base = runs.get("1", {})
    for run in runs.values():
        t, b = run.get("timings", {}), base.get("timings", {})
        run["stage_ratio"] = {k: ratio(v, b.get(k)) for k, v in t.items()}
        run["total_ratio"] = ratio(run.get("total_s"), base.get("total_s"))
        qs, bq = run.get("queries", {}), base.get("queries", {})
        run["query_ratio"] = {k: ratio(v.get("p50_ms"), bq.get(k, {}).get("p50_ms")) for k, v in qs.items()}
    return {"runs": runs, "stages": stage_names}


def baseline_from(figures: dict[str, Any]) -> dict[str, Any] | None:
    """The 1x scaling run from the build and query sections (same corpus, model loading excluded)."""
    b, q = figures.get("build", {}), figures.get("queries", {})
    if not b or "na" in b:
        return None
    queries = {r["name"]: r["oxigraph"] for r in q.get("queries", []) if isinstance(r.get("oxigraph"), dict)}
    return {"factor": 1, "documents": None, "measures": b.get("measures"), "timings": b.get("stages", {}),
            "total_s": b.get("total_s"), "complete": True, "queries": queries, "source": "section 1 build"}


# ---------------------------------------------------------------------------------------------- run


def _section(figures: dict[str, Any], key: str, fn: Callable[[], dict[str, Any]], progress: Progress) -> None:
    t0 = time.perf_counter()
    try:
        figures[key] = fn()
    except Exception as e:  # noqa: BLE001 - every part degrades to n/a
        figures[key] = _na(f"{type(e).__name__}: {e}")
    figures.setdefault("section_seconds", {})[key] = time.perf_counter() - t0
    progress(f"{key}: done in {figures['section_seconds'][key]:.1f} s")


def run_bench(settings: Settings, out_path: Path | None = None, quick: bool = False,
              progress: Progress = lambda _: None,
              scale_timeouts: dict[int, float] | None = None) -> dict[str, Any]:
    """Run every part of the benchmark on ``settings.data_dir``; write the figures to ``out_path``
    (default ``data/build/bench.json``) and return them. ``scale_timeouts``: seconds allowed to the build
    of each synthetic corpus (default 10x: 900, 100x: 1800); a build stopped at its limit reports the stages
    it finished and the one it was in."""
    data_dir = Path(settings.data_dir)
    out_path = Path(out_path) if out_path is not None else settings.build_dir / "bench.json"
    runs = 20 if quick else 50
    figures: dict[str, Any] = {
        "quick": quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets": TARGETS,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    with tempfile.TemporaryDirectory(prefix="ipkg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        queries: list[BenchQuery] = []
        try:
            queries = load_queries()
            figures["named_queries"] = [q.name for q in queries]
        except Exception as e:  # noqa: BLE001
            figures["named_queries"] = _na(e)
        _section(figures, "build", lambda: bench_build(data_dir, tmp, progress), progress)
        build_dir = Path(figures["build"].get("build_dir", tmp / "build-1x" / "build"))
        if queries:
            _section(figures, "queries", lambda: bench_stores(build_dir, queries, runs, tmp, progress), progress)
            if quick:
                figures["million"] = _na("skipped (--quick)")
            else:
                _section(figures, "million",
                         lambda: bench_million(build_dir / "ipkg.nt", queries, tmp, runs, progress), progress)
        else:
            figures["queries"] = figures["million"] = _na("no named queries")
        _section(figures, "load",
                 lambda: bench_load(build_dir.parent, queries, tmp, progress,
                                    duration_s=2.0 if quick else 5.0), progress)
        factors = [1, 10] if quick else [1, 10, 100]
        _section(figures, "scaling",
                 lambda: bench_scaling(data_dir, queries, tmp, factors, progress,
                                       {1: 600, 10: 900, 100: 1800, **(scale_timeouts or {})},
                                       baseline_from(figures)), progress)
    figures["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    return figures


# ---------------------------------------------------------------------------------------------- render


def _f(v: Any, fmt: str = "{:.2f}") -> str:
    if v is None:
        return "-"
    if isinstance(v, int | float):
        return fmt.format(v)
    return str(v)


def _x(v: Any) -> str:
    return "-" if v is None else f"{v:.1f}x"


def _cell(d: Any, key: str = "p50_ms") -> str:
    if not isinstance(d, dict):
        return "-"
    if "na" in d:
        return "n/a"
    return _f(d.get(key), "{:.2f}")


def render(figures: dict[str, Any]) -> list[Any]:
    """Rich tables (build, queries, million, load, scaling) for the figures of ``run_bench``."""
    from rich.table import Table

    tables: list[Any] = []

    def na_table(title: str, reason: str) -> Table:
        t = Table(title=title, title_justify="left")
        t.add_column("n/a")
        t.add_row(f"n/a: {reason}")
        return t

    b = figures.get("build", {})
    if "na" in b:
        tables.append(na_table("1. Build vs bare spaCy parse", b["na"]))
    elif b:
        t = Table(title="1. Build time per stage vs bare spaCy parse (model loading excluded from both)",
                  title_justify="left")
        for c in ("stage", "seconds", "/ bare parse"):
            t.add_column(c, justify="left" if c == "stage" else "right")
        bare = b.get("bare_parse_s")
        for name, sec in b.get("stages", {}).items():
            t.add_row(name, _f(sec, "{:.3f}"), _x(ratio(sec, bare)))
        t.add_row("[bold]total build[/]", _f(b.get("total_s"), "{:.3f}"),
                  f"[bold]{_x(b.get('total_over_bare'))}[/] (target <= {TARGETS['build_over_bare_parse']}x)")
        t.add_row("bare spaCy parse", _f(bare, "{:.3f}"), "1.0x")
        t.add_row("product spaCy pipeline alone", _f(b.get("product_pipeline_s"), "{:.3f}"),
                  _x(ratio(b.get("product_pipeline_s"), bare)))
        t.caption = (f"{b.get('texts')} texts, {b.get('characters')} chars, {b.get('measures')} measures, "
                     f"{b.get('triples')} triples; bare = {'+'.join(b.get('bare_components', []))}")
        tables.append(t)

    for key, title in (("queries", "2a. Named queries on the real graph"),
                       ("million", "2b. Named queries on a ~1M-triple graph")):
        q = figures.get(key, {})
        if "na" in q:
            tables.append(na_table(title, q["na"]))
            continue
        if not q:
            continue
        t = Table(title=f"{title} ({q.get('triples')} triples): p50 / p95 ms", title_justify="left")
        cols = ["query", "oxigraph", "rdflib", "rdflib/ox"]
        if key == "queries":
            cols += ["remote", "remote/ox"]
        for c in cols:
            t.add_column(c, justify="left" if c == "query" else "right")
        for row in q.get("queries", []):
            cells = [row["name"]]
            for store in ("oxigraph", "memory") + (("remote",) if key == "queries" else ()):
                d = row.get(store)
                cells.append(f"{_cell(d)} / {_cell(d, 'p95_ms')}" if isinstance(d, dict) and "na" not in d
                             else "n/a")
                if store == "memory":
                    cells.append(_x(row.get("memory_over_oxigraph")))
            if key == "queries":
                cells.append(_x(row.get("remote_over_oxigraph")))
            t.add_row(*cells)
        if key == "queries" and q.get("errors"):
            t.caption = "; ".join(f"{k}: n/a: {v}" for k, v in q["errors"].items())
        if key == "million":
            t.caption = (f"Oxigraph bulk load {_f(q.get('oxigraph_load_s'))} s; rdflib parse "
                         f"{_f(q.get('rdflib_load_s'))} s{'; rdflib: ' + q['rdflib_note'] if q.get('rdflib_note') else ''}"
                         f"; target rdflib/ox >= {TARGETS['oxigraph_speedup_1m']}x")
        tables.append(t)

    ld = figures.get("load", {})
    if "na" in ld:
        tables.append(na_table("3. Server under load", ld["na"]))
    elif ld:
        t = Table(title=f"3. Server under load: {ld.get('connections')} connections x {ld.get('duration_s')} s, "
                        f"{ld.get('generator')}", title_justify="left")
        for c in ("target", "req/s", "p50 ms", "p99 ms", "errors"):
            t.add_column(c, justify="left" if c == "target" else "right")
        for row in ld.get("targets", []):
            if "na" in row:
                t.add_row(row["target"], f"n/a: {row['na']}", "", "", "")
            else:
                statuses = row.get("error_statuses") or []
                errors = f"{row.get('errors', 0)}" + (f" ({', '.join(map(str, statuses))})" if statuses else "")
                t.add_row(row["target"], _f(row.get("rps"), "{:.0f}"), _f(row.get("p50_ms")),
                          _f(row.get("p99_ms")), errors)
        t.caption = f"target: entity JSON >= {TARGETS['entity_json_rps']:.0f} req/s"
        tables.append(t)

    sc = figures.get("scaling", {})
    if "na" in sc:
        tables.append(na_table("4. Scaling", sc["na"]))
    elif sc:
        runs = sc.get("runs", {})
        factors = list(runs)
        t = Table(title="4. Scaling on synthetic corpora: seconds (ratio to 1x)", title_justify="left")
        t.add_column("stage")
        for f in factors:
            r = runs[f]
            t.add_column(f"{f}x ({r.get('measures')} measures)", justify="right")
        stages = list(dict.fromkeys([s for r in runs.values() for s in [*r.get("timings", {}), *r.get("running", {})]]))
        for s in stages:
            cells = [s]
            for f in factors:
                r = runs[f]
                v = r.get("timings", {}).get(s)
                running = r.get("running", {}).get(s)
                if v is not None:
                    cells.append(f"{v:.2f} ({_x(r['stage_ratio'].get(s))})")
                elif running is not None:
                    cells.append(f"> {running:.0f} (stopped)")
                else:
                    cells.append("-")
            t.add_row(*cells)
        cells = ["[bold]total build[/]"]
        for f in factors:
            r = runs[f]
            cells.append(f"{_f(r.get('total_s'))} ({_x(r.get('total_ratio'))})" if r.get("complete")
                         else f"incomplete: {r.get('note')}")
        t.add_row(*cells)
        qnames = list(dict.fromkeys([q for r in runs.values() for q in r.get("queries", {})]))
        for qn in qnames:
            cells = [f"query {qn} p50 ms"]
            for f in factors:
                r = runs[f]
                d = r.get("queries", {}).get(qn)
                cells.append("-" if not d or "na" in d else f"{d['p50_ms']:.2f} ({_x(r['query_ratio'].get(qn))})")
            t.add_row(*cells)
        t.caption = f"target: 100x the measures in <= {TARGETS['time_100x_over_1x']:.0f}x the time"
        tables.append(t)
    return tables


def print_report(figures: dict[str, Any], console: Any | None = None) -> None:
    from rich.console import Console

    console = console or Console()
    for table in render(figures):
        console.print(table)


# ---------------------------------------------------------------------------------------------- main


def _worker_main(argv: list[str]) -> None:
    kind, args = argv[0], argv[1:]
    {"build": _worker_build, "rdflib": _worker_rdflib, "load": _worker_load}[kind](*args)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        _worker_main(sys.argv[2:])
    else:
        import argparse

        parser = argparse.ArgumentParser(description="ipkg benchmark")
        parser.add_argument("--data", default="data")
        parser.add_argument("--quick", action="store_true")
        parser.add_argument("--scale-timeout", action="append", default=[], help="FACTOR=SECONDS")
        ns = parser.parse_args()
        s = Settings(data_dir=Path(ns.data))
        limits = {int(a.split("=")[0]): float(a.split("=")[1]) for a in ns.scale_timeout}
        figs = run_bench(s, None, quick=ns.quick, progress=lambda m: print(m, file=sys.stderr, flush=True),
                         scale_timeouts=limits)
        print_report(figs)

"""Worker processes that run SPARQL queries with a hard time limit.

pyoxigraph has no query timeout and no cancel, so queries run in long-lived worker processes, each with
its own read-only store; a query that outlives the limit is stopped by killing its worker, and a fresh
worker takes its place. The pool holds ``settings.max_concurrent_queries`` workers; a query waits a
moment for a free slot and is refused (``EngineBusy``) when all stay taken.

Oxigraph's parser and planner recurse once per operand of a long chain (``1+1+...``, ``{} UNION {} ...``,
``MINUS {} ...``): a chain of a few thousand overflows the 8 MiB stack of a main thread and kills the
process with SIGSEGV. Workers therefore answer on a thread with a :data:`QUERY_STACK_BYTES` stack, and a
worker that dies anyway costs its query a clean ``QueryFailed`` and is replaced. Untrusted text never
reaches Oxigraph in the server process: :func:`locate_syntax_error`, which asks Oxigraph where a query the
endpoint rejected goes wrong, runs it in a short-lived process of its own.

Workers also parse and check the endpoint's queries (``("analyse", text)``), so that rdflib's parser, which
holds the interpreter for up to seconds on a long query, runs outside the server process.

Workers serialise results themselves (so only bytes cross the pipe) and stop reading after
``max_rows`` rows or triples or ``settings.max_result_bytes`` of their text, flagging the result as
truncated.

Each worker's memory is capped (``settings.query_memory_mb``, as ``RLIMIT_DATA``): within the time limit an
``ORDER BY`` over a cross join of the corpus grows a worker past 3 GB, and four of them would push a
server into swap or the OOM killer, which picks its victim without regard to which query was at fault. Under
the cap the allocation fails in the query that made it; Oxigraph then aborts its process, which the pool
reports as that query's error and replaces.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the settings (pydantic) load late: a locator process starts in tens of milliseconds
    from ipkg.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a query waits for a free slot before it is refused as "busy".
QUEUE_WAIT_S = 0.5
# How long a fresh worker may take to start (imports) before the pool gives up on it.
START_TIMEOUT_S = 60.0
# The stack of the thread that runs a worker's queries. A 64 KB chain of operands needs under 64 MiB;
# the rest is headroom for a larger IPKG_MAX_REQUEST_BYTES. Only the pages a query touches are committed.
QUERY_STACK_BYTES = 256 * 1024 * 1024
# Python's recursion limit on that thread. rdflib's SPARQL parser recurses a few dozen frames per bracket, so
# the default 1000 gives up at about 25 nested parentheses; the endpoint promises MAX_NESTING (64), which
# needs about 3000 here, and the large stack has room for far more.
QUERY_RECURSION_LIMIT = 20_000
# How long the syntax-error locator may take, and how many may run at once (beyond that a syntax error is
# reported at the position rdflib gives, at once).
LOCATE_TIMEOUT_S = 2.0
LOCATE_CONCURRENCY = 2

# ("run", query text, format key, media type, max rows) -> ("ok", (body, form, truncated, count))
# ("analyse", query text)                                -> ("ok", query form)
# either may answer ("error", (error name, message))
Request = tuple[Any, ...]
Response = tuple[str, Any]


class _Worker:
    """One worker process, started as ``python -m ipkg.graph.query_workers FD`` on a socket pair (a fresh
    interpreter that does not re-import the parent's ``__main__``, as multiprocessing's spawn would)."""

    def __init__(self, settings_json: str) -> None:
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ, IPKG_WORKER_SETTINGS=settings_json)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ipkg.graph.query_workers", str(child_sock.fileno())],
            pass_fds=(child_sock.fileno(),), env=env, stdin=subprocess.DEVNULL,
        )
        child_sock.close()
        self.conn = Connection(parent_sock.detach())

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv() == ("ready", None)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            self.conn.close()


class WorkerPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.size = max(1, settings.max_concurrent_queries)
        self._settings_json = settings.model_dump_json()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._started = False

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn_async()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()

    def _spawn_async(self) -> None:
        threading.Thread(target=self._spawn, daemon=True, name="ipkg-sparql-spawner").start()

    def _spawn(self) -> None:
        for attempt in range(3):
            if self._closed:
                return
            worker = _Worker(self._settings_json)
            with self._lock:
                self._all.add(worker)
            if worker.wait_ready(START_TIMEOUT_S) and not self._closed:
                self._idle.put(worker)
                return
            self._retire(worker)
            if self._closed:
                return
            log.warning("SPARQL worker failed to start (attempt %d)", attempt + 1)
            time.sleep(0.5)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker)
        self._spawn_async()

    # ------------------------------------------------------------------ calls
    def call(self, request: Request) -> Response:
        """Run one request on a free worker within the time limit."""
        self.start()
        if not self._slots.acquire(timeout=QUEUE_WAIT_S):
            return "error", ("EngineBusy", f"all {self.size} query slots are busy; try again in a few seconds")
        try:
            return self._call_in_slot(request)
        finally:
            self._slots.release()

    def _call_in_slot(self, request: Request) -> Response:
        timeout = self.settings.query_timeout_s
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                # a slot is free, so a worker is idle or being started in its place
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return "error", ("StoreUnavailable", "no query worker could be started")
            if worker.process.poll() is not None:  # died while idle (OOM killer, ...): not this query's doing
                self._replace(worker)
                continue
            try:
                worker.conn.send(request)
            except OSError:  # its end of the socket is gone: the same
                self._replace(worker)
                continue
            break
        started = time.monotonic()
        try:
            if worker.conn.poll(timeout):
                response: Response = worker.conn.recv()
                self._idle.put(worker)
                return response
        except (EOFError, OSError):
            # the process died on this query: a native stack overflow, or an allocation over the memory cap
            self._replace(worker)
            if worker.process.returncode == -signal.SIGABRT:
                return "error", ("QueryFailed", "the query needed more memory than a query may use "
                                 f"({self.settings.query_memory_mb} MB) and was stopped; narrow it down "
                                 "(more specific patterns, no ORDER BY or DISTINCT over a large join). The "
                                 "endpoint has replaced the process that evaluated it")
            return "error", ("QueryFailed", "the query stopped the process that evaluated it (it is too large "
                             "or too deeply nested for the store's engine); simplify it. The endpoint has "
                             "replaced the process")
        # over time: stop the work for real, and start a replacement
        self._replace(worker)
        elapsed = time.monotonic() - started
        return "error", ("QueryTimeout", f"the query exceeded the time limit of {timeout:g} s and was stopped "
                         f"after {elapsed:.1f} s. It would take as long again, so do not retry it unchanged: "
                         "narrow it down (add a LIMIT, more specific patterns)")


# ----------------------------------------------------------------------------- syntax-error locator

_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_locators = threading.BoundedSemaphore(LOCATE_CONCURRENCY)


def locate_syntax_error(text: str) -> tuple[int, int, str] | None:
    """Where Oxigraph's parser says ``text`` goes wrong: (line, column, complaint), or ``None`` when it has
    nothing to say (it accepts the text, or fails otherwise), when it takes over :data:`LOCATE_TIMEOUT_S`,
    or when :data:`LOCATE_CONCURRENCY` locators are already running.

    Oxigraph points closer to most mistakes than pyparsing, but its parser can crash the process that runs
    it (a native stack overflow on deep nesting), and a text it accepts is evaluated (pyoxigraph has no
    parse-only call), without a time limit. So it runs in a throwaway process (``python -m
    ipkg.graph.query_workers --locate``, the text on stdin) that is killed when late: a crash or a runaway
    costs only that process and the better message.
    """
    if not _locators.acquire(blocking=False):
        return None
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ipkg.graph.query_workers", "--locate"],
            input=text.encode("utf-8", "surrogatepass"), capture_output=True, timeout=LOCATE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # TimeoutExpired: subprocess.run has killed it
        return None
    finally:
        _locators.release()
    if done.returncode != 0:
        return None
    try:
        answer = json.loads(done.stdout or b"null")
    except ValueError:
        return None
    if not answer:
        return None
    line, column, detail = answer
    return int(line), int(column), str(detail)


def _locate_main() -> None:
    """The locator process: the query on stdin, ``[line, column, complaint]`` or ``null`` on stdout."""
    import pyoxigraph

    text = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
    answer = None
    try:
        pyoxigraph.Store().query(text)  # an empty store: nothing to find, only the parse matters
    except SyntaxError as e:
        found = _OXIGRAPH_POSITION.match(str(e))
        if found:
            answer = [int(found[1]), int(found[2]), found[3].strip()]
    except Exception:  # noqa: BLE001 - only a better message is at stake
        pass
    sys.stdout.write(json.dumps(answer))


# ---------------------------------------------------------------------------------- worker side


def worker_main(conn: Connection, settings_json: str) -> None:
    """Entry point of a worker process: answer requests until the pipe closes."""
    import rdflib

    from ipkg.settings import Settings

    rdflib.NORMALIZE_LITERALS = False  # keep lexical forms as stored
    settings = Settings.model_validate_json(settings_json)
    if settings.query_memory_mb is not None:
        limit = settings.query_memory_mb << 20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    backend = _Backend(settings)
    conn.send(("ready", None))
    on_large_stack(lambda: _serve(conn, backend))


def on_large_stack(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with a :data:`QUERY_STACK_BYTES` stack and :data:`QUERY_RECURSION_LIMIT`: how
    workers serve, and how the CLI parses and runs a query, so both take the nesting the endpoint promises.
    Without room for such a stack, ``fn()`` runs on the calling thread."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
            outcome["error"] = e

    default_limit, default_stack = sys.getrecursionlimit(), threading.stack_size()
    thread: threading.Thread | None
    try:
        threading.stack_size(QUERY_STACK_BYTES)
        thread = threading.Thread(target=target, name="ipkg-large-stack")
        sys.setrecursionlimit(QUERY_RECURSION_LIMIT)  # before the thread starts; undone below without it
        thread.start()
    except (ValueError, RuntimeError, MemoryError):
        sys.setrecursionlimit(default_limit)
        log.warning("no %d-byte stack: running on the calling thread", QUERY_STACK_BYTES)
        thread = None
    finally:
        threading.stack_size(default_stack)
    if thread is None:
        return fn()
    try:
        thread.join()
    finally:
        sys.setrecursionlimit(default_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _serve(conn: Connection, backend: _Backend) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            op, *args = request
            response: Response = "ok", (backend.analyse(*args) if op == "analyse" else backend.run(*args))
        except _WorkerError as e:
            response = "error", (e.name, e.message)
        except MemoryError:  # rdflib's stores allocate through Python, which raises instead of aborting
            response = "error", ("QueryFailed", "the query needed more memory than a query may use and was "
                                 "stopped; narrow it down (more specific patterns, no ORDER BY over a large join)")
        except Exception as e:  # a store error must never kill the worker
            response = "error", ("QueryFailed", f"query evaluation failed: {e}")
        conn.send(response)


class _WorkerError(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


class _Backend:
    """The store of one worker: a read-only pyoxigraph store (re-opened when the build swaps it), or
    the store that :func:`ipkg.graph.store.open_store` gives for the other backends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Any = None
        self._path: str | None = None

    def _oxigraph(self) -> Any:
        import pyoxigraph

        store_dir = Path(self.settings.store_dir)
        if not store_dir.exists():
            raise _WorkerError("StoreUnavailable", f"no graph has been built yet ({store_dir} is missing): "
                                                   "run `ipkg build`")
        real = os.path.realpath(store_dir)
        if self._store is None or real != self._path:
            try:
                self._store = pyoxigraph.Store.read_only(real)
            except OSError as e:
                raise _WorkerError("StoreUnavailable", f"cannot open the graph store at {store_dir}: {e}") from None
            self._path = real
        return self._store

    def analyse(self, text: str) -> str:
        """The form of ``text`` once it passed the endpoint's checks (:func:`ipkg.graph.sparql.analyse`):
        parsed here, so that rdflib's parse, up to seconds of CPU for a long query, never holds the
        server's interpreter."""
        from ipkg.graph.sparql import SparqlError, analyse

        try:
            return analyse(text).form
        except SparqlError as e:
            raise _WorkerError(type(e).__name__, str(e)) from None

    def run(self, text: str, fmt_key: str, media_type: str, max_rows: int) -> tuple[bytes, str, bool, int]:
        if self.settings.store == "oxigraph":
            return self._run_oxigraph(text, fmt_key, max_rows)
        return self._run_generic(text, fmt_key, max_rows)

    def _run_oxigraph(self, text: str, fmt_key: str, max_rows: int) -> tuple[bytes, str, bool, int]:
        import pyoxigraph

        store = self._oxigraph()
        try:
            result = store.query(text)
        except SyntaxError as e:
            raise _WorkerError("QuerySyntaxError", f"SPARQL syntax error: {e}") from None
        except OSError as e:
            raise _WorkerError("StoreUnavailable", f"the graph store failed: {e}") from None
        if isinstance(result, pyoxigraph.QueryBoolean):
            return self._answer(bool(result), fmt_key)
        if isinstance(result, pyoxigraph.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = ([_from_oxigraph(s[i]) for i in range(len(variables))] for s in result)
            return self._rows(variables, rows, fmt_key, max_rows)
        triples = ((_from_oxigraph(t.subject), _from_oxigraph(t.predicate), _from_oxigraph(t.object)) for t in result)
        return self._graph(triples, fmt_key, max_rows)

    def _run_generic(self, text: str, fmt_key: str, max_rows: int) -> tuple[bytes, str, bool, int]:
        from ipkg.graph.store import QueryError, StoreError, open_store

        try:
            if self._store is None:
                self._store = open_store(self.settings, read_only=True)
            result = self._store.query(text)
        except StoreError as e:
            raise _WorkerError("StoreUnavailable", str(e)) from None
        except QueryError as e:
            raise _WorkerError("QueryFailed", str(e)) from None
        if result.kind == "ask":
            return self._answer(bool(result.boolean), fmt_key)
        if result.kind == "select":
            return self._rows(list(result.variables), result.rows, fmt_key, max_rows)
        return self._graph(result.graph or (), fmt_key, max_rows)

    # the result, serialised within the row and byte caps (result_formats imports rdflib: a worker has it
    # loaded already, the locator process, which imports this module too, must start without it)
    def _answer(self, value: bool, fmt_key: str) -> tuple[bytes, str, bool, int]:
        from ipkg.graph.result_formats import serialise_boolean

        with _format_errors():
            return serialise_boolean(value, fmt_key), "ask", False, 1

    def _rows(self, variables: list[str], rows: Iterable[Any], fmt_key: str,
              max_rows: int) -> tuple[bytes, str, bool, int]:
        from ipkg.graph.result_formats import serialise_rows, take

        with _format_errors():
            kept, truncated = take(rows, max_rows, self.settings.max_result_bytes)
            return serialise_rows(variables, kept, fmt_key), "select", truncated, len(kept)

    def _graph(self, triples: Iterable[Any], fmt_key: str, max_rows: int) -> tuple[bytes, str, bool, int]:
        from ipkg.graph.result_formats import serialise_graph, take

        with _format_errors():
            kept, truncated = take(triples, max_rows, self.settings.max_result_bytes)
            graph = _new_graph()
            for t in kept:
                graph.add(t)
            return serialise_graph(graph, fmt_key), "construct", truncated, len(graph)


@contextmanager
def _format_errors() -> Iterator[None]:
    """The serialisers' refusals as the errors a worker answers."""
    from ipkg.graph.result_formats import NoSuchFormat, ResultTooLarge

    try:
        yield
    except NoSuchFormat as e:
        raise _WorkerError("UnknownFormat", str(e)) from None
    except ResultTooLarge as e:
        raise _WorkerError("ResultTooLarge", str(e)) from None


def _new_graph() -> Any:
    from rdflib import Graph

    from ipkg.ontology.namespaces import bind_prefixes

    return bind_prefixes(Graph())


def _from_oxigraph(term: Any) -> Any:
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return Literal(str(term))  # RDF-star triple terms: shown as text


if __name__ == "__main__":
    if sys.argv[1:] == ["--locate"]:
        _locate_main()
    else:
        worker_main(Connection(int(sys.argv[1])), os.environ["IPKG_WORKER_SETTINGS"])

"""Triple stores behind one interface (the store/query contract between graph/ and api/).

* :class:`OxigraphStore` — embedded pyoxigraph on disk (the default; ``settings.store_dir``), or in memory.
* :class:`MemoryStore` — an rdflib Graph loaded from ``data/build/ipkg.nt``.
* :class:`RemoteStore` — any SPARQL 1.1 server: queries through the SPARQL Protocol, loading through the
  Graph Store Protocol (``PUT ...?default``).

``query`` is read-only (updates are a :class:`QueryError`) and returns a :class:`QueryResult` whose values
are rdflib terms, the same on every backend; ``query_raw`` returns the backend's own serialisation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal as TLiteral

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ipkg.graph import result_formats
from ipkg.graph.result_formats import FORMATS

if TYPE_CHECKING:
    from ipkg.settings import Settings

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "MemoryStore",
    "OxigraphStore",
    "QueryError",
    "QueryResult",
    "RemoteStore",
    "Store",
    "StoreError",
    "open_store",
]

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class QueryError(Exception):
    """A query the store cannot run (syntax error, an update, an unsupported format...). User-facing."""


class StoreError(Exception):
    """A store that cannot be opened or written (missing build, read-only, server down)."""


@dataclass
class QueryResult:
    kind: TLiteral["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def as_dicts(self) -> list[dict[str, Node | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


class Store(ABC):
    name: str

    @abstractmethod
    def query(self, sparql: str) -> QueryResult: ...

    @abstractmethod
    def query_raw(self, sparql: str, accept: str) -> tuple[bytes, str]: ...

    @abstractmethod
    def load(self, graph_or_path: Graph | str | Path) -> None: ...

    @abstractmethod
    def __len__(self) -> int: ...

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------ term conversion

_XSD_STRING = str(XSD.string)


def from_oxigraph(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language.lower())
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"unsupported RDF term in a result: {term!r}")


def from_json_term(binding: dict[str, str] | None) -> Node | None:
    """A term of the SPARQL 1.1 JSON results format."""
    if binding is None:
        return None
    kind = binding["type"]
    if kind == "uri":
        return URIRef(binding["value"])
    if kind == "bnode":
        return BNode(binding["value"])
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return Literal(binding["value"], lang=binding["xml:lang"].lower())
        datatype = binding.get("datatype")
        if datatype and datatype != _XSD_STRING:
            return Literal(binding["value"], datatype=URIRef(datatype))
        return Literal(binding["value"])
    raise QueryError(f"unsupported term type {kind!r} in SPARQL JSON results")


def normalise(term: Node | None) -> Node | None:
    """rdflib term as every backend reports it: xsd:string literals as plain literals, language tags in
    lower case (tags are case-insensitive; Oxigraph reports "zh-hans")."""
    if isinstance(term, Literal):
        if term.language and term.language != term.language.lower():
            return Literal(str(term), lang=term.language.lower())
        if term.datatype is not None and str(term.datatype) == _XSD_STRING:
            return Literal(str(term))
    return term


def _graph_to_ntriples(graph: Graph) -> bytes:
    data = graph.serialize(format="nt", encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _rdf_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE, "nq": ox.RdfFormat.N_QUADS,
           "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
           "jsonld": ox.RdfFormat.JSON_LD}.get(suffix)  # fmt: skip
    if fmt is None:
        raise StoreError(f"cannot tell the RDF format of {path} from its extension")
    return fmt


# ------------------------------------------------------------------------------------ Oxigraph


class OxigraphStore(Store):
    """pyoxigraph.Store: on disk at ``path`` (read-only or read-write), or in memory when ``path`` is None."""

    name = "oxigraph"

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path).resolve() if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not self.path.is_dir():
                    raise StoreError(f"no Oxigraph store at {path}; run `ipkg build` first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self._store = ox.Store(str(self.path))
        except OSError as e:
            raise StoreError(f"cannot open the Oxigraph store at {path}: {e}") from None

    def _run(self, sparql: str):  # noqa: ANN202
        try:
            return self._store.query(sparql)
        except SyntaxError as e:
            raise QueryError(f"SPARQL syntax error: {e}") from None
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(str(e)) from None

    def query(self, sparql: str) -> QueryResult:
        result = self._run(sparql)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            n = len(variables)
            rows = [tuple(from_oxigraph(s[i]) for i in range(n)) for s in result]
            return QueryResult("select", variables=variables, rows=rows)
        g = Graph()
        for t in result:
            g.add((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)))  # type: ignore[arg-type]
        return QueryResult("graph", graph=g)

    def query_raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        result = self._run(sparql)
        if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
            fmt = RESULT_TYPES.get(accept)
            if fmt is None:
                raise QueryError(f"cannot serialise query results as {accept!r}; use one of {', '.join(RESULT_TYPES)}")
        else:
            fmt = GRAPH_TYPES.get(accept)
            if fmt is None:
                raise QueryError(f"cannot serialise a graph as {accept!r}; use one of {', '.join(GRAPH_TYPES)}")
        try:
            body = result.serialize(format=fmt)
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(str(e)) from None
        return (body or b""), accept

    def load(self, graph_or_path: Graph | str | Path) -> None:
        if self.read_only:
            raise StoreError("this store is open read-only")
        if isinstance(graph_or_path, Graph):
            self._store.bulk_load(_graph_to_ntriples(graph_or_path), format=ox.RdfFormat.N_TRIPLES)
        else:
            path = Path(graph_or_path)
            self._store.bulk_load(path=str(path), format=_rdf_format(path))
        self._store.flush()

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError:
                pass
        self._store = None  # type: ignore[assignment] - releases the RocksDB handle once collected


def MemoryOxigraph(graph: Graph) -> OxigraphStore:  # noqa: N802 - a factory that reads like a class
    """An in-memory Oxigraph store holding ``graph`` (used for fast batch queries during a build)."""
    store = OxigraphStore()
    store._store.load(_graph_to_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    return store


# ------------------------------------------------------------------------------------ rdflib


def _rdflib_error(e: Exception) -> QueryError:
    return QueryError(f"SPARQL syntax error: {e}")


class MemoryStore(Store):
    """An in-memory rdflib Graph (loaded from an N-Triples/Turtle file or given)."""

    name = "memory"

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else Graph()

    def _run(self, sparql: str):  # noqa: ANN202
        from rdflib.plugins.sparql import prepareQuery

        from ipkg.graph.sparql import RDFLIB_SPARQL_LOCK

        try:
            with RDFLIB_SPARQL_LOCK:  # rdflib's parser is not thread-safe; evaluation is
                prepared = prepareQuery(sparql, initNs=dict(self.graph.namespaces()))
            return self.graph.query(prepared)
        except Exception as e:  # pyparsing / rdflib raise many kinds
            raise _rdflib_error(e) from None

    def query(self, sparql: str) -> QueryResult:
        result = self._run(sparql)
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        if result.type == "SELECT":
            variables = [str(v) for v in (result.vars or [])]
            rows = [tuple(normalise(v) for v in row) for row in result]  # type: ignore[union-attr]
            return QueryResult("select", variables=variables, rows=rows)
        g = Graph()
        for t in result.graph or []:
            g.add(tuple(normalise(x) for x in t))  # type: ignore[arg-type]
        return QueryResult("graph", graph=g)

    def query_raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        result = self.query(sparql)
        return serialise_result(result, accept), accept

    def load(self, graph_or_path: Graph | str | Path) -> None:
        if isinstance(graph_or_path, Graph):
            for t in graph_or_path:
                self.graph.add(t)
        else:
            path = Path(graph_or_path)
            fmt = {".nt": "nt", ".ttl": "turtle", ".nq": "nquads", ".jsonld": "json-ld"}.get(path.suffix, "turtle")
            self.graph.parse(path, format=fmt)

    def __len__(self) -> int:
        return len(self.graph)


def serialise_result(result: QueryResult, accept: str) -> bytes:
    """A :class:`QueryResult` in one of the contract's media types, written as the endpoint writes it."""
    kind = "graph" if result.kind == "graph" else "results"
    fmt = next((f for f in FORMATS.values() if f.kind == kind and f.media_type == accept), None)
    if fmt is None:
        offered = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
        what = "a graph" if kind == "graph" else "query results"
        raise QueryError(f"cannot serialise {what} as {accept!r}; use one of {', '.join(offered)}")
    if result.kind == "graph":
        return result_formats.serialise_graph(result.graph or Graph(), fmt.key)
    if result.kind == "ask":
        return result_formats.serialise_boolean(bool(result.boolean), fmt.key)
    return result_formats.serialise_rows(result.variables, result.rows, fmt.key)


# ------------------------------------------------------------------------------------ remote


def query_kind(sparql: str) -> str:
    """"select" | "ask" | "graph" for a query; :class:`QueryError` for an update or a syntax error."""
    from rdflib.plugins.sparql.parser import parseQuery

    from ipkg.graph.sparql import RDFLIB_SPARQL_LOCK

    try:
        with RDFLIB_SPARQL_LOCK:
            parsed = parseQuery(sparql)
    except Exception as e:
        raise _rdflib_error(e) from None
    name = parsed[1].name
    return {"SelectQuery": "select", "AskQuery": "ask"}.get(name, "graph")


class RemoteStore(Store):
    """A SPARQL 1.1 server: ``query_url`` (SPARQL Protocol) and ``gsp_url`` (Graph Store Protocol)."""

    name = "remote"

    def __init__(self, query_url: str, gsp_url: str | None = None, *, timeout_s: float = 30.0) -> None:
        self.query_url = query_url
        self.gsp_url = gsp_url
        self.timeout_s = timeout_s

    def _post(self, sparql: str, accept: str) -> tuple[bytes, str]:
        data = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        req = urllib.request.Request(
            self.query_url, data=data, method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - configured URL
                return resp.read(), resp.headers.get("Content-Type", accept).split(";")[0].strip()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:500]
            if 400 <= e.code < 500:
                raise QueryError(f"the SPARQL server rejected the query ({e.code}): {detail}") from None
            raise StoreError(f"the SPARQL server failed ({e.code}): {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach the SPARQL server at {self.query_url}: {e}") from None

    def query(self, sparql: str) -> QueryResult:
        kind = query_kind(sparql)
        if kind == "graph":
            body, _ = self._post(sparql, "application/n-triples")
            g = Graph().parse(data=body.decode("utf-8"), format="nt")
            return QueryResult("graph", graph=g)
        body, _ = self._post(sparql, "application/sparql-results+json")
        data = json.loads(body)
        if "boolean" in data:
            return QueryResult("ask", boolean=bool(data["boolean"]))
        variables = list(data["head"].get("vars", []))
        rows = [tuple(from_json_term(b.get(v)) for v in variables) for b in data["results"]["bindings"]]
        return QueryResult("select", variables=variables, rows=rows)

    def query_raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        kind = query_kind(sparql)
        allowed = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
        if accept not in allowed:
            raise QueryError(f"cannot serialise this result as {accept!r}; use one of {', '.join(allowed)}")
        body, _ = self._post(sparql, accept)
        return body, accept

    def load(self, graph_or_path: Graph | str | Path) -> None:
        if not self.gsp_url:
            raise StoreError("no Graph Store Protocol URL configured (IPKG_REMOTE_GSP_URL)")
        if isinstance(graph_or_path, Graph):
            body, ctype = _graph_to_ntriples(graph_or_path), "application/n-triples"
        else:
            path = Path(graph_or_path)
            ctype = {".nt": "application/n-triples", ".ttl": "text/turtle"}.get(path.suffix, "text/turtle")
            body = path.read_bytes()
        sep = "&" if "?" in self.gsp_url else "?"
        req = urllib.request.Request(
            f"{self.gsp_url}{sep}default", data=body, method="PUT", headers={"Content-Type": ctype}
        )
        try:
            with urllib.request.urlopen(req, timeout=max(self.timeout_s, 120)) as resp:  # noqa: S310
                resp.read()
        except urllib.error.HTTPError as e:
            raise StoreError(f"loading into {self.gsp_url} failed ({e.code}): {e.read()[:300]!r}") from None
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach the Graph Store at {self.gsp_url}: {e}") from None

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows[0][0])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ factory


def local_source(settings: Settings) -> Path | None:
    """What the store ``settings.store`` opens on disk: the Oxigraph folder, or the N-Triples file the
    in-memory store loads; None for a remote store."""
    return {"oxigraph": settings.store_dir, "memory": settings.build_dir / "ipkg.nt"}.get(settings.store)


def open_store(settings: Settings, *, read_only: bool = True) -> Store:
    """The store ``settings.store`` names: "oxigraph" (default), "memory" or "remote"."""
    kind = settings.store
    if kind == "oxigraph":
        return OxigraphStore(settings.store_dir, read_only=read_only)
    if kind == "memory":
        nt = local_source(settings)
        assert nt is not None
        if not nt.is_file():
            raise StoreError(f"no graph at {nt}; run `ipkg build` first")
        store = MemoryStore()
        store.load(nt)
        return store
    if kind == "remote":
        if not settings.remote_query_url:
            raise StoreError("store 'remote' needs IPKG_REMOTE_QUERY_URL (and IPKG_REMOTE_GSP_URL to load)")
        return RemoteStore(settings.remote_query_url, settings.remote_gsp_url, timeout_s=settings.query_timeout_s)
    raise StoreError(f"unknown store {kind!r}: use oxigraph, memory or remote")

"""Safe SPARQL for the public endpoint: parse, classify, refuse, then run with limits.

Text in, result out, typed errors out. Every query is parsed with rdflib's SPARQL parser *before* it
reaches a store: updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) are refused, and so are
``SERVICE`` (any host) and ``FROM`` / ``FROM NAMED`` (the dataset is fixed; rdflib would otherwise
fetch those IRIs, files included). Before any parser sees it, a query's brackets may nest at most
:data:`MAX_NESTING` deep (every parser here recurses per level, and Oxigraph's crashes the process when it
runs out of stack), and it may have at most :data:`MAX_TOKENS` tokens (each costs rdflib's parser CPU
time in the server). rdflib's parser is not thread-safe (pyparsing
settles each parse action's arity on its first call, and two threads doing that at once break the
grammar for good), so every parse holds :data:`RDFLIB_SPARQL_LOCK`. A query from outside is parsed in a
worker process (:meth:`SparqlEngine.analyse`), so even the longest accepted parse (about 2 s) never holds
the server's interpreter; the server's own small queries are parsed in place. Accepted queries run in a small pool of worker processes
(:mod:`ipkg.graph.query_workers`), because pyoxigraph cannot cancel a query: a query that outlives
``settings.query_timeout_s`` is stopped by killing its worker, which is then replaced. Results are
capped at ``settings.max_rows`` rows (or triples) and ``settings.max_result_bytes`` of text and flagged
as truncated, and at most
``settings.max_concurrent_queries`` queries run at once.

The HTTP layer maps the exceptions below to status codes in one place (``ipkg.api.errors``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pyparsing import ParseBaseException
from rdflib import Graph
from rdflib.plugins.sparql import parser as sparql_parser

from ipkg.graph.query_workers import WorkerPool, locate_syntax_error
from ipkg.graph.result_formats import FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format, ResultKind
from ipkg.settings import Settings

__all__ = [
    "FORMATS",
    "GRAPH_FORMATS",
    "MAX_NESTING",
    "MAX_TOKENS",
    "RDFLIB_SPARQL_LOCK",
    "RESULT_FORMATS",
    "AnalysedQuery",
    "EngineBusy",
    "FeatureNotAllowed",
    "Format",
    "NotAcceptable",
    "QueryFailed",
    "QuerySyntaxError",
    "QueryTimeout",
    "RawResult",
    "ResultTooLarge",
    "SparqlEngine",
    "SparqlError",
    "StoreUnavailable",
    "UnknownFormat",
    "UpdateNotAllowed",
    "analyse",
    "format_for",
    "negotiate",
]


# ------------------------------------------------------------------------------------------ errors


class SparqlError(Exception):
    """Base of every error of the SPARQL service; ``str(error)`` is a user-facing message."""


class QuerySyntaxError(SparqlError):
    """The text is not a SPARQL 1.1 query; carries the parser's line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class UpdateNotAllowed(SparqlError):
    """A SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) sent to the read-only endpoint."""


class FeatureNotAllowed(SparqlError):
    """A query feature the public endpoint refuses: SERVICE, FROM / FROM NAMED, a dataset parameter."""


class UnknownFormat(SparqlError):
    """A ``format`` parameter that names no known serialisation (or one unfit for the query form)."""


class NotAcceptable(SparqlError):
    """Nothing in the Accept header can serialise this kind of result."""


class QueryTimeout(SparqlError):
    """The query ran past the time limit and was stopped."""


class EngineBusy(SparqlError):
    """All query slots are taken; try again shortly."""


class StoreUnavailable(SparqlError):
    """No built graph to query (run ``ipkg build``) or the store cannot be opened."""


class QueryFailed(SparqlError):
    """The store refused or failed to evaluate an otherwise well-formed query."""


class ResultTooLarge(SparqlError):
    """Even the first row (or triple) of the result is over ``settings.max_result_bytes``."""


# ----------------------------------------------------------------------------------------- formats

# Friendly synonyms for the ``format`` parameter.
_FORMAT_SYNONYMS = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdfxml": "rdf",
                    "srj": "json", "srx": "xml"}


def format_for(key: str, kind: ResultKind) -> Format:
    """The format named by a ``format`` parameter, for a query whose result is of ``kind``.

    ``json`` and ``xml`` name the SPARQL result formats for SELECT/ASK and JSON-LD / RDF/XML for
    CONSTRUCT/DESCRIBE, so one download link pattern fits every query.
    """
    key = _FORMAT_SYNONYMS.get(key.strip().lower(), key.strip().lower())
    if kind == "graph":
        key = {"json": "jsonld", "xml": "rdf"}.get(key, key)
    fmt = FORMATS.get(key)
    if fmt is None or fmt.kind != kind:
        choices = ", ".join(f.key for f in (RESULT_FORMATS if kind == "results" else GRAPH_FORMATS))
        what = "SELECT/ASK" if kind == "results" else "CONSTRUCT/DESCRIBE"
        raise UnknownFormat(f"format {key!r} is not available for {what} results; use one of: {choices}")
    return fmt


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    ranges = []
    for order, part in enumerate(header.split(",")):
        items = [p.strip() for p in part.split(";")]
        mtype = items[0].lower()
        if not mtype:
            continue
        if "/" not in mtype:
            mtype = "*/*" if mtype == "*" else mtype + "/*"
        q = 1.0
        for param in items[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((mtype, q, order))
    return ranges


def _match_quality(media_type: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int]:
    """(q, client order) of the most specific range that matches ``media_type``; (0, big) if none."""
    main = media_type.split("/")[0]
    best: tuple[int, float, int] | None = None
    for mtype, q, order in ranges:
        if mtype == media_type:
            specificity = 3
        elif mtype == f"{main}/*":
            specificity = 2
        elif mtype == "*/*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, order)
    if best is None:
        return 0.0, 1_000_000
    # a wildcard match ranks after every explicit mention of the same quality
    return best[1], best[2] + (0 if best[0] == 3 else 1000)


def negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """The offered media type the Accept header likes best (q-values, then the client's order, then
    the order of ``offers``); the first offer when there is no header; ``None`` if nothing is acceptable."""
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    scored = []
    for rank, offer in enumerate(offers):
        q, order = _match_quality(offer.lower(), ranges)
        if q > 0:
            scored.append((-q, order, rank, offer))
    return min(scored)[3] if scored else None


def negotiate_format(accept: str | None, kind: ResultKind) -> Format:
    """The result format for ``kind`` chosen by an Accept header; raises :class:`NotAcceptable`."""
    formats = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    offers = tuple(mt for f in formats for mt in f.media_types)
    chosen = negotiate(accept, offers)
    if chosen is None:
        names = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(f"cannot produce any type in Accept: {accept!r}; this result is available as {names}")
    return next(f for f in formats if chosen in f.media_types)


# ---------------------------------------------------------------------------------------- analysis

QueryForm = Literal["select", "ask", "construct", "describe"]
_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe",
}


@dataclass(frozen=True)
class AnalysedQuery:
    """A query that passed the safety checks."""

    text: str
    form: QueryForm

    @property
    def kind(self) -> ResultKind:
        return "graph" if self.form in ("construct", "describe") else "results"


# Held around every rdflib SPARQL parse here (see the module docstring). Any other code that parses SPARQL
# with rdflib in a threaded process (parseQuery, prepareQuery, Graph.query) must hold it too.
RDFLIB_SPARQL_LOCK = threading.Lock()

# How deep ( [ { and << may nest. rdflib gives up (RecursionError) at a few dozen levels already; the bound
# keeps deeper texts away from every parser, Oxigraph's above all, whose overflow is a segfault.
MAX_NESTING = 64
# How many tokens (names, numbers, strings, IRIs, operators, punctuation) a query may have. rdflib's parser
# spends up to ~0.5 ms of the server's CPU per token on expressions (a 64 KB "1+1+..." held it for 20 s)
# and Oxigraph's parser and planner recurse once per operand of a chain; a hand-written query has a few
# hundred tokens, and the bound keeps the worst parse near 2 s.
MAX_TOKENS = 5000
# How many accepted query texts the engine remembers the form of (the query page's examples, repeated queries).
FORM_CACHE_SIZE = 512

# The lexemes of a query, for the nesting and the token count. Strings, IRIs, comments, variables and
# prefixed names are lexemes whole (their brackets do not nest, their hyphens are no minus); an
# unterminated string runs to the end of its line or of the text, so that no alternative ever backtracks
# and the scan stays linear in the length of the text.
_LEXEME = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | \"\"\"(?:[^"\\]|\\.?|"(?!""))*(?:\"\"\"|\Z)
    | '''(?:[^'\\]|\\.?|'(?!''))*(?:'''|\Z)
    | "(?:[^"\\\n\r]|\\.?)*(?:"|(?=[\n\r])|\Z)
    | '(?:[^'\\\n\r]|\\.?)*(?:'|(?=[\n\r])|\Z)
    | <[^<>"{}|^`\\\x00-\x20]*>
    | [?$]\w+
    | (?:[A-Za-z][\w.-]*)?:[\w.:%-]*
    | (?P<open>[(\[{]|<<)
    | (?P<close>[)\]}]|>>)
    | \|\||&&|!=|<=|>=|\^\^
    | [A-Za-z_]\w*|\d[\w.]*
    | \S
    """,
    re.VERBOSE | re.DOTALL,
)


def _check_shape(text: str) -> None:
    """Refuse ``text`` if it is blank, if its brackets nest deeper than :data:`MAX_NESTING` or it has more than
    :data:`MAX_TOKENS` tokens, pointing at the first one too many; a lexical scan, so no parser sees
    such a text."""
    if not text or not text.strip():
        raise QuerySyntaxError("empty query: send a SPARQL query in the 'query' parameter")
    depth = tokens = 0
    for lexeme in _LEXEME.finditer(text):
        if lexeme["comment"]:
            continue
        tokens += 1
        if tokens > MAX_TOKENS:
            raise _at(text, lexeme.start(), f"the query has more than {MAX_TOKENS} tokens (names, numbers, "
                      "operators, brackets ...), the most this endpoint parses; split it into smaller queries")
        if lexeme["open"]:
            depth += 1
            if depth > MAX_NESTING:
                raise _at(text, lexeme.start(), f"brackets nest more than {MAX_NESTING} deep, the most this "
                          "endpoint parses; flatten the query (fewer nested groups, parentheses, blank-node "
                          "lists or quoted triples)")
        elif lexeme["close"]:
            depth = max(0, depth - 1)
    if not tokens:
        raise QuerySyntaxError("the query is only comments: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")


_FORM_WORDS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


def _after_prologue(text: str) -> list[re.Match[str]]:
    """The lexemes after the PREFIX and BASE declarations, comments left out: the query form comes first."""
    lexemes = [m for m in _LEXEME.finditer(text) if not m["comment"]]
    i = 0
    while i < len(lexemes) and lexemes[i].group().upper() in ("PREFIX", "BASE"):
        i += 3 if lexemes[i].group().upper() == "PREFIX" else 2  # PREFIX name: <iri>, BASE <iri>
    return lexemes[i:]


def _at(text: str, offset: int, detail: str) -> QuerySyntaxError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return _positioned(text, line, column, detail)


def _positioned(text: str, line: int, column: int, detail: str) -> QuerySyntaxError:
    lines = text.splitlines()
    line_text = lines[line - 1] if 0 < line <= len(lines) else ""
    shown = column
    if len(line_text) > 200:  # show the neighbourhood of a long line, not all of it
        start = max(0, column - 100)
        line_text, shown = line_text[start:start + 200], column - start
    pointer = f"\n    {line_text}\n    {' ' * max(0, shown - 1)}^" if line_text.strip() else ""
    return QuerySyntaxError(f"SPARQL syntax error at line {line}, column {column}: {detail}{pointer}", line, column)


def _syntax_error(text: str, e: ParseBaseException) -> QuerySyntaxError:
    """The parser's complaint with line and column. Oxigraph's parser points closer to most mistakes than
    pyparsing, so its position wins when it has one; it runs in a throwaway process
    (:func:`~ipkg.graph.query_workers.locate_syntax_error`), never in this one."""
    opening = next(iter(_after_prologue(text)), None)
    if opening is not None and re.fullmatch(r"[A-Za-z_]\w*", opening.group()) and (
            opening.group().upper() not in _FORM_WORDS):
        # both parsers name one alternative they expected ("expected CONSTRUCT"): say what a query starts with
        return _at(text, opening.start(), f"a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after any "
                   f"PREFIX and BASE lines), not {opening.group()!r}")
    line, column, detail = e.lineno, e.col, e.msg
    located = locate_syntax_error(text)
    if located is not None:
        line, column, detail = located
    return _positioned(text, line, column, detail)


def _is_update(text: str) -> bool:
    try:
        with RDFLIB_SPARQL_LOCK:
            sparql_parser.parseUpdate(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return False
    return True


def _walk(node: object):
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):  # rdflib's CompValue is an OrderedDict with a .name
            yield current
            stack.extend(current.values())
        elif isinstance(current, list | tuple) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


@lru_cache(maxsize=512)
def analyse(text: str) -> AnalysedQuery:
    """Parse ``text`` as a SPARQL 1.1 query and refuse what the public endpoint must not run.

    Raises :class:`QuerySyntaxError` (with line and column), :class:`UpdateNotAllowed` or
    :class:`FeatureNotAllowed`.
    """
    _check_shape(text)
    try:
        with RDFLIB_SPARQL_LOCK:
            parsed = sparql_parser.parseQuery(text)
    except ParseBaseException as e:
        rest = _after_prologue(text)
        if not rest:
            raise QuerySyntaxError("the query has only PREFIX/BASE declarations: add a SELECT, ASK, CONSTRUCT or "
                                   "DESCRIBE query after them") from None
        if rest[0].group().upper() in _UPDATE_WORDS or _is_update(text):
            raise UpdateNotAllowed(
                "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) "
                "is not accepted"
            ) from None
        raise _syntax_error(text, e) from None
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply to parse") from None
    except Exception as e:  # rdflib raises plain exceptions for some semantic errors (e.g. bad prefixes)
        raise QuerySyntaxError(f"SPARQL error: {e}") from None
    form: QueryForm | None = None
    for node in _walk(parsed):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern":
            raise FeatureNotAllowed(
                f"SERVICE <{node.get('term')}> is not allowed: this endpoint never queries other services"
            )
        if name == "DatasetClause":
            raise FeatureNotAllowed(
                "FROM / FROM NAMED are not allowed: the dataset of this endpoint is fixed (query its default "
                "graph, or use GRAPH for named graphs)"
            )
        if name in _FORMS and form is None:
            form = _FORMS[name]
    if form is None:
        raise QuerySyntaxError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return AnalysedQuery(text=text, form=form)


# --------------------------------------------------------------------------------------- execution


@dataclass(frozen=True)
class RawResult:
    """A serialised result: the body, its media type, and whether the row cap cut it short."""

    body: bytes
    media_type: str
    form: QueryForm
    truncated: bool
    count: int  # rows, triples, or 1 for ASK
    max_rows: int = 0


@dataclass
class SparqlEngine:
    """Runs analysed queries on the configured store in worker processes, within the limits."""

    settings: Settings
    pool: WorkerPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = WorkerPool(self.settings)
        # the forms of accepted texts (refusals raise, so they are not kept)
        self._form_of = lru_cache(maxsize=FORM_CACHE_SIZE)(self._parse_in_worker)

    def start(self) -> None:
        self.pool.start()

    def close(self) -> None:
        self.pool.close()

    def run(self, query: AnalysedQuery, fmt: Format, *, max_rows: int | None = None) -> RawResult:
        """Execute ``query`` and serialise the result as ``fmt``. Blocking; safe to call from threads."""
        if fmt.kind != query.kind:
            raise UnknownFormat(f"{fmt.label} cannot hold the result of a {query.form.upper()} query")
        limit = self.settings.max_rows if max_rows is None else min(max_rows, self.settings.max_rows)
        body, _form, truncated, count = self._call(("run", query.text, fmt.key, fmt.media_type, limit))
        return RawResult(body, fmt.media_type, query.form, truncated, count, limit)

    def _call(self, request: tuple[object, ...]) -> object:
        """A worker's answer to ``request``; its error raised as the matching :class:`SparqlError`."""
        status, payload = self.pool.call(request)
        if status == "ok":
            return payload
        error_name, message = payload
        raise _ERRORS.get(error_name, QueryFailed)(message)

    def _parse_in_worker(self, text: str) -> QueryForm:
        return self._call(("analyse", text))  # type: ignore[return-value]

    def analyse(self, text: str) -> AnalysedQuery:
        """:func:`analyse` for a query from outside (the endpoint, the query page, the network view): the
        cheap checks here, the parse in a worker process, which costs a query slot for its duration.
        The server's own queries, small and trusted, are parsed in place (``query``)."""
        _check_shape(text)
        return AnalysedQuery(text=text, form=self._form_of(text))

    def query(self, text: str, fmt_key: str | None = None) -> RawResult:
        """Analyse and run ``text`` (SPARQL JSON for SELECT/ASK, N-Triples for graphs by default)."""
        analysed = analyse(text)
        default = "json" if analysed.kind == "results" else "nt"
        return self.run(analysed, format_for(fmt_key or default, analysed.kind))

    def graph_of(self, query: AnalysedQuery) -> tuple[Graph, bool]:
        """The graph of a CONSTRUCT/DESCRIBE query, and whether the row or byte cap cut it short."""
        graph = Graph()
        raw = self.run(query, FORMATS["nt"])
        if raw.body.strip():
            graph.parse(data=raw.body.decode("utf-8"), format="nt")
        return graph, raw.truncated


_ERRORS: dict[str, type[SparqlError]] = {
    cls.__name__: cls
    for cls in (QuerySyntaxError, UpdateNotAllowed, FeatureNotAllowed, QueryTimeout, EngineBusy,
                StoreUnavailable, QueryFailed, NotAcceptable, UnknownFormat, ResultTooLarge)
}

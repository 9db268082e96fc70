"""Query results as bytes: the formats the endpoint and the CLI offer, written by one set of serialisers.

SELECT rows and ASK answers in the SPARQL 1.1 result formats (JSON, XML, CSV, TSV); CONSTRUCT/DESCRIBE
graphs through rdflib's writers. The endpoint's workers and ``ipkg query`` both write here, so a result
reads the same from either (the README promises ``ipkg query -f`` gives what ``/sparql`` gives).

:func:`take` caps what a worker collects by rows *and* by bytes: a row cap alone lets one row of a
``GROUP_CONCAT`` over the whole graph carry tens of megabytes through the server.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode
from rdflib import Literal as RdfLiteral

ResultKind = Literal["results", "graph"]


@dataclass(frozen=True)
class Format:
    key: str  # the value of the ``format`` parameter
    media_type: str
    kind: ResultKind
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", "SPARQL JSON", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "results", "SPARQL XML", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "results", "CSV"),
    Format("tsv", "text/tab-separated-values", "results", "TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("ttl", "text/turtle", "graph", "Turtle", ("application/turtle", "application/x-turtle")),
    Format("nt", "application/n-triples", "graph", "N-Triples", ("text/plain",)),
    Format("jsonld", "application/ld+json", "graph", "JSON-LD", ("application/json",)),
    Format("rdf", "application/rdf+xml", "graph", "RDF/XML", ("application/xml", "text/xml")),
)
FORMATS: dict[str, Format] = {f.key: f for f in RESULT_FORMATS + GRAPH_FORMATS}
_RDFLIB_WRITERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


class NoSuchFormat(ValueError):
    """A format key none of the serialisers of this kind of result knows."""


class ResultTooLarge(Exception):
    """A single row or triple is larger than the byte budget: nothing of the result can be sent."""


def take(items: Iterable[Sequence[Any]], max_rows: int, max_bytes: int | None = None) -> tuple[list[Any], bool]:
    """At most ``max_rows`` items and about ``max_bytes`` of their terms' text, and whether more were left.

    Raises :class:`ResultTooLarge` when the first item alone is over the budget."""
    kept: list[Any] = []
    size = 0
    for item in items:
        if len(kept) == max_rows:
            return kept, True
        size += sum(len(str(t)) for t in item if t is not None) + len(item)
        if max_bytes is not None and size > max_bytes:
            if not kept:
                raise ResultTooLarge(
                    f"one result row holds about {size / 1e6:.1f} MB of text, more than the {max_bytes / 1e6:g} MB "
                    "a result may carry; select less of it (SUBSTR, fewer GROUP_CONCAT values, a LIMIT)")
            return kept, True
        kept.append(item)
    return kept, False


# ---------------------------------------------------------------------------------------- SELECT / ASK


def serialise_boolean(value: bool, key: str) -> bytes:
    if key == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if key == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if key in ("csv", "tsv"):
        # the standard has no boolean form for CSV/TSV: one column, one row
        return f"_askResult\n{'true' if value else 'false'}\n".encode()
    raise NoSuchFormat(f"unknown result format {key!r}")


def serialise_rows(variables: list[str], rows: Iterable[Sequence[Any]], key: str) -> bytes:
    """SELECT rows (rdflib terms, ``None`` for unbound) in the result format ``key``."""
    writer = _ROW_WRITERS.get(key)
    if writer is None:
        raise NoSuchFormat(f"unknown result format {key!r}")
    return writer(variables, rows).encode("utf-8")


def term_json(term: Any) -> dict[str, str]:
    """A term as the SPARQL 1.1 JSON results format writes it."""
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if not isinstance(term, RdfLiteral):
        return {"type": "uri", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def _json(variables: list[str], rows: Iterable[Sequence[Any]]) -> str:
    bindings = [{v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def _xml(variables: list[str], rows: Iterable[Sequence[Any]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
           "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
    for row in rows:
        out.append("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "\n".join(out)


def _xml_term(t: Any) -> str:
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    if not isinstance(t, RdfLiteral):
        return f"<uri>{escape(str(t))}</uri>"
    attrs = (f" xml:lang={quoteattr(t.language)}" if t.language else
             f" datatype={quoteattr(str(t.datatype))}" if t.datatype else "")
    return f"<literal{attrs}>{escape(str(t))}</literal>"


def _csv(variables: list[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row])
    return buffer.getvalue()


# SPARQL 1.1 TSV: terms in Turtle syntax, and a literal's tab, newline and carriage return escaped, so that
# every result is one line and every column one cell
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, BNode):
        return f"_:{t}"
    if not isinstance(t, RdfLiteral):
        return f"<{t}>"
    text = f'"{str(t).translate(_TSV_ESCAPES)}"'
    if t.language:
        return f"{text}@{t.language}"
    return f"{text}^^<{t.datatype}>" if t.datatype else text


def _tsv(variables: list[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


_ROW_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}


# ---------------------------------------------------------------------------------- CONSTRUCT / DESCRIBE


def serialise_graph(graph: Any, key: str) -> bytes:
    """An rdflib graph in the graph format ``key``."""
    writer = _RDFLIB_WRITERS.get(key)
    if writer is None:
        raise NoSuchFormat(f"unknown graph format {key!r}")
    data = graph.serialize(format=writer, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")

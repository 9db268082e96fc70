"""The OpenAPI description of the SPARQL endpoint and the query page.

Their handlers read their inputs from the request (a parameter may come in the URL, a form or the body), so
FastAPI sees no parameters: these describe them, so that /docs lists them and "Try it out" sends them.
"""

from __future__ import annotations

from typing import Any

from ipkg.api.deps import PAGE_MEDIA
from ipkg.graph.sparql import FORMATS

_ERROR_REF = {"$ref": "#/components/schemas/Error"}  # ipkg.api.app adds the schema
_ERRORS = {
    "400": "The query does not parse, is refused (SERVICE, FROM) or fails, a parameter is bad or repeated, or "
           "the result is over the size limit",
    "403": "SPARQL Update: the endpoint is read-only",
    "406": "No format both the query form and the Accept header allow",
    "413": "The request body is over the size limit",
    "414": "The URL is over the size limit: POST a long query",
    "415": "A POST body of a type the endpoint does not read",
    "429": "Every query slot is busy: retry after Retry-After seconds",
    "503": "The query ran past the time limit, or the store is being replaced",
}


def _errors(*statuses: str, page: bool = False) -> dict[str, Any]:
    """The error responses: plain text by default, the Error object as JSON when Accept asks for it.
    The query page answers its own errors as the page (its JSON twin's ``error``) instead."""
    content: dict[str, Any] = {"text/plain": {"schema": {"type": "string"}}, "application/json": {"schema": _ERROR_REF}}
    if page:
        content = {"text/html": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}
    return {status: {"description": _ERRORS[status], "content": content} for status in statuses}


_QUERY_TEXT = {"type": "string", "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
               "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"}
_FORMAT = {"type": "string", "enum": list(FORMATS),
           "description": "The result format (wins over Accept): " + ", ".join(
               f"{f.key} ({f.label}, {'SELECT/ASK' if f.kind == 'results' else 'CONSTRUCT/DESCRIBE'})"
               for f in FORMATS.values())}
_RESULTS = {
    "description": "The results (SELECT, ASK) or the graph (CONSTRUCT, DESCRIBE), in the format asked for by "
                   "`format` or by the Accept header, at most the row limit",
    "content": {mt: {"schema": {"type": "string"}} for mt in dict.fromkeys(f.media_type for f in FORMATS.values())},
    "headers": {
        "X-IPKG-Row-Limit": {"description": "The most rows (or triples) a result holds", "schema": {"type": "integer"}},
        "X-IPKG-Result-Count": {"description": "The rows (or triples) in this result", "schema": {"type": "integer"}},
        "X-IPKG-Truncated": {"description": "`true` when the row or byte limit cut the result short",
                             "schema": {"type": "string"}},
    },
}
SPARQL_GET_DOC: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "required": True, "schema": _QUERY_TEXT},
        {"name": "format", "in": "query", "required": False, "schema": _FORMAT},
    ],
    "responses": {
        "200": _RESULTS,
        "303": {"description": "A browser (Accept: text/html, no `format`) is sent to the query page with the query"},
        **_errors("400", "403", "406", "413", "414", "429", "503"),
    },
}
SPARQL_POST_DOC: dict[str, Any] = {
    "parameters": [{"name": "format", "in": "query", "required": False, "schema": _FORMAT}],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["query"],
                "properties": {"query": _QUERY_TEXT, "format": _FORMAT}}},
            "application/sparql-query": {"schema": _QUERY_TEXT},
        },
    },
    "responses": {"200": _RESULTS, **_errors("400", "403", "406", "413", "414", "415", "429", "503")},
}
_PAGE_FORMAT = {"type": "string", "enum": list(PAGE_MEDIA),
                "description": "html: the page; json: its data, the JSON twin (wins over Accept)"}
_PAGE = {"description": "The query page, with the results of the query when one was given (a whitespace-only "
                        "query: the `notice`)",
         "content": {"text/html": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}}
_PAGE_RESPONSES = {"200": _PAGE, **_errors("400", "403", "429", "503", page=True),
                   **_errors("406", "413", "414")}
QUERY_PAGE_GET_DOC: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "required": False,
         "schema": {**_QUERY_TEXT, "description": "The query to run (without it: the editor with an example)"}},
        {"name": "format", "in": "query", "required": False, "schema": _PAGE_FORMAT},
    ],
    "responses": _PAGE_RESPONSES,
}
QUERY_PAGE_POST_DOC: dict[str, Any] = {
    "parameters": [{"name": "format", "in": "query", "required": False, "schema": _PAGE_FORMAT}],
    "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["query"], "properties": {"query": _QUERY_TEXT}}},
        "application/sparql-query": {"schema": _QUERY_TEXT}}},
    "responses": {**_PAGE_RESPONSES, **_errors("415")},
}

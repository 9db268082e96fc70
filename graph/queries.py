"""Named example queries: ``graph/queries/*.rq``.

Each file starts with comment lines ``# title: ...``, ``# description: ...`` and optional
``# param: name=default``. A parameter appears in the query as ``$name`` and is replaced by a SPARQL
string literal (escaped) of the given value, or of its default: :meth:`NamedQuery.render`. Every file
parses as it stands (``$name`` is a variable, or part of an IRI), but a parameter inside an IRI
(``<https://w3id.org/ipkg/id/agency/$agency>``) then names nothing and the query finds no rows: run, show
or offer :meth:`NamedQuery.render`'s text, never ``sparql`` itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

__all__ = ["NamedQuery", "is_named_query", "load_query", "named_queries", "query_dir", "sparql_string"]

_PARAM_VALUE = re.compile(r"[A-Za-z0-9._/-]{1,200}")


def query_dir() -> Path:
    return Path(str(files("ipkg.graph").joinpath("queries")))


# The escapes a double-quoted SPARQL literal needs (rdflib's parser, which checks every query, refuses "\\'")
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                                 "\f": "\\f"})


def sparql_string(value: str) -> str:
    """``value`` as a double-quoted SPARQL string literal (every character that could end it escaped)."""
    return '"' + value.translate(_STRING_ESCAPES) + '"'


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    sparql: str
    params: dict[str, str] = field(default_factory=dict)  # name -> default value

    def render(self, values: dict[str, str] | None = None) -> str:
        """The query with each ``$param`` replaced by its value (or default): inside an IRI (``<.../$agency>``)
        as the value itself — so the store looks the IRI up in its index — elsewhere as a string literal."""
        values = dict(values or {})
        unknown = set(values) - set(self.params)
        if unknown:
            raise ValueError(f"query {self.name!r} has no parameter(s) {', '.join(sorted(unknown))}")
        text = self.sparql
        for name, default in self.params.items():
            value = str(values.get(name, default))
            if not _PARAM_VALUE.fullmatch(value):
                raise ValueError(
                    f"parameter {name}={value!r}: use letters, digits, '.', '_', '/' and '-' only (an id or label)"
                )
            inside_iri = rf"(<[^<>\s]*)\${re.escape(name)}\b([^<>\s]*>)"
            text = re.sub(inside_iri, lambda m, v=value: f"{m[1]}{v}{m[2]}", text)
            text = re.sub(rf"\${re.escape(name)}\b", lambda _m, v=value: sparql_string(v), text)
        return text


def _header(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """The ``# key: value`` lines before the first line that is not a comment: (title and description,
    parameter defaults)."""
    meta: dict[str, str] = {}
    params: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            name, _, default = value.partition("=")
            params[name.strip()] = default.strip()
        elif key in ("title", "description"):
            meta[key] = value
    return meta, params


def is_named_query(text: str) -> bool:
    """Whether ``text`` opens with a named query's header (a ``# title:``, ``# description:`` or ``# param:``
    line). A file that does is meant as a named query, so :func:`load_query` should read it (and say what its
    header lacks); any other file is plain SPARQL, to run as it stands."""
    meta, params = _header(text)
    return bool(meta or params)


def load_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta, params = _header(text)
    if "title" not in meta or "description" not in meta:
        raise ValueError(f"{path}: a named query starts with '# title: ...' and '# description: ...' lines")
    return NamedQuery(path.stem, meta["title"], meta["description"], text, params)


def named_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    folder = directory or query_dir()
    return [load_query(p) for p in sorted(folder.glob("*.rq"))]

"""The data IRIs the server answers at ``/id/...``: which exist, which have a page of their own, and which
are near a mistyped one — decided without a query slot and without scanning the graph.

The linked-data route (``api/routes/linked_data.py``) asks this index before it runs any query. An IRI
the catalogue knows (documents, sections, measures, agencies, legal instruments, IP types) is answered
from memory, with the URL of its page; any other IRI by one indexed lookup in the served store (an exact
subject or object match: microseconds on Oxigraph). Suggestions for a missing IRI come from the
catalogue and, for SKOS concepts (``id/{scheme}/{notation}``), from the members of the scheme the IRI
names (again an exact match). None of this goes through the SPARQL engine's worker pool, so requests
for unknown IRIs cannot take the slots that ``/sparql`` and existing resources need.

Only paths that a minted IRI can have are looked up at all (``iri_of``): ``ontology.namespaces`` mints
segments of letters, digits, ``.``, ``_`` and ``-``, so a path with ``%``, spaces, quotes or brackets
is simply not in the graph, and no user text reaches a query unchecked.
"""

from __future__ import annotations

import difflib
import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ipkg.graph.catalogue import Catalogue, measure_url
from ipkg.ontology.namespaces import ID

if TYPE_CHECKING:
    from ipkg.graph.store import Store
    from ipkg.graph.views import Views

__all__ = ["Entry", "ResourceIndex", "index_for", "iri_of"]

BASE = str(ID)
# A path under /id/ (already percent-decoded) that can name an IRI: RFC 3987 path characters without
# "%" (after decoding, a "%" could only come from "%25", which no minted IRI holds) and without
# anything SPARQL or HTML treat specially.
_LOCAL_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/-]+")
_SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
_SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_SCHEME_LIMIT = 1000  # members of one concept scheme read for suggestions


def iri_of(path: str) -> str | None:
    """The data IRI answered at ``/id/{path}``, or None when no IRI of the graph can have that path."""
    if not path or not _LOCAL_PATH.fullmatch(path):
        return None
    return BASE + path


def iri_ref(iri: str) -> str | None:
    """``<iri>`` for a query, or None for anything but a well-formed data IRI (a fragment node's too:
    ``.../measure/x/1#span``)."""
    path, hashed, fragment = iri.removeprefix(BASE).partition("#")
    ok = iri.startswith(BASE) and iri_of(path) and (not hashed or _LOCAL_PATH.fullmatch(fragment))
    return f"<{iri}>" if ok else None


@dataclass(frozen=True)
class Entry:
    """A data IRI with its label and, for the catalogue's entities, the URL of its page."""

    iri: str
    label: str
    page: str | None = None


class ResourceIndex:
    """Existence, own page and near matches of the data IRIs of one store (see the module docstring)."""

    def __init__(self, store: Store, catalogue: Catalogue) -> None:
        self.store = store
        self.entries: dict[str, Entry] = {}
        self._schemes: dict[str, list[Entry]] = {}  # non-empty concept schemes, read on first use
        self._lock = threading.Lock()
        cat = catalogue
        # kind by kind, documents first (the suggestions when nothing matches better), each kind in IRI order
        for doc in _in_order(cat.documents.values()):
            self._add(doc["iri"], doc["title"], doc["url"])
        for sec in _in_order(cat.sections.values()):
            self._add(sec["iri"], f"{sec['slug']} {sec['path']} {sec['title']}", sec["url"])
        for m in _in_order(cat.measures.values()):
            self._add(m["iri"], f"{m['slug']} {m['label']}", measure_url(m["slug"], m["label"]))
        for kind in (cat.agencies, cat.instruments, cat.ip_types):
            for item in _in_order(kind.values()):
                self._add(item["iri"], item["label"], item["url"])

    def _add(self, iri: str | None, label: str | None, page: str) -> None:
        if iri and iri.startswith(BASE) and iri not in self.entries:
            self.entries[iri] = Entry(iri, label or iri.rsplit("/", 1)[-1], page)

    # -------------------------------------------------------------------------------------- lookups

    def page(self, iri: str) -> str | None:
        """The URL of the entity's own page (``/agency/sipo`` for ``id/agency/sipo``), if it has one."""
        entry = self.entries.get(iri)
        return entry.page if entry else None

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` is a subject or an object in the graph (memory first, then one indexed lookup)."""
        if iri in self.entries:
            return True
        ref = iri_ref(iri)
        if ref is None:
            return False
        result = self.store.query(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}")
        return bool(result.boolean)

    def similar(self, iri: str, limit: int = 20) -> list[Entry]:
        """Up to ``limit`` existing IRIs near ``iri``: the siblings under its parent path (all entities for
        a top-level path) whose last segment or label resembles its last segment, then the other siblings."""
        if not iri.startswith(BASE):
            return []
        parent, _, last = iri.rstrip("/").rpartition("/")
        parent += "/"
        pool = [e for e in self.entries.values() if e.iri.startswith(parent)]
        known = {e.iri for e in pool}
        pool += [e for e in self._scheme(parent.rstrip("/")) if e.iri not in known]
        if not pool:
            return []
        key = last.lower()
        words = re.sub(r"[-_.]+", " ", key).strip()
        by_segment: dict[str, list[Entry]] = {}
        for e in pool:
            by_segment.setdefault(e.iri.rsplit("/", 1)[-1].lower(), []).append(e)
        prefixed = [e for e in pool if e.iri[len(parent):].lower().startswith(key)] if key else []
        close = [e for seg in difflib.get_close_matches(key, list(by_segment), n=limit, cutoff=0.6)
                 for e in by_segment[seg]]
        labelled = [e for e in pool if len(words) >= 3 and words in e.label.lower()]
        out: dict[str, Entry] = {}
        for e in (*prefixed, *close, *labelled, *pool):
            out.setdefault(e.iri, e)
            if len(out) >= limit:
                break
        return list(out.values())

    def _scheme(self, scheme: str) -> list[Entry]:
        """The concepts of ``scheme`` (``id/topic``...) for suggestions: one indexed lookup, kept when found."""
        if scheme in self._schemes:
            return self._schemes[scheme]
        rest = scheme[len(BASE):]
        ref = iri_ref(scheme)
        if ref is None or "/" in rest:  # concept schemes sit directly under id/
            return []
        rows = self.store.query(
            f"SELECT ?c ?label WHERE {{ ?c <{_SKOS_IN_SCHEME}> {ref} "
            f"OPTIONAL {{ ?c <{_SKOS_PREF_LABEL}> ?label FILTER(lang(?label) = \"en\" || lang(?label) = \"\") }} }} "
            f"LIMIT {_SCHEME_LIMIT}"
        ).rows
        members: dict[str, Entry] = {}
        for concept, label in rows:
            text = str(concept)
            if text.startswith(scheme + "/"):
                members.setdefault(text, Entry(text, str(label) if label is not None else text.rsplit("/", 1)[-1]))
        found = sorted(members.values(), key=lambda e: _natural(e.iri))
        if found:  # only real schemes are kept, so made-up paths cannot grow this cache
            with self._lock:
                self._schemes[scheme] = found
        return found


def _natural(text: str) -> list[str | int]:
    """A sort key that puts ``.../9`` before ``.../10``."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", text))]


def _in_order(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: _natural(str(item.get("iri") or "")))


_INDEXES: weakref.WeakKeyDictionary[Views, ResourceIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(views: Views) -> ResourceIndex:
    """The :class:`ResourceIndex` of the store behind ``views`` (built once, from its catalogue)."""
    index = _INDEXES.get(views)
    if index is None:
        catalogue = views.catalogue  # outside the lock: loading it runs the catalogue's queries
        with _INDEXES_LOCK:
            index = _INDEXES.get(views)
            if index is None:
                index = _INDEXES[views] = ResourceIndex(views.store, catalogue)
    return index

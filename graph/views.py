"""What each page shows, as plain dicts: the HTML pages and the JSON API render the same dicts.

``views_for(store, raw_dir)`` returns the :class:`Views` of a store (one per store object, built on
first use: the catalogue of static lists is read once, entity dicts are cached, because the store is
read-only while it is served). Documents and sections come from the catalogue alone; measures, agencies,
instruments, IP types and lineage run one or two SPARQL queries each (``views_measure``,
``views_agency``). Errors are :class:`NotFound` and :class:`BadParameter` (``graph.catalogue``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipkg.graph import views_agency, views_measure
from ipkg.graph.catalogue import BadParameter, Catalogue, NotFound, ViewError, load_catalogue
from ipkg.graph.description import dataset_figures

if TYPE_CHECKING:
    from ipkg.graph.store import Store

__all__ = ["BadParameter", "NotFound", "ViewError", "Views", "views_for"]


class Views:
    """The page views of one store."""

    def __init__(self, store: Store, raw_dir: Path | None = None, cache_size: int = 2048) -> None:
        self.store = store
        self.raw_dir = raw_dir
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        # Serialised answers (JSON bytes) keyed by route and parameters: the graph does not change under a
        # running store, so an entity's JSON is validated and serialised once, then served as bytes.
        self._serialised: OrderedDict[tuple, bytes] = OrderedDict()

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            with self._lock:
                if self._catalogue is None:
                    self._catalogue = load_catalogue(self.store, self.raw_dir)
        return self._catalogue

    def _cached(self, key: tuple, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = make()
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def dataset_figures(self) -> dict[str, Any]:
        """The VoID figures (``graph.description.dataset_figures``), counted once per store."""
        return self._cached(("dataset_figures",), lambda: dataset_figures(self.store))

    def serialised(self, key: tuple) -> bytes | None:
        return self._serialised.get(key)

    def remember_serialised(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self._serialised[key] = body
            while len(self._serialised) > self._cache_size:
                self._serialised.popitem(last=False)

    # ------------------------------------------------------------------ home, documents, sections

    def home(self) -> dict[str, Any]:
        cat = self.catalogue
        leaders = sorted(cat.agencies.values(), key=lambda a: -a["lead"])[:8]
        return {
            "counts": cat.counts,
            "documents": self.documents()["documents"],
            "top_agencies": [{**cat.agency_ref(a["id"]), "lead": a["lead"], "participant": a["participant"]}
                             for a in leaders if a["lead"]],
            "examples": {
                "agency": cat.agency_ref("sipo") if "sipo" in cat.agencies else None,
                "measure": cat.measure_ref(("division-of-work-2016", "20")),
                "compare": {"a": "promotion-plan-2012", "b": "division-of-work-2016"},
            },
        }

    def documents(self) -> dict[str, Any]:
        cat = self.catalogue
        docs = sorted(cat.documents.values(), key=lambda d: (not d["in_corpus"], d["issued"] or "", d["slug"]))
        return {"documents": [_doc_summary(d) for d in docs], "count": len(docs)}

    def document(self, slug: str) -> dict[str, Any]:
        cat = self.catalogue
        doc = cat.documents.get(slug)
        if doc is None:
            raise NotFound(f"no document {slug!r}; see /documents for the slugs")
        return {
            **_doc_summary(doc),
            "implements": [cat.doc_ref(s) for s in doc["implements"]],
            "implemented_by": [cat.doc_ref(s) for s in doc["implemented_by"]],
            "issuer": cat.agency_ref(doc["issuer"]) if doc["issuer"] else None,
            "outline": self._outline(slug, None),
        }

    def section(self, slug: str, path: str) -> dict[str, Any]:
        cat = self.catalogue
        sec = cat.sections.get((slug, path))
        if sec is None:
            if slug not in cat.documents:
                raise NotFound(f"no document {slug!r}; see /documents for the slugs")
            raise NotFound(f"document {slug!r} has no section {path!r}")
        trail = []
        parent = sec["parent"]
        while parent and (slug, parent) in cat.sections:
            p = cat.sections[(slug, parent)]
            trail.insert(0, {"path": p["path"], "title": p["title"], "url": p["url"]})
            parent = p["parent"]
        return {
            **{k: sec[k] for k in ("slug", "path", "iri", "url", "title", "number_as_printed")},
            "document": cat.doc_ref(slug),
            "trail": trail,
            "intro": sec["intro"],
            "outline": self._outline(slug, path),
        }

    def _outline(self, slug: str, root: str | None) -> list[dict[str, Any]]:
        """Sections and measures of a document (or under one section) as a nested outline."""
        cat = self.catalogue
        items: list[tuple[int, str, dict[str, Any], str | None]] = []
        for (s, _path), sec in cat.sections.items():
            if s == slug:
                items.append((sec["start"], "section", sec, sec["parent"]))
        for (s, _label), m in cat.measures.items():
            if s == slug:
                items.append((m["start"], "measure", m, m["section"]))
        items.sort(key=lambda x: x[0])
        nodes: dict[str | None, list[dict[str, Any]]] = {}
        for _, kind, obj, parent in items:
            if kind == "section":
                node = {"type": "section", "path": obj["path"], "title": obj["title"], "url": obj["url"],
                        "number_as_printed": obj["number_as_printed"], "children": []}
                nodes.setdefault(obj["path"], node["children"])
            else:
                leads = [cat.agency_ref(a) for mi, a, r in cat.responsibilities if mi == obj["iri"] and r == "lead"]
                text = obj["text"]
                node = {"type": "measure", "label": obj["label"], "url": f"/measure/{slug}/{obj['label']}",
                        "excerpt": text if len(text) <= 180 else text[:177].rstrip() + "…", "leads": leads}
            nodes.setdefault(parent, []).append(node)
        # attach each section's children list (created above) to the section node
        return nodes.get(root, [])

    # ------------------------------------------------------------------ measures, lineage, search, compare

    def measure(self, slug: str, label: str) -> dict[str, Any]:
        return self._cached(("measure", slug, label),
                            lambda: views_measure.measure(self.store, self.catalogue, slug, label))

    def lineage(self, slug: str, label: str, candidates: int = views_measure.CANDIDATES_SHOWN) -> dict[str, Any]:
        return self._cached(("lineage", slug, label, candidates),
                            lambda: views_measure.lineage(self.store, self.catalogue, slug, label, candidates))

    def document_lineage(self) -> dict[str, Any]:
        return self._cached(("document_lineage",), lambda: views_measure.document_lineage(self.store, self.catalogue))

    def search(self, q: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        return views_measure.search(self.catalogue, q, limit, offset)

    def compare(self, a: str, b: str, agency: str | None = None, ip_type: str | None = None) -> dict[str, Any]:
        return self._cached(("compare", a, b, agency, ip_type),
                            lambda: views_measure.compare(self.store, self.catalogue, a, b, agency, ip_type))

    # ------------------------------------------------------------------ agencies, instruments, IP types

    def agencies(self) -> dict[str, Any]:
        return views_agency.agencies(self.catalogue)

    def agency(self, agency_id: str) -> dict[str, Any]:
        return self._cached(("agency", agency_id),
                            lambda: views_agency.agency(self.store, self.catalogue, agency_id))

    def instruments(self) -> dict[str, Any]:
        return views_agency.instruments(self.catalogue)

    def instrument(self, slug: str) -> dict[str, Any]:
        return self._cached(("instrument", slug),
                            lambda: views_agency.instrument(self.store, self.catalogue, slug))

    def ip_types(self) -> dict[str, Any]:
        return views_agency.ip_types(self.catalogue)

    def ip_type(self, type_id: str) -> dict[str, Any]:
        return self._cached(("ip_type", type_id),
                            lambda: views_agency.ip_type(self.store, self.catalogue, type_id))


def _doc_summary(d: dict[str, Any]) -> dict[str, Any]:
    keys = ("slug", "iri", "url", "title", "short_title", "issued", "year", "number", "number_as_printed", "kind",
            "kind_label", "in_corpus", "measure_count", "section_count", "file")
    return {k: d[k] for k in keys}


_VIEWS: dict[int, tuple[Any, Views]] = {}
_VIEWS_LOCK = threading.Lock()


def views_for(store: Store, raw_dir: Path | None = None) -> Views:
    """The :class:`Views` of ``store``, created on first use and kept while the store object lives."""
    entry = _VIEWS.get(id(store))
    if entry is not None and entry[0] is store:
        return entry[1]
    with _VIEWS_LOCK:
        entry = _VIEWS.get(id(store))
        if entry is None or entry[0] is not store:
            # forget views of stores that were replaced (a rebuilt store is a new object)
            for key in [k for k, (s, _) in _VIEWS.items() if s is not store]:
                if len(_VIEWS) > 4:
                    del _VIEWS[key]
            entry = (store, Views(store, raw_dir))
            _VIEWS[id(store)] = entry
        return entry[1]

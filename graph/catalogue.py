"""The catalogue: what every page needs and what does not change while a store is open.

Documents, sections, the measure index (labels, texts, headings), agencies, instruments, IP types and
the co-responsibility rows are read once per store (a handful of SPARQL queries, a few milliseconds on
the full corpus) and kept in memory, so entity pages run one or two queries each and the search box
needs none. A rebuilt store is a new ``Store`` object, hence a new catalogue.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef

from ipkg.graph.measure_search import AgencyNames, MeasureSearch, words
from ipkg.ontology.namespaces import ID, PREFIXES

if TYPE_CHECKING:
    from ipkg.graph.store import Store

SPARQL_PREFIXES = "".join(
    f"PREFIX {p}: <{PREFIXES[p]}>\n"
    for p in ("ipkg", "dcterms", "skos", "org", "prov", "eli", "oa", "itsrdf", "xsd", "rdf", "rdfs")
    if p in PREFIXES
) + "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"

BASE = str(ID)
ACRONYM = re.compile(r"^[A-Z][A-Za-z]{1,7}$")  # the altLabel shown as an agency's acronym
ROLE_ORDER = {"lead": 0, "participant": 1, "responsible": 2, "mentioned": 3}
ROLE_LABELS = {
    "lead": "lead",
    "participant": "co-responsible",
    "responsible": "responsible (division of responsibilities)",
    "mentioned": "mentioned in the text",
}
# Bases that the text states; everything else is the extractor's reading of a convention.
STATED_BASES = {"explicit-lead-clause", "first-listed-lead", "sole-agency", "division-of-responsibilities"}
BASIS_LABELS = {
    "explicit-lead-clause": "the clause names the leads",
    "first-listed-lead": "'the first department listed takes the lead'",
    "first-listed-convention": "first listed, by listing convention (not stated)",
    "sole-agency": "the only agency named",
    "division-of-responsibilities": "'based on the division of responsibilities'",
}


class ViewError(Exception):
    """Base of the errors the page views raise; the API maps them to status codes in one place."""


class NotFound(ViewError, LookupError):
    """No such entity in the graph (a 404)."""


class BadParameter(ViewError, ValueError):
    """A parameter the views cannot use (a 400/422)."""


# ---------------------------------------------------------------------------------------------- terms


def value(term: Any) -> Any:
    """An rdflib term as a plain Python value (IRIs and dates as strings, numbers as numbers)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        py = term.toPython()
        if isinstance(py, bool | int | float):
            return py
        if py.__class__.__name__ == "Decimal":
            return float(py)
        return str(term)
    return str(term)


def local(iri: Any, kind: str) -> str | None:
    """The part of a data IRI after ``id/{kind}/`` (``local(x, "agency") -> "sipo"``), else None."""
    text = str(iri) if iri is not None else ""
    prefix = f"{BASE}{kind}/"
    return text[len(prefix) :] if text.startswith(prefix) else None


def notation(iri: Any) -> str | None:
    """The last path segment of a concept IRI (``id/role/lead`` -> ``lead``)."""
    if iri is None:
        return None
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def year_of(issued: str | None) -> int | None:
    match = re.match(r"(\d{4})", issued or "")
    return int(match.group(1)) if match else None


def iri_ref(iri: str) -> str:
    """``<iri>`` for a SPARQL query, refusing anything that could break out of the brackets."""
    if not iri or any(ch in iri for ch in '<>"{}|^`\\ \n\t'):
        raise BadParameter(f"not a usable IRI: {iri!r}")
    return f"<{iri}>"


# The kinds of /id/... IRI that have a page of their own, and that page's first path segment
# (instruments are id/law/... by the contract, their pages /instrument/...).
PAGE_OF_KIND = {"document": "document", "measure": "measure", "section": "section", "agency": "agency",
                "law": "instrument", "ip-type": "ip-type"}


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, "…" marking the cut."""
    return textwrap.shorten(text, width, placeholder=" …")


def measure_url(slug: str, label: str) -> str:
    return f"/measure/{slug}/{label}"


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass
class Catalogue:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> doc
    sections: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (slug, path) -> section
    measures: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (slug, label) -> measure
    measure_by_iri: dict[str, tuple[str, str]] = field(default_factory=dict)
    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    instruments: dict[str, dict[str, Any]] = field(default_factory=dict)
    ip_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    responsibilities: list[tuple[str, str, str]] = field(default_factory=list)  # (measure iri, agency id, role)
    agency_names: dict[str, set[str]] = field(default_factory=dict)  # agency id -> English names as printed
    counts: dict[str, int] = field(default_factory=dict)
    lineage_threshold: float | None = None  # the score from which the build asserted a lineage link
    raw_texts: dict[str, str] = field(default_factory=dict)  # slug -> raw file text (when readable)

    # -- small lookups used by every view
    def doc_ref(self, slug: str) -> dict[str, Any]:
        doc = self.documents.get(slug)
        if doc is None:
            return {"slug": slug, "title": slug, "url": f"/document/{slug}", "issued": None, "year": None}
        return {k: doc[k] for k in ("slug", "title", "short_title", "url", "issued", "year", "number")}

    def agency_ref(self, agency_id: str) -> dict[str, Any]:
        a = self.agencies.get(agency_id)
        label = a["label"] if a else agency_id
        return {
            "id": agency_id,
            "label": label,
            "acronym": a.get("acronym") if a else None,
            "url": f"/agency/{agency_id}",
            "iri": f"{BASE}agency/{agency_id}",
        }

    def instrument_ref(self, slug: str) -> dict[str, Any]:
        i = self.instruments.get(slug)
        return {
            "slug": slug,
            "label": i["label"] if i else slug,
            "kind": i.get("kind") if i else None,
            "url": f"/instrument/{slug}",
            "iri": f"{BASE}law/{slug}",
        }

    def ip_type_ref(self, type_id: str) -> dict[str, Any]:
        t = self.ip_types.get(type_id)
        return {
            "id": type_id,
            "label": t["label"] if t else type_id,
            "url": f"/ip-type/{type_id}",
            "iri": f"{BASE}ip-type/{type_id}",
        }

    def measure_ref(self, iri_or_key: Any) -> dict[str, Any] | None:
        key = iri_or_key if isinstance(iri_or_key, tuple) else self.measure_by_iri.get(str(iri_or_key))
        if key is None:
            rest = local(iri_or_key, "measure")
            if not rest or "/" not in rest:
                return None
            key = tuple(rest.split("/", 1))  # type: ignore[assignment]
        m = self.measures.get(key)  # type: ignore[arg-type]
        slug, label = key  # type: ignore[misc]
        doc = self.doc_ref(slug)
        text = m["text"] if m else ""
        return {
            "slug": slug,
            "label": label,
            "iri": f"{BASE}measure/{slug}/{label}",
            "url": measure_url(slug, label),
            "document": doc,
            "year": doc.get("year"),
            "excerpt": (text[:160] + "…") if len(text) > 160 else text,
        }

    # -- the search's indexes, built on first use (a rebuilt store is a new catalogue)
    @cached_property
    def measure_search(self) -> MeasureSearch:
        return MeasureSearch(self.measures)

    @cached_property
    def section_search(self) -> MeasureSearch:
        """The sections' introductions (a plan's background and goals, which no measure holds)."""
        return MeasureSearch({key: {"text": intro_text(sec), "heading_path": sec["title"]}
                              for key, sec in self.sections.items() if sec["intro"]})

    @cached_property
    def agency_name_index(self) -> AgencyNames:
        vocabulary = {w for m in self.measures.values() for w in words(m["text"], lower=False) if w.islower()}
        return AgencyNames(self.agency_names, vocabulary, {aid: a["label_zh"] for aid, a in self.agencies.items()})


def intro_text(section: dict[str, Any]) -> str:
    return "\n\n".join(section["intro"]["paragraphs"])


def _first(existing: Any, new: Any) -> Any:
    return existing if existing not in (None, "") else new


def load_catalogue(store: Store, raw_dir: Path | None = None) -> Catalogue:
    """Read the static lists of ``store`` (seven queries)."""
    cat = Catalogue()
    q = store.query

    # documents
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?d ?slug ?title ?issued ?number ?printed ?kind ?kindLabel ?issuer ?file ?impl WHERE {
  ?d a ipkg:PolicyDocument ; dcterms:identifier ?slug .
  OPTIONAL { ?d dcterms:title ?title FILTER(lang(?title) = "en" || lang(?title) = "") }
  OPTIONAL { ?d dcterms:issued ?issued }
  OPTIONAL { ?d ipkg:documentNumber ?number FILTER(lang(?number) = "") }
  OPTIONAL { ?d ipkg:documentNumberAsPrinted ?printed }
  OPTIONAL { ?d dcterms:type ?kind OPTIONAL { ?kind skos:prefLabel ?kindLabel FILTER(lang(?kindLabel) = "en") } }
  OPTIONAL { ?d dcterms:creator ?issuer }
  OPTIONAL { ?d ipkg:rawText/dcterms:identifier ?file }
  OPTIONAL { ?d ipkg:implementsDocument ?impl }
}"""
    ).rows
    for d, slug, title, issued, number, printed, kind, kind_label, issuer, file, impl in rows:
        slug = value(slug)
        doc = cat.documents.setdefault(
            slug,
            {
                "slug": slug,
                "iri": value(d),
                "url": f"/document/{slug}",
                "title": None,
                "issued": None,
                "year": None,
                "number": None,
                "number_as_printed": None,
                "kind": None,
                "kind_label": None,
                "issuer": None,
                "file": None,
                "in_corpus": False,
                "implements": [],
                "implemented_by": [],
                "measure_count": 0,
                "section_count": 0,
            },
        )
        doc["title"] = _first(doc["title"], value(title))
        doc["issued"] = _first(doc["issued"], value(issued))
        doc["number"] = _first(doc["number"], value(number))
        doc["number_as_printed"] = _first(doc["number_as_printed"], value(printed))
        doc["kind"] = _first(doc["kind"], notation(kind))
        doc["kind_label"] = _first(doc["kind_label"], value(kind_label))
        doc["issuer"] = _first(doc["issuer"], local(issuer, "agency"))
        doc["file"] = _first(doc["file"], value(file))
        target = local(impl, "document")
        if target and target not in doc["implements"]:
            doc["implements"].append(target)
    for doc in cat.documents.values():
        doc["title"] = doc["title"] or doc["slug"]
        doc["year"] = year_of(doc["issued"])
        doc["in_corpus"] = doc["file"] is not None
        doc["short_title"] = shorten(doc["title"], 70)
    for doc in cat.documents.values():
        for target in doc["implements"]:
            if target in cat.documents:
                cat.documents[target]["implemented_by"].append(doc["slug"])

    # sections
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?s ?path ?title ?parent ?printed ?start ?end ?intro ?istart ?iend WHERE {
  ?s a ipkg:Section ; skos:notation ?path .
  OPTIONAL { ?s dcterms:title ?title }
  OPTIONAL { ?s dcterms:isPartOf ?parent }
  OPTIONAL { ?s ipkg:numberAsPrinted ?printed }
  OPTIONAL { ?s ipkg:span/oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
  OPTIONAL { ?s dcterms:description ?intro ; ipkg:introSpan/oa:hasSelector ?isel . ?isel oa:start ?istart ; oa:end ?iend }
}"""
    ).rows
    for s, path, title, parent, printed, start, end, intro, istart, iend in rows:
        rest = local(s, "section")
        if not rest or "/" not in rest:
            continue
        slug, _ = rest.split("/", 1)
        path = value(path)
        parent_rest = local(parent, "section")
        cat.sections[(slug, path)] = {
            "slug": slug,
            "path": path,
            "iri": value(s),
            "url": f"/section/{slug}/{path}",
            "title": value(title) or path,
            "number_as_printed": value(printed),
            "parent": parent_rest.split("/", 1)[1] if parent_rest and "/" in parent_rest else None,
            "start": value(start) if start is not None else 0,
            "end": value(end) if end is not None else 0,  # of the heading
            # its own text before its first item or subsection (extract/intros.py)
            "intro": {"paragraphs": value(intro).split("\n\n"), "span": {"start": value(istart), "end": value(iend)}}
            if intro is not None else None,
        }

    # measures
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?m ?label ?text ?heading ?section ?start ?end ?kind ?printed WHERE {
  ?m a ipkg:Measure ; skos:notation ?label .
  OPTIONAL { ?m ipkg:text ?text }
  OPTIONAL { ?m ipkg:headingPath ?heading }
  OPTIONAL { ?m dcterms:isPartOf ?section }
  OPTIONAL { ?m ipkg:span/oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
  OPTIONAL { ?m ipkg:measureKind ?kind }
  OPTIONAL { ?m ipkg:numberAsPrinted ?printed }
}"""
    ).rows
    for m, label, text, heading, section, start, end, kind, printed in rows:
        rest = local(m, "measure")
        if not rest or "/" not in rest:
            continue
        slug, label_from_iri = rest.split("/", 1)
        label = value(label) or label_from_iri
        section_rest = local(section, "section")
        key = (slug, label)
        cat.measures[key] = {
            "slug": slug,
            "label": label,
            "iri": value(m),
            "text": value(text) or "",
            "heading_path": value(heading) or "",
            "section": section_rest.split("/", 1)[1] if section_rest and "/" in section_rest else None,
            "start": value(start) if start is not None else 0,
            "end": value(end) if end is not None else 0,
            "kind": notation(kind),
            "number_as_printed": value(printed),
        }
        cat.measure_by_iri[value(m)] = key
    for (slug, _), _m in cat.measures.items():
        if slug in cat.documents:
            cat.documents[slug]["measure_count"] += 1
    for (slug, _), _s in cat.sections.items():
        if slug in cat.documents:
            cat.documents[slug]["section_count"] += 1

    # agencies
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?a ?id ?label ?zh ?alt ?kind WHERE {
  ?a a org:Organization ; dcterms:identifier ?id .
  OPTIONAL { ?a skos:prefLabel ?label FILTER(lang(?label) = "en" || lang(?label) = "") }
  OPTIONAL { ?a skos:prefLabel ?zh FILTER(lang(?zh) = "zh-hans" || lang(?zh) = "zh-Hans") }
  OPTIONAL { ?a skos:altLabel ?alt FILTER(lang(?alt) = "en" || lang(?alt) = "") }
  OPTIONAL { ?a org:classification ?kind }
}"""
    ).rows
    for a, aid, label, zh, alt, kind in rows:
        aid = value(aid)
        ag = cat.agencies.setdefault(
            aid,
            {"id": aid, "iri": value(a), "url": f"/agency/{aid}", "label": None, "label_zh": None,
             "acronym": None, "kind": None, "lead": 0, "participant": 0, "responsible": 0, "mentioned": 0},
        )
        ag["label"] = _first(ag["label"], value(label))
        ag["label_zh"] = _first(ag["label_zh"], value(zh))
        if alt is not None and ACRONYM.match(value(alt)):
            ag["acronym"] = _first(ag["acronym"], value(alt))
        # every English name an agency is printed under, for the search box to recognise it
        cat.agency_names.setdefault(aid, set()).update(value(n) for n in (label, alt) if n is not None)
        ag["kind"] = _first(ag["kind"], notation(kind))
    for ag in cat.agencies.values():
        ag["label"] = ag["label"] or ag["id"]

    # who is responsible for what (also the co-responsibility network)
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?m ?a ?p WHERE {
  VALUES ?p { ipkg:leadAgency ipkg:participatingAgency ipkg:responsibleAgency ipkg:mentionsAgency }
  ?m ?p ?a .
}"""
    ).rows
    role_of = {"leadAgency": "lead", "participatingAgency": "participant", "responsibleAgency": "responsible",
               "mentionsAgency": "mentioned"}
    best: dict[tuple[str, str], str] = {}
    for m, a, p in rows:
        aid = local(a, "agency")
        role = role_of.get(str(p).rsplit("#", 1)[-1])
        if not aid or not role:
            continue
        key = (value(m), aid)
        if key not in best or ROLE_ORDER[role] < ROLE_ORDER[best[key]]:
            best[key] = role
    cat.responsibilities = sorted((m, a, r) for (m, a), r in best.items())
    for _, aid, role in cat.responsibilities:
        if aid in cat.agencies:
            cat.agencies[aid][role] += 1

    # instruments
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?l ?id ?label ?kind (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?l a ipkg:LegalInstrument ; dcterms:identifier ?id .
  OPTIONAL { ?l skos:prefLabel ?label FILTER(lang(?label) = "en" || lang(?label) = "") }
  OPTIONAL { ?l eli:type_document ?kind }
  OPTIONAL { { ?m ipkg:hasCitation/ipkg:instrument ?l } UNION
             { VALUES ?cp { ipkg:citesLaw ipkg:revisesLaw ipkg:formulatesLaw ipkg:implementsLaw ipkg:interpretsLaw ipkg:studiesLaw } ?m ?cp ?l } }
} GROUP BY ?l ?id ?label ?kind"""
    ).rows
    for law, lid, label, kind, n in rows:
        lid = value(lid)
        ins = cat.instruments.setdefault(
            lid, {"slug": lid, "iri": value(law), "url": f"/instrument/{lid}", "label": None, "kind": None,
                  "measure_count": 0},
        )
        ins["label"] = _first(ins["label"], value(label)) or lid
        ins["kind"] = _first(ins["kind"], notation(kind))
        ins["measure_count"] = max(ins["measure_count"], value(n) or 0)

    # IP types
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?t ?id ?label ?broader (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?t skos:inScheme <"""
        + BASE
        + """ip-type> ; skos:notation ?id .
  OPTIONAL { ?t skos:prefLabel ?label FILTER(lang(?label) = "en" || lang(?label) = "") }
  OPTIONAL { ?t skos:broader ?broader }
  OPTIONAL { ?m ipkg:concernsIPType ?t }
} GROUP BY ?t ?id ?label ?broader"""
    ).rows
    for t, tid, label, broader, n in rows:
        tid = value(tid)
        cat.ip_types[tid] = {
            "id": tid,
            "iri": value(t),
            "url": f"/ip-type/{tid}",
            "label": value(label) or tid,
            "broader": local(broader, "ip-type"),
            "narrower": [],
            "measure_count": value(n) or 0,
        }
    for tid, t in cat.ip_types.items():
        if t["broader"] in cat.ip_types:
            cat.ip_types[t["broader"]]["narrower"].append(tid)

    # counts for the home page
    rows = q(
        SPARQL_PREFIXES
        + """SELECT ?c (COUNT(?x) AS ?n) WHERE {
  VALUES ?c { ipkg:Assignment ipkg:LineageLink ipkg:LineageCandidate ipkg:InstrumentCitation ipkg:IPTypeTag ipkg:Mention }
  ?x a ?c } GROUP BY ?c"""
    ).rows
    by_class = {str(c).rsplit("#", 1)[-1]: value(n) for c, n in rows}
    cat.counts = {
        "documents": sum(1 for d in cat.documents.values() if d["in_corpus"]),
        "cited_documents": sum(1 for d in cat.documents.values() if not d["in_corpus"]),
        "sections": len(cat.sections),
        "measures": len(cat.measures),
        "agencies": len(cat.agencies),
        "responsible_agencies": len({a for _, a, r in cat.responsibilities if r != "mentioned"}),
        "assignments": by_class.get("Assignment", 0)
        or sum(1 for *_, r in cat.responsibilities if r != "mentioned"),
        "instruments": len(cat.instruments),
        "cited_instruments": sum(1 for i in cat.instruments.values() if i["measure_count"]),
        "ip_types": len(cat.ip_types),
        "lineage_links": by_class.get("LineageLink", 0),
        "lineage_candidates": by_class.get("LineageCandidate", 0),
        "citations": by_class.get("InstrumentCitation", 0),
        "ip_type_tags": by_class.get("IPTypeTag", 0),
    }

    rows = q(SPARQL_PREFIXES + "SELECT (MAX(?t) AS ?t) WHERE { ?build a ipkg:Build ; ipkg:lineageThreshold ?t }").rows
    cat.lineage_threshold = float(value(rows[0][0])) if rows and value(rows[0][0]) is not None else None

    if raw_dir is not None:
        for slug, doc in cat.documents.items():
            if doc["file"]:
                path = Path(raw_dir) / doc["file"]
                if path.is_file():
                    cat.raw_texts[slug] = path.read_text(encoding="utf-8")
    return cat


def group_count(items: list[tuple[Any, Any]]) -> dict[Any, dict[Any, int]]:
    """``[(a, b), ...] -> {a: {b: n}}`` (kept ordered by first appearance)."""
    out: dict[Any, Counter[Any]] = defaultdict(Counter)
    for a, b in items:
        out[a][b] += 1
    return {a: dict(c) for a, c in out.items()}


def as_uri(iri: str) -> URIRef:
    return URIRef(iri)

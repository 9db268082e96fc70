"""Views of measures: one measure with its statements highlighted in place, its lineage, full-text search
and the side-by-side comparison of two plans. Each returns a plain dict (the JSON API and the page
templates render the same dict)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from typing import TYPE_CHECKING, Any

from ipkg.extract.clauses import clauses
from ipkg.extract.cleaning import cleaner_for, normalised_offsets
from ipkg.extract.lineage_signals import FUNCTION_WORDS
from ipkg.extract.records import Span, issued_before
from ipkg.graph.catalogue import (
    BASE,
    BASIS_LABELS,
    ROLE_LABELS,
    ROLE_ORDER,
    SPARQL_PREFIXES,
    STATED_BASES,
    BadParameter,
    Catalogue,
    NotFound,
    intro_text,
    iri_ref,
    local,
    notation,
    value,
)
from ipkg.graph.measure_search import MAX_TERMS, has_chinese, highlight, query_stems, undotted, words

if TYPE_CHECKING:
    from ipkg.graph.store import Store

MAX_QUERY_CHARS = 200
CANDIDATES_SHOWN = 3  # candidates below the threshold shown per other document and direction (as `ipkg lineage`)
_WS = re.compile(r"\s+")

_DIRECT = {
    "leadAgency": "lead",
    "participatingAgency": "participant",
    "responsibleAgency": "responsible",
    "mentionsAgency": "mentioned",
}


def _span_fragment(node: str) -> str:
    return f"""OPTIONAL {{ {node} ipkg:span ?sp .
      OPTIONAL {{ ?sp oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end }}
      OPTIONAL {{ ?sp oa:hasSelector ?qs . ?qs oa:exact ?exact }} }}"""


def measure_key(cat: Catalogue, slug: str, label: str) -> tuple[str, str]:
    if (slug, label) not in cat.measures:
        if slug not in cat.documents:
            raise NotFound(f"no document {slug!r}; see /documents for the slugs")
        raise NotFound(f"document {slug!r} has no measure labelled {label!r}")
    return (slug, label)


def cite(cat: Catalogue, slug: str, label: str, quote: str | None, iri: str, stated: bool | None) -> dict[str, Any]:
    """What a reader needs to cite one statement: document, number, measure, the quoted span and IRI."""
    doc = cat.documents.get(slug, {})
    parts = [doc.get("title") or slug]
    if doc.get("number"):
        parts.append(f"({doc['number']})")
    if doc.get("issued"):
        parts.append(str(doc["issued"]))
    text = " ".join(parts) + f", measure {label}"
    if quote:
        text += f': "{_WS.sub(" ", quote).strip()}"'
    text += f" <{iri}>"
    return {
        "document": doc.get("title") or slug,
        "number": doc.get("number"),
        "measure": label,
        "quote": _WS.sub(" ", quote).strip() if quote else None,
        "iri": iri,
        "stated": stated,
        "text": text,
    }


# ---------------------------------------------------------------------------------------------- one measure


def measure(store: Store, cat: Catalogue, slug: str, label: str) -> dict[str, Any]:
    key = measure_key(cat, slug, label)
    m = cat.measures[key]
    ref = cat.measure_ref(key)
    assert ref is not None
    M = iri_ref(m["iri"])
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?kind ?node ?target ?role ?basis ?pos ?action ?text ?actor ?vague ?conf ?start ?end ?exact WHERE {{
  {{ {M} ipkg:hasAssignment ?node . BIND("assignment" AS ?kind)
     OPTIONAL {{ ?node prov:agent ?target }} OPTIONAL {{ ?node prov:hadRole ?role }}
     OPTIONAL {{ ?node ipkg:basis ?basis }} OPTIONAL {{ ?node ipkg:listPosition ?pos }}
     OPTIONAL {{ ?node ipkg:actorText ?actor }} OPTIONAL {{ ?node ipkg:vague ?vague }}
     {_span_fragment("?node")} }}
  UNION {{ {M} ipkg:hasMention ?node . BIND("mention" AS ?kind)
     OPTIONAL {{ ?node itsrdf:taIdentRef ?target }} OPTIONAL {{ ?node ipkg:text ?text }}
     OPTIONAL {{ ?node itsrdf:taConfidence ?conf }}
     {_span_fragment("?node")} }}
  UNION {{ {M} ipkg:hasCitation ?node . BIND("citation" AS ?kind)
     OPTIONAL {{ ?node ipkg:instrument ?target }} OPTIONAL {{ ?node ipkg:action ?action }}
     OPTIONAL {{ ?node ipkg:text ?text }} OPTIONAL {{ ?node itsrdf:taConfidence ?conf }}
     {_span_fragment("?node")} }}
  UNION {{ {M} ipkg:hasIPTypeTag ?node . BIND("tag" AS ?kind)
     OPTIONAL {{ ?node ipkg:ipType ?target }} OPTIONAL {{ ?node ipkg:cue ?text }}
     {_span_fragment("?node")} }}
  UNION {{ VALUES ?role {{ ipkg:leadAgency ipkg:participatingAgency ipkg:responsibleAgency ipkg:mentionsAgency
                          ipkg:concernsIPType ipkg:citesLaw ipkg:revisesLaw ipkg:formulatesLaw ipkg:implementsLaw
                          ipkg:interpretsLaw ipkg:studiesLaw }}
           {M} ?role ?target . BIND("direct" AS ?kind) }}
}}"""
    ).rows
    nodes: dict[str, dict[str, Any]] = {}
    direct: list[tuple[str, str]] = []
    for kind, node, target, role, basis, pos, action, text, actor, vague, conf, start, end, exact in rows:
        kind = value(kind)
        if kind == "direct":
            direct.append((str(role).rsplit("#", 1)[-1], str(target)))
            continue
        n = nodes.setdefault(str(node), {"kind": kind, "iri": str(node)})
        for k, v in (("target", target), ("role", role), ("basis", basis), ("pos", pos), ("action", action),
                     ("text", text), ("actor", actor), ("vague", vague), ("confidence", conf),
                     ("start", start), ("end", end), ("exact", exact)):
            if v is not None and n.get(k) is None:
                n[k] = value(v)

    raw = cat.raw_texts.get(slug)
    def quote_of(n: dict[str, Any]) -> str | None:
        if n.get("exact"):
            return n["exact"]
        if raw is not None and n.get("start") is not None and n.get("end") is not None:
            return raw[n["start"] : n["end"]]
        return n.get("text") or n.get("actor")

    assignments = []
    for n in sorted((n for n in nodes.values() if n["kind"] == "assignment"), key=lambda n: n.get("pos") or 0):
        aid = local(n.get("target"), "agency")
        basis = notation(n.get("basis"))
        stated = basis in STATED_BASES if basis else None
        role = notation(n.get("role")) or "responsible"
        assignments.append({
            "position": n.get("pos"),
            "agency": cat.agency_ref(aid) if aid else None,
            "actor_text": n.get("actor"),
            "vague": bool(n.get("vague")),
            "role": role,
            "role_label": ROLE_LABELS.get(role, role),
            "basis": basis,
            "basis_label": BASIS_LABELS.get(basis or "", basis),
            "stated": stated,
            "span": _span(n),
            "iri": n["iri"],
            "cite": cite(cat, slug, label, quote_of(n), n["iri"], stated),
        })
    # direct statements without a qualified node (kept so nothing in the graph is hidden)
    qualified = {(a["agency"]["id"] if a["agency"] else None) for a in assignments}
    for prop, target in direct:
        role = _DIRECT.get(prop)
        aid = local(target, "agency")
        if role and role != "mentioned" and aid and aid not in qualified:
            qualified.add(aid)
            assignments.append({
                "position": None, "agency": cat.agency_ref(aid), "actor_text": None, "vague": False,
                "role": role, "role_label": ROLE_LABELS[role], "basis": None, "basis_label": None,
                "stated": None, "span": None, "iri": m["iri"],
                "cite": cite(cat, slug, label, None, m["iri"], None),
            })

    mentions = []
    for n in (n for n in nodes.values() if n["kind"] == "mention"):
        aid = local(n.get("target"), "agency")
        mentions.append({
            "agency": cat.agency_ref(aid) if aid else None,
            "text": n.get("text") or quote_of(n),
            "confidence": n.get("confidence"),
            "span": _span(n),
            "iri": n["iri"],
            "cite": cite(cat, slug, label, quote_of(n), n["iri"], True),
        })

    instruments = []
    for n in sorted((n for n in nodes.values() if n["kind"] == "citation"), key=lambda n: n.get("start") or 0):
        lid = local(n.get("target"), "law")
        instruments.append({
            "instrument": cat.instrument_ref(lid) if lid else None,
            "action": notation(n.get("action")) or "cite",
            "text": n.get("text") or quote_of(n),
            "span": _span(n),
            "iri": n["iri"],
            "cite": cite(cat, slug, label, quote_of(n), n["iri"], True),
        })
    cited = {i["instrument"]["slug"] for i in instruments if i["instrument"]}
    for prop, target in direct:
        lid = local(target, "law")
        if lid and lid not in cited:
            cited.add(lid)
            action = {"citesLaw": "cite", "revisesLaw": "revise", "formulatesLaw": "formulate",
                      "implementsLaw": "implement", "interpretsLaw": "interpret", "studiesLaw": "study"}.get(prop)
            instruments.append({"instrument": cat.instrument_ref(lid), "action": action, "text": None,
                                "span": None, "iri": m["iri"], "cite": cite(cat, slug, label, None, m["iri"], True)})

    ip_types: dict[str, dict[str, Any]] = {}
    for n in sorted((n for n in nodes.values() if n["kind"] == "tag"), key=lambda n: n.get("start") or 0):
        tid = local(n.get("target"), "ip-type")
        if not tid:
            continue
        entry = ip_types.setdefault(tid, {"ip_type": cat.ip_type_ref(tid), "cues": [], "spans": [], "iri": n["iri"],
                                          "cite": cite(cat, slug, label, quote_of(n), n["iri"], True)})
        cue = n.get("text") or quote_of(n)
        if cue and cue not in entry["cues"]:
            entry["cues"].append(cue)
        if _span(n):
            entry["spans"].append(_span(n))
    for prop, target in direct:
        tid = local(target, "ip-type")
        if prop == "concernsIPType" and tid and tid not in ip_types:
            ip_types[tid] = {"ip_type": cat.ip_type_ref(tid), "cues": [], "spans": [], "iri": m["iri"],
                             "cite": cite(cat, slug, label, None, m["iri"], True)}

    links = lineage_links(store, cat, m["iri"])
    lineage, hidden = best_candidates(links, m["iri"], CANDIDATES_SHOWN)
    back = [lk for lk in lineage if lk["later"]["iri"] == m["iri"]]
    forward = [lk for lk in lineage if lk["earlier"]["iri"] == m["iri"]]
    back.sort(key=lambda lk: (lk["rank"] or 99, -(lk["score"] or 0)))
    forward.sort(key=lambda lk: -(lk["score"] or 0))

    section = cat.sections.get((slug, m["section"])) if m["section"] else None
    ordered = sorted(cat.measures.values(), key=lambda x: x["start"])
    siblings = [x for x in ordered if x["slug"] == slug]
    idx = next((i for i, x in enumerate(siblings) if x["label"] == label), 0)
    prev_m = siblings[idx - 1] if idx > 0 else None
    next_m = siblings[idx + 1] if idx + 1 < len(siblings) else None

    entities = (
        [("agency", a["span"], a["agency"], a["role_label"], a["stated"]) for a in assignments if a["span"]]
        + [("mention", x["span"], x["agency"], "mentioned", True) for x in mentions if x["span"]]
        + [("instrument", i["span"], i["instrument"], i["action"], True) for i in instruments if i["span"]]
        + [("ip-type", s, t["ip_type"], "IP type", True) for t in ip_types.values() for s in t["spans"]]
    )
    return {
        **ref,
        "heading_path": m["heading_path"],
        "kind": m["kind"],
        "number_as_printed": m["number_as_printed"],
        "section": {"path": section["path"], "title": section["title"], "url": section["url"]} if section else None,
        "text": m["text"],
        # exact: the raw characters, as every other span's quote selector holds them (null without the raw file)
        "span": {"start": m["start"], "end": m["end"], "exact": raw[m["start"] : m["end"]] if raw is not None else None},
        "segments": segments(raw, m, entities),
        "assignments": assignments,
        "mentions": mentions,
        "instruments": instruments,
        "ip_types": list(ip_types.values()),
        "lineage_back": back,
        "lineage_forward": forward,
        "lineage_hidden": hidden,
        "lineage_by_clause": by_clause(links, m["iri"]),
        "lineage_candidates_shown": CANDIDATES_SHOWN,
        "lineage_threshold": cat.lineage_threshold,
        "previous": cat.measure_ref((prev_m["slug"], prev_m["label"])) if prev_m else None,
        "next": cat.measure_ref((next_m["slug"], next_m["label"])) if next_m else None,
        "cite": cite(cat, slug, label, m["text"], m["iri"], True),
    }


def _span(n: dict[str, Any]) -> dict[str, Any] | None:
    if n.get("start") is None and not n.get("exact"):
        return None
    return {"start": n.get("start"), "end": n.get("end"), "exact": n.get("exact")}


def segments(raw: str | None, m: dict[str, Any], entities: list[tuple]) -> list[dict[str, Any]]:
    """The measure's text cut into plain and highlighted pieces, using the entities' raw offsets.

    With the raw file at hand the text shown is the whole raw span (number and agency clause included)
    cleaned of layout noise as the extractor cleans it, and the offset map places each entity exactly;
    without it the measure's text is shown and each entity is found by its quoted words.
    """
    placed: list[tuple[int, int, dict[str, Any]]] = []
    if raw is not None and m["end"] > m["start"]:
        base, offsets = normalised_offsets(cleaner_for(raw), raw, Span(m["start"], m["end"]))
        starts = offsets[:-1]  # the raw offset of each shown character, in order
        for kind, span, ref, note, stated in entities:
            if span.get("start") is None or span.get("end") is None:
                continue
            s, e = bisect_left(starts, span["start"]), bisect_left(starts, span["end"])
            if m["start"] <= span["start"] and span["end"] <= m["end"] and s < e:
                placed.append((s, e, {"kind": kind, "ref": ref, "note": note, "stated": stated}))
    else:
        base = m["text"]
        for kind, span, ref, note, stated in entities:
            exact = span.get("exact")
            if not exact:
                continue
            i = base.find(exact)
            if i < 0:
                i = base.lower().find(exact.lower())
            if i >= 0:
                placed.append((i, i + len(exact), {"kind": kind, "ref": ref, "note": note, "stated": stated}))
    placed.sort(key=lambda p: (p[0], -(p[1] - p[0])))
    out: list[dict[str, Any]] = []
    pos = 0
    for s, e, ent in placed:
        if s < pos:
            continue  # overlapping: keep the longer, earlier one
        if s > pos:
            out.append({"text": _WS.sub(" ", base[pos:s]), "entity": None})
        out.append({"text": _WS.sub(" ", base[s:e]), "entity": ent})
        pos = e
    if pos < len(base):
        out.append({"text": _WS.sub(" ", base[pos:]), "entity": None})
    if out:
        out[0]["text"] = out[0]["text"].lstrip()
        out[-1]["text"] = out[-1]["text"].rstrip()
    return out


# ---------------------------------------------------------------------------------------------- lineage


def lineage_links(store: Store, cat: Catalogue, iri: str) -> list[dict[str, Any]]:
    """Every lineage link around one measure: its candidates (asserted or not), the candidates that point
    to it, and the asserted links of its chain: backwards, the links out of the measure and its ancestors;
    forwards, the links into the measure and its descendants (not a descendant's links to its other
    ancestors, which are outside this chain). One query."""
    M = iri_ref(iri)
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?later ?earlier ?c ?score ?rank ?rel ?link ?cn ?cr ?cq (GROUP_CONCAT(DISTINCT ?phrase; separator="\\u001f") AS ?phrases) (GROUP_CONCAT(DISTINCT ?topic; separator="\\u001f") AS ?topics) (GROUP_CONCAT(DISTINCT ?wording; separator="\\u001f") AS ?wordings) WHERE {{
  {{ {M} ipkg:continues* ?later . ?later ipkg:hasLineageCandidate ?c . ?c ipkg:earlierMeasure ?earlier . }}
  UNION
  {{ ?earlier ipkg:continues* {M} . ?c ipkg:earlierMeasure ?earlier . ?later ipkg:hasLineageCandidate ?c . }}
  OPTIONAL {{ ?c ipkg:score ?score }}
  OPTIONAL {{ ?c ipkg:rank ?rank }}
  OPTIONAL {{ ?c ipkg:relation ?rel }}
  OPTIONAL {{ ?c a ipkg:LineageLink . BIND(true AS ?link) }}
  OPTIONAL {{ ?c ipkg:clauseNumber ?cn ; ipkg:clauseRank ?cr ; ipkg:laterClause/oa:hasSelector/oa:exact ?cq }}
  OPTIONAL {{ ?c ipkg:evidence ?ev . ?ev ipkg:phrase ?phrase FILTER NOT EXISTS {{ ?ev ipkg:rendersTopic [] }} }}
  OPTIONAL {{ ?c ipkg:sharedTopic/skos:prefLabel ?topic FILTER(lang(?topic) = "en") }}
  OPTIONAL {{
    ?c ipkg:evidence ?tev . ?tev ipkg:rendersTopic/skos:prefLabel ?tlabel ; ipkg:phrase ?tphrase .
    OPTIONAL {{ ?tev ipkg:earlierPhrase ?tearlier }}
    FILTER(lang(?tlabel) = "en")
    BIND(CONCAT(?tlabel, "\u001e", ?tphrase, "\u001e", COALESCE(?tearlier, ?tphrase)) AS ?wording)
  }}
}} GROUP BY ?later ?earlier ?c ?score ?rank ?rel ?link ?cn ?cr ?cq"""
    ).rows
    seen: set[str] = set()
    out = []
    for later, earlier, c, score, rank, rel, link, cn, cr, cq, phrases, topics, wordings in rows:
        if str(c) in seen:
            continue
        asserted = bool(value(link))
        if not asserted and str(later) != iri and str(earlier) != iri:
            continue
        seen.add(str(c))
        later_ref = cat.measure_ref(str(later))
        earlier_ref = cat.measure_ref(str(earlier))
        if later_ref is None or earlier_ref is None:
            continue
        phrase_list = [p for p in (value(phrases) or "").split("\u001f") if p]
        out.append({
            "iri": str(c),
            "later": later_ref,
            "earlier": earlier_ref,
            "score": value(score),
            "rank": value(rank),
            "relation": notation(rel) or "continues",
            "asserted": asserted,
            "evidence": phrase_list,
            "topics": sorted(t for t in (value(topics) or "").split("\u001f") if t),
            "topic_wordings": topic_wordings(value(wordings)),
            "clause": _clause(cat, later_ref, value(cn), value(cr), value(cq)) if cn is not None else None,
            "cite": cite(cat, later_ref["slug"], later_ref["label"], "; ".join(phrase_list) or None, str(c), False),
        })
    return out


def _clause(cat: Catalogue, later: dict[str, Any], number: int, rank: int, raw_quote: str) -> dict[str, Any]:
    """The clause that carries a link, as the later measure's clean text words it (the raw quote, which may
    hold layout noise, only if the measure's text is not at hand)."""
    text = (cat.measures.get((later["slug"], later["label"])) or {}).get("text", "")
    spans = clauses(text)
    quote = spans[number - 1].of(text) if text and 1 <= number <= len(spans) else " ".join(str(raw_quote).split())
    return {"number": number, "rank": rank, "quote": quote}


def topic_wordings(concatenated: str | None) -> list[dict[str, str]]:
    """The shared topics' wordings, "label\\x1elater words\\x1eearlier words" joined by \\x1f, as dicts
    sorted by topic."""
    out = []
    for item in (concatenated or "").split("\u001f"):
        topic, _, rest = item.partition("\u001e")
        later, _, earlier = rest.partition("\u001e")
        if topic and later:
            out.append({"topic": topic, "later": later, "earlier": earlier})
    return sorted(out, key=lambda w: (w["topic"], w["later"]))


def by_clause(links: list[dict[str, Any]], iri: str, per_clause: int = 3) -> list[dict[str, Any]]:
    """For a later measure of several clauses: each clause that carries candidates, in text order, with its
    best ``per_clause`` per earlier document (the candidates whose best clause it is, by their rank there)."""
    clauses: dict[int, dict[str, Any]] = {}
    for lk in links:
        c = lk["clause"]
        if lk["later"]["iri"] != iri or c is None or (c["rank"] or 99) > per_clause:
            continue
        entry = clauses.setdefault(c["number"], {"number": c["number"], "quote": c["quote"], "links": []})
        entry["links"].append(lk)
    for entry in clauses.values():
        entry["links"].sort(key=lambda lk: (lk["earlier"]["slug"], lk["clause"]["rank"], -(lk["score"] or 0)))
    return [clauses[n] for n in sorted(clauses)]


def best_candidates(links: list[dict[str, Any]], iri: str, per_document: int,
                    per_clause: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Every asserted link, and of the candidates below the threshold that link the measure ``iri`` to
    another document, the best ``per_document`` per document and direction, and the best ``per_clause`` of
    each of its clauses back into each document (a paragraph's later clauses would not reach a top 3 of the
    whole paragraph); with how many that leaves out."""
    taken: Counter[tuple[bool, str]] = Counter()
    kept: list[dict[str, Any]] = []
    for lk in sorted(links, key=lambda lk: (-(lk["score"] or 0), lk["iri"])):
        back = lk["later"]["iri"] == iri
        key = (back, (lk["earlier"] if back else lk["later"])["slug"])
        clause_best = back and lk["clause"] is not None and lk["clause"]["rank"] <= per_clause
        if lk["asserted"] or taken[key] < per_document or clause_best:
            taken[key] += not lk["asserted"]
            kept.append(lk)
    return kept, len(links) - len(kept)


def lineage(store: Store, cat: Catalogue, slug: str, label: str, candidates: int = CANDIDATES_SHOWN) -> dict[str, Any]:
    """The chain of one measure across plans, as columns by document date, with the best ``candidates``
    below the threshold per other document and direction."""
    key = measure_key(cat, slug, label)
    focus = cat.measure_ref(key)
    assert focus is not None
    links, hidden = best_candidates(lineage_links(store, cat, focus["iri"]), focus["iri"], candidates, per_clause=1)
    members: dict[str, dict[str, Any]] = {focus["iri"]: focus}
    for lk in links:
        members.setdefault(lk["later"]["iri"], lk["later"])
        members.setdefault(lk["earlier"]["iri"], lk["earlier"])
    columns: dict[str, dict[str, Any]] = {}
    for mref in members.values():
        doc = mref["document"]
        col = columns.setdefault(doc["slug"], {"document": doc, "measures": []})
        col["measures"].append({**mref, "focus": mref["iri"] == focus["iri"]})
    ordered = sorted(columns.values(), key=lambda c: (c["document"].get("issued") or "9999", c["document"]["slug"]))
    for col in ordered:
        col["measures"].sort(key=lambda x: cat.measures.get((x["slug"], x["label"]), {}).get("start", 0))
    return {
        "measure": focus,
        "columns": ordered,
        "links": sorted(links, key=lambda lk: (lk["later"]["document"].get("issued") or "", -(lk["score"] or 0))),
        "asserted_count": sum(1 for lk in links if lk["asserted"]),
        "candidates_shown": candidates,
        "candidates_hidden": hidden,
        "clauses": len({lk["clause"]["number"] for lk in links if lk["later"]["iri"] == focus["iri"] and lk["clause"]}),
        "threshold": cat.lineage_threshold,
    }


def document_lineage(store: Store, cat: Catalogue) -> dict[str, Any]:
    """Per pair of plans (later, earlier): does the later implement the earlier (manifest), how many of its
    measures assert a link into it, how many earlier measures are carried forward, and the asserted links."""
    rows = store.query(
        SPARQL_PREFIXES
        + """SELECT ?ld ?ed (COUNT(*) AS ?links) (COUNT(DISTINCT ?l) AS ?later) (COUNT(DISTINCT ?e) AS ?earlier) WHERE {
  ?l ipkg:continues ?e ; ipkg:inDocument ?ld . ?e ipkg:inDocument ?ed .
} GROUP BY ?ld ?ed"""
    ).rows
    counts = {(local(ld, "document"), local(ed, "document")): (value(n), value(lm), value(em)) for ld, ed, n, lm, em in rows}
    docs = sorted((d for d in cat.documents.values() if d["in_corpus"]), key=lambda d: (d["issued"] or "", d["slug"]))
    pairs = []
    for later in reversed(docs):
        for earlier in reversed(docs):
            if not issued_before(earlier["issued"], later["issued"]):
                continue
            links, later_n, earlier_n = counts.get((later["slug"], earlier["slug"]), (0, 0, 0))
            pairs.append({
                "later": cat.doc_ref(later["slug"]), "earlier": cat.doc_ref(earlier["slug"]),
                "implements": earlier["slug"] in later["implements"],
                "later_linked": later_n, "later_measures": later["measure_count"],
                "earlier_carried": earlier_n, "earlier_measures": earlier["measure_count"],
                "asserted_links": links,
                "compare_url": f"/compare?a={earlier['slug']}&b={later['slug']}",
            })
    return {"pairs": pairs, "threshold": cat.lineage_threshold}


# ---------------------------------------------------------------------------------------------- search


def search(cat: Catalogue, q: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Measures whose text and headings hold every content word of ``q`` (by stem; phrase matches first,
    then BM25: ``graph/measure_search.py``), the ``limit`` best from the ``offset``-th on; plus the agencies,
    instruments and IP types whose names hold every word. Agencies the query names ("SIPO patent
    navigation") narrow the measures to theirs (any role) instead of being searched as words."""
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"the search text is longer than {MAX_QUERY_CHARS} characters")
    named, text = cat.agency_name_index.split(undotted(q))
    within = _measures_of_all(cat, named) if named else None
    stems = query_stems(text)
    if within is not None and not stems:
        # the query is only agency names: all their measures, leads first, in document order
        order = {key: n for n, key in enumerate(cat.measures)}
        hits = [(False, 0.0, key) for key in sorted(within, key=lambda k: (within[k], order[k]))]
    else:
        hits = cat.measure_search.find(text, within)
    results = []
    for in_phrase, _, key in hits[offset : offset + limit]:
        ref = cat.measure_ref(key)
        assert ref is not None
        m = cat.measures[key]
        # the role of the agency the query named, if it named one (the same key in the page's twin and the API)
        role = ROLE_LABELS[_ROLE_NAMES[within[key]]] if within is not None else None
        results.append({**ref, "heading_path": m["heading_path"], "phrase": in_phrase,
                        "snippet": highlight(m["text"], stems, text), "agency_role": role})
    sections = []
    if stems and within is None:
        # a plan's background and goals belong to no measure: their sections are found apart
        for _, _, (slug, path) in cat.section_search.find(text)[:MAX_SECTION_HITS]:
            sec = cat.sections[(slug, path)]
            sections.append({k: sec[k] for k in ("slug", "path", "title", "url")} | {
                "document": cat.doc_ref(slug),
                "snippet": highlight(intro_text(sec), stems, text)})
    # the names' words, function words aside: "the" is in half the agencies' names
    terms = [w for w in words(undotted(q)) if w not in FUNCTION_WORDS][:MAX_TERMS]

    def names(items: dict[str, dict[str, Any]], keyname: str) -> list[dict[str, Any]]:
        found = []
        for it in items.values():
            hay = set(words(" ".join(str(it.get(k) or "") for k in ("label", "label_zh", "acronym", keyname))))
            if terms and all(t in hay for t in terms):
                # "id" for every kind; an instrument also by its "slug", the key /api/instruments uses
                found.append({"id": it.get("id") or it.get("slug"), keyname: it.get(keyname), "label": it["label"],
                              "url": it["url"]})
        return found[:20]

    return {
        "q": q,
        "terms": stems,
        "within_agencies": [cat.agency_ref(aid) for ids in named for aid in sorted(ids)],
        "text": text,
        # the plans are searched in English: Chinese finds only agencies' Chinese names
        "chinese": has_chinese(text),
        "total": len(hits),
        "phrase_matches": sum(h[0] for h in hits),
        "offset": offset,
        "limit": limit,
        "results": results,
        "sections": sections,
        "agencies": names(cat.agencies, "id"),
        "instruments": names(cat.instruments, "slug"),
        "ip_types": names(cat.ip_types, "id"),
    }


_ROLE_NAMES = {order: role for role, order in ROLE_ORDER.items()}
MAX_SECTION_HITS = 10


def _measures_of_all(cat: Catalogue, named: list[set[str]]) -> dict[tuple[str, str], int]:
    """The measures that every named agency (any of the ids a name may stand for) has a role in, each with
    the best of those roles (``ROLE_ORDER``: lead first)."""
    wanted = set().union(*named)
    roles: dict[tuple[str, str], dict[str, int]] = {}
    for m_iri, aid, role in cat.responsibilities:
        key = cat.measure_by_iri.get(m_iri)
        if aid in wanted and key is not None:
            roles.setdefault(key, {})[aid] = ROLE_ORDER[role]
    return {key: min(r[a] for ids in named for a in ids & r.keys())
            for key, r in roles.items() if all(ids & r.keys() for ids in named)}


# ---------------------------------------------------------------------------------------------- compare


def compare(
    store: Store, cat: Catalogue, a: str, b: str, agency: str | None = None, ip_type: str | None = None
) -> dict[str, Any]:
    """Two plans side by side: which measures of the earlier are carried forward by the later (through
    asserted lineage, directly or via intermediate plans), which are dropped and which are new.

    With a filter (an agency's roles, an IP type), the lists and counts hold the measures that match it; a
    pair is listed when either of its measures matches (a later SIPO measure that continues another
    agency's is carried forward, not new), with each side's match flagged, and the counts say how many of
    each plan's matching measures the pairs hold."""
    for slug in (a, b):
        if slug not in cat.documents or not cat.documents[slug]["in_corpus"]:
            raise NotFound(f"no document {slug!r} in the corpus; see /documents")
    if a == b:
        raise BadParameter("choose two different documents to compare")
    if agency and agency not in cat.agencies:
        raise NotFound(f"no agency {agency!r}; see /agencies")
    if ip_type and ip_type not in cat.ip_types:
        raise NotFound(f"no IP type {ip_type!r}; see /ip-types")
    earlier, later = (a, b) if (cat.documents[a]["issued"] or "") <= (cat.documents[b]["issued"] or "") else (b, a)
    E, L = iri_ref(f"{BASE}document/{earlier}"), iri_ref(f"{BASE}document/{later}")
    # A score only for a direct asserted link: a pair joined through a third plan may also be a rejected
    # candidate of its own, whose score must not pass for the link's.
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?l ?e (MAX(?s) AS ?score) (MAX(?direct) AS ?isdirect) WHERE {{
  ?l ipkg:inDocument {L} ; ipkg:continues+ ?e . ?e ipkg:inDocument {E} .
  OPTIONAL {{ ?l ipkg:continues ?e ; ipkg:hasLineageCandidate ?c . ?c ipkg:earlierMeasure ?e ; ipkg:score ?s .
             BIND(1 AS ?direct) }}
}} GROUP BY ?l ?e"""
    ).rows
    pairs = [(str(lm), str(em), value(s), bool(value(d))) for lm, em, s, d in rows]

    def keep(iri: str) -> bool:
        if agency and not any(m == iri and ag == agency for m, ag, r in cat.responsibilities if r != "mentioned"):
            return False
        if ip_type:
            return iri in _ip_type_members(store, cat, ip_type)
        return True

    def measures_of(slug: str) -> list[dict[str, Any]]:
        ms = sorted((m for m in cat.measures.values() if m["slug"] == slug), key=lambda m: m["start"])
        return [m for m in ms if keep(m["iri"])]

    e_list, l_list = measures_of(earlier), measures_of(later)
    e_set, l_set = {m["iri"] for m in e_list}, {m["iri"] for m in l_list}
    matched = [p for p in pairs if p[0] in l_set or p[1] in e_set]
    carried_e = {p[1] for p in matched}
    continuing_l = {p[0] for p in matched}
    pair_rows = []
    for lm, em, score, direct in sorted(matched, key=lambda p: (cat.measures[cat.measure_by_iri[p[1]]]["start"]
                                                                   if p[1] in cat.measure_by_iri else 0)):
        pair_rows.append({"earlier": cat.measure_ref(em), "later": cat.measure_ref(lm), "score": score,
                          "direct": direct, "earlier_matches": em in e_set, "later_matches": lm in l_set})
    return {
        "earlier": cat.doc_ref(earlier),
        "later": cat.doc_ref(later),
        "filters": {"agency": cat.agency_ref(agency) if agency else None,
                    "ip_type": cat.ip_type_ref(ip_type) if ip_type else None},
        "carried_forward": pair_rows,
        "dropped": [cat.measure_ref((m["slug"], m["label"])) for m in e_list if m["iri"] not in carried_e],
        "new": [cat.measure_ref((m["slug"], m["label"])) for m in l_list if m["iri"] not in continuing_l],
        "counts": {
            "earlier_measures": len(e_list),
            "later_measures": len(l_list),
            "carried_forward": len(carried_e & e_set),
            "dropped": len(e_set - carried_e),
            "continuing": len(continuing_l & l_set),
            "new": len(l_set - continuing_l),
        },
        "documents": [cat.doc_ref(s) for s, d in sorted(cat.documents.items(), key=lambda x: x[1]["issued"] or "")
                      if d["in_corpus"]],
    }


def _ip_type_members(store: Store, cat: Catalogue, type_id: str) -> set[str]:
    cache = cat.__dict__.setdefault("_ip_members", {})
    if type_id not in cache:
        T = iri_ref(f"{BASE}ip-type/{type_id}")
        rows = store.query(SPARQL_PREFIXES + f"SELECT DISTINCT ?m WHERE {{ ?t skos:broader* {T} . ?m ipkg:concernsIPType ?t }}").rows
        cache[type_id] = {str(r[0]) for r in rows}
    return cache[type_id]

"""Views of the named things measures point to: agencies (who leads what, reorganisations), legal
instruments (which measures cite them, with what action) and IP types (measures over time)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from ipkg.graph.catalogue import (
    BASE,
    BASIS_LABELS,
    ROLE_LABELS,
    ROLE_ORDER,
    SPARQL_PREFIXES,
    STATED_BASES,
    Catalogue,
    NotFound,
    iri_ref,
    local,
    notation,
    value,
)

if TYPE_CHECKING:
    from ipkg.graph.store import Store


def _by_year(cat: Catalogue, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``[(measure iri, bucket)] -> [{year, document, counts by bucket}]`` ordered by date."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for iri, bucket in items:
        key = cat.measure_by_iri.get(iri)
        if key:
            table[key[0]][bucket] += 1
    rows = []
    for slug, counts in table.items():
        doc = cat.doc_ref(slug)
        rows.append({"year": doc["year"], "document": doc, "counts": dict(counts), "total": sum(counts.values())})
    rows.sort(key=lambda r: (r["document"].get("issued") or "", r["document"]["slug"]))
    return rows


# ---------------------------------------------------------------------------------------------- agencies


def agencies(cat: Catalogue) -> dict[str, Any]:
    items = sorted(
        cat.agencies.values(),
        key=lambda a: (-(a["lead"] + a["participant"] + a["responsible"]), a["label"].lower()),
    )
    return {"agencies": [dict(a) for a in items], "count": len(items)}


def agency(store: Store, cat: Catalogue, agency_id: str) -> dict[str, Any]:
    ag = cat.agencies.get(agency_id)
    if ag is None:
        raise NotFound(f"no agency {agency_id!r}; the ids are those of /agencies")
    A = iri_ref(ag["iri"])
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?kind ?x ?ev ?date ?desc ?ctype ?m ?basis ?role WHERE {{
  {{ {A} skos:altLabel ?x BIND("alt" AS ?kind) }}
  UNION {{ ?ev org:originalOrganization {A} ; org:resultingOrganization ?x . BIND("successor" AS ?kind)
           OPTIONAL {{ ?ev dcterms:date ?date }} OPTIONAL {{ ?ev dcterms:description ?desc }} OPTIONAL {{ ?ev dcterms:type ?ctype }} }}
  UNION {{ ?ev org:resultingOrganization {A} ; org:originalOrganization ?x . BIND("predecessor" AS ?kind)
           OPTIONAL {{ ?ev dcterms:date ?date }} OPTIONAL {{ ?ev dcterms:description ?desc }} OPTIONAL {{ ?ev dcterms:type ?ctype }} }}
  UNION {{ {A} ipkg:successor+ ?x BIND("successor-chain" AS ?kind) }}
  UNION {{ ?x ipkg:successor+ {A} BIND("predecessor-chain" AS ?kind) }}
  UNION {{ {A} org:subOrganizationOf|org:unitOf ?x BIND("parent" AS ?kind) }}
  UNION {{ ?x org:subOrganizationOf|org:unitOf {A} BIND("child" AS ?kind) }}
  UNION {{ {A} ipkg:hostedBy ?x BIND("hosted-by" AS ?kind) }}
  UNION {{ ?x ipkg:hostedBy {A} BIND("hosts" AS ?kind) }}
  UNION {{ ?x dcterms:creator {A} BIND("issued" AS ?kind) }}
  UNION {{ ?as prov:agent {A} ; prov:hadPlan ?m . BIND("assignment" AS ?kind) BIND(?as AS ?x)
           OPTIONAL {{ ?as ipkg:basis ?basis }} OPTIONAL {{ ?as prov:hadRole ?role }} }}
}}"""
    ).rows
    alt: list[str] = []
    changes: dict[tuple[str, str], dict[str, Any]] = {}
    chain: dict[str, list[str]] = {"successor-chain": [], "predecessor-chain": []}
    related: dict[str, list[dict[str, Any]]] = defaultdict(list)
    basis_of: dict[str, str | None] = {}
    issued: list[dict[str, Any]] = []
    for kind, x, ev, date, desc, ctype, m, basis, _role in rows:
        kind = value(kind)
        if kind == "alt":
            if value(x) not in alt:
                alt.append(value(x))
        elif kind in ("successor", "predecessor"):
            other = local(x, "agency")
            if other:
                changes.setdefault((kind, other), {
                    "direction": kind,
                    "agency": cat.agency_ref(other),
                    "year": (value(date) or "")[:4] or None,
                    "kind": notation(ctype),
                    "description": value(desc),
                    "iri": value(ev),
                })
        elif kind in chain:
            other = local(x, "agency")
            if other and other not in chain[kind]:
                chain[kind].append(other)
        elif kind in ("parent", "child", "hosted-by", "hosts"):
            other = local(x, "agency")
            if other and all(r["id"] != other for r in related[kind]):
                related[kind].append(cat.agency_ref(other))
        elif kind == "issued":
            slug = local(x, "document")
            if slug and slug in cat.documents:
                issued.append(cat.doc_ref(slug))
        elif kind == "assignment" and m is not None:
            basis_of[str(m)] = notation(basis)

    measures = []
    for iri, aid, role in cat.responsibilities:
        if aid != agency_id:
            continue
        ref = cat.measure_ref(iri)
        if ref is None:
            continue
        basis = basis_of.get(iri)
        measures.append({
            **ref,
            "role": role,
            "role_label": ROLE_LABELS[role],
            "basis": basis,
            "basis_label": BASIS_LABELS.get(basis or "", basis),
            "stated": (basis in STATED_BASES) if basis else (True if role == "mentioned" else None),
        })
    measures.sort(key=lambda r: (r["document"].get("issued") or "", ROLE_ORDER[r["role"]],
                                 cat.measures.get((r["slug"], r["label"]), {}).get("start", 0)))
    roles = Counter(r["role"] for r in measures)
    # a reorganisation may be recorded only as ipkg:successor (no change event): keep it visible
    for kind, direction in (("successor-chain", "successor"), ("predecessor-chain", "predecessor")):
        for other in chain[kind]:
            changes.setdefault((direction, other), {"direction": direction, "agency": cat.agency_ref(other),
                                                    "year": None, "kind": None, "description": None, "iri": None,
                                                    "indirect": True})
    history = sorted(changes.values(), key=lambda c: (c["direction"] != "predecessor", c["year"] or "9999"))
    return {
        **{k: ag[k] for k in ("id", "iri", "url", "label", "label_zh", "acronym", "kind")},
        "alt_labels": sorted(alt),
        "counts": {"lead": roles["lead"], "participant": roles["participant"],
                   "responsible": roles["responsible"], "mentioned": roles["mentioned"]},
        "by_year": _by_year(cat, [(r["iri"], r["role"]) for r in measures]),
        "measures": measures,
        "history": history,
        "successor_chain": [cat.agency_ref(x) for x in chain["successor-chain"]],
        "predecessor_chain": [cat.agency_ref(x) for x in chain["predecessor-chain"]],
        "parents": related["parent"],
        "units": related["child"],
        "hosted_by": related["hosted-by"],
        "hosts": related["hosts"],
        "issued": issued,
    }


# ---------------------------------------------------------------------------------------------- instruments


def instruments(cat: Catalogue) -> dict[str, Any]:
    items = sorted(cat.instruments.values(), key=lambda i: (-i["measure_count"], i["label"].lower()))
    return {"instruments": [dict(i) for i in items], "count": len(items)}


_DIRECT_ACTION = {"citesLaw": "cite", "revisesLaw": "revise", "formulatesLaw": "formulate",
                  "implementsLaw": "implement", "interpretsLaw": "interpret", "studiesLaw": "study"}


def instrument(store: Store, cat: Catalogue, slug: str) -> dict[str, Any]:
    ins = cat.instruments.get(slug)
    if ins is None:
        raise NotFound(f"no legal instrument {slug!r}; see /instruments")
    L = iri_ref(ins["iri"])
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?kind ?x ?m ?action ?exact WHERE {{
  {{ {L} skos:altLabel ?x BIND("alt" AS ?kind) }}
  UNION {{ {L} skos:prefLabel ?x BIND("pref" AS ?kind) }}
  UNION {{ {L} eli:passed_by ?x BIND("passed_by" AS ?kind) }}
  UNION {{ {L} eli:based_on ?x BIND("based_on" AS ?kind) }}
  UNION {{ ?x eli:based_on {L} BIND("basis_of" AS ?kind) }}
  UNION {{ {L} eli:type_document ?x BIND("type" AS ?kind) }}
  UNION {{ ?m ipkg:hasCitation ?x . ?x ipkg:instrument {L} . BIND("citation" AS ?kind)
           OPTIONAL {{ ?x ipkg:action ?action }} OPTIONAL {{ ?x ipkg:span/oa:hasSelector/oa:exact ?exact }} }}
  UNION {{ VALUES ?action {{ ipkg:citesLaw ipkg:revisesLaw ipkg:formulatesLaw ipkg:implementsLaw ipkg:interpretsLaw ipkg:studiesLaw }}
           ?m ?action {L} . BIND("direct" AS ?kind) }}
}}"""
    ).rows
    alt, zh, passed_by, based_on, basis_of = [], None, [], [], []
    cites: dict[str, dict[str, Any]] = {}
    direct: dict[str, str] = {}
    for kind, x, m, action, exact in rows:
        kind = value(kind)
        if kind == "alt":
            alt.append(value(x))
        elif kind == "pref" and getattr(x, "language", None) and x.language.lower().startswith("zh"):
            zh = value(x)
        elif kind == "passed_by" and local(x, "agency"):
            passed_by.append(cat.agency_ref(local(x, "agency")))  # type: ignore[arg-type]
        elif kind == "based_on" and local(x, "law"):
            based_on.append(cat.instrument_ref(local(x, "law")))  # type: ignore[arg-type]
        elif kind == "basis_of" and local(x, "law"):
            basis_of.append(cat.instrument_ref(local(x, "law")))  # type: ignore[arg-type]
        elif kind == "citation":
            ref = cat.measure_ref(str(m))
            if ref is not None:
                entry = cites.setdefault(str(m), {**ref, "actions": [], "quotes": [], "iri": str(x)})
                act = notation(action) or "cite"
                if act not in entry["actions"]:
                    entry["actions"].append(act)
                if exact and value(exact) not in entry["quotes"]:
                    entry["quotes"].append(value(exact))
        elif kind == "direct":
            direct.setdefault(str(m), _DIRECT_ACTION.get(str(action).rsplit("#", 1)[-1], "cite"))
    for m, act in direct.items():
        if m not in cites:
            ref = cat.measure_ref(m)
            if ref is not None:
                cites[m] = {**ref, "actions": [act], "quotes": [], "iri": m}
    measures = sorted(cites.values(), key=lambda r: (r["document"].get("issued") or "",
                                                     cat.measures.get((r["slug"], r["label"]), {}).get("start", 0)))
    return {
        **{k: ins[k] for k in ("slug", "iri", "url", "label", "kind")},
        "label_zh": zh,
        "alt_labels": sorted(set(alt)),
        "passed_by": passed_by,
        "based_on": based_on,
        "basis_of": basis_of,
        "measures": measures,
        "actions": dict(Counter(a for r in measures for a in r["actions"])),
        "by_year": _by_year(cat, [(r["iri"] if r["iri"] in cat.measure_by_iri else _measure_iri(r), a)
                                  for r in measures for a in r["actions"]]),
    }


def _measure_iri(ref: dict[str, Any]) -> str:
    return f"{BASE}measure/{ref['slug']}/{ref['label']}"


# ---------------------------------------------------------------------------------------------- IP types


def ip_types(cat: Catalogue) -> dict[str, Any]:
    tops = sorted((t for t in cat.ip_types.values() if not t["broader"]), key=lambda t: t["label"])
    out = []
    for t in tops:
        out.append(dict(t))
        for n in sorted(t["narrower"]):
            out.append({**cat.ip_types[n], "depth": 1})
            for nn in sorted(cat.ip_types[n]["narrower"]):
                out.append({**cat.ip_types[nn], "depth": 2})
    listed = {t["id"] for t in out}
    out += [dict(t) for t in cat.ip_types.values() if t["id"] not in listed]
    return {"ip_types": out, "count": len(out)}


def ip_type(store: Store, cat: Catalogue, type_id: str) -> dict[str, Any]:
    t = cat.ip_types.get(type_id)
    if t is None:
        raise NotFound(f"no IP type {type_id!r}; see /ip-types")
    T = iri_ref(t["iri"])
    rows = store.query(
        SPARQL_PREFIXES
        + f"""SELECT ?m ?via ?cue ?alt WHERE {{
  {{ ?via skos:broader* {T} . ?m ipkg:concernsIPType ?via .
     OPTIONAL {{ ?m ipkg:hasIPTypeTag ?tag . ?tag ipkg:ipType ?via ; ipkg:cue ?cue }} }}
  UNION {{ {T} skos:altLabel ?alt }}
}}"""
    ).rows
    found: dict[str, dict[str, Any]] = {}
    alt: list[str] = []
    for m, via, cue, a in rows:
        if a is not None:
            alt.append(value(a))
            continue
        ref = cat.measure_ref(str(m))
        if ref is None:
            continue
        entry = found.setdefault(str(m), {**ref, "via": [], "cues": []})
        vid = local(via, "ip-type")
        if vid and vid not in entry["via"]:
            entry["via"].append(vid)
        if cue and value(cue) not in entry["cues"]:
            entry["cues"].append(value(cue))
    measures = sorted(found.values(), key=lambda r: (r["document"].get("issued") or "",
                                                     cat.measures.get((r["slug"], r["label"]), {}).get("start", 0)))
    for r in measures:
        r["direct"] = type_id in r["via"]
    return {
        **{k: t[k] for k in ("id", "iri", "url", "label")},
        "alt_labels": sorted(set(alt)),
        "broader": cat.ip_type_ref(t["broader"]) if t["broader"] else None,
        "narrower": [cat.ip_type_ref(n) for n in sorted(t["narrower"])],
        "measures": measures,
        "by_year": _by_year(cat, [(_measure_iri(r), "direct" if r["direct"] else "narrower") for r in measures]),
    }

"""Network projections of the graph (networkx) and their rendering data for vis-network (via pyvis).

- ``agency_network``: agencies as nodes, an edge between two agencies for every measure they share
  (weight = shared measures), node size = measures led; weak edges are filtered so the full corpus
  reads as a network, not a hairball.
- ``agency_neighbourhood``: one agency and the agencies it shares most measures with.
- ``lineage_network``: a measure's lineage tree across plans (from ``views_measure.lineage``).
- ``rdf_network``: any CONSTRUCT/DESCRIBE result (an rdflib Graph), capped in size.

``render(graph, ...)`` turns a networkx graph into the dict a page embeds: vis-network nodes, edges and
options (pyvis builds them; the page loads vis-network from /static/vendor, never from a CDN) plus a
legend. Every node carries a ``url``: clicking it opens that node's page.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections import Counter
from typing import Any

import networkx as nx
from pyvis.network import Network
from rdflib import BNode, Graph, Literal, URIRef

from ipkg.graph.catalogue import BASE, PAGE_OF_KIND, Catalogue
from ipkg.graph.network_layout import column_positions, curve, extent, route
from ipkg.ontology.namespaces import PREFIXES

ROLE_COLOURS = {"lead": "#c2410c", "participant": "#2563eb", "responsible": "#7c3aed"}
DOC_COLOURS = ["#0f766e", "#b45309", "#7c3aed", "#be123c", "#1d4ed8", "#4d7c0f", "#a21caf"]
KIND_COLOURS = {
    "state-council-ministry": "#2563eb",
    "state-council-agency": "#0891b2",
    "court": "#7c3aed",
    "procuratorate": "#ca8a04",  # not another purple: courts and procuratorates sit side by side
    "party-organ": "#be123c",
    "leading-group": "#c2410c",
    "military": "#4d7c0f",
    "legislature": "#b45309",
    "people's-organization": "#db2777",
    "academy": "#0f766e",
    "other": "#64748b",
}
MAX_RDF_NODES = 300


def _options(fixed: bool = False) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"color": {"inherit": False, "color": "#94a3b8", "highlight": "#0f172a", "opacity": 0.7},
                  "smooth": {"enabled": True, "type": "continuous"},
                  "font": {"size": 11, "face": "system-ui, sans-serif", "strokeWidth": 3, "align": "middle"}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False,
                        "hideEdgesOnDrag": True},
    }
    if fixed:  # the nodes carry their x and y (network_layout)
        opts["physics"] = {"enabled": False}
    else:
        opts["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -90, "centralGravity": 0.012, "springLength": 140,
                                 "springConstant": 0.06, "damping": 0.55, "avoidOverlap": 0.6},
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
            "minVelocity": 1.0,
        }
    return opts


def render(g: nx.Graph, *, legend: list[dict[str, str]], fixed: bool = False,
           title: str = "", notes: list[str] | None = None) -> dict[str, Any]:
    """vis-network data for ``g`` (built with pyvis), with its legend and a few counts."""
    net = Network(height="640px", width="100%", directed=g.is_directed(), cdn_resources="remote")
    net.from_nx(g, show_edge_weights=False)
    net.options = _options(fixed=fixed)
    nodes, edges, _heading, _height, _width, _options_json = net.get_network_data()
    keep_node = ("id", "label", "title", "color", "size", "shape", "url", "group", "font", "borderWidth", "kind",
                 "x", "y", "fixed")
    keep_edge = ("from", "to", "width", "title", "label", "color", "dashes", "arrows", "value", "smooth")
    return {
        "title": title,
        "nodes": [{k: n[k] for k in keep_node if k in n} for n in nodes],
        "edges": [{k: e[k] for k in keep_edge if k in e} for e in edges],
        "options": net.options,
        "legend": legend,
        "notes": notes or [],
        "stats": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
    }


# ---------------------------------------------------------------------------------------------- agencies


def co_responsibility(cat: Catalogue) -> nx.Graph:
    """All agencies that share measures; edge weight = measures shared, node ``led`` = measures led."""
    by_measure: dict[str, list[str]] = {}
    led: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for m, aid, role in cat.responsibilities:
        if role == "mentioned":
            continue
        by_measure.setdefault(m, []).append(aid)
        total[aid] += 1
        if role == "lead":
            led[aid] += 1
    g = nx.Graph()
    for aid in total:
        a = cat.agencies.get(aid, {"label": aid, "acronym": None, "kind": None})
        g.add_node(aid, label=a.get("acronym") or a["label"], full=a["label"], kind=a.get("kind") or "other",
                   led=led[aid], total=total[aid])
    for agencies in by_measure.values():
        for x, y in itertools.combinations(sorted(set(agencies)), 2):
            w = g.edges[x, y]["weight"] + 1 if g.has_edge(x, y) else 1
            g.add_edge(x, y, weight=w)
    return g


def _style_agencies(g: nx.Graph, focus: str | None = None) -> nx.Graph:
    out = nx.Graph()
    for n, d in g.nodes(data=True):
        size = 8 + 5 * math.sqrt(d.get("led", 0))
        label = "\n".join(textwrap.wrap(d["label"], 22))  # a long name on a few lines, not cut
        out.add_node(
            n,
            label=label,
            title=f"{d['full']}\nleads {d.get('led', 0)} measures; responsible for {d.get('total', 0)}",
            color={"background": KIND_COLOURS.get(d.get("kind") or "other", "#64748b"),
                   "border": "#0f172a" if n == focus else "#ffffff"},
            size=size * (1.3 if n == focus else 1),
            url=f"/agency/{n}",
            shape="dot",
            borderWidth=4 if n == focus else 1,
        )
    for x, y, d in g.edges(data=True):
        w = d["weight"]
        out.add_edge(x, y, weight=min(1 + math.log2(w) * 1.6, 10), title=f"{w} shared measures")
    return out


def _kind_legend(g: nx.Graph) -> list[dict[str, str]]:
    kinds = sorted({d.get("kind") or "other" for _, d in g.nodes(data=True)})
    legend = [{"colour": KIND_COLOURS.get(k, "#64748b"), "label": k.replace("-", " ")} for k in kinds]
    legend.append({"colour": "", "label": "node size: measures the agency leads; edge width: measures shared"})
    return legend


def agency_network(cat: Catalogue, min_weight: int | None = None, max_edges: int = 220) -> dict[str, Any]:
    """The co-responsibility network; without ``min_weight`` the threshold is raised until at most
    ``max_edges`` edges remain (isolated agencies are dropped)."""
    full = co_responsibility(cat)
    weights = sorted((d["weight"] for *_, d in full.edges(data=True)), reverse=True)
    if min_weight is None:
        min_weight = 1
        if len(weights) > max_edges:
            min_weight = max(1, weights[max_edges - 1] + 1 if weights[max_edges - 1] != weights[0] else 1)
    g = nx.Graph()
    g.add_nodes_from(full.nodes(data=True))
    g.add_edges_from((x, y, d) for x, y, d in full.edges(data=True) if d["weight"] >= min_weight)
    alone = [n for n in list(g.nodes) if g.degree(n) == 0]
    g.remove_nodes_from(alone)
    notes = [f"{full.number_of_nodes()} responsible agencies, {full.number_of_edges()} pairs sharing a measure; "
             f"showing pairs that share at least {min_weight} measure{'s' if min_weight != 1 else ''}"
             + (f" ({len(alone)} agencies share fewer with every other and are left out)." if alone else ".")]
    data = render(_style_agencies(g), legend=_kind_legend(g), title="Agency co-responsibility", notes=notes)
    data["min_weight"] = min_weight
    return data


def agency_neighbourhood(cat: Catalogue, agency_id: str, max_neighbours: int = 25) -> dict[str, Any]:
    full = co_responsibility(cat)
    g = nx.Graph()
    if agency_id not in full:
        a = cat.agencies.get(agency_id, {"label": agency_id})
        g.add_node(agency_id, label=a.get("acronym") or a["label"], full=a["label"], kind=a.get("kind") or "other",
                   led=0, total=0)
        return render(_style_agencies(g, agency_id), legend=_kind_legend(g), title="Neighbourhood",
                      notes=["this agency shares no measure with another agency"])
    neighbours = sorted(full[agency_id].items(), key=lambda kv: -kv[1]["weight"])[:max_neighbours]
    keep = {agency_id} | {n for n, _ in neighbours}
    g = full.subgraph(keep).copy()
    # keep the ego's edges and only the strong ones among neighbours
    for x, y, d in list(g.edges(data=True)):
        if agency_id not in (x, y) and d["weight"] < 2:
            g.remove_edge(x, y)
    notes = [f"{len(full[agency_id])} agencies share measures with it; showing the {len(neighbours)} closest."]
    return render(_style_agencies(g, agency_id), legend=_kind_legend(g), title="Neighbourhood", notes=notes)


# ---------------------------------------------------------------------------------------------- lineage


def lineage_network(view: dict[str, Any]) -> dict[str, Any]:
    """The lineage tree of ``views_measure.lineage(...)``: measures by document (a column each, oldest on the
    left), arrows from the later to the earlier measure, solid for asserted links, dashed for candidates.
    Placed here, not by vis-network, so that an arrow that skips a plan can bend around the measures between
    (``network_layout``)."""
    g = nx.DiGraph()
    colours = {}
    columns: list[list[str]] = []
    focus_column, focus = 0, None
    for level, col in enumerate(view["columns"]):
        doc = col["document"]
        colours[doc["slug"]] = DOC_COLOURS[level % len(DOC_COLOURS)]
        columns.append([m["iri"] for m in col["measures"]])
        for m in col["measures"]:
            if m.get("focus"):
                focus_column, focus = level, m["iri"]
            g.add_node(
                m["iri"],
                label=f"{m['label']}\n{doc.get('year') or ''}",
                title=f"{doc['title']} — measure {m['label']}\n{m['excerpt']}",
                color={"background": colours[doc["slug"]], "border": "#0f172a" if m.get("focus") else "#ffffff"},
                size=26 if m.get("focus") else 18,
                shape="dot",
                url=m["url"],
                borderWidth=4 if m.get("focus") else 1,
            )
    links = [lk for lk in view["links"] if lk["later"]["iri"] in g and lk["earlier"]["iri"] in g]
    at = column_positions(columns, [(lk["later"]["iri"], lk["earlier"]["iri"]) for lk in links], focus_column)
    for n, (x, y) in at.items():
        g.nodes[n].update(x=x, y=y, fixed=True)
    for lk in links:
        later, earlier = lk["later"]["iri"], lk["earlier"]["iri"]
        score = lk["score"] if lk["score"] is not None else 0
        # scores are the arrows' widths and tooltips, not labels: labels piled up on the nodes arrows passed
        g.add_edge(later, earlier, weight=1 + 4 * score,
                   smooth=route(at[later], at[earlier], (p for n, p in at.items() if n not in (later, earlier))),
                   title=f"{lk['relation']} (score {score:.2f})" + (": " + "; ".join(lk["evidence"]) if lk["evidence"] else "")
                   + (f"\nin clause {c['number']} of {lk['later']['label']}: {c['quote']}" if (c := lk.get("clause")) else ""),
                   dashes=not lk["asserted"], arrows="to",
                   color={"color": "#0f172a" if lk["asserted"] else "#94a3b8"})
    legend = [{"colour": colours[c["document"]["slug"]], "label": f"{c['document'].get('year') or ''} "
               f"{c['document']['short_title']}"} for c in view["columns"]]
    legend.append({"colour": "", "label": "solid arrow: asserted link (ipkg:continues); dashed: candidate below the "
                   "threshold; the wider the arrow, the higher its score (hover or tap it for the score and "
                   "evidence)"})
    data = render(g, legend=legend, fixed=True, title="Lineage")
    arrows = [p for x, y, d in g.edges(data=True) for p in curve(at[x], at[y], d["smooth"])]
    data["extent"] = extent([*at.values(), *arrows])
    data["focus"] = {"x": at[focus][0], "y": at[focus][1]} if focus else None  # where a phone's view centres
    return data


# ---------------------------------------------------------------------------------------------- any RDF


def _short(term: Any) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _page_url(iri: str) -> str | None:
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):].split("#", 1)[0]
    head, _, tail = rest.partition("/")
    if head in PAGE_OF_KIND and tail:
        return f"/{PAGE_OF_KIND[head]}/{tail}"
    return f"/id/{rest}"


NAME_PROPERTIES = frozenset(URIRef(iri) for iri in (
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title"))


def rdf_network(graph: Graph, max_nodes: int = MAX_RDF_NODES) -> dict[str, Any]:
    """A CONSTRUCT/DESCRIBE result as a network: IRIs and blank nodes are nodes, literals are folded into
    their subject's tooltip, rdf:type into its colour. At most ``max_nodes`` nodes (the rest is cut)."""
    g = nx.DiGraph()
    literals: dict[Any, list[str]] = {}
    names: dict[Any, str] = {}  # a node's label, when the result gives one
    types: dict[Any, str] = {}
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    truncated = False
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p == rdf_type:
            types.setdefault(s, _short(o))
            continue
        if isinstance(o, Literal):
            literals.setdefault(s, []).append(f"{_short(p)}: {str(o)[:120]}")
            if p in NAME_PROPERTIES and (s not in names or o.language in (None, "en")):
                names[s] = str(o)
            if s not in g and g.number_of_nodes() < max_nodes:
                g.add_node(s)
            continue
        for node in (s, o):
            if node not in g:
                if g.number_of_nodes() >= max_nodes:
                    truncated = True
                    break
                g.add_node(node)
        else:
            g.add_edge(s, o, label=_short(p), title=str(p), arrows="to")
    for n in g.nodes:  # untyped project IRIs are still measures, agencies...: their path says which
        if n not in types and isinstance(n, URIRef) and str(n).startswith(BASE):
            types[n] = str(n)[len(BASE):].split("/", 1)[0]
    type_names = sorted({types[n] for n in g.nodes if n in types})
    palette = {t: DOC_COLOURS[i % len(DOC_COLOURS)] for i, t in enumerate(type_names)}
    out = nx.DiGraph()
    ids = {n: i for i, n in enumerate(g.nodes)}
    for n in g.nodes:
        if n in names:  # a name reads from its start, an IRI from its end
            label = names[n] if len(names[n]) <= 48 else names[n][:46] + "…"
        else:
            label = "[blank]" if isinstance(n, BNode) else _short(n)
            label = label if len(label) <= 48 else "…" + label[-46:]
        tip = [str(n)] + ([f"a {types[n]}"] if n in types else []) + literals.get(n, [])[:12]
        url = _page_url(str(n)) if isinstance(n, URIRef) else None
        out.add_node(ids[n], label=label, title="\n".join(tip), shape="dot", size=14,
                     color={"background": palette.get(types.get(n, ""), "#94a3b8"), "border": "#ffffff"},
                     **({"url": url} if url else {}))
    for s, o, d in g.edges(data=True):
        out.add_edge(ids[s], ids[o], **d)
    legend = [{"colour": palette[t], "label": t} for t in type_names] + [{"colour": "#94a3b8", "label": "untyped"}]
    notes = [f"{len(graph)} triples"] + ([f"cut at {max_nodes} nodes"] if truncated else [])
    data = render(out, legend=legend, title="CONSTRUCT result", notes=notes)
    data["truncated"] = truncated
    data["triples"] = len(graph)
    return data

"""Exports of the built graph: Turtle, N-Triples, N-Quads, JSON-LD (with ontology/context.jsonld) and CSV
tables (measures, assignments, mentions). Every RDF format parses back isomorphic to the graph."""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ipkg.graph.rdf import ontology_file
from ipkg.graph.store import MemoryOxigraph, OxigraphStore
from ipkg.ontology.namespaces import bind_prefixes

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}
CSV_TABLES = ("measures", "assignments", "mentions")
ALL_FORMATS = (*RDF_FORMATS, "csv")


def jsonld_context() -> dict:
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def serialise(graph: Graph, fmt: str) -> bytes:
    """``graph`` as bytes in ``fmt`` (ttl, nt, nq, jsonld)."""
    if fmt == "nq":
        ds = Dataset()
        for t in graph:
            ds.add(t)
        data = ds.serialize(format="nquads", encoding="utf-8")
    elif fmt == "jsonld":
        data = graph.serialize(format="json-ld", context=jsonld_context(), encoding="utf-8", indent=1)
    elif fmt == "nt":
        # sorted lines: reproducible files, readable diffs
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        data = ("\n".join(sorted(line for line in text.splitlines() if line.strip())) + "\n").encode("utf-8")
    elif fmt == "ttl":
        data = _turtle(graph)
    else:
        data = bind_prefixes(graph).serialize(format=RDF_FORMATS[fmt], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _turtle(graph: Graph) -> bytes:
    """Turtle written by Oxigraph (30x faster than rdflib's serialiser on the corpus graph), same prefixes."""
    import pyoxigraph

    prefixes = {str(p): str(ns) for p, ns in bind_prefixes(graph).namespaces() if p}
    triples = pyoxigraph.parse(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)


def parse_back(path: Path) -> Graph:
    """Parse an exported file back into one Graph (N-Quads: the union of its graphs)."""
    suffix = path.suffix.lstrip(".")
    if suffix == "nq":
        ds = Dataset()
        ds.parse(path, format="nquads")
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    return Graph().parse(path, format=RDF_FORMATS[suffix])


def write_graph_files(graph: Graph, out_dir: Path, formats: Iterable[str] = ("ttl", "nt")) -> list[Path]:
    out: list[Path] = []
    for fmt in formats:
        path = out_dir / f"ipkg.{fmt}"
        _atomic_write(path, serialise(graph, fmt))
        out.append(path)
    return out


# ------------------------------------------------------------------------------------ CSV tables

_PREFIX = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
"""

_MEASURES = _PREFIX + """
SELECT ?m ?doc ?label ?kind ?section ?start ?end ?text WHERE {
  ?m a ipkg:Measure ; ipkg:inDocument ?d ; skos:notation ?label ; ipkg:text ?text ; dcterms:isPartOf ?part .
  ?d dcterms:identifier ?doc .
  OPTIONAL { ?m ipkg:measureKind/skos:notation ?kind }
  OPTIONAL { ?part a ipkg:Section ; skos:notation ?section }
  OPTIONAL { ?m ipkg:span/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
}"""

_MEASURE_LINKS = _PREFIX + """
SELECT ?m ?p ?id WHERE {
  VALUES ?p { ipkg:leadAgency ipkg:participatingAgency ipkg:responsibleAgency ipkg:mentionsAgency ipkg:concernsIPType }
  ?m a ipkg:Measure ; ?p ?x .
  { ?x dcterms:identifier ?id } UNION { ?x skos:notation ?id }
}"""

_ASSIGNMENTS = _PREFIX + """
SELECT ?m ?doc ?label ?position ?role ?basis ?agency ?actor ?vague ?start ?end WHERE {
  ?m ipkg:hasAssignment ?a ; ipkg:inDocument/dcterms:identifier ?doc ; skos:notation ?label .
  ?a ipkg:listPosition ?position ; prov:hadRole/skos:notation ?role ; ipkg:basis ?b .
  OPTIONAL { ?b skos:notation ?basis }
  OPTIONAL { ?a prov:agent/dcterms:identifier ?agency }
  OPTIONAL { ?a ipkg:actorText ?actor }
  OPTIONAL { ?a ipkg:vague ?vague }
  OPTIONAL { ?a ipkg:span/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
}"""

_MENTIONS = _PREFIX + """
SELECT ?m ?doc ?label ?mention ?agency ?text ?start ?end WHERE {
  ?m ipkg:hasMention ?mention ; ipkg:inDocument/dcterms:identifier ?doc ; skos:notation ?label .
  ?mention itsrdf:taIdentRef/dcterms:identifier ?agency .
  OPTIONAL { ?mention ipkg:text ?text }
  OPTIONAL { ?mention ipkg:span/oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
}"""


def _s(term) -> str:  # noqa: ANN001
    return "" if term is None else str(term)


def _int(term) -> int:  # noqa: ANN001
    return int(term) if term is not None else -1


def csv_tables(graph: Graph | OxigraphStore) -> dict[str, tuple[list[str], list[list[str]]]]:
    """name -> (header, rows) for the measures, assignments and mentions tables."""
    store = graph if isinstance(graph, OxigraphStore) else MemoryOxigraph(graph)
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m, p, ident in store.query(_MEASURE_LINKS).rows:
        links[(str(m), str(p).rsplit("#", 1)[-1])].add(str(ident))
    measures = []
    for m, doc, label, kind, section, start, end, text in store.query(_MEASURES).rows:
        key = str(m)
        measures.append([
            key, _s(doc), _s(label), _s(kind), _s(section), _s(start), _s(end),
            *(" | ".join(sorted(links.get((key, p), ()))) for p in
              ("leadAgency", "participatingAgency", "responsibleAgency", "mentionsAgency", "concernsIPType")),
            _s(text),
        ])  # fmt: skip
    measures.sort(key=lambda r: (r[1], _int(r[5]), r[2]))
    assignments = [[_s(v) for v in row] for row in store.query(_ASSIGNMENTS).rows]
    assignments.sort(key=lambda r: (r[1], r[0], int(r[3])))
    mentions = [[_s(v) for v in row] for row in store.query(_MENTIONS).rows]
    mentions.sort(key=lambda r: (r[1], r[0], _int(r[6]) if r[6] else -1, r[3]))
    return {
        "measures": (["measure", "document", "label", "kind", "section", "start", "end", "lead_agencies",
                      "participating_agencies", "responsible_agencies", "mentioned_agencies", "ip_types",
                      "text"], measures),
        "assignments": (["measure", "document", "label", "position", "role", "basis", "agency", "actor_text",
                         "vague", "start", "end"], assignments),
        "mentions": (["measure", "document", "label", "mention", "agency", "text", "start", "end"], mentions),
    }  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    _atomic_write(path, buf.getvalue().encode("utf-8"))


def export(graph: Graph, out_dir: Path, formats: Iterable[str] = ALL_FORMATS) -> list[Path]:
    """Write ``graph`` to ``out_dir`` in each of ``formats``; returns the files written."""
    wanted = list(formats)
    unknown = [f for f in wanted if f not in ALL_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; use {', '.join(ALL_FORMATS)}")
    written: list[Path] = []
    for fmt in wanted:
        if fmt == "csv":
            for name, (header, rows) in csv_tables(graph).items():
                path = out_dir / f"{name}.csv"
                write_csv(path, header, rows)
                written.append(path)
        else:
            path = out_dir / f"ipkg.{fmt}"
            _atomic_write(path, serialise(graph, fmt))
            written.append(path)
    return written


def is_iri(term: object) -> bool:
    return isinstance(term, URIRef)

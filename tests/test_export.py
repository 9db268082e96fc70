"""Exports: every RDF format parses back isomorphic to the built graph; CSV tables hold the rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from ipkg.extract.records import Corpus
from ipkg.graph.export import ALL_FORMATS, export, jsonld_context, parse_back
from ipkg.graph.rdf import corpus_graph

FIXTURES = Path(__file__).parent / "fixtures"


def lowercase_language_tags(graph: Graph) -> Graph:
    """RDF language tags are case-insensitive (RDF 1.1 Concepts 3.3); Oxigraph writes them in lower case."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        out.add((s, p, o))
    return out


def tiny_graph() -> Graph:
    data = json.loads((FIXTURES / "tiny_corpus.json").read_text(encoding="utf-8"))
    return corpus_graph(Corpus.from_json(data["corpus"]), data["raws"])


def test_round_trip_tiny(tmp_path: Path) -> None:
    g = tiny_graph()
    files = export(g, tmp_path, ALL_FORMATS)
    rdf_files = [f for f in files if f.suffix != ".csv"]
    assert {f.suffix for f in rdf_files} == {".ttl", ".nt", ".nq", ".jsonld"}
    for f in rdf_files:
        assert isomorphic(lowercase_language_tags(parse_back(f)), lowercase_language_tags(g)), f
    doc = json.loads((tmp_path / "ipkg.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == jsonld_context()
    with (tmp_path / "assignments.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["agency"] for r in rows if r["label"] == "20" and r["role"] == "lead"} == {"nlg-office", "spp"}
    assert any(r["vague"] == "true" and r["agency"] == "" for r in rows)
    with (tmp_path / "measures.csv").open(encoding="utf-8") as fh:
        measures = {r["label"]: r for r in csv.DictReader(fh)}
    assert measures["20"]["lead_agencies"] == "nlg-office | spp"
    assert measures["21"]["ip_types"] == "industrial-design | patent"
    with (tmp_path / "mentions.csv").open(encoding="utf-8") as fh:
        assert [r["agency"] for r in csv.DictReader(fh)] == ["ncac"]


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        export(tiny_graph(), tmp_path, ["xls"])


def test_round_trip_real_corpus(built, tmp_path: Path) -> None:  # noqa: ANN001
    settings, report = built
    g = Graph().parse(settings.build_dir / "ipkg.nt", format="nt")
    assert len(g) == report.triples
    for f in export(g, tmp_path, ["ttl", "nq", "jsonld"]):
        assert isomorphic(lowercase_language_tags(parse_back(f)), lowercase_language_tags(g)), f
    assert isomorphic(lowercase_language_tags(Graph().parse(settings.build_dir / "ipkg.ttl", format="turtle")),
                      lowercase_language_tags(g))

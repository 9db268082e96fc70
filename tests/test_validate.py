"""SHACL validation: the golden graph conforms; broken graphs give readable violations."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ipkg.extract.records import Corpus
from ipkg.graph.rdf import corpus_graph
from ipkg.graph.validate import validate
from ipkg.ontology.namespaces import ID, IPKG, PROV, RDF, SKOS

FIXTURES = Path(__file__).parent / "fixtures"
M20 = ID["measure/division-of-work-2016/20"]


def tiny_graph() -> Graph:
    data = json.loads((FIXTURES / "tiny_corpus.json").read_text(encoding="utf-8"))
    return corpus_graph(Corpus.from_json(data["corpus"]), data["raws"])


def test_golden_graph_conforms() -> None:
    g = tiny_graph()
    golden = Graph().parse(FIXTURES / "tiny_golden.ttl", format="turtle")
    assert all(t in g for t in golden)
    report = validate(g)
    assert report.conforms, report.summary()


def test_missing_notation_is_reported_with_focus_and_path() -> None:
    g = tiny_graph()
    g.remove((M20, SKOS.notation, None))
    report = validate(g)
    assert not report.conforms
    v = [v for v in report.violations if v.path == "skos:notation" and "division-of-work-2016/20" in v.focus]
    assert v and "skos:notation" in v[0].message
    assert "division-of-work-2016/20" in str(report)


def test_lead_without_assignment_is_reported() -> None:
    g = tiny_graph()
    g.add((M20, IPKG.leadAgency, ID["agency/sipo"]))
    report = validate(g)
    assert not report.conforms
    assert any("sipo" in (str(v)) for v in report.violations), report.summary()


def test_candidate_below_threshold_must_not_be_a_derivation() -> None:
    g = tiny_graph()
    low = URIRef(ID["measure/division-of-work-2016/21"] + "#lineage-1")
    g.add((low, RDF.type, PROV.Derivation))
    assert not validate(g).conforms


def test_score_out_of_range() -> None:
    g = tiny_graph()
    link = URIRef(M20 + "#lineage-1")
    g.set((link, IPKG.score, Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    report = validate(g)
    assert not report.conforms and any(v.path == "ipkg:score" for v in report.violations)


def test_real_corpus_conforms(built) -> None:  # noqa: ANN001
    _, report = built
    assert report.validation is not None and report.validation.conforms

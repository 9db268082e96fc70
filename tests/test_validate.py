"""SHACL validation: the golden graph conforms; broken graphs give readable violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from ipkg.extract.records import Corpus
from ipkg.graph.rdf import corpus_graph
from ipkg.graph.validate import validate
from ipkg.ontology.namespaces import DCTERMS, ID, IPKG, OA, PROV, RDF, SKOS, XSD

FIXTURES = Path(__file__).parent / "fixtures"
M20 = ID["measure/division-of-work-2016/20"]
LINK = URIRef(M20 + "#lineage-1")  # asserted
LOW = URIRef(ID["measure/division-of-work-2016/21"] + "#lineage-1")  # below the threshold
POSITION = URIRef(M20 + "#assignment-1-span-position")
QUOTE = URIRef(M20 + "#assignment-1-span-quote")


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


@pytest.mark.parametrize("triple", [(LOW, RDF.type, PROV.Derivation), (LOW, PROV.entity, M20)],
                         ids=["derivation", "prov-entity"])
def test_candidate_below_threshold_must_not_assert_the_derivation(triple) -> None:  # noqa: ANN001
    g = tiny_graph()
    g.add(triple)
    report = validate(g)
    assert not report.conforms
    assert [v.value for v in report.violations] == ["id:measure/division-of-work-2016/21#lineage-1"], report.summary()
    assert "below the threshold" in report.violations[0].message


def test_a_selector_must_be_a_text_position_or_quote_selector() -> None:
    g = tiny_graph()
    g.set((QUOTE, RDF.type, URIRef("http://www.w3.org/ns/oa#CssSelector")))
    report = validate(g)
    assert not report.conforms
    assert [(v.focus, v.value) for v in report.violations] == [
        ("oa:hasSelector", "id:measure/division-of-work-2016/20#assignment-1-span-quote")
    ], report.summary()


@pytest.mark.parametrize(
    ("node", "prop", "value", "conforms"),
    [
        (POSITION, OA.start, Literal(109, datatype=XSD.nonNegativeInteger), True),
        (LINK, IPKG.rank, Literal(1, datatype=XSD.positiveInteger), True),
        (POSITION, OA.start, Literal("109", datatype=XSD.string), False),
        (POSITION, OA.end, Literal(138.0, datatype=XSD.double), False),
        (LINK, IPKG.rank, ID["rank/1"], False),
    ],
)
def test_offsets_and_ranks_are_integer_literals(node, prop, value, conforms) -> None:  # noqa: ANN001
    g = tiny_graph()
    g.set((node, prop, value))
    report = validate(g)
    assert report.conforms == conforms, report.summary()
    if not conforms:
        assert any(v.focus in ("oa:start", "oa:end", "ipkg:rank") and "integer" in v.message
                   for v in report.violations), report.summary()


def test_a_section_has_one_introduction_at_most() -> None:
    g = tiny_graph()
    section = next(g.subjects(RDF.type, IPKG.Section))
    g.add((section, DCTERMS.description, Literal("An introduction.", lang="en")))
    assert validate(g).conforms
    g.add((section, DCTERMS.description, Literal("Another one.", lang="en")))
    g.add((section, IPKG.introSpan, ID["agency/sipo"]))  # not a span
    report = validate(g)
    assert {v.path for v in report.violations} >= {"dcterms:description", "ipkg:introSpan"}, report.summary()


def test_score_out_of_range() -> None:
    g = tiny_graph()
    link = URIRef(M20 + "#lineage-1")
    g.set((link, IPKG.score, Literal("1.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    report = validate(g)
    assert not report.conforms and any(v.path == "ipkg:score" for v in report.violations)


def test_real_corpus_conforms(built) -> None:  # noqa: ANN001
    _, report = built
    assert report.validation is not None and report.validation.conforms

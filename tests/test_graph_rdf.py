"""Records -> RDF: the golden fixture, the contract's IRIs and properties, and the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ipkg.extract.records import Corpus
from ipkg.graph.rdf import corpus_graph
from ipkg.ontology.namespaces import DCTERMS, ID, IPKG, OA, PROV, RDF, SKOS, XSD, section_iri

FIXTURES = Path(__file__).parent / "fixtures"
M20 = ID["measure/division-of-work-2016/20"]


def tiny() -> tuple[Corpus, dict[str, str]]:
    data = json.loads((FIXTURES / "tiny_corpus.json").read_text(encoding="utf-8"))
    return Corpus.from_json(data["corpus"]), data["raws"]


@pytest.fixture(scope="module")
def tiny_graph() -> Graph:
    corpus, raws = tiny()
    return corpus_graph(corpus, raws)


def test_golden_turtle() -> None:
    corpus, raws = tiny()
    got = corpus_graph(corpus, raws, vocabularies=False, authority=False)
    expected = Graph().parse(FIXTURES / "tiny_golden.ttl", format="turtle")
    if not isomorphic(got, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
        pytest.fail(
            "graph differs from tests/fixtures/tiny_golden.ttl\n--- missing\n"
            + missing.serialize(format="nt") + "\n+++ unexpected\n" + extra.serialize(format="nt")
        )


def test_no_blank_nodes(tiny_graph: Graph) -> None:
    from rdflib import BNode

    assert not [t for t in tiny_graph if any(isinstance(x, BNode) for x in t)]


def test_measure_contract(tiny_graph: Graph) -> None:
    g = tiny_graph
    assert (M20, RDF.type, IPKG.Measure) in g
    assert g.value(M20, SKOS.notation) == Literal("20")
    assert g.value(M20, IPKG.inDocument) == ID["document/division-of-work-2016"]
    assert set(g.objects(M20, IPKG.leadAgency)) == {ID["agency/nlg-office"], ID["agency/spp"]}
    assert set(g.objects(M20, IPKG.participatingAgency)) == {ID["agency/spc"]}
    vague = ID["measure/division-of-work-2016/20"] + "#assignment-4"
    assert g.value(URIRef(vague), PROV.agent) is None
    assert g.value(URIRef(vague), IPKG.vague) == Literal(True)
    m21 = ID["measure/division-of-work-2016/21"]
    assert (m21, IPKG.revisesLaw, ID["law/patent-law"]) in g
    assert {ID["ip-type/patent"], ID["ip-type/industrial-design"]} == set(g.objects(m21, IPKG.concernsIPType))
    assert (ID["measure/promotion-plan-2012/43"], IPKG.mentionsAgency, ID["agency/ncac"]) in g
    # asserted lineage vs a candidate below the threshold
    assert (M20, IPKG.continues, ID["measure/promotion-plan-2012/43"]) in g
    assert (m21, IPKG.continues, None) not in g
    low = URIRef(m21 + "#lineage-1")
    assert (low, RDF.type, PROV.Derivation) not in g and (low, RDF.type, IPKG.LineageCandidate) in g
    assert g.value(URIRef(M20 + "#lineage-1"), IPKG.score).datatype == XSD.decimal


def test_document_dates(tiny_graph: Graph) -> None:
    from rdflib.namespace import DCTERMS

    d16 = ID["document/division-of-work-2016"]
    assert tiny_graph.value(d16, DCTERMS.issued) == Literal("2016-07-08", datatype=XSD.date)
    assert (d16, IPKG.implementsDocument, ID["document/guo-fa-2015-71"]) in tiny_graph
    raw = tiny_graph.value(d16, IPKG.rawText)
    assert raw == ID["document/division-of-work-2016/raw"]
    assert len(str(tiny_graph.value(raw, IPKG.sha256))) == 64


def _quotes_match(g: Graph, raws: dict[str, str]) -> int:
    by_source = {str(g.value(doc, IPKG.rawText)): str(g.value(doc, URIRef("http://purl.org/dc/terms/identifier")))
                 for doc in g.subjects(IPKG.rawText, None)}  # fmt: skip
    checked = 0
    for span in g.subjects(RDF.type, OA.SpecificResource):
        slug = by_source[str(g.value(span, OA.hasSource))]
        pos = [s for s in g.objects(span, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in g]
        quote = [s for s in g.objects(span, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in g]
        assert len(pos) == 1
        start, end = int(g.value(pos[0], OA.start)), int(g.value(pos[0], OA.end))
        assert 0 <= start <= end <= len(raws[slug])
        for q in quote:
            assert str(g.value(q, OA.exact)) == raws[slug][start:end]
            checked += 1
    return checked


def test_spans_reslice_the_raw_text(tiny_graph: Graph) -> None:
    assert _quotes_match(tiny_graph, tiny()[1]) > 5


# ------------------------------------------------------------------------------------ real corpus


@pytest.fixture(scope="session")
def real_graph(built) -> Graph:  # noqa: ANN001 - conftest fixture
    settings, _ = built
    return Graph().parse(settings.build_dir / "ipkg.nt", format="nt")


def test_real_corpus_counts(real_graph: Graph, built, raws) -> None:  # noqa: ANN001
    _, report = built
    assert len(set(real_graph.subjects(RDF.type, IPKG.Measure))) == len(report.corpus.measures) == 504
    assert len(set(real_graph.subjects(RDF.type, IPKG.Assignment))) == len(report.corpus.assignments)
    assert _quotes_match(real_graph, raws) > 0


def test_real_measure_spans_match_records(real_graph: Graph, built) -> None:  # noqa: ANN001
    _, report = built
    for m in report.corpus.measures[:: 7]:
        pos = URIRef(f"{ID}measure/{m.doc}/{m.label}#span-position")
        assert (int(real_graph.value(pos, OA.start)), int(real_graph.value(pos, OA.end))) == (m.span.start, m.span.end)


def test_real_section_introductions_with_their_spans(real_graph: Graph, built) -> None:  # noqa: ANN001
    """A section's own text (a plan's background, goals) is its dcterms:description, with an ipkg:introSpan."""
    _, report = built
    expected = {section_iri(s.doc, s.path): s for s in report.corpus.sections if s.intro is not None}
    described = set(real_graph.subjects(DCTERMS.description, None)) & set(real_graph.subjects(RDF.type, IPKG.Section))
    assert described == set(expected) and len(described) == 13
    for node, s in expected.items():
        assert str(real_graph.value(node, DCTERMS.description)) == s.intro_text
        pos = real_graph.value(real_graph.value(node, IPKG.introSpan), OA.hasSelector)
        assert (int(real_graph.value(pos, OA.start)), int(real_graph.value(pos, OA.end))) == (s.intro.start, s.intro.end)
        assert real_graph.value(node, IPKG.span) != real_graph.value(node, IPKG.introSpan)  # the heading's own


def test_real_task_20_leads(real_graph: Graph) -> None:
    assert set(real_graph.objects(M20, IPKG.leadAgency)) == {ID["agency/nlg-office"], ID["agency/spp"]}


def test_real_every_direct_role_has_its_assignment(real_graph: Graph) -> None:
    q = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?m ?a WHERE { ?m ipkg:leadAgency ?a .
      FILTER NOT EXISTS { ?m ipkg:hasAssignment ?x . ?x prov:agent ?a ; prov:hadRole <https://w3id.org/ipkg/id/role/lead> } }"""
    assert list(real_graph.query(q)) == []
    q2 = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?x WHERE { ?x prov:hadRole <https://w3id.org/ipkg/id/role/lead> ; prov:agent ?a ; prov:hadPlan ?m .
      FILTER NOT EXISTS { ?m ipkg:leadAgency ?a } }"""
    assert list(real_graph.query(q2)) == []


def test_real_build_provenance(real_graph: Graph) -> None:
    import ipkg

    builds = list(real_graph.subjects(RDF.type, IPKG.Build))
    assert len(builds) == 1
    assert str(real_graph.value(builds[0], IPKG.extractorVersion)) == ipkg.__version__
    assert (builds[0], RDF.type, PROV.Activity) in real_graph
    assert real_graph.value(builds[0], PROV.startedAtTime) is not None


def test_real_lineage_candidates_share_policy_topics(real_graph: Graph) -> None:
    shared = set(real_graph.objects(None, IPKG.sharedTopic))
    assert ID["topic/ip-appraisal"] in shared
    for topic in shared:
        assert (topic, SKOS.inScheme, ID["topic"]) in real_graph

"""The dataset's own description (VoID), answered at ``/id/``: the IRI the ontology's ``rdfs:seeAlso`` names.

What a crawler or a SPARQL client needs first: where the data IRIs live, where to query them, how many
triples and things of each kind there are, which vocabularies they use and which documents they come from.
The figures are counted in the served graph, so the description always matches the build.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD

from ipkg.ontology.namespaces import DCTERMS, ID, PREFIXES, RDF, bind_prefixes

DATASET = URIRef(str(ID))
ONTOLOGY = URIRef("https://w3id.org/ipkg/ontology")
DESCRIPTION = ("Chinese national intellectual-property policy, 2008-2016, as a knowledge graph: the measures of "
               "five policy documents, the agencies that lead or share them, the legal instruments and IP types "
               "they concern, and the lineage of measures across plans; every statement anchored to a character "
               "span of the source text.")


TOTALS_QUERY = "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s ?p ?o }"
CLASSES_QUERY = "SELECT ?class (COUNT(?s) AS ?entities) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"


def void_description(totals: dict[str, int], classes: dict[str, int], endpoint: str,
                     documents: list[str]) -> Graph:
    """The VoID description of the dataset: its ``totals`` (triples, entities: :data:`TOTALS_QUERY`), a class
    partition per class (``classes``: class IRI -> things, :data:`CLASSES_QUERY`), its SPARQL ``endpoint`` and
    the IRIs of its source ``documents``."""
    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, DCTERMS.title, Literal("ipkg: Chinese national IP policy as a knowledge graph", lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((DATASET, VOID.triples, Literal(totals["triples"], datatype=XSD.integer)))
    g.add((DATASET, VOID.entities, Literal(totals["entities"], datatype=XSD.integer)))
    g.add((DATASET, VOID.vocabulary, ONTOLOGY))
    for namespace in sorted(set(PREFIXES.values()) - {str(ID)}):
        g.add((DATASET, VOID.vocabulary, URIRef(namespace)))
    for cls, n in classes.items():
        part = BNode()
        g.add((DATASET, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for doc in documents:
        g.add((DATASET, DCTERMS.source, URIRef(doc)))
    return g

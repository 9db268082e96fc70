"""What the linked-data routes (``/id/...``) say about the graph's own IRIs: the concise bounded description
of a resource, the triples that point at it, and the dataset's figures for its VoID description.

These are the server's own queries, of a shape it controls, about IRIs it has already found in the graph
(``graph.resource_index``). Like the pages' views they run on the store in process: they take no slot of
the SPARQL endpoint's workers, so ``/id/`` answers while user queries hold every slot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from ipkg.graph.dataset import CLASSES_QUERY, TOTALS_QUERY
from ipkg.graph.resource_index import iri_ref
from ipkg.ontology.namespaces import bind_prefixes

if TYPE_CHECKING:
    from ipkg.graph.store import Store

__all__ = ["dataset_figures", "describe", "incoming_query", "incoming_references"]

INCOMING_LIMIT = 500  # references listed on a resource's page; the rest are a query away


def _ref(iri: str) -> str:
    """``<iri>`` for one of the graph's data IRIs; anything else is refused before it reaches a query."""
    ref = iri_ref(iri)
    if ref is None:
        raise ValueError(f"not a data IRI of the graph: {iri!r}")
    return ref


def describe(store: Store, iri: str, *, max_depth: int = 8) -> Graph:
    """The concise bounded description of ``iri``: its own triples plus those of the blank nodes and
    fragment nodes (``{iri}#span``, ``{iri}#assignment-1``, ...) hanging off it, recursively."""
    graph = bind_prefixes(Graph())
    frontier = [_ref(iri)]
    seen = {iri}
    base = iri.split("#")[0]
    for _ in range(max_depth):
        if not frontier:
            break
        part = store.query(_cbd_query(" ".join(frontier))).graph
        if part is None:
            break
        graph += part
        frontier = []
        for o in set(part.objects()):
            text = str(o)
            if isinstance(o, URIRef) and text.startswith(base + "#") and text not in seen:
                seen.add(text)
                frontier.append(_ref(text))
    return graph


def incoming_query(iri: str) -> str:
    """The triples that point at ``iri`` from a named node: (subject, predicate), in a stable order."""
    return f"SELECT ?s ?p WHERE {{ ?s ?p {_ref(iri)} FILTER(isIRI(?s)) }} ORDER BY ?p ?s"


def incoming_references(store: Store, iri: str, limit: int = INCOMING_LIMIT) -> tuple[list[tuple[str, str]], bool]:
    """(subject, predicate) of at most ``limit`` triples pointing at ``iri`` from outside its own
    description, and whether there are more."""
    rows = store.query(f"{incoming_query(iri)} LIMIT {int(limit) + 1}").rows
    return [(str(s), str(p)) for s, p in rows[:limit]], len(rows) > limit


def dataset_figures(store: Store) -> dict[str, dict[str, int]]:
    """The dataset's ``totals`` (triples, entities) and its things per class (``classes``: IRI -> count)."""
    totals = store.query(TOTALS_QUERY).as_dicts()[0]
    classes = store.query(CLASSES_QUERY).rows
    return {"totals": {k: int(v) for k, v in totals.items() if v is not None},
            "classes": {str(c): int(n) for c, n in classes if c is not None and n is not None}}


def _cbd_query(values: str, bnode_depth: int = 3) -> str:
    """The triples of the named nodes in ``values`` and of blank nodes up to ``bnode_depth`` hops below
    them (one query, so blank node labels stay consistent)."""
    template = ["?s ?p ?o ."]
    branches = [f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}"]
    for depth in range(1, bnode_depth + 1):
        chain = " ".join(f"?{'s' if i == 0 else f'b{i}'} ?x{i} ?b{i + 1} ." for i in range(depth))
        blank = " && ".join(f"isBlank(?b{i})" for i in range(1, depth + 1))
        branches.append(f"{{ VALUES ?s {{ {values} }} {chain} FILTER({blank}) ?b{depth} ?p{depth} ?o{depth} }}")
        template.append(f"?b{depth} ?p{depth} ?o{depth} .")
    return f"CONSTRUCT {{ {' '.join(template)} }} WHERE {{ {' UNION '.join(branches)} }}"

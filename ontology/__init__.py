"""Vocabularies, authority files, namespaces: the leaf every other package builds on.

The Turtle files (``ipkg.ttl``, ``vocabularies.ttl``, ``shapes.ttl``) and the TSV authority files
(``agencies.tsv``, ``instruments.tsv``, ``ip_types.tsv``) ship as package data; read them with
:func:`resource_text` or the loaders of :mod:`ipkg.ontology.authority`. The RDF names (``IPKG``,
``ID``, the IRI minting functions) live in :mod:`ipkg.ontology.namespaces`; they are re-exported here
lazily, so importing the authority loaders does not import rdflib.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

from ipkg.ontology.authority import (
    Agency,
    AuthorityError,
    Instrument,
    IPType,
    agencies,
    check_authorities,
    instruments,
    ip_types,
    successors,
)

if TYPE_CHECKING:
    from ipkg.ontology.namespaces import ID, IPKG, IRIError

ONTOLOGY_FILE = "ipkg.ttl"
VOCABULARIES_FILE = "vocabularies.ttl"
SHAPES_FILE = "shapes.ttl"

__all__ = [
    "ID",
    "IPKG",
    "ONTOLOGY_FILE",
    "SHAPES_FILE",
    "VOCABULARIES_FILE",
    "Agency",
    "AuthorityError",
    "IPType",
    "IRIError",
    "Instrument",
    "agencies",
    "check_authorities",
    "instruments",
    "ip_types",
    "resource_text",
    "successors",
]

_FROM_NAMESPACES = frozenset({"ID", "IPKG", "IRIError"})


def __getattr__(name: str) -> Any:
    if name in _FROM_NAMESPACES:
        from ipkg.ontology import namespaces

        return getattr(namespaces, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def resource_text(name: str) -> str:
    """The text of a packaged ontology file, e.g. ``resource_text("shapes.ttl")``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")

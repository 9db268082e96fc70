"""Vocabularies, authority files, namespaces: the leaf every other package builds on.

The Turtle files (``ipkg.ttl``, ``vocabularies.ttl``, ``shapes.ttl``) and the TSV authority files
(``agencies.tsv``, ``instruments.tsv``, ``ip_types.tsv``) ship as package data; read them with
:func:`resource_text` or the loaders of :mod:`ipkg.ontology.authority`.
"""

from __future__ import annotations

from importlib.resources import files

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


def resource_text(name: str) -> str:
    """The text of a packaged ontology file, e.g. ``resource_text("shapes.ttl")``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")

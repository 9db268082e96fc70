"""IP-type tags of a measure, from the spans the ``ipkg_ip_types`` component left on its doc."""

from __future__ import annotations

from spacy.tokens import Doc

from ipkg.extract.cleaning import text_span
from ipkg.extract.components.ip_type_tagger import SPANS_KEY
from ipkg.extract.records import IPTypeTag, Measure


def ip_type_tags(measure: Measure, doc: Doc, offsets: list[int]) -> list[IPTypeTag]:
    """One tag per IP type the measure concerns, carrying its first cue (the spans are in text order)."""
    tags: dict[str, IPTypeTag] = {}
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []:
        if span.kb_id_ not in tags:
            tags[span.kb_id_] = IPTypeTag(
                measure.doc, measure.label, span.kb_id_, span.text,
                text_span(offsets, span.start_char, span.end_char),
            )
    return list(tags.values())

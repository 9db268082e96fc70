"""Entities and roles of every measure: responsibility assignments, agency mentions, unknown
organisations, and (through the instrument module) legal-instrument citations and IP-type tags.

All measure bodies and clauses go through the spaCy pipeline in one ``nlp.pipe`` batch. Each text is the
measure's normalised text, with an offset map back to the raw file, so every record keeps its raw span.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ipkg.extract.cleaning import Cleaner, normalised_offsets, text_span
from ipkg.extract.components.agency_ruler import INTL_ORG, SPANS_KEY
from ipkg.extract.records import Corpus, Measure, Mention, UnknownOrganization
from ipkg.extract.responsibility import assignments_for
from ipkg.extract.unknown_orgs import unknown_organizations

Progress = Callable[[str], None]


def _instrument_functions() -> tuple[Callable[..., list[Any]] | None, Callable[..., list[Any]] | None]:
    """The instrument helper's functions, if its module is present."""
    try:
        from ipkg.extract import instruments
    except ImportError:
        return None, None
    return getattr(instruments, "citations_for", None), getattr(instruments, "ip_type_tags", None)


def mentions_for(measure: Measure, doc: Doc, offsets: list[int]) -> list[Mention]:
    """One Mention per agency named in the measure's own text, at its first printed form."""
    seen: set[str] = set()
    out: list[Mention] = []
    for span in sorted(doc.spans[SPANS_KEY], key=lambda s: s.start_char):
        if span.kb_id_ in seen:
            continue
        seen.add(span.kb_id_)
        out.append(
            Mention(
                doc=measure.doc, label=measure.label, agency=span.kb_id_, text=span.text,
                span=text_span(offsets, span.start_char, span.end_char),
                international=span.label_ == INTL_ORG,
            )
        )
    return out


def _dedupe(found: list[UnknownOrganization]) -> list[UnknownOrganization]:
    """One report per (measure, name); a clause hit wins over NER or pattern hits of the same name."""
    rank = {"clause": 0, "ner": 1, "pattern": 2}
    best: dict[tuple[str, str | None, str], UnknownOrganization] = {}
    for u in found:
        key = (u.doc, u.label, u.text.lower())
        if key not in best or rank.get(u.source, 3) < rank.get(best[key].source, 3):
            best[key] = u
    return list(best.values())


def extract_entities(
    corpus: Corpus,
    raws: dict[str, str],
    progress: Progress = lambda _: None,
    nlp: Language | None = None,
) -> None:
    """Fill the corpus's assignments, mentions, unknown organisations, citations and IP-type tags."""
    if nlp is None:
        from ipkg.extract.nlp import default_nlp

        progress("entities: loading the spaCy pipeline")
        nlp = default_nlp()
    cleaners = {slug: Cleaner(raw) for slug, raw in raws.items()}
    jobs: list[tuple[Measure, str, list[int], bool]] = []  # measure, text, offsets, is_clause
    for m in corpus.measures:
        raw = raws[m.doc]
        text, offsets = normalised_offsets(cleaners[m.doc], raw, m.body or m.span)
        jobs.append((m, text, offsets, False))
        if m.clause is not None:
            clause_text, clause_offsets = normalised_offsets(cleaners[m.doc], raw, m.clause)
            jobs.append((m, clause_text, clause_offsets, True))
    progress(f"entities: {len(jobs)} texts through {', '.join(nlp.pipe_names)}")
    citations_for, ip_type_tags = _instrument_functions()
    # The instrument helper's functions read their components' span groups; skip them without those.
    if "ipkg_instruments" not in nlp.pipe_names:
        citations_for = None
    if "ipkg_ip_types" not in nlp.pipe_names:
        ip_type_tags = None
    unknown: list[UnknownOrganization] = []
    corpus.assignments, corpus.mentions = [], []
    if citations_for is not None:
        corpus.citations = []
    if ip_type_tags is not None:
        corpus.ip_types = []
    for (m, _text, offsets, is_clause), doc in zip(jobs, nlp.pipe(j[1] for j in jobs), strict=True):
        if is_clause:
            assignments, unknown_bodies = assignments_for(m, doc, offsets)
            corpus.assignments += assignments
            unknown += unknown_bodies
            unknown += unknown_organizations(m, doc, offsets)
            continue
        corpus.mentions += mentions_for(m, doc, offsets)
        unknown += unknown_organizations(m, doc, offsets)
        if citations_for is not None:
            corpus.citations += citations_for(m, doc, offsets)
        if ip_type_tags is not None:
            corpus.ip_types += ip_type_tags(m, doc, offsets)
    corpus.unknown_organizations = _dedupe(unknown)
    missing = [name for name, f in (("citations", citations_for), ("IP types", ip_type_tags)) if f is None]
    if missing:
        corpus.warnings.append(f"entities: instrument components not available ({', '.join(missing)} skipped)")


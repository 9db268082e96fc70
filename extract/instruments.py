"""Instrument citations of a measure: which legal instruments it names and what it does to each.

The ``ipkg_instruments`` component has already found and linked the names (``doc.spans["instruments"]``);
this module reads the *action* off the words that govern each name, scanning back from the name to the
start of its sentence for the nearest cue ("revise the", "the revision of", "in accordance with", ...).
Names listed one after another share the cue that governs the list ("Revise the X, the Y and the Z"),
so the scan steps over the other instrument names. A verb phrase that coordinates several actions
("formulate and revise such laws as ...", "the revision, formulation and implementation of") is resolved
per instrument by whether it already existed when the plan was issued: revise what was in force, formulate
what was not (the gold rule of ``data/gold/instruments.tsv``; the dates come from the authority notes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from ipkg.extract.cleaning import text_span
from ipkg.extract.components.instrument_ruler import SPANS_KEY
from ipkg.extract.ip_types import ip_type_tags
from ipkg.extract.records import InstrumentCitation, Measure
from ipkg.ontology import authority

__all__ = ["ACTIONS", "action_of", "citations_for", "ip_type_tags"]

ACTIONS = ("revise", "formulate", "implement", "interpret", "study", "cite")

# One-word cues, matched on the lower-case token.
_WORD_CUES: dict[str, str] = {}
for _action, _words in {
    "revise": "revise revised revising revision revisions amend amended amending amendment amendments",
    "formulate": "formulate formulated formulating formulation draft drafted drafting introduce introduced "
    "introducing introduction issue issued issuing issuance promulgate promulgated promulgating promulgation "
    "develop publish published publication release legislate legislation legislating conclusion complete",
    "implement": "implement implemented implementing implementation join joining joined accede accession "
    "approve approval ratify ratification effect",
    "study": "study research investigation",
    "cite": "under",
}.items():
    _WORD_CUES.update(dict.fromkeys(_words.split(), _action))
# Multi-word cues, tried before the one-word ones; the last word is the one that sits nearest the name.
_PHRASE_CUES: dict[tuple[str, ...], str] = {
    ("in", "accordance", "with"): "implement",
    ("according", "to"): "implement",
    ("carry", "out"): "implement",
    ("carrying", "out"): "implement",
    ("draw", "up"): "formulate",
    ("judicial", "interpretation"): "interpret",
    ("judicial", "interpretations"): "interpret",
}
# Words that may sit between two coordinated cues ("revision, formulation and implementation of").
_COORDINATORS = frozenset({",", "and", "or", "&"})
_SENTENCE_END = frozenset({".", ";", "!", "?"})
# "research and investigation for the amendment of X" studies X; "study and draft X" formulates it.
_STUDY_LINKS = frozenset({"for", "on", "into", "about", "of", "the"})
_PASSIVE_AUX = frozenset({"be", "been", "is", "are", "was", "were", "being"})
# Order of preference when a coordinated phrase names several actions.
_IF_IN_FORCE = ("revise", "implement", "interpret", "formulate", "study", "cite")
_IF_NEW = ("formulate", "revise", "implement", "interpret", "study", "cite")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NEVER_IN_FORCE = re.compile(r"\bnot (?:enacted|concluded|adopted)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    action: str
    start: int  # token index of the cue's first word
    end: int


def citations_for(measure: Measure, doc: Doc, offsets: list[int]) -> list[InstrumentCitation]:
    """One citation per instrument named in the measure; its action from the first mention that has one."""
    by_instrument: dict[str, InstrumentCitation] = {}
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []:
        action = action_of(span, doc.spans[SPANS_KEY], _plan_year(measure.doc))
        citation = InstrumentCitation(
            measure.doc, measure.label, span.kb_id_, action, span.text,
            text_span(offsets, span.start_char, span.end_char),
        )
        earlier = by_instrument.get(span.kb_id_)
        if earlier is None or (earlier.action == "cite" and action != "cite"):
            by_instrument[span.kb_id_] = citation
    return list(by_instrument.values())


def action_of(span: Span, names: Iterable[Span] = (), plan_year: int | None = None) -> str:
    """What the text does to the instrument named by ``span``: one of :data:`ACTIONS`."""
    doc = span.doc
    inside = {i for s in names for i in range(s.start, s.end)}
    cues = _governing_cues(doc, span.start, inside) or _passive_cue(doc, span.end)
    if not cues:
        return "cite"
    actions = {c.action for c in cues}
    if len(actions) > 1:
        actions.discard("study")  # "study and draft X": the drafting is what is undertaken
    if len(actions) == 1:
        return actions.pop()
    order = _IF_IN_FORCE if _in_force(span.kb_id_, plan_year) else _IF_NEW
    return next(a for a in order if a in actions)


def _governing_cues(doc: Doc, start: int, skip: set[int]) -> list[Cue]:
    """The nearest cue before token ``start`` in its sentence, with any cues coordinated with it."""
    nearest = next(_cues_backwards(doc, start, skip), None)
    if nearest is None:
        return []
    found = [_study_or(doc, nearest)]
    i = found[-1].start - 1
    while i >= 0 and doc[i].lower_ in _COORDINATORS:
        while i >= 0 and doc[i].lower_ in _COORDINATORS:
            i -= 1
        cue = _cue_ending_at(doc, i) if i >= 0 else None
        if cue is None:
            break
        found.append(cue)
        i = cue.start - 1
    return found


def _cues_backwards(doc: Doc, start: int, skip: set[int]) -> Iterator[Cue]:
    i = start - 1
    while i >= 0 and doc[i].text not in _SENTENCE_END:
        if i not in skip:
            cue = _cue_ending_at(doc, i)
            if cue is not None:
                yield cue
                i = cue.start
        i -= 1


def _cue_ending_at(doc: Doc, i: int) -> Cue | None:
    for phrase, action in _PHRASE_CUES.items():
        n = len(phrase)
        if i - n + 1 >= 0 and tuple(t.lower_ for t in doc[i - n + 1 : i + 1]) == phrase:
            return Cue(action, i - n + 1, i + 1)
    action = _WORD_CUES.get(doc[i].lower_)
    return Cue(action, i, i + 1) if action else None


def _study_or(doc: Doc, cue: Cue) -> Cue:
    """A revision or formulation that is only researched ("investigation for the amendment of") is a study."""
    if cue.action not in {"revise", "formulate"}:
        return cue
    i = cue.start - 1
    linked = False
    while i >= 0 and doc[i].lower_ in _STUDY_LINKS:
        linked = linked or doc[i].lower_ != "the"
        i -= 1
    if linked and i >= 0 and _WORD_CUES.get(doc[i].lower_) == "study":
        return Cue("study", i, cue.end)
    return cue


def _passive_cue(doc: Doc, end: int) -> list[Cue]:
    """"X ... need to be promptly revised": a passive cue after the name, in the same sentence."""
    for i in range(end, len(doc)):
        token: Token = doc[i]
        if token.text in _SENTENCE_END:
            break
        if token.lower_ in _PASSIVE_AUX:
            for j in range(i + 1, min(i + 3, len(doc))):
                action = _WORD_CUES.get(doc[j].lower_)
                if action in {"revise", "formulate", "implement"} and doc[j].lower_.endswith("ed"):
                    return [Cue(action, j, j + 1)]
    return []


def _plan_year(doc_slug: str) -> int | None:
    """The year a plan was issued: corpus slugs end in it ("action-plan-2009")."""
    match = re.search(r"(\d{4})$", doc_slug)
    return int(match.group(1)) if match else None


def _in_force(slug: str, plan_year: int | None) -> bool:
    """Did the instrument exist before the plan's year? Unknown dates count as in force."""
    first = _first_year(slug)
    if first == 0:
        return False
    return first is None or plan_year is None or first < plan_year


@cache
def _first_year(slug: str) -> int | None:
    """The first year the authority note gives for an instrument; 0 if it was never enacted."""
    instrument = authority.instruments().get(slug)
    note = instrument.note if instrument is not None else ""
    if _NEVER_IN_FORCE.search(note):
        return 0
    match = _YEAR.search(note)
    return int(match.group(1)) if match else None

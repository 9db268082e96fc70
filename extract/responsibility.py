"""Responsibility clauses: the trailing parenthesis of a measure, read into ordered Assignment records.

Two clause forms occur (data/gold/assignments.tsv states the rules):

* a bare list, "(Ministry of Agriculture and State Forestry Administration)" (promotion-plan-2012): one
  agency leads (``sole-agency``); of several, the first listed leads by the listing convention and the
  rest participate (``first-listed-convention`` — inferred from the order, the text does not say so);
* a sentence, "(The X, the Y, and the Z are responsible for this task ...)" (division-of-work-2016): one
  agency leads (``sole-agency``); several: the first listed leads, as the notice at task 2 says ("The first
  department listed takes the lead, and the same pattern is followed hereafter", ``first-listed-lead``);
  "X and Y take the lead, and A, B are responsible" names the leads (``explicit-lead-clause``); "... are
  responsible for the various tasks based on the division of responsibilities" names no lead, every
  agency is ``responsible`` (``division-of-responsibilities``).

Names are found by the agency ruler (``doc.spans["agencies"]``), never by splitting on commas and "and" —
"Ministry of Industry and Information Technology" and "State Administration of Radio, Film, and
Television" contain both. Only the text the ruler leaves uncovered is split; what remains there is an actor
the authority file does not know: a vague one ("relevant administrative law enforcement authorities",
kept with agency None) or an unknown body (agency None, and reported as an UnknownOrganization).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from ipkg.extract.cleaning import text_span
from ipkg.extract.components.agency_ruler import SPANS_KEY
from ipkg.extract.records import Assignment, Measure, Role, UnknownOrganization

# Where the list of names ends and the verb begins.
_LEAD = re.compile(r"\s+takes?\s+the\s+lead\b", re.IGNORECASE)
_RESPONSIBLE = re.compile(r"\s+(?:is|are)\s+responsible\b", re.IGNORECASE)
_DIVISION = re.compile(r"based\s+on\s+the\s+division\s+of\s+responsibilities", re.IGNORECASE)
# What may stand between two names: commas, "and", articles.
_SEPARATOR_WORDS = re.compile(r"\b(?:and|the|The)\b|[\s,;]")
_PIECES = re.compile(r"\s*(?:,|;|\band\b)\s*")
_ARTICLE = re.compile(r"^(?:the|The)\s+")
# An actor that names no particular body: "relevant ... authorities", "local governments", "all regions".
_VAGUE = re.compile(r"^(?:relevant|other|local|all|various|concerned)\b|^[a-z][a-z\s-]*$")


@dataclass(frozen=True)
class Actor:
    """One name in a clause: where it stands (normalised offsets) and what it links to."""

    start: int
    end: int
    text: str
    agency: str | None
    vague: bool = False


@dataclass(frozen=True)
class ClauseReading:
    """A clause read: its lead actors, other actors, and the rule that assigns their roles."""

    leads: list[Actor]
    others: list[Actor]
    explicit: bool
    division: bool
    sentence: bool  # a "... are responsible" sentence, not a bare list


def read_clause(doc: Doc) -> ClauseReading:
    """Actors of a clause's normalised text (with its parentheses), in printed order."""
    text = doc.text
    start = 1 if text.startswith("(") else 0
    end = len(text) - 1 if text.endswith(")") else len(text)
    # Task 2's clause adds the listing rule as a second sentence; only the first names agencies.
    sentence_end = text.find(". ", start, end)
    if sentence_end != -1:
        end = sentence_end
    lead = _LEAD.search(text, start, end)
    responsible = _RESPONSIBLE.search(text, start, end)
    division = bool(_DIVISION.search(text, start, end))
    if lead:
        leads = _actors(doc, start, lead.start())
        others_start = text.find(",", lead.end(), end)
        others_end = responsible.start() if responsible and responsible.start() > lead.end() else end
        others = _actors(doc, others_start + 1, others_end) if others_start != -1 else []
        return ClauseReading(leads, others, explicit=True, division=division, sentence=True)
    names_end = responsible.start() if responsible else end
    actors = _actors(doc, start, names_end)
    return ClauseReading(actors[:1], actors[1:], explicit=False, division=division, sentence=bool(responsible))


def _actors(doc: Doc, start: int, end: int) -> list[Actor]:
    """Agency spans inside ``[start, end)`` plus whatever named actors the gaps between them hold."""
    text = doc.text
    spans = [s for s in doc.spans[SPANS_KEY] if s.start_char >= start and s.end_char <= end]
    actors: list[Actor] = []
    pos = start
    for span in sorted(spans, key=lambda s: s.start_char):
        actors += _gap_actors(text, pos, span.start_char)
        actors.append(Actor(span.start_char, span.end_char, span.text, span.kb_id_))
        pos = span.end_char
    actors += _gap_actors(text, pos, end)
    return actors


def _gap_actors(text: str, start: int, end: int) -> list[Actor]:
    """Names in text the ruler did not cover: separators are skipped, anything else is an actor."""
    gap = text[start:end]
    if not _SEPARATOR_WORDS.sub("", gap):
        return []
    actors: list[Actor] = []
    pos = 0
    for piece in _PIECES.split(gap):
        at = gap.find(piece, pos) if piece else -1
        if at == -1:
            continue
        pos = at + len(piece)
        name = _ARTICLE.sub("", piece.strip())
        if not name or name.lower() in {"the", "and"}:
            continue
        name_start = start + at + piece.find(name)
        actors.append(Actor(name_start, name_start + len(name), name, None, vague=bool(_VAGUE.match(name))))
    return actors


def assignments_for(
    measure: Measure, doc: Doc, offsets: list[int]
) -> tuple[list[Assignment], list[UnknownOrganization]]:
    """Assignments of one measure from the Doc of its clause text; unknown bodies reported separately."""
    reading = read_clause(doc)
    ordered = [*reading.leads, *reading.others]
    several = len(ordered) > 1
    out: list[Assignment] = []
    unknown: list[UnknownOrganization] = []
    for position, actor in enumerate(ordered, 1):
        is_lead = position <= len(reading.leads)
        role: Role
        if reading.division and not reading.explicit:
            role, basis = "responsible", "division-of-responsibilities"
        elif reading.explicit:
            role, basis = ("lead" if is_lead else "participant"), "explicit-lead-clause"
        elif not several:
            role, basis = "lead", "sole-agency"
        else:
            role = "lead" if is_lead else "participant"
            basis = "first-listed-lead" if reading.sentence else "first-listed-convention"
        span = text_span(offsets, actor.start, actor.end)
        out.append(
            Assignment(
                doc=measure.doc, label=measure.label, position=position, role=role, basis=basis,
                actor_text=actor.text, span=span, agency=actor.agency, vague=actor.vague,
            )
        )
        if actor.agency is None and not actor.vague:
            unknown.append(UnknownOrganization(measure.doc, measure.label, actor.text, span, source="clause"))
    return out, unknown

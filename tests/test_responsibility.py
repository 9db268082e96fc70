"""Responsibility clauses read into Assignments: every clause form, on a fixture vocabulary."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import ipkg.extract.components.agency_ruler  # noqa: F401  (registers ipkg_agencies)
from ipkg.extract.cleaning import Cleaner, normalised_offsets
from ipkg.extract.entities import extract_entities
from ipkg.extract.records import Assignment, Corpus, Measure, Span, UnknownOrganization
from ipkg.extract.responsibility import assignments_for

AGENCIES = [
    {"id": "sipo", "names": ["State Intellectual Property Office", "State Intellectual Prop-20 — erty Office"]},
    {"id": "saic", "names": ["State Administration for Industry and Commerce"]},
    {"id": "ncac", "names": ["National Copyright Administration"]},
    {"id": "miit", "names": ["Ministry of Industry and Information Technology"]},
    {"id": "most", "names": ["Ministry of Science and Technology"]},
    {"id": "sarft", "names": ["State Administration of Radio, Film, and Television"]},
    {"id": "mfa", "names": ["Ministry of Foreign Affairs"]},
    {"id": "spc", "names": ["Supreme People's Court"]},
    {"id": "mofcom", "names": ["Ministry of Commerce"]},
    {"id": "mps", "names": ["Ministry of Public Security"]},
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("ipkg_agencies", config={"agencies": AGENCIES, "titles": []})
    return nlp


def read(nlp: Language, clause: str, body: str = "Do the task. ") -> tuple[list[Assignment], list[UnknownOrganization], str]:
    raw = f"1. {body}{clause}"
    measure = Measure("doc", "1", "numbered", None, [], body.strip(), Span(0, len(raw)),
                      body=Span(3, 3 + len(body)), clause=Span(3 + len(body), len(raw)))
    cleaner = Cleaner(raw)
    assert measure.clause is not None
    text, offsets = normalised_offsets(cleaner, raw, measure.clause)
    assignments, unknown = assignments_for(measure, nlp(text), offsets)
    for a in assignments:  # spans round-trip: the raw name normalises to the actor text
        assert cleaner.normalise(a.span.slice(raw)) == a.actor_text
    return assignments, unknown, raw


def rows(assignments: list[Assignment]) -> list[tuple[int, str | None, str, str]]:
    return [(a.position, a.agency, a.role, a.basis) for a in assignments]


def test_2016_first_listed_lead_ignores_the_notice_sentence(nlp: Language) -> None:
    clause = ("(The State Intellectual Property Office, the State Administration for Industry and Commerce, and the "
              "National Copyright Administration are responsible for this task. The first department listed takes "
              "the lead, and the same pattern is followed hereafter)")
    assignments, unknown, _ = read(nlp, clause)
    assert rows(assignments) == [
        (1, "sipo", "lead", "first-listed-lead"),
        (2, "saic", "participant", "first-listed-lead"),
        (3, "ncac", "participant", "first-listed-lead"),
    ]
    assert unknown == []


def test_2016_explicit_leads(nlp: Language) -> None:
    clause = ("(The Ministry of Commerce and the Ministry of Science and Technology take the lead, and the Ministry "
              "of Industry and Information Technology and the State Intellectual Property Office are responsible "
              "for this task)")
    assert rows(read(nlp, clause)[0]) == [
        (1, "mofcom", "lead", "explicit-lead-clause"),
        (2, "most", "lead", "explicit-lead-clause"),
        (3, "miit", "participant", "explicit-lead-clause"),
        (4, "sipo", "participant", "explicit-lead-clause"),
    ]


def test_2016_leads_only(nlp: Language) -> None:
    clause = "(The State Intellectual Property Office and the Supreme People's Court take the lead)"
    assert rows(read(nlp, clause)[0]) == [
        (1, "sipo", "lead", "explicit-lead-clause"),
        (2, "spc", "lead", "explicit-lead-clause"),
    ]


def test_2016_division_of_responsibilities(nlp: Language) -> None:
    clause = ("(The State Administration for Industry and Commerce and the State Intellectual Property Office are "
              "responsible for the various tasks based on the division of responsibilities)")
    assert rows(read(nlp, clause)[0]) == [
        (1, "saic", "responsible", "division-of-responsibilities"),
        (2, "sipo", "responsible", "division-of-responsibilities"),
    ]


def test_2016_sole_agency(nlp: Language) -> None:
    clause = "(The National Copyright Administration is responsible for this task)"
    assert rows(read(nlp, clause)[0]) == [(1, "ncac", "lead", "sole-agency")]


def test_2012_sole_agency(nlp: Language) -> None:
    assert rows(read(nlp, "(Ministry of Industry and Information Technology)")[0]) == [(1, "miit", "lead", "sole-agency")]


def test_2012_several_agencies_with_and_and_commas_inside_names(nlp: Language) -> None:
    clause = ("(National Copyright Administration, State Administration of Radio, Film, and Television and "
              "Ministry of Industry and Information Technology)")
    assignments = read(nlp, clause)[0]
    assert rows(assignments) == [
        (1, "ncac", "lead", "first-listed-convention"),
        (2, "sarft", "participant", "first-listed-convention"),
        (3, "miit", "participant", "first-listed-convention"),
    ]
    assert assignments[1].actor_text == "State Administration of Radio, Film, and Television"


def test_2012_vague_actor(nlp: Language) -> None:
    clause = ("(Ministry of Commerce, Ministry of Public Security and relevant administrative law enforcement "
              "authorities)")
    assignments, unknown, _ = read(nlp, clause)
    assert rows(assignments)[-1] == (3, None, "participant", "first-listed-convention")
    assert assignments[-1].vague and assignments[-1].actor_text == "relevant administrative law enforcement authorities"
    assert unknown == []


def test_name_broken_across_a_page_break(nlp: Language) -> None:
    assignments, _, raw = read(nlp, "(State Intellectual Prop-20 —\n\nerty Office and Ministry of Science and Technology)")
    assert rows(assignments)[0] == (1, "sipo", "lead", "first-listed-convention")
    assert assignments[0].span.slice(raw) == "State Intellectual Prop-20 —\n\nerty Office"


def test_unknown_body_is_kept_and_reported(nlp: Language) -> None:
    clause = "(The State Intellectual Property Office and the China Patent Protection Association are responsible for this task)"
    assignments, unknown, _ = read(nlp, clause)
    assert rows(assignments) == [(1, "sipo", "lead", "first-listed-lead"), (2, None, "participant", "first-listed-lead")]
    assert not assignments[1].vague
    assert [(u.text, u.source) for u in unknown] == [("China Patent Protection Association", "clause")]


def test_unknown_body_goes_to_the_corpus_report_without_crashing(nlp: Language) -> None:
    body = "Build the service platform. "
    clause = "(China Patent Protection Association and Ministry of Commerce)"
    raw = f"1. {body}{clause}"
    measure = Measure("doc", "1", "numbered", None, [], body.strip(), Span(0, len(raw)),
                      body=Span(3, 3 + len(body)), clause=Span(3 + len(body), len(raw)))
    corpus = Corpus(measures=[measure])
    extract_entities(corpus, {"doc": raw}, nlp=nlp)
    assert [(a.agency, a.role) for a in corpus.assignments] == [(None, "lead"), ("mofcom", "participant")]
    assert [(u.text, u.source) for u in corpus.unknown_organizations] == [("China Patent Protection Association", "clause")]

"""Legal instruments: recognition and linking (``ipkg_instruments``), actions, citations, and the eval."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import ipkg.extract.components.instrument_ruler  # noqa: F401  (registers the factory)
from ipkg.extract.instruments import ACTIONS, action_of, citations_for
from ipkg.extract.records import Corpus, Measure, Span
from ipkg.extract.scoring.instruments import loose_name, score_instruments

FIXTURE = [
    {"slug": "patent-law", "name_en": "Patent Law of the People's Republic of China", "kind": "law",
     "variants": "Patent Law | the Patent Law | revised patent law"},
    {"slug": "patent-law-implementing-rules", "kind": "administrative-regulation", "based_on": "patent-law",
     "name_en": "Implementing Rules of the Patent Law of the People's Republic of China",
     "variants": "Rules for the Implementation of the Patent Law"},
    {"slug": "trademark-law", "name_en": "Trademark Law of the People's Republic of China", "kind": "law",
     "variants": "Trademark Law | the Trademark Law"},
    {"slug": "trademark-law-implementing-regulations", "kind": "administrative-regulation",
     "based_on": "trademark-law", "variants": "",
     "name_en": "Implementation Regulations of the Trademark Law of the People's Republic of China"},
    {"slug": "copyright-law", "name_en": "Copyright Law of the People's Republic of China", "kind": "law",
     "variants": "Copyright Law"},
    {"slug": "anti-unfair-competition-law", "kind": "law",
     "name_en": "Anti-Unfair Competition Law of the People's Republic of China",
     "variants": "Law against Unfair Competition of the People’s Republic of China | "
                 "Law of the PRC against Unfair Competition"},
    {"slug": "marrakesh-treaty", "kind": "treaty", "name_en": "Marrakesh Treaty to Facilitate Access to Published Works",
     "variants": "Marrakesh Treaty | the Marrakesh Treaty | Marrakech Treaty"},
    {"slug": "folklore-copyright-regulations", "kind": "administrative-regulation",
     "name_en": "Regulations on the Copyright Protection of Folklore", "variants": ""},
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("ipkg_instruments").initialize(nlp=nlp, instruments=FIXTURE)
    return nlp


def found(nlp: Language, text: str) -> list[tuple[str, str]]:
    doc = nlp(text)
    return [(s.text, s.kb_id_) for s in doc.spans["instruments"]]


def test_longest_match_wins(nlp: Language) -> None:
    text = "To ensure proper revision of Implementing Rules of the Patent Law of the People’s Republic of China."
    assert found(nlp, text) == [
        ("Implementing Rules of the Patent Law of the People’s Republic of China", "patent-law-implementing-rules")
    ]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_either_apostrophe(nlp: Language, apostrophe: str) -> None:
    text = f"Revise the Trademark Law of the People{apostrophe}s Republic of China."
    assert found(nlp, text) == [(f"Trademark Law of the People{apostrophe}s Republic of China", "trademark-law")]


def test_label_is_the_kind_and_the_article_is_left_out(nlp: Language) -> None:
    doc = nlp("Revise the Copyright Law.")
    span = doc.spans["instruments"][0]
    assert (span.text, span.label_, span.kb_id_) == ("Copyright Law", "law", "copyright-law")


@pytest.mark.parametrize("text", ["Marrakesh Treaty", "Marrakech Treaty", "the Marrakesh Treaty"])
def test_marrakesh_spellings(nlp: Language, text: str) -> None:
    assert [slug for _, slug in found(nlp, f"Approve {text}.")] == ["marrakesh-treaty"]


@pytest.mark.parametrize("text", [
    "Law against Unfair Competition of the People’s Republic of China", "Law of the PRC against Unfair Competition",
])
def test_unfair_competition_names_link_to_one_slug(nlp: Language, text: str) -> None:
    assert found(nlp, f"Revise the {text}.") == [(text, "anti-unfair-competition-law")]


@pytest.mark.parametrize("text", ["Patent Law", "the Patent Law", "revised patent law", "PATENT LAW"])
def test_short_forms_link_to_the_canonical_instrument(nlp: Language, text: str) -> None:
    assert [slug for _, slug in found(nlp, f"According to {text}, clarify the principles.")] == ["patent-law"]


@pytest.mark.parametrize("text", [
    "Improve IP laws and regulations and relevant regulations.",
    "Laws and regulations concerning unfair competition need to be improved.",
    "Formulate the implementation regulations and supporting regulations.",
])
def test_generic_phrases_are_not_instruments(nlp: Language, text: str) -> None:
    assert found(nlp, text) == []


def test_its_implementation_regulations_resolve_to_the_law_named_before(nlp: Language) -> None:
    text = "To accelerate the revision of the Trademark Law and initiate amendment of its Implementation Regulations."
    assert found(nlp, text) == [
        ("Trademark Law", "trademark-law"), ("Implementation Regulations", "trademark-law-implementing-regulations"),
    ]


def actions(nlp: Language, text: str, year: int | None = None) -> list[tuple[str, str]]:
    doc = nlp(text)
    names = list(doc.spans["instruments"])
    return [(s.kb_id_, action_of(s, names, year)) for s in names]


@pytest.mark.parametrize(("text", "action"), [
    ("Revise the Patent Law.", "revise"),
    ("To ensure proper revision of the Patent Law.", "revise"),
    ("Complete the revision of the Patent Law.", "revise"),
    ("To press ahead with the revision of the Patent Law.", "revise"),
    ("Initiate amendment of the Patent Law.", "revise"),
    ("Complete the adaptive revision of the Patent Law.", "revise"),
    ("Participate in international negotiations for revising the Marrakesh Treaty.", "revise"),
    ("Speed up the revisions to the Marrakesh Treaty.", "revise"),
    ("Draft the Patent Law.", "formulate"),
    ("Formulate the Patent Law.", "formulate"),
    ("Introduce the Patent Law.", "formulate"),
    ("Develop and issue the Patent Law.", "formulate"),
    ("To expedite the promulgation of the Patent Law.", "formulate"),
    ("To promote legislation for the Patent Law.", "formulate"),
    ("Draw up the Patent Law.", "formulate"),
    ("Promote the conclusion of the Marrakesh Treaty.", "formulate"),
    ("Study and draft the Patent Law.", "formulate"),
    ("To conduct research and formulate the Patent Law.", "formulate"),
    ("Implement the Patent Law.", "implement"),
    ("Protect symbols in accordance with the Patent Law.", "implement"),
    ("Clarify trial principles according to revised patent law.", "implement"),
    ("To carry out the Patent Law.", "implement"),
    ("Accelerate the process of joining the Marrakesh Treaty.", "implement"),
    ("Make preparations for China to approve Marrakech Treaty.", "implement"),
    ("Promote the implementation of the Patent Law.", "implement"),
    ("Issue judicial interpretations of the Patent Law.", "interpret"),
    ("To carry out research and investigation for the amendment of the Patent Law.", "study"),
    ("Negotiate an access system under the Marrakesh Treaty.", "cite"),
    ("Include IP talents into the Patent Law.", "cite"),
    ("Laws such as the Patent Law need to be promptly revised.", "revise"),
    ("Revise the rules. The Patent Law applies.", "cite"),
])
def test_action_of_each_form(nlp: Language, text: str, action: str) -> None:
    assert action in ACTIONS
    assert actions(nlp, text)[-1][1] == action


def test_a_listed_name_shares_the_cue_of_its_list(nlp: Language) -> None:
    text = "Revise the Patent Law, the Trademark Law and the Copyright Law; implement the Marrakesh Treaty."
    assert actions(nlp, text) == [
        ("patent-law", "revise"), ("trademark-law", "revise"), ("copyright-law", "revise"),
        ("marrakesh-treaty", "implement"),
    ]


def test_coordinated_actions_resolve_by_whether_the_instrument_was_in_force(nlp: Language) -> None:
    # The real authority notes date the instruments: the Patent Law (1984) was in force in 2009,
    # the Regulations on the Copyright Protection of Folklore were never enacted.
    text = ("To promote the revision, formulation and implementation of Regulations on the Copyright Protection "
            "of Folklore and the Patent Law.")
    assert actions(nlp, text, 2009) == [("folklore-copyright-regulations", "formulate"), ("patent-law", "revise")]


def measure(text: str, doc: str = "action-plan-2009", base: int = 100) -> tuple[Measure, list[int]]:
    m = Measure(doc, "I.1.1", "numbered", None, [], text, Span(base, base + len(text)))
    return m, [base + i for i in range(len(text) + 1)]


def test_citations_carry_raw_spans_and_one_row_per_instrument(nlp: Language) -> None:
    text = "Complete the revision of the Patent Law. According to the revision progress of the Patent Law, go on."
    m, offsets = measure(text)
    citations = citations_for(m, nlp(text), offsets)
    assert [(c.instrument, c.action, c.text) for c in citations] == [("patent-law", "revise", "Patent Law")]
    raw = " " * 100 + text
    assert citations[0].span.slice(raw) == "Patent Law"


def test_loose_name_ignores_article_case_and_apostrophes() -> None:
    assert loose_name("the  People’s Law") == loose_name("People's law")


def test_eval_meets_targets(structure: Corpus, data_dir: Path) -> None:
    tables = score_instruments(structure, data_dir / "gold")
    f1 = {row[0]: row[-1] for table in tables for row in table.rows}
    assert f1["instrument detection"] >= 0.95, tables[0].notes
    assert f1["instrument linking"] >= 0.95, tables[0].notes
    assert f1["IP types"] >= 0.95, tables[1].notes
    assert structure.citations == [] or all(c.action in ACTIONS for c in structure.citations)

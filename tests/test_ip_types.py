"""IP types (``ipkg_ip_types``): cue matching, the specificity rules, agency masking, the tags."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import ipkg.extract.components.instrument_ruler  # noqa: F401  (registers the factories)
import ipkg.extract.components.ip_type_tagger  # noqa: F401
from ipkg.extract.ip_types import ip_type_tags
from ipkg.extract.records import Measure
from ipkg.extract.records import Span as RawSpan

FIXTURE = [
    {"id": "patent", "broader": "", "cues": "patent | patents | patent law"},
    {"id": "industrial-design", "broader": "patent", "cues": "design patents | industrial designs patents"},
    {"id": "trademark", "broader": "", "cues": "trademark | trademarks"},
    {"id": "well-known-trademark", "broader": "trademark", "cues": "well-known trademarks"},
    {"id": "copyright", "broader": "", "cues": "copyright | copyrights"},
    {"id": "software-copyright", "broader": "copyright", "cues": "software copyright | software copyrighting"},
    {"id": "national-defense-ip", "broader": "",
     "cues": "national defense | national defense patents | military software copyright"},
    {"id": "geographical-indication", "broader": "", "cues": "geographical indications | gi"},
    {"id": "plant-variety", "broader": "", "cues": "breeding | new varieties of plants"},
    {"id": "traditional-knowledge", "broader": "", "cues": "traditional knowledge"},
    {"id": "folklore", "broader": "", "cues": "folklore"},
]
INSTRUMENTS = [
    {"slug": "wkt-interpretation", "kind": "judicial-interpretation", "variants": "",
     "name_en": "Interpretation on Trademark Infringement Cases Involving Well-known Trademarks"},
]


def pipeline(**config: object) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("ipkg_instruments").initialize(nlp=nlp, instruments=INSTRUMENTS)
    nlp.add_pipe("ipkg_ip_types", config=config).initialize(nlp=nlp, ip_types=FIXTURE)
    return nlp


@pytest.fixture(scope="module")
def nlp() -> Language:
    return pipeline()


def types(nlp: Language, text: str) -> set[str]:
    doc = nlp(text)
    return {s.kb_id_ for s in doc.spans["ip_types"]}


@pytest.mark.parametrize(("text", "expected"), [
    ("Revise the Patent Law.", {"patent"}),
    ("Examine design patents.", {"industrial-design"}),
    ("Examine industrial designs patents for applied art.", {"industrial-design"}),
    ("Revise the Patent Law and examine design patents.", {"patent", "industrial-design"}),
    ("Protect well-known trademarks.", {"well-known-trademark"}),
    ("Protect trademarks, especially well-known trademarks.", {"trademark", "well-known-trademark"}),
    ("Revise the Regulations on national defense patents.", {"national-defense-ip", "patent"}),
    ("Register military software copyright.", {"national-defense-ip", "software-copyright"}),
    ("Promote software copyrighting in enterprises.", {"software-copyright"}),
])
def test_the_most_specific_concept_wins_along_one_chain(nlp: Language, text: str, expected: set[str]) -> None:
    assert types(nlp, text) == expected


def test_an_instrument_name_counts_as_one_phrase(nlp: Language) -> None:
    text = "To complete the Interpretation on Trademark Infringement Cases Involving Well-known Trademarks."
    assert types(nlp, text) == {"well-known-trademark"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Protect geographical indications (GI).", {"geographical-indication"}),
    ("Register GI products.", {"geographical-indication"}),
    ("Register gi products.", set()),
    ("Improve the logic of registration.", set()),
])
def test_gi_is_an_acronym_matched_in_capitals(nlp: Language, text: str, expected: set[str]) -> None:
    assert types(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Develop copyright-related industries.", {"copyright"}),
    ("Support breeding of crops.", {"plant-variety"}),
    ("Support biological breedings.", set()),
    ("Protect patented technologies.", set()),  # "patented" is not a cue of the fixture
    ("Support the Patents.", {"patent"}),
])
def test_cues_match_whole_words_case_insensitively(nlp: Language, text: str, expected: set[str]) -> None:
    assert types(nlp, text) == expected


def tagged_with_agency(nlp: Language, text: str, name: str, label: str) -> set[str]:
    doc: Doc = nlp.make_doc(text)
    start = text.index(name)
    doc.spans["agencies"] = [doc.char_span(start, start + len(name), label=label)]
    for _, pipe in nlp.pipeline:
        doc = pipe(doc)
    return {s.kb_id_ for s in doc.spans["ip_types"]}


def test_cues_inside_a_chinese_agency_name_are_not_evidence(nlp: Language) -> None:
    text = "Guide the collective National Copyright Administration organizations; support national defense."
    assert tagged_with_agency(nlp, text, "National Copyright Administration", "AGENCY") == {"national-defense-ip"}
    text = "The State Administration of Science, Technology and Industry for National Defense will act."
    name = "State Administration of Science, Technology and Industry for National Defense"
    assert tagged_with_agency(nlp, text, name, "AGENCY") == set()


def test_an_international_body_names_its_subject() -> None:
    text = "Attend the WIPO Committee on Traditional Knowledge and Folklore meetings."
    name = "WIPO Committee on Traditional Knowledge and Folklore"
    assert tagged_with_agency(pipeline(), text, name, "INTL_ORG") == {"traditional-knowledge", "folklore"}
    masked = pipeline(topical_agency_labels=[])
    assert tagged_with_agency(masked, text, name, "INTL_ORG") == set()


def test_spans_carry_the_type_as_label_and_kb_id(nlp: Language) -> None:
    doc = nlp("Examine design patents.")
    span: Span = doc.spans["ip_types"][0]
    assert (span.text, span.label_, span.kb_id_) == ("design patents", "industrial-design", "industrial-design")


def test_one_tag_per_type_with_its_first_cue_and_raw_span(nlp: Language) -> None:
    text = "Protect patents and trademarks; improve patent examination and trademarks."
    base = 40
    m = Measure("outline-2008", "16", "numbered", None, [], text, RawSpan(base, base + len(text)))
    tags = ip_type_tags(m, nlp(text), [base + i for i in range(len(text) + 1)])
    assert [(t.ip_type, t.cue) for t in tags] == [("patent", "patents"), ("trademark", "trademarks")]
    raw = "x" * base + text
    assert [t.span.slice(raw) for t in tags] == ["patents", "trademarks"]

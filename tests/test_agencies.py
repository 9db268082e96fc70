"""The agency ruler on a tiny fixture vocabulary: every layout and naming noise case of the corpus."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import ipkg.extract.components.agency_ruler  # noqa: F401  (registers ipkg_agencies)
from ipkg.extract.cleaning import Cleaner, normalised_offsets
from ipkg.extract.records import Span

AGENCIES = [
    {"id": "state-council", "names": ["State Council", "the State Council"]},
    {"id": "gosc", "names": ["General Office of the State Council"]},
    {"id": "ijc", "names": ["Inter-Ministerial Joint Conference for the Implementation of the State Council's "
                            "Intellectual Property Strategy"]},
    {"id": "cpccc", "names": ["CPC Central Committee", "the Central Committee"], "acronym": "CPC Central Committee"},
    {"id": "cpd", "names": ["Propaganda Department of the CPC Central Committee",
                            "Publicity Department of the Communist Party of China"]},
    {"id": "aqsiq", "names": ["General Administration of Quality Supervision, Inspection and Quarantine",
                              "General Administration of Quality Supervision"]},
    {"id": "sasac", "names": ["State-Owned Assets Supervision and Administration Commission"]},
    {"id": "sipo", "names": ["State Intellectual Property Office", "the State Intellectual Property Office"]},
    {"id": "spc", "names": ["Supreme People’s Court"]},
    {"id": "sat", "names": ["State Administration of Taxation"], "acronym": "SAT"},
    {"id": "wipo", "names": ["World Intellectual Property Organization (WIPO)", "WIPO"], "international": True},
]
TITLES = ["Several State Council Opinions on the Acceleration of Establishing an IP Power"]


@pytest.fixture(scope="module")
def nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("ipkg_agencies", config={"agencies": AGENCIES, "titles": TITLES})
    return nlp


def found(nlp: Language, text: str) -> list[tuple[str, str]]:
    doc = nlp(text)  # a span group needs its Doc alive
    return [(s.kb_id_, s.text) for s in doc.spans["agencies"]]


def test_name_broken_across_a_page_break_is_found_in_the_normalised_text(nlp: Language) -> None:
    raw = "(State Intellectual Prop-20 —\n\nerty Office and the State Council)"
    text, offsets = normalised_offsets(Cleaner(raw), raw, Span(0, len(raw)))
    doc = nlp(text)
    span = doc.spans["agencies"][0]
    assert span.kb_id_ == "sipo"
    raw_span = Span(offsets[span.start_char], offsets[span.end_char - 1] + 1)
    assert raw_span.slice(raw).startswith("State Intellectual Prop-20")
    assert Cleaner(raw).normalise(raw_span.slice(raw)) == "State Intellectual Property Office"


@pytest.mark.parametrize("printed", ["State-owned", "State-Owned", "STATE-OWNED"])
def test_state_owned_in_any_case(nlp: Language, printed: str) -> None:
    text = f"the {printed} Assets Supervision and Administration Commission"
    assert found(nlp, text) == [("sasac", text[4:])]


def test_em_dash_is_repaired_before_matching(nlp: Language) -> None:
    raw = "State—owned Assets Supervision and Administration Commission"
    assert found(nlp, Cleaner(raw).normalise(raw))[0][0] == "sasac"


def test_article_is_not_part_of_the_span(nlp: Language) -> None:
    assert found(nlp, "The State Intellectual Property Office leads.") == [
        ("sipo", "State Intellectual Property Office")
    ]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_straight_and_curly_apostrophes(nlp: Language, apostrophe: str) -> None:
    assert found(nlp, f"the Supreme People{apostrophe}s Court") == [("spc", f"Supreme People{apostrophe}s Court")]


def test_full_aqsiq_name_is_not_split_by_its_short_form(nlp: Language) -> None:
    text = "General Administration of Quality Supervision, Inspection and Quarantine and SAT"
    assert found(nlp, text) == [("aqsiq", text[:-8]), ("sat", "SAT")]
    assert found(nlp, "the General Administration of Quality Supervision, and") == [
        ("aqsiq", "General Administration of Quality Supervision")
    ]


def test_both_translations_of_the_publicity_department(nlp: Language) -> None:
    assert [a for a, _ in found(nlp, "Propaganda Department of the CPC Central Committee")] == ["cpd"]
    assert [a for a, _ in found(nlp, "The Publicity Department of the Communist Party of China")] == ["cpd"]
    assert [a for a, _ in found(nlp, "the CPC Central Committee and the Central Committee")] == ["cpccc", "cpccc"]


def test_state_council_inside_longer_names_and_titles(nlp: Language) -> None:
    assert found(nlp, "the General Office of the State Council") == [("gosc", "General Office of the State Council")]
    assert found(nlp, 'regarding "Several State Council Opinions on the Acceleration of Establishing an IP Power"') == []
    text = "the Inter-Ministerial Joint Conference for the Implementation of the State Council's Intellectual Property Strategy"
    assert [a for a, _ in found(nlp, text)] == ["ijc"]
    assert found(nlp, "with the leaders of the State Council as the conveners") == [("state-council", "State Council")]
    doc = nlp('"Several State Council Opinions on the Acceleration of Establishing an IP Power"')
    assert len(doc.spans["titles"]) == 1


def test_acronyms_match_only_as_printed(nlp: Language) -> None:
    assert found(nlp, "He sat down at WIPO") == [("wipo", "WIPO")]
    doc = nlp("WIPO and SAT")
    assert [s.label_ for s in doc.spans["agencies"]] == ["INTL_ORG", "AGENCY"]


def test_longest_international_name_wins(nlp: Language) -> None:
    assert found(nlp, "the World Intellectual Property Organization (WIPO)") == [
        ("wipo", "World Intellectual Property Organization (WIPO)")
    ]


def test_initialize_with_rows_replaces_the_vocabulary() -> None:
    from ipkg.extract.components.agency_ruler import AgencyNames

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("ipkg_agencies", config={"agencies": [], "titles": []})
    ruler.initialize(nlp=nlp, agencies=[AgencyNames("moe", ("Ministry of Education",))], titles=[])
    doc = nlp("the Ministry of Education")
    assert [s.kb_id_ for s in doc.spans["agencies"]] == ["moe"]


def test_authority_file_vocabulary_links_every_variant() -> None:
    from ipkg.ontology import authority

    nlp = spacy.blank("en")
    nlp.add_pipe("ipkg_agencies")
    for agency in authority.agencies().values():
        for variant in agency.variants:
            if "Prop-20" in variant:  # only ever seen after cleaning, as "Property"
                continue
            doc = nlp(variant)
            ids = [s.kb_id_ for s in doc.spans["agencies"]]
            assert ids == [agency.id], (variant, ids)

"""The measure search on constructed measures: stems, whole words, every content word, phrases first."""

from __future__ import annotations

from ipkg.graph.measure_search import AgencyNames, MeasureSearch, highlight, query_stems

MEASURES = {
    ("a", "1"): {"text": "Promote patent pledging and the financing of small firms.", "heading_path": "Finance"},
    ("a", "2"): {"text": "Expand IP pledge financing pilots; pledge financing for patents.", "heading_path": ""},
    ("b", "1"): {"text": "Train partners in the starting phase.", "heading_path": "Art and culture"},
    ("b", "2"): {"text": "Support the arts and crafts.", "heading_path": ""},
}


def test_stems_whole_words_and_phrases_first():
    index = MeasureSearch(MEASURES)
    assert [key for _, _, key in index.find("pledge financing")] == [("a", "2"), ("a", "1")]
    assert [phrase for phrase, _, _ in index.find("pledge financing")] == [True, False]
    assert {key for _, _, key in index.find("art")} == {("b", "1"), ("b", "2")}  # heading and plural, not "partners"
    assert index.find("partner start") == [(False, index.find("partner start")[0][1], ("b", "1"))]
    assert index.find("pledge crafts") == []  # every content word must occur
    assert index.find("...") == [] and query_stems("the of") == ["the", "of"]  # only function words: kept


def test_highlight_marks_the_words_by_stem():
    pieces = highlight(MEASURES[("a", "1")]["text"], query_stems("pledge financing"), "pledge financing")
    assert [p["text"] for p in pieces if p["hit"]] == ["pledging", "financing"]
    assert "".join(p["text"] for p in pieces) == MEASURES[("a", "1")]["text"]


NAMES = AgencyNames({
    "sipo": {"State Intellectual Property Office", "the State Intellectual Property Office", "SIPO"},
    "most": {"Ministry of Science and Technology", "MOST"},
    "state-council": {"State Council"},
    "sc-office": {"General Office of the State Council"},
    "saic": {"State Administration for Industry and Commerce", "SAIC"},
    "mofcom": {"Ministry of Commerce", "MOFCOM"},
    "customs": {"Customs"},  # one word, not in capitals: never taken for the agency
})


def test_agency_names_come_out_of_the_query():
    assert NAMES.split("SIPO patent navigation") == ([{"sipo"}], "patent navigation")
    assert NAMES.split("patent navigation of the state intellectual property office") == (
        [{"sipo"}], "patent navigation")
    assert NAMES.split("the State Intellectual Property Office") == ([{"sipo"}], "")
    # one-word names only in capitals: "most" is a word, "MOST" the ministry
    assert NAMES.split("most important") == ([], "most important")
    assert NAMES.split("MOST pilots") == ([{"most"}], "pilots")
    assert NAMES.split("customs training") == ([], "customs training")
    # the longest name wins, and each agency is named once
    assert NAMES.split("General Office of the State Council reform") == ([{"sc-office"}], "reform")
    assert NAMES.split("SAIC and MOFCOM and SAIC") == ([{"saic"}, {"mofcom"}], "")
    assert NAMES.split("SAIC and the pilots of MOFCOM") == ([{"saic"}, {"mofcom"}], "pilots")
    # the agency's name cut short is just words
    assert NAMES.split("Ministry of Science") == ([], "Ministry of Science")


def test_search_within_the_named_agencies_measures():
    index = MeasureSearch(MEASURES)
    within = {("a", "2"), ("b", "1")}
    assert [key for _, _, key in index.find("pledge financing", within)] == [("a", "2")]
    assert index.find("arts crafts", within) == []

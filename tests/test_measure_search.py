"""The measure search on constructed measures: stems, whole words, every content word, phrases first."""

from __future__ import annotations

from ipkg.graph.measure_search import AgencyNames, MeasureSearch, highlight, query_stems, undotted

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
}, vocabulary={"most", "pilots", "reform"})  # words the texts print in lower case


def test_agency_names_come_out_of_the_query():
    assert NAMES.split("SIPO patent navigation") == ([{"sipo"}], "patent navigation")
    assert NAMES.split("patent navigation of the state intellectual property office") == (
        [{"sipo"}], "patent navigation")
    assert NAMES.split("the State Intellectual Property Office") == ([{"sipo"}], "")
    # one-word names in capitals, or in lower case if the texts never use them as a word: "most" is a word
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


def test_lower_case_acronyms_count_unless_the_texts_use_them_as_words():
    names = AgencyNames({"sipo": {"SIPO"}, "most": {"MOST"}}, vocabulary={"most", "patent"})
    assert names.split("sipo patent navigation") == ([{"sipo"}], "patent navigation")
    assert names.split("most important") == ([], "most important")  # a word of the texts
    assert names.split("MOST pilots") == ([{"most"}], "pilots")
    assert names.split("Sipo") == ([], "Sipo")  # neither as printed nor in lower case


def test_chinese_names_are_found_also_inside_a_run_of_chinese():
    names = AgencyNames({"sipo": {"SIPO"}, "ncac": {"NCAC"}},
                        chinese={"sipo": "国家知识产权局", "cnipa": "国家知识产权局", "ncac": "国家版权局"})
    assert names.split("国家知识产权局") == ([{"sipo", "cnipa"}], "")
    assert names.split("国家知识产权局专利导航") == ([{"sipo", "cnipa"}], "专利导航")
    assert names.split("国家版权局 and 国家知识产权局") == ([{"ncac"}, {"sipo", "cnipa"}], "")
    assert names.split("知识产权") == ([], "知识产权")


def test_dotted_abbreviations_are_one_word():
    assert undotted("I.P. pledge in the P.R.C.") == "IP pledge in the PRC"
    assert undotted("e.g. patents") == "eg patents" and undotted("No. 5") == "No. 5"

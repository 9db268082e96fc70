"""The measure search on constructed measures: stems, whole words, every content word, phrases first."""

from __future__ import annotations

from ipkg.graph.measure_search import MeasureSearch, highlight, query_stems

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

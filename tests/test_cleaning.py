"""Cleaning repairs layout noise and every clean character maps back to its raw offset."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipkg.extract.cleaning import Cleaner, collapse


def clean(raw: str, context: str = "") -> str:
    return Cleaner(context + raw).clean(raw).text


def test_hyphenation_across_blank_lines_is_undone():
    assert collapse(clean("deeply implemen-\n\n\n\nted the strategy")) == "deeply implemented the strategy"


def test_hyphenation_with_page_number_is_undone():
    raw = "(State Intellectual Prop-20 —\n\nerty Office and Ministry of Science and Technology)"
    assert collapse(clean(raw)) == "(State Intellectual Property Office and Ministry of Science and Technology)"


def test_real_hyphens_survive_inline_and_across_breaks():
    context = "of cross-border e-commerce and IP-intensive industries. "
    assert "cross-border" in clean("Encourage cross-\n\nborder exchanges", context)
    assert "IP-intensive" in clean("develop IP-intensive industries", context)


def test_page_number_lines_markdown_and_html_are_dropped():
    raw = "#### **III.** Promoting\n\n**— 24 —** \n\n<p>Beef up</p>\n--\n\nContinued\n\n12<sup>th</sup> Plan *etc.*"
    text = collapse(clean(raw))
    assert text == "III. Promoting Beef up 12th Plan etc."


def test_a_list_mark_inside_a_resumed_sentence_is_dropped_but_list_items_stay():
    # the Outline's item 8 and the 2012 plan's item 41 resume a sentence behind "- " after a blank line
    assert collapse(clean("the practicability of laws and\n\n- regulations. Intellectual")) == (
        "the practicability of laws and regulations. Intellectual")
    assert collapse(clean("grassroots people's courts\n\n- having jurisdiction")) == (
        "grassroots people's courts having jurisdiction")
    items = "(Ministry of Agriculture)\n\n- 22. Draw up Regulations\n\n- Strengthen the work"
    assert clean(items) == items  # a real item starts with a number or a capital, after a full clause


def test_em_dash_inside_a_word_becomes_a_hyphen_and_latex_tilde_is_read():
    assert clean("State—owned Assets") == "State-owned Assets"
    assert collapse(clean("select  $4 \\sim 5$  colleges")) == "select 4~5 colleges"


def test_offsets_point_at_the_raw_characters():
    raw = "#### **Title** of imple-\n\nmentation"
    ct = Cleaner(raw).clean(raw)
    for i, ch in enumerate(ct.text):
        if ch not in "\n ":
            assert raw[ct.offsets[i]] == ch
    start = ct.text.index("imple")
    span = ct.raw_span(start, len(ct.text))
    assert raw[span.start : span.end] == "imple-\n\nmentation"


text_pieces = st.lists(
    st.sampled_from(["word", "Prop-", "erty", "\n", "\n\n\n", "\n**— 24 —**\n", "<p>", "</p>", "\n--\n", " ", "cross-border",
                     "State—owned", "\n#### ", "*etc.*", " 20 —\n", "(12)", "1.1 "]),
    max_size=30,
)


@given(text_pieces)
def test_cleaning_is_idempotent(pieces):
    raw = "".join(pieces)
    cleaner = Cleaner(raw)
    once = cleaner.clean(raw).text
    assert cleaner.clean(once).text == once


@given(text_pieces)
def test_offsets_are_monotonic_and_in_range(pieces):
    raw = "".join(pieces)
    ct = Cleaner(raw).clean(raw)
    assert len(ct.offsets) == len(ct.text) + 1
    assert all(0 <= a <= b <= len(raw) for a, b in zip(ct.offsets, ct.offsets[1:], strict=False))

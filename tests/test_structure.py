"""The structure parser finds every measure of the five documents with the contract's labels."""

from __future__ import annotations

import pytest

from ipkg.extract.cleaning import Cleaner
from ipkg.extract.errors import StructureError
from ipkg.extract.scoring.structure import area_counts, score_structure
from ipkg.extract.structure import parse_structure


def labels(corpus, doc):
    return [m.label for m in corpus.measures if m.doc == doc]


def test_counts_per_document(structure):
    counts = {d: len(labels(structure, d)) for d in
              ["outline-2008", "action-plan-2009", "promotion-plan-2012", "division-of-work-2016", "fyp13-plan-2016"]}
    assert counts == {"outline-2008": 65, "action-plan-2009": 170, "promotion-plan-2012": 90,
                      "division-of-work-2016": 106, "fyp13-plan-2016": 73}


def test_action_plan_reproduces_its_own_counts_per_area(structure):
    # The introduction: "170 measures in 9 areas" — 26, 21, 7, 23, 24, 19, 18, 7, 25.
    assert list(area_counts(structure, "action-plan-2009").values()) == [26, 21, 7, 23, 24, 19, 18, 7, 25]


def test_sequential_numbering(structure):
    assert labels(structure, "outline-2008") == [str(i) for i in range(1, 66)]
    assert labels(structure, "promotion-plan-2012") == [str(i) for i in range(1, 91)]
    assert labels(structure, "division-of-work-2016") == [str(i) for i in range(1, 107)]


def test_group_headings_are_sections_and_plain_items_are_measures(structure):
    ap = labels(structure, "action-plan-2009")
    assert "I.1" not in ap and "I.1.1" in ap and "I.3.14" in ap  # "1." heads 1.1 .. 1.5
    assert "III.1" in ap and "III.7" in ap and "VIII.7" in ap  # "1." is a measure where nothing hangs under it
    group = next(s for s in structure.sections if s.doc == "action-plan-2009" and s.path == "I.1")
    assert group.kind == "group" and group.title.startswith("To draft, formulate and revise some laws")


def test_fyp13_labels_columns_and_section_paragraphs(structure):
    fyp = labels(structure, "fyp13-plan-2016")
    assert fyp[:5] == ["III.i", "III.ii", "III.iii", "IV.i.1", "IV.i.2"]
    assert [lab for lab in fyp if lab.startswith("SC3.")] == ["SC3.1", "SC3.2", "SC3.3", "SC3.4"]
    assert fyp[-3:] == ["VI.i", "VI.ii", "VI.iii"]
    assert sum(lab.startswith("SC") for lab in fyp) == 28
    column = next(s for s in structure.sections if s.doc == "fyp13-plan-2016" and s.path == "SC1")
    assert column.kind == "special-column" and column.parent == "IV.i"


def test_missing_number_between_1_and_3_is_2(structure):
    m = structure.measure("fyp13-plan-2016", "V.iii.2")
    assert m.kind == "unnumbered" and m.text.startswith("Optimize the growth system of IP talents.")
    assert structure.measure("fyp13-plan-2016", "V.iii.1").text.endswith("administrative schools.")


def test_continuations_across_page_breaks_stay_in_their_item(structure):
    # a number and its text split across a page break, an indented "- 14." bullet, a bare "15."
    m14 = structure.measure("promotion-plan-2012", "14")
    assert m14.text == ("Push forward the building of a patent alliance in strategic emerging industries, "
                        "and guide the establishment of about 30 industrial patent alliances.")
    assert structure.measure("promotion-plan-2012", "15").text.startswith("Improve the green channel")
    # "Well do legislative works ..." after item 1 (no gap in numbering) continues item 1
    assert "Well do legislative works" in structure.measure("fyp13-plan-2016", "IV.i.1").text
    assert "Give full play to the demonstration" in structure.measure("fyp13-plan-2016", "IV.iii.3").text
    assert structure.measure("fyp13-plan-2016", "SC9.2").text.endswith("IP awareness and innovation.")
    assert structure.measure("outline-2008", "8").text.endswith("national defense need to be improved.")


def test_trailing_agency_clause_is_not_measure_text(structure, raws):
    m = structure.measure("promotion-plan-2012", "22")
    assert m.text.endswith("utilization of service inventions.")
    assert m.clause.slice(raws["promotion-plan-2012"]).startswith("(State Intellectual Prop-20 —")
    m20 = structure.measure("division-of-work-2016", "20")
    assert "take the lead" in m20.clause.slice(raws["division-of-work-2016"])


def test_spans_round_trip(structure, raws):
    cleaners = {slug: Cleaner(raw) for slug, raw in raws.items()}
    for m in structure.measures:
        raw = raws[m.doc]
        assert cleaners[m.doc].normalise(m.body.slice(raw)) == m.text, m.id
        assert m.span.contains(m.body)
        if m.number_as_printed:
            assert raw[m.span.start :].startswith(m.number_as_printed) or raw[m.span.start] == "("


def test_heading_paths(structure):
    assert structure.measure("division-of-work-2016", "20").heading_path == [
        "Implement Strict Intellectual Property Protection", "Intensify the crackdown on IP crimes"]
    assert structure.measure("outline-2008", "16").heading_path == ["Specific Tasks", "Patent"]


def test_indicator_table(structure):
    rows = [i for i in structure.indicators if i.doc == "fyp13-plan-2016"]
    assert len(rows) == 10
    first = rows[0]
    assert (first.name, first.unit, first.baseline, first.target, first.added, first.attribute) == (
        "Invention Patents Per Ten Thousand People", "Pieces", 6.3, 12.0, 5.7, "Anticipatory")
    royalty = next(i for i in rows if "Royalty" in i.name)
    assert royalty.note and "aggregate" in royalty.note and royalty.unit == "USD One Hundred Million"
    service = next(i for i in rows if "IP Service" in i.name)
    assert service.added is None and service.unit == "%"


def test_gold_inventory_is_reproduced_exactly(structure, data_dir):
    table = score_structure(structure, data_dir / "gold")
    for doc, expected, found, exact in table.rows:
        assert expected == found == exact, (doc, table.notes[:10])


def test_a_heading_keeps_its_own_text_before_its_first_item():
    raw = ("I. Part\n\nThe background of the plan runs on across\n\n— 15 —\n\na page break.\n\n"
           "A second paragraph.\n\n1. An item.\n\nII. Another part\n\n2. Its item.\n")
    part_one, part_two = parse_structure("x", "x.txt", raw, "tasks-with-agencies").sections
    assert part_one.intro_text == ("The background of the plan runs on across a page break.\n\n"
                                   "A second paragraph.")
    assert part_one.intro is not None
    assert part_one.intro.slice(raw).startswith("The background") and part_one.intro.slice(raw).endswith("paragraph.")
    assert part_two.intro is None and part_two.intro_text == ""  # its item follows its heading


def test_corpus_section_introductions(structure, raws):
    intros = {(s.doc, s.path): s for s in structure.sections if s.intro is not None}
    assert len(intros) == 13
    goals = intros[("fyp13-plan-2016", "II.iii")]
    assert goals.intro_text.startswith("Till 2020, targets of the IP strategy will be achieved")
    assert "\t" not in goals.intro_text and "Anticipatory" not in goals.intro_text  # the indicator table
    for s in intros.values():
        # the span begins where the text begins and ends where it ends (page furniture may lie between)
        raw = s.intro.slice(raws[s.doc])
        assert raw[:12] == s.intro_text[:12] and raw.strip() == raw, (s.doc, s.path)


def test_unknown_numbering_names_file_and_line():
    raw = "I. Part\n\n1. An item.\n\na) an item in a style nobody declared\n"
    with pytest.raises(StructureError, match=r"odd\.txt:5: numbering 'a\)'"):
        parse_structure("odd", "odd.txt", raw, "tasks-with-agencies")


def test_unknown_style_and_empty_result_are_errors():
    with pytest.raises(StructureError, match="unknown numbering style 'articles'"):
        parse_structure("x", "x.txt", "I. Part\n", "articles")
    with pytest.raises(StructureError, match="no measures found"):
        parse_structure("x", "x.txt", "I. Part\n\nJust prose here.\n", "tasks-with-agencies")


def test_a_number_used_twice_is_an_error():
    with pytest.raises(StructureError, match="numbered twice"):
        parse_structure("x", "x.txt", "I. Part\n\n1. One.\n\n1. One again.\n", "tasks-with-agencies")

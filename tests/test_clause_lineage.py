"""Lineage per clause: the clause splitting, the clause gold against the corpus, the carrying clause of each
candidate of a composite measure, and the measure page's clause-by-clause grouping."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ipkg.extract.clause_lineage import clause_gold_problems, read_clause_gold
from ipkg.extract.clauses import clauses
from ipkg.extract.cleaning import Cleaner
from ipkg.extract.lineage_model import read_lineage_gold
from ipkg.extract.lineage_signals import sentences
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import read_gold
from ipkg.graph.views_measure import best_candidates, by_clause


def test_clauses_are_the_worded_sentences_with_their_offsets() -> None:
    text = "Improve patent quality. Article 2. Revise the Patent Law; publish the rules: as planned by 2020.  Done."
    found = [(c.number, c.of(text)) for c in clauses(text)]
    assert found == [
        (1, "Improve patent quality."),
        (2, "Revise the Patent Law;"),  # "Article 2." has two words: not a clause of its own
        (3, "publish the rules:"),
        (4, "as planned by 2020."),
    ]
    assert [c.of(text) for c in clauses(text)] == sentences(text)
    assert [(c.start, c.end) for c in clauses("Too short.")] == [(0, 10)]  # no worded piece: the whole text


def test_clause_gold_fits_the_corpus_and_the_link_gold(structure: Corpus, data_dir: Path) -> None:
    gold = read_lineage_gold(data_dir / "gold")
    clause_gold = read_clause_gold(data_dir / "gold")
    assert clause_gold_problems(structure, gold, data_dir / "gold") == []
    assert len(clause_gold) == 358
    assert set(clause_gold) <= gold.strong
    assert clause_gold[("fyp13-plan-2016/III.i", "division-of-work-2016/3")] == {2}


def test_clause_gold_problems_name_a_shifted_quote_and_a_missing_row(structure: Corpus, data_dir: Path,
                                                                     tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    shutil.copytree(data_dir / "gold", gold_dir)
    path = gold_dir / "lineage_clauses.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = next(k for k, line in enumerate(lines) if line.startswith("fyp13-plan-2016/III.i\tdivision-of-work-2016/3\t"))
    shifted = next(k for k, line in enumerate(lines) if line.startswith("fyp13-plan-2016/III.i\tdivision-of-work-2016/5\t"))
    lines[shifted] = re.sub(r"\t\d+\t", "\t1\t", lines[shifted], count=1)
    del lines[dropped]
    path.write_text("".join(lines), encoding="utf-8")
    problems = clause_gold_problems(structure, read_lineage_gold(gold_dir), gold_dir)
    assert len(problems) == 2
    assert "division-of-work-2016/5: quote" in problems[0] and "not in clause(s) 1" in problems[0]
    assert "division-of-work-2016/3: strong link of a measure with several clauses, no clause row" in problems[1]


def test_a_double_quote_in_a_gold_cell_is_text(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text('# comment\na\tb\n"12330" platform\tx\n', encoding="utf-8")
    assert read_gold(path) == [{"a": '"12330" platform', "b": "x"}]


def test_candidates_of_a_composite_measure_name_their_clause(linked: Corpus, raws: dict[str, str]) -> None:
    texts = {m.id: m.text for m in linked.measures}
    cleaners = {doc: Cleaner(raw) for doc, raw in raws.items()}
    composite = {mid for mid, text in texts.items() if len(clauses(text)) > 1}
    with_clause = [c for c in linked.lineage if c.clause is not None]
    assert with_clause and {c.later for c in with_clause} <= composite
    assert all(c.clause is not None for c in linked.lineage if c.later in composite)
    for c in with_clause:
        assert c.clause is not None
        clause = clauses(texts[c.later])[c.clause.number - 1].of(texts[c.later])
        doc = c.later.split("/")[0]
        printed = cleaners[doc].normalise(c.clause.span.slice(raws[doc]))
        assert re.sub(r"\W+", "", printed) == re.sub(r"\W+", "", clause)  # the raw span holds the clause
        assert 0 <= c.clause.score <= 1 and c.clause.rank >= 1
    # the 2016 plan's reform paragraph carries three 2016 tasks, one per clause, as the clause gold says
    carried = {c.earlier: c.clause.number for c in with_clause if c.later == "fyp13-plan-2016/III.i" and c.clause}
    assert carried["division-of-work-2016/2"] == 1
    assert carried["division-of-work-2016/3"] == 2
    assert carried["division-of-work-2016/5"] == 5


def test_each_clause_keeps_its_best_candidates(linked: Corpus) -> None:
    """A clause's top 3 per earlier document are candidates of the measure even past the measure's own cut."""
    best = [c for c in linked.lineage if c.clause is not None and c.clause.rank <= 3]
    per_measure: dict[str, int] = {}
    for c in linked.lineage:
        per_measure[c.later] = per_measure.get(c.later, 0) + 1
    assert best
    assert max(per_measure.values()) > 20  # the measure-level cap (MAX_CANDIDATES) alone would stop at 20


def _link(earlier: str, slug: str, clause: int | None, rank: int, score: float, later: str = "L") -> dict:
    return {"iri": f"{later}-{earlier}", "later": {"iri": later, "slug": "x-doc"}, "earlier": {"iri": earlier, "slug": slug},
            "score": score, "asserted": False,
            "clause": None if clause is None else {"number": clause, "rank": rank, "quote": f"clause {clause}"}}


def test_by_clause_groups_the_later_measures_links_in_text_order() -> None:
    links = [
        _link("e1", "b-doc", 2, 1, 0.9),
        _link("e2", "a-doc", 2, 2, 0.5),
        _link("e3", "a-doc", 1, 1, 0.4),
        _link("e4", "a-doc", 1, 4, 0.8),  # ranks 4th in its clause: left out
        _link("e5", "a-doc", None, 1, 0.7),  # no clause (a one-clause later measure)
        _link("L", "x-doc", 1, 1, 0.9, later="other"),  # a forward link: not this measure's clause
    ]
    grouped = by_clause(links, "L")
    assert [(g["number"], g["quote"], [lk["earlier"]["iri"] for lk in g["links"]]) for g in grouped] == [
        (1, "clause 1", ["e3"]),
        (2, "clause 2", ["e2", "e1"]),  # by document, then rank
    ]


def test_the_lineage_view_keeps_each_clauses_best_past_the_cut_per_document() -> None:
    links = [
        _link("e1", "a-doc", 1, 1, 0.9),
        _link("e2", "a-doc", 1, 2, 0.8),
        _link("e3", "a-doc", 2, 1, 0.1),  # last of its document, but the best of clause 2
        _link("e4", "a-doc", 1, 3, 0.05),
        _link("L", "x-doc", 3, 1, 0.02, later="other"),  # a forward link: per document only
        _link("L", "x-doc", None, 1, 0.01, later="third"),
    ]
    kept, hidden = best_candidates(links, "L", per_document=1, per_clause=1)
    assert [lk["iri"] for lk in kept] == ["L-e1", "L-e3", "other-L"] and hidden == 3
    plain, _ = best_candidates(links, "L", per_document=1)
    assert [lk["iri"] for lk in plain] == ["L-e1", "other-L"]

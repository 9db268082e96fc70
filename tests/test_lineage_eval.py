"""The lineage eval on the real corpus: cross-validated figures against the hand-checked gold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ipkg.extract.lineage_model import read_lineage_gold
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import Table
from ipkg.extract.scoring.lineage import FULL_LINKER as FULL
from ipkg.extract.scoring.lineage import _ranks, calibration, score_lineage


@pytest.fixture(scope="module")
def tables(built, raws: dict[str, str], data_dir: Path) -> list[Table]:
    """The eval on the corpus as the build makes it: with agencies, instruments and IP types extracted."""
    corpus: Corpus = built[1].corpus
    return score_lineage(corpus, data_dir / "gold", raws)


@pytest.fixture(scope="module")
def figures(tables: list[Table]) -> dict[str, list[object]]:
    return {str(r[0]): r[1:] for r in tables[0].rows}


def test_linker_is_ahead_of_the_tfidf_baseline(figures: dict[str, list[object]]) -> None:
    base = figures["TF-IDF cosine baseline"]
    for name in ("+ alignment", "+ embeddings", FULL):
        full = figures[name]
        assert float(full[1]) >= float(base[1]) + 0.05  # recall@3
        assert float(full[4]) >= float(base[4]) + 0.1  # asserted F1


def test_embeddings_lift_the_linker(figures: dict[str, list[object]]) -> None:
    before, after = figures["+ alignment"], figures["+ embeddings"]
    assert float(after[1]) >= float(before[1]) + 0.02  # recall@3
    assert float(after[4]) >= float(before[4]) + 0.03  # asserted F1


def test_learned_adapter_lifts_the_linker(figures: dict[str, list[object]]) -> None:
    """Refitted per fold without the fold's measures, so this lift is out of sample."""
    before, after = figures["+ embeddings"], figures["+ learned adapter"]
    assert float(after[0]) >= float(before[0]) + 0.03  # recall@1
    assert float(after[1]) >= float(before[1]) + 0.02  # recall@3
    assert float(after[4]) >= float(before[4]) + 0.05  # asserted F1


def test_measures_carried_elsewhere_lift_the_ranks(figures: dict[str, list[object]]) -> None:
    """Counted per fold from the training links of the other later documents only. It lifted recall@3 by
    0.016 while false policy topics blurred the other signals; since the topic cues match one word by its own
    inflections only, the lift is small. On the gold settled by three readings (657 strong links) it measured
    recall@1 +0.005, recall@3 +0.003 and filtered recall@3 +0.008 (on the gold with only its pilot settled, -0.005),
    so this guards that it still lifts the ranks and costs the filtered ranks at most a link or two."""
    before, after = figures["+ learned adapter"], figures[FULL]
    assert float(after[0]) > float(before[0])  # recall@1
    assert float(after[1]) >= float(before[1])  # recall@3
    assert float(after[7]) >= float(before[7]) - 0.01  # filtered recall@3
    assert float(after[2]) >= 0.85  # asserted precision stays on target


def test_policy_topics_lift_the_linker(figures: dict[str, list[object]]) -> None:
    without, full = figures["full linker without policy topics"], figures[FULL]
    assert float(full[0]) >= float(without[0]) + 0.01  # recall@1
    assert float(full[1]) >= float(without[1]) + 0.03  # recall@3


@pytest.mark.xfail(reason="target not met: cross-validated recall@3 is 0.82 (target 0.90); the misses are "
                   "conceptual links between differently translated plans and composite paragraphs with more strong "
                   "links into one document than k (see ipkg eval)", strict=True)
def test_recall_at_3_target(figures: dict[str, list[object]]) -> None:
    assert float(figures[FULL][1]) >= 0.90


def test_asserted_precision_target(figures: dict[str, list[object]]) -> None:
    assert float(figures[FULL][2]) >= 0.85


def test_per_document_pair_figures_add_up_to_the_whole(tables: list[Table], figures: dict[str, list[object]],
                                                        data_dir: Path) -> None:
    gold = read_lineage_gold(data_dir / "gold")
    per_pair = tables[1]
    assert per_pair.title.startswith("Lineage by document pair")
    links = [int(str(r[2])) for r in per_pair.rows]
    assert sum(links) == len(gold.strong)
    assert len(per_pair.rows) == len({(a.split("/")[0], b.split("/")[0]) for a, b in gold.strong})
    found = sum(n * float(str(r[4])) for n, r in zip(links, per_pair.rows, strict=True))
    assert abs(found / sum(links) - float(str(figures[FULL][1]))) < 0.005  # recall@3, rounded per row
    for row in per_pair.rows:
        assert 0.0 <= float(str(row[4])) <= float(str(row[5])) <= 1.0  # recall@3 never above its ceiling


def test_filtered_ranks_do_not_count_other_true_links() -> None:
    ids = [("l/1", "e/1"), ("l/1", "e/2"), ("l/1", "e/3"), ("l/1", "e/4"), ("l/1", "f/1")]
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.95])
    true = {("l/1", "e/1"), ("l/1", "e/4")}
    raw, filtered = _ranks(ids, scores), _ranks(ids, scores, true)
    # e/1 is true, so it pushes nothing down; the wrong e/2 and e/3 above e/4 still count
    assert (raw[("l/1", "e/4")], filtered[("l/1", "e/4")]) == (4, 3)
    assert (raw[("l/1", "e/2")], filtered[("l/1", "e/2")]) == (2, 1)
    assert raw[("l/1", "f/1")] == filtered[("l/1", "f/1")] == 1  # ranked within its own earlier document


def test_filtered_recall_is_never_below_recall(tables: list[Table]) -> None:
    main, per_pair = tables[:2]
    for row in main.rows:
        assert float(str(row[1])) <= float(str(row[7])) and float(str(row[2])) <= float(str(row[8]))
    for row in per_pair.rows:
        assert float(str(row[4])) <= float(str(row[8]))


def test_calibration_bands_unlabelled_and_weak_pairs_left_out() -> None:
    scores = np.array([0.05, 0.05, 0.95, 1.0, np.nan, 0.5, 0.0])
    table = calibration(scores, [0, 0, 1, 1, 1, None, 0])
    assert table.rows == [["0.0-0.1", 3, 0.033, 0.0, 0], ["0.9-1.0", 2, 0.975, 1.0, 2]]
    # (3 * 0.033 + 2 * 0.025) / 5, and 0.025 for the two pairs above the lowest band
    assert "expected calibration error 0.030 over 5 labelled pooled pairs, 0.025 over the 2 scored >= 0.1" in table.notes[0]


def test_scores_read_as_probabilities(tables: list[Table], data_dir: Path) -> None:
    """Cross-validated, the share of true links in each score band is close to the band's scores."""
    table = tables[2]
    assert table.title.startswith("Lineage score calibration")
    assert sum(int(str(r[4])) for r in table.rows) <= len(read_lineage_gold(data_dir / "gold").strong)
    note = table.notes[0]
    overall = float(note.split("expected calibration error ")[1].split()[0])
    above = float(note.split("pairs, ")[1].split()[0])  # the candidates a reader meets
    assert overall < 0.02 and above < 0.08
    high = [r for r in table.rows if float(str(r[0]).split("-")[0]) >= 0.9]
    assert high and float(str(high[0][3])) >= 0.9


def test_the_readings_agree_and_the_gold_is_their_settlement(tables: list[Table], data_dir: Path) -> None:
    readings, linker = tables[4], tables[5]
    assert readings.title.startswith("Lineage gold: agreement of readings")
    assert not [n for n in readings.notes if "SETTLEMENT PROBLEM" in n]
    rows = {str(r[0]): r[1:] for r in readings.rows}
    every = "all 960 queries"  # every (later measure, earlier document) of the gold
    assert 0 < float(rows[f"first vs second reading ({every})"][3]) < 1  # F1: two readers do not agree on every link
    settled = {str(r[0]): r[1] for r in linker.rows}["settled (lineage.tsv)"]
    assert settled == rows[f"first reading vs settled ({every})"][1] == len(read_lineage_gold(data_dir / "gold").strong)

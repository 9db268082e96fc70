"""The second and third readings of the lineage gold: they fit the corpus, lineage.tsv is their settlement, and
a drift of either is named."""

from __future__ import annotations

import shutil
from pathlib import Path

from ipkg.extract.lineage_model import read_lineage_gold
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import read_gold
from ipkg.extract.scoring.lineage_agreement import SECOND, THIRD, kappa, read_readings, settlement_problems


def test_the_readings_fit_the_corpus_and_lineage_tsv_settles_them(structure: Corpus, data_dir: Path) -> None:
    gold = read_lineage_gold(data_dir / "gold")
    readings = read_readings(gold, data_dir / "gold")
    assert readings is not None and len(readings.queries) == 960 and len(readings.pilot) == 60
    docs = {m.id: m.doc for m in structure.measures}
    for later, _ in readings.queries:
        assert later in docs and later in gold.covered
    for later, earlier in readings.second | set(readings.third):
        assert docs[earlier] in {d for q, d in readings.queries if q == later}  # within a sampled query
    assert settlement_problems(gold, readings) == []
    assert readings.first != readings.settled  # the settlement changed the gold, and the first reading is kept apart
    assert ("fyp13-plan-2016/SC9.2", "division-of-work-2016/106") in readings.settled - readings.first


def test_a_gold_that_leaves_the_settlement_is_named(data_dir: Path, tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    shutil.copytree(data_dir / "gold", gold_dir)
    lineage = gold_dir / "lineage.tsv"
    lineage.write_text(lineage.read_text().replace(
        "fyp13-plan-2016/SC9.2\tdivision-of-work-2016/106\tstrong", "fyp13-plan-2016/SC9.2\tdivision-of-work-2016/106\tweak"))
    third = gold_dir / THIRD
    third.write_text("".join(line for line in third.read_text().splitlines(keepends=True)
                             if not line.startswith("fyp13-plan-2016/SC2.2\taction-plan-2009/IV.1.7\t")))
    gold = read_lineage_gold(gold_dir)
    readings = read_readings(gold, gold_dir)
    assert readings is not None
    problems = settlement_problems(gold, readings)
    assert any("SC9.2 -> division-of-work-2016/106: 2 of 3 readings say strong" in p for p in problems)
    assert any("SC2.2 -> action-plan-2009/IV.1.7: lineage.tsv and the second reading disagree, no third" in p
               for p in problems)
    assert read_readings(gold, tmp_path) is None  # no second reading: no agreement table, no error


def test_kappa_is_one_for_one_reading_and_lower_for_disagreement(structure: Corpus, data_dir: Path) -> None:
    queries = [(r["later"], r["earlier_doc"]) for r in read_gold(data_dir / "gold" / SECOND)][:2]
    later, doc = queries[0]
    earlier = [m.id for m in structure.measures if m.doc == doc][:2]
    a = {(later, earlier[0])}
    assert kappa(structure, queries, a, a) == 1.0
    assert kappa(structure, queries, a, {(later, earlier[1])}) < 0  # they never agree on a strong cell
    assert 0 < kappa(structure, queries, a, a | {(later, earlier[1])}) < 1

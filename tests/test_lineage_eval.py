"""The lineage eval on the real corpus: cross-validated figures against the hand-checked gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipkg.extract.records import Corpus
from ipkg.extract.scoring.lineage import score_lineage


@pytest.fixture(scope="module")
def figures(structure: Corpus, raws: dict[str, str], data_dir: Path) -> dict[str, list[object]]:
    if not (data_dir / "gold" / "lineage.tsv").exists():
        pytest.skip("no lineage gold")
    table = score_lineage(structure, data_dir / "gold", raws)[0]
    return {str(r[0]): r[1:] for r in table.rows}


def test_linker_is_ahead_of_the_tfidf_baseline(figures: dict[str, list[object]]) -> None:
    base, full = figures["TF-IDF cosine baseline"], figures["+ alignment (full linker)"]
    assert float(full[1]) >= float(base[1]) + 0.05  # recall@3
    assert float(full[4]) >= float(base[4]) + 0.1  # asserted F1


@pytest.mark.xfail(reason="target not yet met: cross-validated recall@3 ~0.73 (see ipkg eval)", strict=False)
def test_recall_at_3_target(figures: dict[str, list[object]]) -> None:
    assert float(figures["+ alignment (full linker)"][1]) >= 0.90


@pytest.mark.xfail(reason="target not yet met: cross-validated asserted precision ~0.82", strict=False)
def test_asserted_precision_target(figures: dict[str, list[object]]) -> None:
    assert float(figures["+ alignment (full linker)"][2]) >= 0.85

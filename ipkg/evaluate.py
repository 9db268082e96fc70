"""``ipkg eval``: every scorer over the current build, as tables."""

from __future__ import annotations

from ipkg.extract.lineage import document_lineage
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import Table
from ipkg.extract.scoring.entities import score_entities
from ipkg.extract.scoring.heldout import score_heldout
from ipkg.extract.scoring.instruments import score_instruments
from ipkg.extract.scoring.lineage import score_lineage
from ipkg.extract.scoring.structure import score_structure
from ipkg.settings import Settings


def load_or_build(settings: Settings) -> Corpus:
    if settings.records_path.exists():
        return Corpus.load(settings.records_path)
    from ipkg.build import build

    return build(settings).corpus


def evaluate_all(settings: Settings) -> list[Table]:
    corpus = load_or_build(settings)
    gold = settings.data_dir / "gold"
    tables = [score_structure(corpus, gold)]
    tables += score_entities(corpus, gold)
    tables += score_instruments(corpus, gold)
    tables += score_heldout(corpus, gold)
    tables += score_lineage(corpus, gold)
    tables.append(document_lineage(corpus))
    return tables

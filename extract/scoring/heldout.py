"""Entity scores on the held-out sample (``data/gold/heldout/``).

The development sample (``data/gold/entity_sample.tsv``) was read while the extractor's rules were written,
so its figures are optimistic. The held-out sample is 106 other measures, annotated by reading the texts, by
the same rules, after the extractor was finished and without running it: its figures are the ones that say how
the extraction generalises. It was drawn twice (its ``draw`` column): 60 at random (seed 20261121, 12 per
document), then every remaining measure whose own text has a capitalised agency or instrument word, because
the random draw held few of either.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from ipkg.extract.records import Corpus
from ipkg.extract.scoring import Table, sample_keys
from ipkg.extract.scoring.entities import mention_score
from ipkg.extract.scoring.instruments import sample_scores, score_table

HELDOUT = "heldout"


def score_heldout(corpus: Corpus, gold_dir: Path, nlp: Language | None = None) -> list[Table]:
    """One table: agency mentions, instruments and IP types on the held-out sample (none without it)."""
    sample_dir = gold_dir / HELDOUT
    if not (sample_dir / "entity_sample.tsv").exists():
        return []
    scores = [mention_score(corpus, sample_dir), *sample_scores(corpus, sample_dir, gold_dir.parent, nlp)]
    n = len(sample_keys(sample_dir))
    return [score_table(f"Held-out sample ({n} measures of {HELDOUT}/entity_sample.tsv, annotated after the "
                        "extractor was built)", scores)]

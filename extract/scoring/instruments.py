"""Instrument and IP-type scores on the hand-annotated sample (``data/gold/entity_sample.tsv``).

Four tasks, each P/R/F1 over sets of tuples restricted to the sampled measures:

- instrument detection: a name was found, whatever it was linked to — (doc, label, name), the name
  compared loosely (case, a leading "the", apostrophe glyphs and spacing ignored);
- instrument linking: (doc, label, instrument slug);
- instrument actions: (doc, label, instrument slug, action);
- IP types: (doc, label, IP-type id).

When the corpus has no citations or IP-type tags yet (the entity driver has not run), the components
are run over the sampled measures here, so the scores can be had from the structure alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language

from ipkg.extract.cleaning import Cleaner, normalised_offsets
from ipkg.extract.instruments import citations_for
from ipkg.extract.ip_types import ip_type_tags
from ipkg.extract.manifest import load_sources
from ipkg.extract.records import Corpus, Measure
from ipkg.extract.scoring import Score, Table, read_gold, sample_keys

COLUMNS = ["task", "gold", "predicted", "tp", "precision", "recall", "f1"]
_SPACE = re.compile(r"\s+")


def loose_name(text: str) -> str:
    """A printed name for loose comparison."""
    text = _SPACE.sub(" ", text.replace("\u2019", "'")).strip().lower()
    return text.removeprefix("the ")


def tag_measures(corpus: Corpus, data_dir: Path, measures: list[Measure], nlp: Language | None = None) -> None:
    """Run the pipeline over ``measures`` and put their citations and IP-type tags into the corpus."""
    if nlp is None:
        from ipkg.extract.nlp import default_nlp

        nlp = default_nlp()
    raws = {s.document.slug: s.raw for s in load_sources(data_dir)[1]}
    cleaners = {slug: Cleaner(raw) for slug, raw in raws.items()}
    texts = [normalised_offsets(cleaners[m.doc], raws[m.doc], m.body or m.span) for m in measures]
    for m, (_, offsets), doc in zip(measures, texts, nlp.pipe(t for t, _ in texts), strict=True):
        corpus.citations += citations_for(m, doc, offsets)
        corpus.ip_types += ip_type_tags(m, doc, offsets)


def sample_scores(corpus: Corpus, sample_dir: Path, data_dir: Path, nlp: Language | None = None) -> list[Score]:
    """Instrument detection, linking and actions, and IP types, on the sample in ``sample_dir`` (its
    entity_sample.tsv, instruments.tsv and ip_types.tsv); the texts are those of ``data_dir``."""
    sample = sample_keys(sample_dir)
    if not corpus.citations and not corpus.ip_types:
        corpus = Corpus(documents=corpus.documents, measures=corpus.measures)
        measures = [m for m in corpus.measures if (m.doc, m.label) in sample]
        tag_measures(corpus, data_dir, measures, nlp)
    gold_citations = read_gold(sample_dir / "instruments.tsv")
    gold_types = read_gold(sample_dir / "ip_types.tsv")
    citations = [c for c in corpus.citations if (c.doc, c.label) in sample]
    tags = [t for t in corpus.ip_types if (t.doc, t.label) in sample]
    return [
        Score.of_sets(
            "instrument detection",
            {(g["doc"], g["label"], loose_name(g["text"])) for g in gold_citations},
            {(c.doc, c.label, loose_name(c.text)) for c in citations},
        ),
        Score.of_sets(
            "instrument linking",
            {(g["doc"], g["label"], g["instrument"]) for g in gold_citations},
            {(c.doc, c.label, c.instrument) for c in citations},
        ),
        Score.of_sets(
            "instrument actions",
            {(g["doc"], g["label"], g["instrument"], g["action"]) for g in gold_citations},
            {(c.doc, c.label, c.instrument, c.action) for c in citations},
        ),
        Score.of_sets(
            "IP types",
            {(g["doc"], g["label"], g["ip_type"]) for g in gold_types},
            {(t.doc, t.label, t.ip_type) for t in tags},
        ),
    ]


def score_instruments(corpus: Corpus, gold_dir: Path, nlp: Language | None = None) -> list[Table]:
    """Detection, linking, action and IP-type scores; the error cases go into the tables' notes."""
    *instruments, types = sample_scores(corpus, gold_dir, gold_dir.parent, nlp)
    note = f"on the {len(sample_keys(gold_dir))} sampled measures of entity_sample.tsv"
    return [
        score_table(f"Legal instruments ({note})", instruments),
        score_table(f"IP types ({note})", [types]),
    ]


def score_table(title: str, scores: list[Score]) -> Table:
    rows: list[list[object]] = [
        [s.task, s.tp + s.fn, s.tp + s.fp, s.tp, round(s.precision, 3), round(s.recall, 3), round(s.f1, 3)]
        for s in scores
    ]
    notes = [f"{s.task}: {e}" for s in scores for e in s.errors]
    return Table(title, COLUMNS, rows, notes)

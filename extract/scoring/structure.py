"""Structure scores: per document, measures expected / found / exact against data/gold/measures.tsv."""

from __future__ import annotations

import re
from pathlib import Path

from ipkg.extract.records import Corpus
from ipkg.extract.scoring import Table, read_gold

_WORD = re.compile(r"[A-Za-z0-9]+")


def _words(text: str, n: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)][:n]


def score_structure(corpus: Corpus, gold_dir: Path) -> Table:
    """A measure is *exact* when its label is in the gold inventory and its text starts with the gold words."""
    gold = read_gold(gold_dir / "measures.tsv")
    rows: list[list[object]] = []
    notes: list[str] = []
    for doc in [d.slug for d in corpus.documents if d.in_corpus]:
        expected = {g["label"]: g["first_words"] for g in gold if g["doc"] == doc}
        found = {m.label: m.text for m in corpus.measures if m.doc == doc}
        exact = 0
        for label, first in expected.items():
            # The gold words may run past a very short measure into its agency clause.
            gold_words = _words(first, 6)
            text_words = _words(found.get(label, ""), len(gold_words))
            if label in found and text_words == gold_words[: len(text_words)] and text_words:
                exact += 1
            elif label in found:
                notes.append(f"{doc}/{label}: text starts {found[label][:50]!r}, gold {first!r}")
        notes += [f"{doc}/{label}: missing" for label in expected if label not in found]
        notes += [f"{doc}/{label}: not in gold" for label in found if label not in expected]
        rows.append([doc, len(expected), len(found), exact])
    total = [sum(int(r[i]) for r in rows) for i in (1, 2, 3)]  # type: ignore[call-overload]
    rows.append(["all", *total])
    return Table("Structure: measures per document", ["document", "expected", "found", "exact"], rows, notes)


def area_counts(corpus: Corpus, doc: str) -> dict[str, int]:
    """Measures per top-level part, e.g. the 2009 action plan's nine areas."""
    counts: dict[str, int] = {}
    for m in corpus.measures:
        if m.doc == doc:
            part = m.label.split(".")[0]
            counts[part] = counts.get(part, 0) + 1
    return counts

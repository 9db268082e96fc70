"""Scoring the extractor against the project's hand-checked annotations in ``data/gold/``."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Score:
    """Precision / recall / F1 from true-positive, false-positive and false-negative counts."""

    task: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @classmethod
    def of_sets(cls, task: str, gold: Iterable[tuple], predicted: Iterable[tuple]) -> Score:
        g, p = set(gold), set(predicted)
        score = cls(task, len(g & p), len(p - g), len(g - p))
        score.errors = [f"missed {x}" for x in sorted(g - p, key=str)] + [
            f"spurious {x}" for x in sorted(p - g, key=str)
        ]
        return score


@dataclass
class Table:
    """A titled table of rows for ``ipkg eval`` to print (and tests to read)."""

    title: str
    columns: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)


def read_gold(path: Path) -> list[dict[str, str]]:
    """Rows of a gold TSV; ``#`` lines are comments. A double quote is text (a quoted programme name such as
    "12330"), never CSV quoting: the files are written by hand, one tab-separated row per line."""
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: (v or "").strip() for k, v in row.items()} for row in rows]


def sample_keys(sample_dir: Path) -> set[tuple[str, str]]:
    """The (doc, label) measures of a hand-annotated sample (``entity_sample.tsv`` in ``sample_dir``)."""
    return {(r["doc"], r["label"]) for r in read_gold(sample_dir / "entity_sample.tsv")}


def gold_comments(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [line[1:].strip() for line in f if line.startswith("#")]

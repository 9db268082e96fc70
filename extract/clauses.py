"""The clauses of a measure: its sentences (and colon-led clauses) that carry words, as spans of its text.

A composite measure — a paragraph of the 2016 five-year plan, a special-column item, a long Outline
paragraph — bundles several distinct measures, one sentence or two each. The lineage linker embeds and
compares measures sentence by sentence, and ranks each clause's own carried-forward measures
(``clause_lineage``); the clause numbering here is the one ``data/gold/lineage_clauses.tsv`` cites, so it
must not change without re-checking that file (a test compares its quoted clause openings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+|(?<=:)\s+")
_WORD = re.compile(r"[A-Za-z]+|\d+")
MIN_WORDS = 3  # a shorter piece ("Article 2.", "(1)") is not a clause of its own


@dataclass(frozen=True)
class Clause:
    number: int  # 1-based among the measure's clauses
    start: int  # offsets into the measure's clean text
    end: int

    def of(self, text: str) -> str:
        return text[self.start:self.end]


def clauses(text: str) -> list[Clause]:
    """The clauses of a measure's clean text, in order; the whole text is one clause if no piece has
    ``MIN_WORDS`` words."""
    spans: list[tuple[int, int]] = []
    start = 0
    for brk in [*SENTENCE_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        piece = text[start:end]
        if len(_WORD.findall(piece)) >= MIN_WORDS:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        if brk:
            start = brk.end()
    return [Clause(k, s, e) for k, (s, e) in enumerate(spans or [(0, len(text))], 1)]

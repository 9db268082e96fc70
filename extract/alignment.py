"""Local alignment of two measures over their content-word stems: the shared phrases, with raw spans.

The alignment is difflib's matching blocks over the two stem sequences (a longest-common-block recursion,
order-preserving, no junk heuristic), cut where either text starts a new sentence: dropping the punctuation
with the function words would otherwise join the end of one sentence to the start of the next
("protection. Strengthen"). A block of two or more content words is a shared phrase; its evidence is the
stretch of each measure's text from the block's first to its last word (function words in between
included, and a bracket the phrase opens), mapped back to the raw files through the cleaning offset map
(``normalised_offsets``).
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass

from ipkg.extract.cleaning import Cleaner, normalised_offsets
from ipkg.extract.lineage_signals import Token
from ipkg.extract.records import Measure, SharedPhrase, Span

MIN_BLOCK = 2  # content words in a shared phrase


@dataclass(frozen=True)
class Alignment:
    blocks: list[tuple[int, int, int]]  # (later token index, earlier token index, length), length >= MIN_BLOCK
    coverage: float  # idf mass of the aligned words over the smaller measure's idf mass, in [0, 1]
    longest: int  # content words in the longest block

    @property
    def signal_longest(self) -> float:
        return min(self.longest, 8) / 8.0


def align(later: list[Token], earlier: list[Token], idf: dict[str, float]) -> Alignment:
    a = [t.stem for t in later]
    b = [t.stem for t in earlier]
    if not a or not b:
        return Alignment([], 0.0, 0)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    blocks = [
        piece for block in matcher.get_matching_blocks() for piece in _within_sentences(block, later, earlier)
        if piece[2] >= MIN_BLOCK
    ]
    mass = sum(idf.get(a[i + k], 1.0) for i, _, n in blocks for k in range(n))
    total = min(sum(idf.get(s, 1.0) for s in a), sum(idf.get(s, 1.0) for s in b))
    return Alignment(blocks, min(1.0, mass / total) if total else 0.0, max((n for *_, n in blocks), default=0))


def _within_sentences(block: tuple[int, int, int], later: list[Token],
                      earlier: list[Token]) -> list[tuple[int, int, int]]:
    i, j, n = block
    cuts = [
        k for k in range(1, n)
        if later[i + k].sentence != later[i + k - 1].sentence or earlier[j + k].sentence != earlier[j + k - 1].sentence
    ]
    bounds = [0, *cuts, n]
    return [(i + s, j + s, e - s) for s, e in itertools.pairwise(bounds)]


def _close_bracket(text: str, end: int) -> int:
    """``end`` moved past the closing bracket that follows a phrase with an unclosed one ("(WIPO" -> "(WIPO)")."""
    phrase_opens = text.rfind("(", 0, end) > text.rfind(")", 0, end)
    return end + 1 if phrase_opens and text[end:end + 1] == ")" else end


class SpanMapper:
    """Maps characters of ``Measure.text`` to raw offsets, one document cleaner each, cached per measure."""

    def __init__(self, raws: dict[str, str]) -> None:
        self.raws = raws
        self._cleaners: dict[str, Cleaner] = {}
        self._offsets: dict[str, list[int] | None] = {}

    def offsets(self, m: Measure) -> list[int] | None:
        if m.id not in self._offsets:
            self._offsets[m.id] = self._compute(m)
        return self._offsets[m.id]

    def _compute(self, m: Measure) -> list[int] | None:
        raw = self.raws.get(m.doc)
        if raw is None:
            return None
        cleaner = self._cleaners.get(m.doc) or self._cleaners.setdefault(m.doc, Cleaner(raw))
        text, offsets = normalised_offsets(cleaner, raw, m.body or m.span)
        if text == m.text:
            return offsets
        # Not produced by the structure parser (e.g. a hand-made record): find the text verbatim.
        at = raw.find(m.text, m.span.start)
        return list(range(at, at + len(m.text) + 1)) if at >= 0 else None

    def span(self, m: Measure, start: int, end: int) -> Span | None:
        offsets = self.offsets(m)
        if offsets is None:
            return None
        return Span(offsets[start], offsets[end - 1] + 1) if end > start else Span(offsets[start], offsets[start])


def evidence(
    later: Measure,
    later_tokens: list[Token],
    earlier: Measure,
    earlier_tokens: list[Token],
    alignment: Alignment,
    mapper: SpanMapper,
    idf: dict[str, float],
    limit: int = 5,
) -> list[SharedPhrase]:
    """The aligned blocks as shared phrases (most specific first), each with its raw span in both files."""
    scored = sorted(
        alignment.blocks,
        key=lambda b: (-sum(idf.get(later_tokens[b[0] + k].stem, 1.0) for k in range(b[2])), b[0]),
    )
    out: list[SharedPhrase] = []
    for i, j, n in scored[:limit]:
        ls, le = later_tokens[i].start, later_tokens[i + n - 1].end
        es, ee = earlier_tokens[j].start, earlier_tokens[j + n - 1].end
        le, ee = _close_bracket(later.text, le), _close_bracket(earlier.text, ee)
        later_span = mapper.span(later, ls, le)
        earlier_span = mapper.span(earlier, es, ee)
        if later_span is None or earlier_span is None:
            continue
        out.append(_shared(later.text[ls:le], later_span, earlier.text[es:ee], earlier_span))
    return out


def _shared(phrase: str, later_span: Span, earlier_words: str, earlier_span: Span,
            topic: str | None = None) -> SharedPhrase:
    return SharedPhrase(phrase, later_span, earlier_span, topic, earlier_words if earlier_words != phrase else None)


def topic_evidence(
    later: Measure,
    later_cues: dict[str, list[tuple[int, int]]],
    earlier: Measure,
    earlier_cues: dict[str, list[tuple[int, int]]],
    topics: list[str],
    mapper: SpanMapper,
    shown: list[SharedPhrase],
) -> list[SharedPhrase]:
    """For each of ``topics`` (shared policy topics, most specific first), the longest cue each text words it
    with ("entry and exit of goods" / "customs"), unless a phrase ``shown`` already holds one of
    the later text's cues for it: what links two measures that share a mechanism but not its words."""
    covered = [e.later_span for e in shown]
    out: list[SharedPhrase] = []
    for topic in topics:
        spans = [(s, e, mapper.span(later, s, e)) for s, e in later_cues.get(topic, [])]
        spans = [(s, e, sp) for s, e, sp in spans if sp is not None]
        if not spans or not earlier_cues.get(topic) or any(
                sp.start < c.end and c.start < sp.end for _, _, sp in spans for c in covered):
            continue
        # the longest cue of each text (max keeps the first of equals) says most: "border protection", not "customs"
        ls, le, later_span = max(spans, key=lambda x: x[1] - x[0])
        es, ee = max(earlier_cues[topic], key=lambda x: x[1] - x[0])
        earlier_span = mapper.span(earlier, es, ee)
        if earlier_span is None:
            continue
        out.append(_shared(later.text[ls:le], later_span, earlier.text[es:ee], earlier_span, topic))
        covered.append(later_span)
    return out


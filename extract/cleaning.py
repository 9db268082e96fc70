"""Layout-noise repair with an offset map back to the raw file.

The raw files are never edited. Cleaning is a list of *edits* — (raw start, raw end, replacement) —
computed by a few line-oriented rules and applied in one pass; every character of the clean text
remembers the raw offset it came from, so any clean range maps back to an exact raw span.

What counts as noise in this corpus: page numbers ("**— 24 —**", a trailing "20 —"), markdown headings and
emphasis, stray HTML (``<p>``, ``<sup>``), "--" separator lines, "Continued" table breaks, LaTeX-ish
``$4 \\sim 5$``, em dashes inside words ("State—owned"), a list mark before a sentence resumed on a new
paragraph ("laws and" / "- regulations"), and words hyphenated across a line or page break
("implemen-\\n\\n\\n\\nted"). Real hyphens survive: a broken "cross-\\n\\nborder" keeps its hyphen when the
document spells "cross-border" elsewhere.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ipkg.extract.records import Span

# Whole lines that are layout, not text.
_NOISE = (
    r"(?:\*{0,2}[—–-]{1,2}[ \t]*\d{1,3}[ \t]*[—–-]{1,2}\*{0,2}"  # page number: "**— 24 —**", "— 3 —"
    r"|-{2,}"  # "--" separator
    r"|Continued)"  # table continued on the next page
)
_NOISE_LINE = re.compile(rf"^[ \t]*{_NOISE}[ \t]*$", re.MULTILINE)
# Markup removed wherever it stands.
# A page number left at the end of a text line ("... the Regulations 20 —").
_TRAILING_PAGE = re.compile(r"(?<=\S)[ \t]+\d{1,3}[ \t]*[—–]\**[ \t]*$", re.MULTILINE)
_MARKUP = re.compile(r"</?(?:p|sup|sub|br|span|em|strong|b|i)\s*/?>|\*{1,2}(?=\S)|(?<=\S)\*{1,2}|\$")
_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_LATEX = re.compile(r"[ \t]*\\sim[ \t]*")
# An em/en dash between two letters is a hyphen set in the wrong glyph ("State—owned").
_WORD_DASH = re.compile(r"(?<=[A-Za-z])[—–](?=[a-z])")
# A word broken at a line end, possibly with a page number after the hyphen ("Prop-20 —"), and
# resumed in lowercase after any number of blank or noise lines (and a stray heading mark, removed too).
_BROKEN_WORD = re.compile(
    rf"(?P<left>[A-Za-z]+)-(?P<page>[ \t]*\d{{1,3}}[ \t]*[—–])?[ \t]*\n(?:[ \t]*{_NOISE}?[ \t]*\n)*"
    r"[ \t]*(?:\#{1,6}[ \t]+)?(?P<right>[a-z]+)"
)
# A sentence resumed after a blank line behind a list mark ("laws and" / "- regulations"): the mark is the
# converter's, not the text's (a list item starts with a number or a capital, never mid-sentence).
_STRAY_BULLET = re.compile(r"(?<=[a-z,])[ \t]*\n(?:[ \t]*\n)*[ \t]*(?P<mark>-[ \t]+)(?=[a-z])")
_WS = re.compile(r"\s+")
MAX_PASSES = 8  # every pass shortens the text or removes a match, so this is never reached in practice


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str = ""


@dataclass
class CleanText:
    """Clean text plus, for each of its characters, the raw offset it came from."""

    text: str
    offsets: list[int]  # len(text) + 1 entries; the last is the raw end
    raw: str

    def raw_span(self, start: int, end: int) -> Span:
        """The raw span covering clean characters ``[start, end)``."""
        if start >= end:
            return Span(self.offsets[start], self.offsets[start])
        return Span(self.offsets[start], self.offsets[end - 1] + 1)

    def lines(self) -> Iterable[tuple[int, int]]:
        """Clean ``(start, end)`` of every non-blank line."""
        pos = 0
        for line in self.text.split("\n"):
            end = pos + len(line)
            if line.strip():
                yield pos, end
            pos = end + 1


class Cleaner:
    """Cleans the text of one document; knows the document's own hyphenated words."""

    def __init__(self, document_raw: str) -> None:
        flat = _WORD_DASH.sub("-", document_raw)
        # Hyphenated compounds written on one line somewhere in the document are real hyphens.
        self.compounds = {m.group(0).lower() for m in re.finditer(r"[A-Za-z]+-[A-Za-z]+", flat)}

    def edits(self, raw: str) -> list[Edit]:
        edits: list[Edit] = []
        for m in _NOISE_LINE.finditer(raw):
            end = m.end() + 1 if m.end() < len(raw) and raw[m.end()] == "\n" else m.end()
            edits.append(Edit(m.start(), end))
        edits += [Edit(m.start(), m.end()) for m in _TRAILING_PAGE.finditer(raw)]
        for m in _BROKEN_WORD.finditer(raw):
            left, right = m.group("left"), m.group("right")
            keep = f"{left}-{right}".lower() in self.compounds
            hyphen = m.start("left") + len(left)
            edits.append(Edit(hyphen + (1 if keep else 0), m.start("right")))
        edits += [Edit(m.start(), m.end()) for m in _HEADING_MARK.finditer(raw)]
        edits += [Edit(m.start(), m.end()) for m in _MARKUP.finditer(raw)]
        edits += [Edit(m.start(), m.end(), "~") for m in _LATEX.finditer(raw)]
        edits += [Edit(m.start(), m.end(), "-") for m in _WORD_DASH.finditer(raw)]
        edits += [Edit(m.start("mark"), m.end("mark")) for m in _STRAY_BULLET.finditer(raw)]
        return _merge(edits)

    def clean(self, raw: str) -> CleanText:
        """Apply the edits until none is left: removing one layer of noise can bring two pieces together
        that another rule repairs ("Prop-" / "<p>word"), so one pass is not always a fixpoint."""
        ct = apply(raw, self.edits(raw))
        for _ in range(MAX_PASSES):
            edits = self.edits(ct.text)
            if not edits:
                break
            again = apply(ct.text, edits)
            ct = CleanText(again.text, [ct.offsets[o] for o in again.offsets], raw)
        return ct

    def normalise(self, raw_fragment: str) -> str:
        """Clean text of a fragment with whitespace collapsed: how measure texts are stored."""
        return collapse(self.clean(raw_fragment).text)


@lru_cache(maxsize=16)
def cleaner_for(document_raw: str) -> Cleaner:
    """The document's cleaner, made once: it reads the whole text for the document's own hyphenations."""
    return Cleaner(document_raw)


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _merge(edits: list[Edit]) -> list[Edit]:
    """Sort edits and drop any that overlap an earlier, wider one."""
    merged: list[Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, -(e.end - e.start))):
        if merged and e.start < merged[-1].end:
            continue
        merged.append(e)
    return merged


def apply(raw: str, edits: list[Edit]) -> CleanText:
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    for e in edits:
        pieces.append(raw[pos : e.start])
        offsets.extend(range(pos, e.start))
        pieces.append(e.replacement)
        offsets.extend([e.start] * len(e.replacement))
        pos = e.end
    pieces.append(raw[pos:])
    offsets.extend(range(pos, len(raw)))
    offsets.append(len(raw))
    return CleanText("".join(pieces), offsets, raw)


def clean_to_raw(clean: CleanText, clean_offset: int) -> int:
    return clean.offsets[clean_offset]


def raw_to_clean(clean: CleanText, raw_offset: int) -> int:
    """The first clean character at or after ``raw_offset``."""
    return bisect_right(clean.offsets, raw_offset - 1)


def normalised_offsets(cleaner: Cleaner, raw: str, span: Span) -> tuple[str, list[int]]:
    """The normalised text of ``raw[span]`` and, for each of its characters, its raw offset.

    This is how a measure's text (``Measure.text``, ``Measure.body``) maps back to the raw file: the
    character ``text[i]`` came from ``raw[offsets[i]]`` (a space that stands for a line break maps to the
    break's first character). ``offsets`` has one extra entry: the raw end of the last character.
    """
    ct = cleaner.clean(raw[span.start : span.end])
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for i, ch in enumerate(ct.text):
        if ch.isspace():
            pending_space = bool(chars)
            space_at = ct.offsets[i]
            continue
        if pending_space:
            chars.append(" ")
            offsets.append(span.start + space_at)
            pending_space = False
        chars.append(ch)
        offsets.append(span.start + ct.offsets[i])
    offsets.append(offsets[-1] + 1 if offsets else span.start)
    return "".join(chars), offsets


def text_span(offsets: list[int], start: int, end: int) -> Span:
    """Raw span of the normalised characters ``[start, end)``."""
    return Span(offsets[start], offsets[end - 1] + 1) if end > start else Span(offsets[start], offsets[start])

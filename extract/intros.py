"""The introduction of a section: its own text between its heading and its first item or subsection.

These are a plan's background, guiding principles and development goals, and an area's "Objectives and
tasks": no measure holds them, yet readers cite them. The text is the cleaned one, cut into paragraphs that
are joined again where a sentence runs on across a page break; tab-separated table rows (a plan's key
indicators) are left to the indicator records. The span is the raw stretch the paragraphs come from.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ipkg.extract.cleaning import CleanText, collapse
from ipkg.extract.records import Measure, Section

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
SENTENCE_END = frozenset(".!?;:”\")）")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a cleaned stretch of text, table rows and bare separators left out."""
    out: list[str] = []
    for piece in (collapse(p) for p in PARAGRAPH_BREAK.split(text) if "\t" not in p):
        if not any(ch.isalnum() for ch in piece):  # a rule or separator left between paragraphs
            continue
        if out and (piece[0].islower() or out[-1][-1] not in SENTENCE_END):
            out[-1] += " " + piece  # a sentence running on across a page break
        else:
            out.append(piece)
    return out


def add_intros(sections: list[Section], measures: list[Measure], clean: CleanText) -> None:
    """Set ``intro`` (raw span) and ``intro_text`` (paragraphs, blank-line separated) of every section of
    one document with text of its own before whatever heading or item follows it."""
    starts = sorted(x.span.start for x in (*sections, *measures))
    for s in sections:
        after = bisect_right(starts, s.span.start)
        end = starts[after] if after < len(starts) else len(clean.raw)
        c0, c1 = bisect_left(clean.offsets, s.span.end), bisect_left(clean.offsets, end)
        text = clean.text[c0:c1]
        found = paragraphs(text)
        if found:
            s.intro = clean.raw_span(c0 + len(text) - len(text.lstrip()), c0 + len(text.rstrip()))
            s.intro_text = "\n\n".join(found)

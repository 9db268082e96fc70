"""Numbering styles: the small per-style rules of the one structure parser.

A style says which line patterns open a part, a section, a Special Column or a numbered item, how an
item's label is formed from its number and the enclosing headings, and a few switches. A document names
its style in the manifest; a new document in a known style needs no code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROMAN_PART = re.compile(r"^(?P<num>[IVX]{1,5})\.\s+(?P<title>\S.*)$")
PAREN_ROMAN_SECTION = re.compile(r"^\((?P<num>[ivx]{1,5})\)\.?\s+(?P<title>\S.*)$")
ROMAN_SECTION = re.compile(r"^(?P<num>[ivx]{1,5})\.\s+(?P<title>\S.*)$")
NUMBER_HEADING = re.compile(r"^(?P<num>\d{1,2})\.\s+(?P<title>[A-Z][^.]*)$")
SPECIAL_COLUMN = re.compile(r"^Special Column\s+(?P<num>\d{1,2})\b\s*(?P<title>.*)$")
PAREN_ITEM = re.compile(r"^\((?P<num>\d{1,3})\)\s*(?P<text>.*)$")
DOTTED_ITEM = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?\s+(?P<text>\S.*)$")
NUMBER_ITEM = re.compile(r"^(?P<num>\d{1,3})\.\s*(?P<text>\S.*)$")
# Anything that looks like numbering; a line like this that no rule of the style claims is an error.
NUMBERING_LIKE = re.compile(
    r"^(?:\(?\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+|\(?[ivxIVX]{1,5}[.)]|\(?[a-z][.)]|Article\s+\d+|Chapter\s+\w+)\s"
)


@dataclass(frozen=True)
class Style:
    name: str
    item: re.Pattern[str]
    part: re.Pattern[str] | None = ROMAN_PART
    section: re.Pattern[str] | None = None
    # Label of an item from its numbering path: "number" ("20"), "part" ("I.1.1"), "section" ("IV.i.1").
    label: str = "number"
    # A plain "1." item followed by "1.1", "1.2" items is a group heading (a section), not a measure.
    groups: bool = False
    special_columns: bool = False
    # Parts whose unnumbered section paragraphs are measures labelled by the section path ("III.i").
    paragraph_parts: frozenset[str] = frozenset()
    # The item ends with the responsible agencies in parentheses.
    trailing_clause: bool = False
    # Lines opening a part's introduction (not a measure), and lines to skip.
    intro: re.Pattern[str] | None = None
    skip: tuple[re.Pattern[str], ...] = field(default_factory=tuple)
    tables: bool = False


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style(
            name="paragraph-numbered",
            item=PAREN_ITEM,
            section=NUMBER_HEADING,
        ),
        Style(
            name="area-items",
            item=DOTTED_ITEM,
            label="part",
            groups=True,
            skip=(re.compile(r"^\(This publication is released in both Chinese and English.*\)$"),),
        ),
        Style(
            name="tasks-with-agencies",
            item=NUMBER_ITEM,
            section=PAREN_ROMAN_SECTION,
            trailing_clause=True,
            intro=re.compile(r"^Objectives and tasks\s*:"),
            skip=(re.compile(r"^Specific measures\s*:?\s*$"),),
        ),
        Style(
            name="plan-with-columns",
            item=NUMBER_ITEM,
            section=ROMAN_SECTION,
            label="section",
            special_columns=True,
            paragraph_parts=frozenset({"III", "VI"}),
            tables=True,
        ),
    )
}

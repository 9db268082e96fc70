"""Document structure: one parser turns a cleaned policy text into sections, measures and indicators.

The parser reads the cleaned text line by line; a :class:`~ipkg.extract.styles.Style` says which lines
open a part, a section, a Special Column or a numbered item. Everything else is text, and text belongs
to whatever is open: an item (continuation lines, even across page breaks), a Special Column (each new
paragraph is a measure), a section whose paragraphs are measures, or a heading's introduction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ipkg.extract.cleaning import Cleaner, CleanText, collapse
from ipkg.extract.errors import StructureError
from ipkg.extract.indicators import IndicatorTable
from ipkg.extract.intros import add_intros
from ipkg.extract.records import Indicator, Measure, MeasureKind, Section, SectionKind, Span
from ipkg.extract.styles import NUMBERING_LIKE, SPECIAL_COLUMN, STYLES, Style

_BULLET = re.compile(r"^[ \t]*(?:[-•][ \t]+)*")
_ENDS_SENTENCE = re.compile(r"[.!?:;”\"')]\s*$")


@dataclass
class _Open:
    """A measure being collected: clean line ranges, and where new paragraphs start."""

    label: str
    kind: MeasureKind
    section: Section | None
    number: str | None
    start: int  # clean offset of the number (or of the paragraph)
    body_start: int
    lines: list[tuple[int, int]] = field(default_factory=list)
    paragraph_starts: list[int] = field(default_factory=list)  # index into lines


@dataclass
class Structure:
    sections: list[Section]
    measures: list[Measure]
    indicators: list[Indicator]
    warnings: list[str]


class _Parser:
    def __init__(self, doc: str, path: Path | str, raw: str, style: Style) -> None:
        self.doc, self.path, self.style = doc, path, style
        self.cleaner = Cleaner(raw)
        self.clean: CleanText = self.cleaner.clean(raw)
        self.sections: dict[str, Section] = {}
        self.measures: list[Measure] = []
        self.warnings: list[str] = []
        self.part: Section | None = None
        self.section: Section | None = None
        self.column: Section | None = None
        self.current: _Open | None = None
        self.context = "preamble"  # preamble | intro | item | column | paragraph | text
        self.prev_line = ""
        self.table = IndicatorTable(doc)
        self.column_paragraphs = 0
        self.last_item: dict[str, _Open] = {}  # numbering scope -> last item, for gap checks

    # ----------------------------------------------------------------- driving
    def run(self) -> Structure:
        for start, end in self.clean.lines():
            line = self.clean.text[start:end]
            bullet = _BULLET.match(line)
            offset = start + (bullet.end() if bullet else 0)
            text = line[offset - start :].rstrip()
            self._line(text, offset, end)
            self.prev_line = text
        self._close()
        self._drop_group_items()
        if not self.measures:
            raise StructureError(self.path, None, f"no measures found with numbering style {self.style.name!r}")
        indicators = self.table.finish(self.clean)
        sections = list(self.sections.values())
        add_intros(sections, self.measures, self.clean)
        return Structure(sections, self.measures, indicators, self.warnings)

    def _lineno(self, clean_offset: int) -> int:
        return self.clean.raw.count("\n", 0, self.clean.offsets[clean_offset]) + 1

    def _line(self, text: str, start: int, end: int) -> None:
        st = self.style
        if any(p.match(text) for p in st.skip):
            return
        if st.tables and self.table.accepts(text):
            self.table.add(text, self.clean.raw_span(start, end))
            return
        if st.part and (m := st.part.match(text)):
            return self._open_part(m["num"], m["title"], start, end)
        if self.part is None:  # the preamble: notice, circular, introduction
            return
        if st.special_columns and (m := SPECIAL_COLUMN.match(text)):
            return self._open_column(m["num"], m["title"], start, end)
        if st.section and (m := st.section.match(text)):
            return self._open_section(m["num"], m["title"], start, end)
        if m := st.item.match(text):
            return self._open_item(m["num"], start, start + m.start("text"), end)
        if st.intro and st.intro.match(text):
            self._close()
            self.context = "intro"
            return
        if NUMBERING_LIKE.match(text) and self.context != "intro":
            raise StructureError(
                self.path, self._lineno(start),
                f"numbering {text.split()[0]!r} is not part of style {st.name!r}: {text[:60]!r}",
            )
        self._text(text, start, end)

    # ----------------------------------------------------------------- headings
    def _add_section(self, path: str, kind: SectionKind, num: str, title: str, parent: Section | None,
                     start: int, end: int) -> Section:
        existing = self.sections.get(path)
        if existing is not None and self._has_content(path):
            raise StructureError(self.path, self._lineno(start), f"heading {path!r} appears twice")
        # A heading declared again with nothing under it was a table of contents entry: replace it.
        section = Section(self.doc, path, kind, collapse(title).rstrip("."), num,
                          parent.path if parent else None, self.clean.raw_span(start, end))
        self.sections.pop(path, None)
        self.sections[path] = section
        return section

    def _has_content(self, path: str) -> bool:
        return any(m.section and (m.section == path or m.section.startswith(path + ".")) for m in self.measures)

    def _open_part(self, num: str, title: str, start: int, end: int) -> None:
        self._close()
        self.part = self._add_section(num, "part", num, title, None, start, end)
        self.section = self.column = None
        self.context = "text"

    def _open_section(self, num: str, title: str, start: int, end: int) -> None:
        self._close()
        assert self.part is not None
        self.section = self._add_section(f"{self.part.path}.{num}", "section", num, title, self.part, start, end)
        self.column = None
        self.context = "text"
        if self.part.path in self.style.paragraph_parts:
            self.context = "paragraph"
            self.current = _Open(self.section.path, "section-paragraph", self.section, None, end, end)

    def _open_column(self, num: str, title: str, start: int, end: int) -> None:
        self._close()
        parent = self.section or self.part
        self.column = self._add_section(f"SC{num}", "special-column", num, title, parent, start, end)
        self.context = "column"
        self.column_paragraphs = 0

    # ----------------------------------------------------------------- items
    def _open_item(self, num: str, start: int, body_start: int, end: int) -> None:
        self._close()
        self.column = None
        assert self.part is not None
        st = self.style
        parent = self.section or self.part
        if st.label == "number":
            label, scope = num, "doc"
        elif st.label == "part":
            label, scope = f"{self.part.path}.{num}", f"{self.part.path}.{num.rpartition('.')[0]}"
            if "." in num:
                parent = self._group(num.split(".")[0])
        else:
            label, scope = f"{parent.path}.{num}", parent.path
        self._check_sequence(scope, num, label, start)
        self.current = _Open(label, "numbered", parent, num, start, body_start)
        self.current.lines.append((body_start, end))
        self.last_item[scope] = self.current
        self.context = "item"

    def _group(self, num: str) -> Section:
        """The group section "I.1" of items "1.1", "1.2": made from the "1." item that heads them."""
        assert self.part is not None
        path = f"{self.part.path}.{num}"
        if path not in self.sections:
            head = next((m for m in reversed(self.measures) if m.label == path), None)
            if head is None:
                raise StructureError(self.path, None, f"item {path}.x has no heading item {path}")
            self.sections[path] = Section(self.doc, path, "group", head.text.rstrip("."), num,
                                          self.part.path, head.span)
        return self.sections[path]

    def _drop_group_items(self) -> None:
        groups = {p for p, s in self.sections.items() if s.kind == "group"}
        self.measures = [m for m in self.measures if m.label not in groups]

    def _check_sequence(self, scope: str, num: str, label: str, start: int) -> None:
        if any(m.label == label for m in self.measures):
            raise StructureError(self.path, self._lineno(start), f"measure {label!r} numbered twice")
        last = self.last_item.get(scope)
        n = int(num.rpartition(".")[2])
        prev = int(last.number.rpartition(".")[2]) if last and last.number else 0
        if n == prev + 2 and last is not None and last.paragraph_starts:
            self._split_gap(last, scope)
        elif n != prev + 1:
            self.warnings.append(f"{self.doc}: {label} follows {last.label if last else 'nothing'} (gap in numbering)")

    def _split_gap(self, last: _Open, scope: str) -> None:
        """An unnumbered paragraph between items k and k+2 is item k+1 (the number fell out in print)."""
        measure = next(m for m in self.measures if m.label == last.label)
        cut = last.paragraph_starts[0]
        head, tail = last.lines[:cut], last.lines[cut:]
        self.measures.remove(measure)
        self._emit(_Open(last.label, last.kind, last.section, last.number, last.start, last.body_start, head))
        stem, _, n = (last.number or "").rpartition(".")
        number = f"{stem}.{int(n) + 1}" if stem else str(int(n) + 1)
        label = last.label.rpartition(".")[0] + "." + str(int(n) + 1) if "." in last.label else number
        self._emit(_Open(label, "unnumbered", last.section, None, tail[0][0], tail[0][0], tail))
        self.warnings.append(f"{self.doc}: unnumbered paragraph read as item {label}")

    # ----------------------------------------------------------------- text
    def _text(self, text: str, start: int, end: int) -> None:
        new_paragraph = bool(_ENDS_SENTENCE.search(self.prev_line)) and text[:1].isupper()
        if self.context == "item" and self.current is not None:
            if new_paragraph:
                self.current.paragraph_starts.append(len(self.current.lines))
            self.current.lines.append((start, end))
        elif self.context == "column" and self.column is not None:
            if self.current is None or new_paragraph:
                self._close()
                self.column_paragraphs += 1
                label = f"{self.column.path}.{self.column_paragraphs}"
                self.current = _Open(label, "special-column-paragraph", self.column, None, start, start)
            self.current.lines.append((start, end))
        elif self.context == "paragraph" and self.current is not None:
            if not self.current.lines:
                self.current.start = self.current.body_start = start
            self.current.lines.append((start, end))
        # preamble, heading introductions and plain section text are not measures

    def _close(self) -> None:
        if self.current is not None and self.current.lines:
            self._emit(self.current)
        self.current = None

    def _emit(self, item: _Open) -> None:
        start, end = item.start, item.lines[-1][1]
        body_start, body_end = item.body_start, end
        clause: Span | None = None
        if self.style.trailing_clause and item.kind == "numbered":
            open_at = _trailing_parenthesis(self.clean.text, body_start, end)
            if open_at is not None:
                clause = self.clean.raw_span(open_at, end)
                body_end = open_at
        text = collapse(self.clean.text[body_start:body_end])
        section = item.section
        self.measures.append(Measure(
            doc=self.doc, label=item.label, kind=item.kind, section=section.path if section else None,
            heading_path=self._heading_path(section), text=text,
            span=self.clean.raw_span(start, end), number_as_printed=item.number,
            body=self.clean.raw_span(body_start, _rstrip(self.clean.text, body_start, body_end)),
            clause=clause,
        ))

    def _heading_path(self, section: Section | None) -> list[str]:
        titles: list[str] = []
        while section is not None:
            titles.append(section.title)
            section = self.sections.get(section.parent) if section.parent else None
        return titles[::-1]


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _trailing_parenthesis(text: str, start: int, end: int) -> int | None:
    """Clean offset of the "(" whose ")" ends ``text[start:end]``, if the item ends in parentheses."""
    end = _rstrip(text, start, end)
    if end <= start or text[end - 1] != ")":
        return None
    depth = 0
    for i in range(end - 1, start - 1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None


def parse_structure(doc: str, path: Path | str, raw: str, style: str) -> Structure:
    """Sections, measures and indicators of one document, or a :class:`StructureError`."""
    if style not in STYLES:
        known = ", ".join(sorted(STYLES))
        raise StructureError(path, None, f"unknown numbering style {style!r} (known: {known})")
    return _Parser(doc, path, raw, STYLES[style]).run()

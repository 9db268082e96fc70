"""Key-indicator tables: tab-separated rows with a header of years, and a "Note:" line."""

from __future__ import annotations

import re

from ipkg.extract.cleaning import CleanText
from ipkg.extract.records import Indicator, Span

_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_NOTE = re.compile(r"^Note\s*:\s*(?P<note>.+)$")
_DASHES = {"—", "–", "-", "--", ""}


def _number(cell: str) -> float | None:
    cell = cell.strip().replace(",", "")
    if cell in _DASHES:
        return None
    return float(cell)


class IndicatorTable:
    """Collects the rows of one document's indicator table(s) while the structure parser reads it."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.years: tuple[int, int] | None = None
        self.rows: list[Indicator] = []
        self.notes: list[str] = []

    def accepts(self, line: str) -> bool:
        return "\t" in line or (bool(self.rows) and bool(_NOTE.match(line)))

    def add(self, line: str, span: Span) -> None:
        if m := _NOTE.match(line):
            self.notes.append(m["note"].strip())
            return
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 5:
            raise ValueError(f"{self.doc}: indicator row with {len(cells)} cells, expected 5: {line!r}")
        name, baseline, target, added, attribute = cells
        if not re.fullmatch(r"\d{4}", baseline):
            m = _UNIT.match(name)
            name, unit = (m["name"], m["unit"]) if m else (name, None)
            assert self.years is not None, "indicator row before the table header"
            self.rows.append(Indicator(
                doc=self.doc, name=name, unit=unit, baseline=_number(baseline), baseline_year=self.years[0],
                target=_number(target), target_year=self.years[1], added=_number(added),
                attribute=attribute, span=span, row=len(self.rows) + 1,
            ))
        else:  # header: "Indicator  2015  2020  Cumulatively Added Value  Attribute", repeated after a page break
            self.years = (int(baseline), int(target))

    def finish(self, clean: CleanText) -> list[Indicator]:
        """Attach each note to the indicator it speaks of ("Amount of exports of IP royalty is ...")."""
        for note in self.notes:
            subject = re.split(r"\s+(?:is|are)\s+", note, maxsplit=1)[0].lower()
            for row in self.rows:
                if row.name.lower().startswith(subject) or subject.startswith(row.name.lower()):
                    row.note = note
        return self.rows

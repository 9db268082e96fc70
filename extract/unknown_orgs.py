"""Organisation-like names that the authority file does not cover: the worklist for growing agencies.tsv.

Two finders: the statistical NER (label ORG) and a name pattern — a run of capitalised words, joined by
"of", "for", "and", "on", "the", that contains an organisation noun ("Ministry of X", "X Office",
"X Association"). Whatever a known agency or a document title covers is cut out; "Trademark Office of the
State Administration for Industry and Commerce" leaves "Trademark Office". What is left must still look
like a name (capitalised, with an organisation noun), which keeps NER noise ("IPR", "the Patent Law") out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from ipkg.extract.cleaning import text_span
from ipkg.extract.components.agency_ruler import SPANS_KEY, TITLES_KEY
from ipkg.extract.records import Measure, UnknownOrganization

ORG_NOUNS = frozenset(
    """Ministry Administration Office Commission Organization Organisation Council Association Committee
    Bureau Department Court Procuratorate Academy Group Forum Union Institute Center Centre Federation
    Agency Alliance Society Board Authority Secretariat Conference Congress Chamber""".split()
)
_WORD = r"[A-Z][A-Za-z\u2019'&-]*"
_JOIN = r"(?:of|for|and|on|the|against|in|&)"
_NAME = re.compile(rf"{_WORD}(?:\s+(?:{_JOIN}\s+)*{_WORD})*")
_EDGE = re.compile(rf"^(?:(?:{_JOIN}|The|[,;:()])\s*)+|(?:\s*(?:{_JOIN}|[,;:()]|['\u2019]s?))+\s*$")
# Spans of other components that are not organisations (legal instruments).
_NOT_ORG_KEYS = (TITLES_KEY, "instruments")


def _candidates(doc: Doc) -> Iterable[tuple[int, int, str]]:
    for ent in doc.ents:
        if ent.label_ == "ORG":
            yield ent.start_char, ent.end_char, "ner"
    for m in _NAME.finditer(doc.text):
        yield m.start(), m.end(), "pattern"


def _fragments(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` minus the covered ranges."""
    pieces = [(start, end)]
    for c_start, c_end in covered:
        pieces = [
            part
            for p_start, p_end in pieces
            for part in ((p_start, min(p_end, c_start)), (max(p_start, c_end), p_end))
            if part[1] > part[0]
        ]
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    fragment = text[start:end]
    lead = _EDGE.match(fragment)
    if lead:
        start += lead.end()
        fragment = text[start:end]
    tail = _EDGE.search(fragment)
    if tail and tail.start() > 0:
        end = start + tail.start()
    return start, end


def looks_like_org(name: str) -> bool:
    """Capitalised words with an organisation noun, not a lone noun ("Office") or a lowercase phrase."""
    words = name.split()
    if len(words) < 2 or not name[:1].isupper():
        return False
    return any(w.strip(",.;:()") in ORG_NOUNS for w in words[1:]) or words[0] in {"Ministry", "Office"}


def unknown_organizations(
    measure: Measure, doc: Doc, offsets: list[int], source_override: str | None = None
) -> list[UnknownOrganization]:
    """Unknown organisation names of one text (a measure's body or its clause), first occurrence each."""
    known = [(s.start_char, s.end_char) for s in doc.spans.get(SPANS_KEY, [])]
    blocked = [(s.start_char, s.end_char) for key in _NOT_ORG_KEYS for s in doc.spans.get(key, [])]
    names: list[tuple[int, int, str]] = []
    for start, end, source in _candidates(doc):
        if any(b_start < end and start < b_end for b_start, b_end in blocked):
            continue
        for f_start, f_end in _fragments(start, end, known):
            n_start, n_end = _trim(doc.text, f_start, f_end)
            if n_end > n_start and looks_like_org(doc.text[n_start:n_end]):
                names.append((n_start, n_end, source))
    found: dict[str, UnknownOrganization] = {}
    kept: list[tuple[int, int]] = []
    for start, end, source in sorted(names, key=lambda n: _preference(doc.text, n)):
        name = doc.text[start:end]
        if name.lower() in found or any(k_start < end and start < k_end for k_start, k_end in kept):
            continue
        kept.append((start, end))
        found[name.lower()] = UnknownOrganization(
            measure.doc, measure.label, name, text_span(offsets, start, end), source=source_override or source
        )
    return sorted(found.values(), key=lambda u: u.span.start)


def _preference(text: str, name: tuple[int, int, str]) -> tuple[int, int]:
    """Longer names first — except a pattern hit opening a sentence, whose first word is likely a verb
    ("Strengthen the Trademark Office"): there the NER's boundary is trusted."""
    start, end, source = name
    sentence_initial = source == "pattern" and (start == 0 or text[max(0, start - 2) : start] == ". ")
    return (1 if sentence_initial else 0, start - end)

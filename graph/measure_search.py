"""Full-text search over the measures: whole words by their stems, ranked by BM25, exact phrases first.

A substring search found "art" in "partners" and missed "pledging" for "pledge"; its raw counts ranked a
passing mention above the measure about the thing. Here a query is cut into words, each compared by its
stem (the lineage linker's stemmer, so "pledge", "pledging" and "pledged" meet); every content word must
occur; the measures whose text holds the query as a phrase come first, each group ordered by BM25 over the
text and its headings.

A query may also name agencies ("SIPO patent navigation"): the agency's clause is not the measure's text,
so its name would match almost nothing as words. ``AgencyNames`` takes the names out of the query, and the
search keeps the measures of those agencies (any role) that hold the other words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from ipkg.extract.lineage_signals import FUNCTION_WORDS, stem

MAX_TERMS = 12
BM25_K1 = 1.2
BM25_B = 0.75
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

Key = tuple[str, str]


def words(text: str, lower: bool = True) -> list[str]:
    return _WORD.findall(text.lower() if lower else text)


def query_stems(q: str) -> list[str]:
    """The stems a query asks for: its content words (all its words when it has no other)."""
    ws = words(q)[:MAX_TERMS]
    content = [w for w in ws if w not in FUNCTION_WORDS]
    return list(dict.fromkeys(stem(w) for w in (content or ws)))


@dataclass(frozen=True)
class _Entry:
    key: Key
    counts: Counter[str]
    length: int
    phrase_text: str  # lower-case words joined by single spaces, for phrase matches


class MeasureSearch:
    """An index of ``{key: {"text": ..., "heading_path": ...}}`` measures, built once per catalogue."""

    def __init__(self, measures: dict[Key, dict[str, Any]]) -> None:
        self.entries = []
        df: Counter[str] = Counter()
        for key, m in measures.items():
            ws = words(f"{m['text']} {m.get('heading_path') or ''}")
            counts = Counter(stem(w) for w in ws)
            df.update(counts.keys())
            self.entries.append(_Entry(key, counts, len(ws), " ".join(words(m["text"]))))
        n = max(len(self.entries), 1)
        self.avg_length = sum(e.length for e in self.entries) / n
        self.idf = {s: math.log(1 + (n - f + 0.5) / (f + 0.5)) for s, f in df.items()}

    def find(self, q: str, within: AbstractSet[Key] | None = None) -> list[tuple[bool, float, Key]]:
        """(holds the phrase, BM25, key) of every measure (of ``within``, when given) with all the query's
        stems, best first."""
        stems = query_stems(q)
        if not stems:
            return []
        phrase = " ".join(words(q))
        hits = []
        for e in self.entries:
            if within is not None and e.key not in within:
                continue
            if not all(s in e.counts for s in stems):
                continue
            norm = BM25_K1 * (1 - BM25_B + BM25_B * e.length / self.avg_length)
            bm25 = sum(self.idf[s] * e.counts[s] * (BM25_K1 + 1) / (e.counts[s] + norm) for s in stems)
            in_phrase = len(stems) > 1 and f" {phrase} " in f" {e.phrase_text} "
            hits.append((in_phrase, bm25, e.key))
        hits.sort(key=lambda h: (not h[0], -h[1]))
        return hits


class AgencyNames:
    """The agencies a query names, by any name they are printed under: English names of two words or more in
    any case ("state intellectual property office"); one-word names as printed in capitals ("SIPO"), or in
    lower case when that is no word of the texts ("sipo" yes; "most" is a word, "MOST" the ministry); and
    Chinese names ("国家知识产权局"), also inside a longer run of Chinese, which has no spaces."""

    def __init__(self, names: dict[str, set[str]], vocabulary: AbstractSet[str] = frozenset(),
                 chinese: dict[str, str] | None = None) -> None:
        self.phrases: dict[tuple[str, ...], set[str]] = {}
        self.single: dict[str, set[str]] = {}  # a whole token, as it must be written
        for aid, printed in names.items():
            for name in printed:
                ws = words(name)
                ws = ws[1:] if ws[:1] == ["the"] else ws
                if len(ws) > 1:
                    self.phrases.setdefault(tuple(ws), set()).add(aid)
                elif len(ws) == 1 and len(name.strip()) > 1 and name.strip().isupper():
                    self.single.setdefault(name.strip(), set()).add(aid)
                    if ws[0] not in vocabulary:
                        self.single.setdefault(ws[0], set()).add(aid)
        self.chinese: dict[str, set[str]] = {}
        for aid, name in (chinese or {}).items():
            if name:
                self.chinese.setdefault(name, set()).add(aid)
        self._chinese_longest_first = sorted(self.chinese, key=len, reverse=True)
        self.longest = max(map(len, self.phrases), default=0)

    def split(self, q: str) -> tuple[list[set[str]], str]:
        """The agencies ``q`` names (per name, the ids it may stand for), and ``q`` without those names and
        the function words left at its ends; the longest name wins where names overlap."""
        tokens = [piece for token in _WORD.findall(q) for piece in self._chinese_names_apart(token)]
        lower = [t.lower() for t in tokens]
        named: list[set[str]] = []
        rest: list[str] = []
        i = 0
        while i < len(tokens):
            size, ids = 1, self.single.get(tokens[i]) or self.chinese.get(tokens[i])
            for n in range(min(self.longest, len(tokens) - i), 1, -1):
                if tuple(lower[i : i + n]) in self.phrases:
                    size, ids = n, self.phrases[tuple(lower[i : i + n])]
                    break
            if ids:
                if ids not in named:
                    named.append(ids)
            else:
                rest.append(tokens[i])
            i += size
        if named:  # the words that joined the names to the query ("of the", "and") are not search words
            while rest and rest[-1].lower() in FUNCTION_WORDS:
                rest.pop()
            while rest and rest[0].lower() in FUNCTION_WORDS:
                rest.pop(0)
        return named, " ".join(rest)

    def _chinese_names_apart(self, token: str) -> list[str]:
        """``token`` cut around the Chinese names it holds, longest first ("国家知识产权局专利" -> the name,
        "专利")."""
        for name in self._chinese_longest_first:
            at = token.find(name)
            if at >= 0:
                return [*self._chinese_names_apart(token[:at]), name,
                        *self._chinese_names_apart(token[at + len(name):])]
        return [token] if token else []


_HAN = re.compile(r"[\u3400-\u9fff]")


def has_chinese(text: str) -> bool:
    return _HAN.search(text) is not None


_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def undotted(q: str) -> str:
    """Dotted abbreviations as one word ("I.P." -> "IP", "P.R.C." -> "PRC"), as the texts print them."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), q)


def highlight(text: str, stems: list[str], phrase: str, width: int = 220) -> list[dict[str, Any]]:
    """A window of ``text`` around the first phrase match (else the first matching word), cut into pieces
    with ``hit`` set on the words whose stem the query asked for."""
    wanted = set(stems)
    matches = [m for m in _WORD.finditer(text) if stem(m.group(0).lower()) in wanted]
    phrase_words = words(phrase)
    found = None
    if len(phrase_words) > 1:
        found = re.search(r"\b" + r"\W+".join(map(re.escape, phrase_words)) + r"\b", text, re.IGNORECASE)
    first = found.start() if found else (matches[0].start() if matches else 0)
    start = max(0, first - width // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1  # begin on a word
    end = min(len(text), start + width)
    out: list[dict[str, Any]] = [{"text": "…", "hit": False}] if start > 0 else []
    pos = start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        if m.start() > pos:
            out.append({"text": text[pos : m.start()], "hit": False})
        out.append({"text": m.group(0), "hit": True})
        pos = m.end()
    if pos < end:
        out.append({"text": text[pos:end], "hit": False})
    if end < len(text):
        out.append({"text": "…", "hit": False})
    return out

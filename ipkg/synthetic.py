"""A synthetic corpus for scaling runs: ``factor`` times the measures of the real corpus.

The real documents are kept; for each of them ``factor - 1`` new documents are written whose measures are
recombinations of sentences of the real measures *of the same document* (so of the same numbering style and
register). Only the body of each measure is replaced — numbering lines, headings, Special Columns, tables and
agency clauses stay where they were — so the real structure parser parses every synthetic document into the
same labels as its original. Every synthetic document is parsed once to check that; one that does not parse
to the original's labels is replaced by a verbatim copy of the original (and counted in ``warnings``).

A synthetic document carries the metadata of its original (kind, issuer, date, ``implements``) under a new
slug ``{slug}-s{k}``, so lineage sees more documents of the same period, as a larger corpus would have.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipkg.extract.manifest import load_sources
from ipkg.extract.structure import parse_structure
from ipkg.extract.styles import NUMBERING_LIKE

_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_BAD_START = re.compile(r"^(?:\(?\d|\(?[ivxIVX]{1,5}[.)]|Special Column|Article\s|Chapter\s|[A-Z][.)]\s)")


@dataclass
class SyntheticCorpus:
    data_dir: Path
    factor: int
    documents: int = 0
    measures: int = 0
    raw_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def _usable(sentence: str) -> bool:
    """A sentence that can open or end a synthetic body without looking like numbering or a clause."""
    return (
        len(sentence) >= 20
        and not sentence.endswith(")")
        and not NUMBERING_LIKE.match(sentence + " ")
        and not _BAD_START.match(sentence)
    )


def _toml_value(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _manifest(entries: list[dict[str, Any]]) -> str:
    out = ["# Synthetic corpus for `ipkg bench` scaling runs (ipkg/synthetic.py). Not policy text.", ""]
    for e in entries:
        out.append("[[document]]")
        out += [f"{k} = {_toml_value(v)}" for k, v in e.items() if v not in (None, "", [])]
        out.append("")
    return "\n".join(out)


def _variant(raw: str, bodies: list[tuple[int, int]], pool: list[str], rng: random.Random) -> str:
    """``raw`` with every body span replaced by as many pool sentences as it had (at least one)."""
    parts: list[str] = []
    pos = 0
    for start, end in sorted(bodies):
        n = max(1, len(_sentences(raw[start:end])))
        parts.append(raw[pos:start])
        parts.append(" ".join(rng.choice(pool) for _ in range(n)))
        pos = end
    parts.append(raw[pos:])
    return "".join(parts)


def make_corpus(src_data_dir: Path, out_dir: Path, factor: int, seed: int = 13) -> SyntheticCorpus:
    """Write ``out_dir/manifest.toml`` and ``out_dir/raw/*`` with ``factor`` x the real measures."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    src_data_dir, out_dir = Path(src_data_dir), Path(out_dir)
    raw_dir = out_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    manifest = tomllib.loads((src_data_dir / "manifest.toml").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = [dict(e) for e in manifest["document"]]
    _, sources = load_sources(src_data_dir)
    result = SyntheticCorpus(out_dir, factor)
    rng = random.Random(seed)
    out_entries: list[dict[str, Any]] = []
    by_slug = {s.document.slug: s for s in sources}
    for entry in entries:
        out_entries.append(entry)
        source = by_slug.get(entry["slug"])
        if source is None:
            continue
        (raw_dir / entry["file"]).write_text(source.raw, encoding="utf-8")
        parsed = parse_structure(source.document.slug, source.path, source.raw, source.style)
        labels = [m.label for m in parsed.measures]
        result.documents += 1
        result.measures += len(labels)
        result.raw_bytes += len(source.raw.encode("utf-8"))
        bodies = [((m.body or m.span).start, (m.body or m.span).end) for m in parsed.measures]
        pool = [s for m in parsed.measures for s in _sentences((m.body or m.span).slice(source.raw)) if _usable(s)]
        if not pool:
            pool = [s for m in parsed.measures for s in _sentences(m.text)] or ["No text."]
        for k in range(1, factor):
            slug = f"{entry['slug']}-s{k}"
            text = _variant(source.raw, bodies, pool, rng)
            check = parse_structure(slug, raw_dir / f"{slug}.txt", text, source.style)
            if [m.label for m in check.measures] != labels:
                result.warnings.append(f"{slug}: recombined text did not parse to the original labels; copied")
                text = source.raw
            (raw_dir / f"{slug}.txt").write_text(text, encoding="utf-8")
            variant = dict(entry)
            variant.update(
                slug=slug, file=f"{slug}.txt", title=f"{entry['title']} (synthetic variant {k})",
                notes=f"Synthetic: recombined sentences of {entry['slug']} (ipkg bench).",
            )
            for key in ("number", "number_as_printed", "alternative_titles"):
                variant.pop(key, None)
            out_entries.append(variant)
            result.documents += 1
            result.measures += len(labels)
            result.raw_bytes += len(text.encode("utf-8"))
    (out_dir / "manifest.toml").write_text(_manifest(out_entries), encoding="utf-8")
    return result

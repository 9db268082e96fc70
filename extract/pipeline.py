"""The extraction pipeline: manifest -> sources -> structure (-> entities -> lineage) -> a Corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ipkg.extract.manifest import load_sources
from ipkg.extract.records import Corpus
from ipkg.extract.structure import parse_structure

Progress = Callable[[str], None]


def extract_structure(data_dir: Path, progress: Progress = lambda _: None) -> Corpus:
    """Documents, sections, measures and indicators of every document in the manifest."""
    documents, sources = load_sources(data_dir)
    corpus = Corpus(documents=documents)
    for source in sources:
        progress(f"structure: {source.document.slug}")
        parsed = parse_structure(source.document.slug, source.path, source.raw, source.style)
        corpus.sections += parsed.sections
        corpus.measures += parsed.measures
        corpus.indicators += parsed.indicators
        corpus.warnings += parsed.warnings
    return corpus


def raw_texts(data_dir: Path) -> dict[str, str]:
    """slug -> raw text of every document with a file."""
    _, sources = load_sources(data_dir)
    return {s.document.slug: s.raw for s in sources}

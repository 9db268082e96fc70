"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipkg.extract.manifest import load_sources
from ipkg.extract.pipeline import extract_structure
from ipkg.extract.records import Corpus

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def structure() -> Corpus:
    return extract_structure(DATA)


@pytest.fixture(scope="session")
def raws() -> dict[str, str]:
    return {s.document.slug: s.raw for s in load_sources(DATA)[1]}

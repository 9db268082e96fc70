"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from ipkg.extract.manifest import load_sources
from ipkg.extract.pipeline import extract_structure
from ipkg.extract.records import Corpus

# Property tests explore a fixed, seeded set of examples: a run is repeatable, and a new counterexample is
# found by running with HYPOTHESIS_PROFILE=explore (random examples, many more of them), not by CI luck.
settings.register_profile("ipkg", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ipkg"))

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


@pytest.fixture(scope="session")
def linked(structure: Corpus, raws: dict[str, str]) -> Corpus:
    """The real corpus's measures with their lineage (``link_lineage``, the shipped models), once per session."""
    from ipkg.extract.lineage import link_lineage

    corpus = Corpus(documents=structure.documents, sections=structure.sections, measures=structure.measures)
    link_lineage(corpus, raws)
    return corpus


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """A full ``ipkg build`` of the real corpus into a temporary data folder (once per test session)."""
    import shutil

    from ipkg.build import build
    from ipkg.settings import Settings

    data = tmp_path_factory.mktemp("built") / "data"
    shutil.copytree(DATA / "raw", data / "raw")
    shutil.copytree(DATA / "gold", data / "gold")
    shutil.copy(DATA / "manifest.toml", data / "manifest.toml")
    settings = Settings(data_dir=data)
    report = build(settings)
    return settings, report

"""``ipkg build``: extract the corpus into records, then (as the stages land) RDF, validation, store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ipkg.extract.entities import extract_entities
from ipkg.extract.pipeline import extract_structure, raw_texts
from ipkg.extract.records import Corpus, save_json
from ipkg.settings import Settings

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    corpus: Corpus
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.timings.values())


class _Stages:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], object]) -> object:
        self.progress(name)
        t0 = time.perf_counter()
        result = fn()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
        return result


def build(settings: Settings, progress: Progress = lambda _: None) -> BuildReport:
    stages = _Stages(progress)
    corpus: Corpus = stages.run("structure", lambda: extract_structure(settings.data_dir))  # type: ignore[assignment]
    raws = raw_texts(settings.data_dir)
    stages.run("entities", lambda: extract_entities(corpus, raws, progress))
    stages.run("records", lambda: save_json(settings.records_path, corpus))
    return BuildReport(corpus, stages.timings)

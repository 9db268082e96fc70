"""``ipkg build``: extract the corpus into records, turn them into RDF, validate, publish the store.

The build is a list of stages (:data:`STAGES`), each a function of the shared :class:`BuildContext`;
adding a stage is adding one entry. The graph is published (``data/build/ipkg.nt``, ``ipkg.ttl`` and the
Oxigraph store, swapped in atomically) only when it conforms to the SHACL shapes; a failing or
interrupted build leaves the previous store serving.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from ipkg.extract.entities import extract_entities
from ipkg.extract.pipeline import extract_structure, raw_texts
from ipkg.extract.records import Corpus, save_json
from ipkg.settings import Settings

Progress = Callable[[str], None]


class BuildError(Exception):
    """A build that cannot be published (e.g. the graph does not conform to the shapes)."""


@dataclass
class BuildContext:
    settings: Settings
    progress: Progress
    corpus: Corpus = field(default_factory=Corpus)
    raws: dict[str, str] = field(default_factory=dict)
    graph: Graph | None = None
    build_info: object | None = None  # ipkg.graph.rdf.BuildInfo
    validation: object | None = None  # ipkg.graph.validate.ValidationReport
    store_dir: Path | None = None
    wait_for_embeddings: Callable[[], None] = lambda: None


@dataclass
class BuildReport:
    corpus: Corpus
    timings: dict[str, float] = field(default_factory=dict)
    triples: int = 0
    store_dir: Path | None = None
    validation: object | None = None

    @property
    def total(self) -> float:
        return sum(self.timings.values())


# ------------------------------------------------------------------------------------ stages


def stage_structure(ctx: BuildContext) -> None:
    from ipkg.extract.lineage_signals import measure_sentences
    from ipkg.extract.sentence_encoder import embed_in_background

    ctx.corpus = extract_structure(ctx.settings.data_dir)
    ctx.raws = raw_texts(ctx.settings.data_dir)
    # The lineage stage's sentence embeddings need only the measures: encode them while spaCy works.
    ctx.wait_for_embeddings = embed_in_background(measure_sentences(ctx.corpus.measures))


def stage_entities(ctx: BuildContext) -> None:
    extract_entities(ctx.corpus, ctx.raws, ctx.progress)


def stage_lineage(ctx: BuildContext) -> None:
    from ipkg.extract.lineage import link_lineage

    ctx.wait_for_embeddings()
    link_lineage(ctx.corpus, ctx.raws, budget=ctx.settings.lineage_budget)


def stage_records(ctx: BuildContext) -> None:
    save_json(ctx.settings.records_path, ctx.corpus)
    write_unknown_organizations(ctx.corpus, ctx.settings.build_dir / "unknown_organizations.tsv")


def write_unknown_organizations(corpus: Corpus, path: Path) -> None:
    """The report of organisation-like names the authority files do not cover: what to add for a new text."""
    lines = ["doc\tlabel\ttext\tsource\tstart\tend"]
    for u in corpus.unknown_organizations:
        lines.append(f"{u.doc}\t{u.label or ''}\t{u.text}\t{u.source}\t{u.span.start}\t{u.span.end}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stage_graph(ctx: BuildContext) -> None:
    from ipkg.graph.rdf import BuildInfo, corpus_graph

    info = BuildInfo.now()
    ctx.build_info = info
    ctx.graph = corpus_graph(ctx.corpus, ctx.raws, build=info)


def stage_validation(ctx: BuildContext) -> None:
    from ipkg.graph.export import serialise
    from ipkg.graph.validate import validate

    assert ctx.graph is not None
    report = validate(ctx.graph)
    ctx.validation = report
    build_dir = ctx.settings.build_dir
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "validation.txt").write_text(report.summary(limit=10_000) + "\n", encoding="utf-8")
    if not report.conforms:
        (build_dir / "ipkg.rejected.ttl").write_bytes(serialise(ctx.graph, "ttl"))
        raise BuildError(
            "the graph does not conform to ontology/shapes.ttl; nothing was published and the previous "
            f"store is still serving (graph: {build_dir / 'ipkg.rejected.ttl'}, "
            f"report: {build_dir / 'validation.txt'})\n{report.summary()}"
        )
    (build_dir / "ipkg.rejected.ttl").unlink(missing_ok=True)


def stage_publish(ctx: BuildContext) -> None:
    from ipkg.graph.publish import publish

    assert ctx.graph is not None and ctx.build_info is not None
    published = publish(ctx.graph, ctx.settings.build_dir, ctx.build_info.build_id)  # type: ignore[attr-defined]
    ctx.store_dir = published.store_dir


Stage = tuple[str, Callable[[BuildContext], None]]

STAGES: list[Stage] = [
    ("structure", stage_structure),
    ("entities", stage_entities),
    ("lineage", stage_lineage),
    ("graph", stage_graph),
    ("validation", stage_validation),
    ("records", stage_records),  # after validation: `ipkg lineage` and `ipkg eval` read the published build only
    ("publish", stage_publish),
]


def build(settings: Settings, progress: Progress = lambda _: None, stages: list[Stage] | None = None) -> BuildReport:
    ctx = BuildContext(settings, progress)
    timings: dict[str, float] = {}
    for name, fn in STAGES if stages is None else stages:
        progress(name)
        t0 = time.perf_counter()
        fn(ctx)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return BuildReport(
        ctx.corpus, timings, len(ctx.graph) if ctx.graph is not None else 0, ctx.store_dir, ctx.validation
    )

"""A full build leaves the whole graph, the records and the unknown-organisations report in data/build/."""

from __future__ import annotations

import csv


def test_build_outputs(built):
    settings, report = built
    build_dir = settings.build_dir
    for name in ("ipkg.ttl", "ipkg.nt", "records.json", "unknown_organizations.tsv", "validation.txt"):
        assert (build_dir / name).exists(), name
    assert list(report.timings) == ["structure", "entities", "lineage", "graph", "validation", "records", "publish"]
    assert report.triples > 100_000


def test_unknown_organisations_report_lists_names_the_authority_file_lacks(built):
    settings, report = built
    with (settings.build_dir / "unknown_organizations.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == len(report.corpus.unknown_organizations)
    assert all(r["doc"] and r["text"] and int(r["start"]) < int(r["end"]) for r in rows)


def test_lineage_candidates_per_measure_are_bounded(built):
    """Ranked candidates stay queryable, but a later measure keeps a bounded list (asserted links always)."""
    from collections import Counter

    from ipkg.extract.lineage import MAX_CANDIDATES

    corpus = built[1].corpus
    # a clause's own best 3 per document (clause_lineage) are kept past the cap, like asserted links
    by_clause = [c for c in corpus.lineage if c.clause is not None and c.clause.rank <= 3]
    kept = Counter(c.later for c in corpus.lineage if not (c.asserted or c in by_clause) or c.rank <= MAX_CANDIDATES)
    assert kept and max(kept.values()) <= MAX_CANDIDATES
    assert by_clause
    ranks = {}
    for c in corpus.lineage:
        ranks.setdefault(c.later, []).append(c.rank)
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in ranks.values())

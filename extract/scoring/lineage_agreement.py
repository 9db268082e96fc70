"""How far independent readers agree on lineage links, and how the linker fares against each reading.

Every query (later measure, earlier document) of the gold was read a second time, blind, a random pilot first
(``data/gold/lineage_second_reading.tsv``); the pairs where the two readings disagree on a strong link were read a
third time (``lineage_third_reading.tsv``) and settled in ``lineage.tsv`` by majority. The first reading is what
``lineage.tsv`` held before that settlement: its strong links, with each settled pair set back to the first verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipkg.extract.lineage_model import Gold
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import Table, read_gold

SECOND = "lineage_second_reading.tsv"
THIRD = "lineage_third_reading.tsv"

Link = tuple[str, str]


@dataclass
class Readings:
    queries: list[tuple[str, str]]  # (later measure, earlier document)
    pilot: set[tuple[str, str]]  # the queries of the pilot draw (random, 10:5 with and without a first-reading link)
    first: set[Link]  # strong links of each reading, within the queries
    second: set[Link]
    settled: set[Link]  # lineage.tsv now
    third: dict[Link, dict[str, str]]  # the third reading's rows


def _ids(cell: str) -> set[str]:
    return {x.strip() for x in cell.split(",") if x.strip()}


def read_readings(gold: Gold, gold_dir: Path) -> Readings | None:
    if not (gold_dir / SECOND).exists():
        return None
    second_rows = read_gold(gold_dir / SECOND)
    third = {(r["later"], r["earlier"]): r for r in read_gold(gold_dir / THIRD)} if (gold_dir / THIRD).exists() else {}
    queries = [(r["later"], r["earlier_doc"]) for r in second_rows]
    asked = set(queries)
    settled = {(later, earlier) for later, earlier in gold.strong if (later, earlier.split("/")[0]) in asked}
    first = {p for p in settled if third.get(p, {}).get("first", "strong") == "strong"}
    first |= {p for p, r in third.items() if r["first"] == "strong"}
    second = {(r["later"], e) for r in second_rows for e in _ids(r["strong"])}
    pilot = {(r["later"], r["earlier_doc"]) for r in second_rows if r.get("draw") == "pilot"}
    return Readings(queries, pilot, first, second, settled, third)


def settlement_problems(gold: Gold, readings: Readings) -> list[str]:
    """Where lineage.tsv is not the settlement the readings call for: a strong link of lineage.tsv or of the second
    reading but not both, with no third reading; or a disputed pair whose strength is not the majority's."""
    problems = [f"{a} -> {b}: lineage.tsv and the second reading disagree, no third reading"
                for a, b in sorted(readings.settled ^ readings.second) if (a, b) not in readings.third]
    for pair, row in sorted(readings.third.items()):
        votes = [row["first"], row["second"], row["third"]].count("strong")
        if row["kind"] == "disputed" and (votes >= 2) != (pair in gold.strong):
            problems.append(f"{pair[0]} -> {pair[1]}: {votes} of 3 readings say strong, lineage.tsv says "
                            f"{'strong' if pair in gold.strong else 'not strong'}")
    return problems


def _within(links: set[Link], queries: list[tuple[str, str]]) -> set[Link]:
    asked = set(queries)
    return {(later, earlier) for later, earlier in links if (later, earlier.split("/")[0]) in asked}


def kappa(corpus: Corpus, queries: list[tuple[str, str]], a: set[Link], b: set[Link]) -> float:
    """Cohen's kappa of two readings over every (later, earlier measure) cell of the queries: strong or not."""
    per_doc: dict[str, list[str]] = {}
    for m in corpus.measures:
        per_doc.setdefault(m.doc, []).append(m.id)
    cells = [(later, e) for later, doc in queries for e in per_doc.get(doc, [])]
    n = max(1, len(cells))
    agree = sum((c in a) == (c in b) for c in cells) / n
    pa, pb = sum(c in a for c in cells) / n, sum(c in b for c in cells) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return (agree - chance) / (1 - chance) if chance < 1 else 1.0


def agreement(corpus: Corpus, gold: Gold, gold_dir: Path, rank: dict[Link, int]) -> list[Table]:
    """Two tables: the readings against each other, and the linker's recall (``rank``: cross-validated ranks of the
    pooled pairs) against each reading, over the queries read twice."""
    readings = read_readings(gold, gold_dir)
    if readings is None:
        return [Table("Lineage gold: agreement of readings", ["note"], [[f"no {SECOND} in {gold_dir}"]])]
    r = readings
    rows: list[list[object]] = []
    for scope, queries in ((f"all {len(r.queries)} queries", r.queries),
                           (f"pilot {len(r.pilot)}", [q for q in r.queries if q in r.pilot])):
        for name, a, b in (("first vs second reading", r.first, r.second), ("first reading vs settled", r.first, r.settled),
                           ("second reading vs settled", r.second, r.settled)):
            a, b = _within(a, queries), _within(b, queries)
            rows.append([f"{name} ({scope})", len(a), len(b), len(a & b),
                         round(2 * len(a & b) / max(1, len(a) + len(b)), 3), round(kappa(corpus, queries, a, b), 3)])
    disputed = [row for row in r.third.values() if row["kind"] == "disputed"]
    controls = [row for row in r.third.values() if row["kind"] == "agreed"]
    sided = {who: sum(1 for row in disputed if (row["third"] == "strong") == (row[who] == "strong"))
             for who in ("first", "second")}
    control_agree = sum(1 for row in controls if (row["third"] == "strong") == (row["first"] == "strong"))
    problems = settlement_problems(gold, r)
    notes = [
        f"{len(r.queries)} queries (later measure, earlier document), read blind a second time, a random pilot of "
        f"{len(r.pilot)} first; F1 of two readings' strong links = 2|both| / (|A| + |B|); kappa over every (later "
        "measure, earlier measure) cell of the queries, strong or not.",
        f"third reading, blind, of the {len(disputed)} disputed pairs: it sides with the first reading on "
        f"{sided['first']} and with the second on {sided['second']}; on {len(controls)} control pairs both readings "
        f"agree on, it agrees on {control_agree}. lineage.tsv holds the majority of the three.",
        *(f"SETTLEMENT PROBLEM: {p}" for p in problems[:10]),
    ]
    table = Table(f"Lineage gold: agreement of readings ({len(r.queries)} queries)",
                  ["readings", "strong A", "strong B", "both", "F1", "kappa"], rows, notes)

    def found(links: set[Link], k: int) -> float:
        return round(sum(1 for p in links if rank.get(p, 99) <= k) / max(1, len(links)), 3)
    linker = Table(
        "Lineage: the linker against each reading (cross-validated)",
        ["reading", "strong links", "recall@1", "recall@3"],
        [[name, len(links), found(links, 1), found(links, 3)]
         for name, links in (("first", r.first), ("second", r.second), ("settled (lineage.tsv)", r.settled),
                             ("strong in both first and second", r.first & r.second))],
        ["Every gold query; 'settled' is lineage.tsv, so its row is the headline figure. How the figure moves with the "
         "reader: the linker was fitted on the settled reading, so the other rows are a little against it."],
    )
    return [table, linker]

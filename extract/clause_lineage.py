"""Lineage per clause: which clause of a composite later measure carries which of its candidates.

A paragraph of the 2016 five-year plan bundles five or six measures, and one ranked list per earlier
document cannot hold them all: its top 3 fills with the ancestors of the paragraph's first clauses. So the
measure's pooled candidates are ranked again per clause (``clauses.clauses``), by a second logistic model
over the measure's own score and the clause's share of the evidence: its best sentence cosine against the
earlier measure (embedding and TF-IDF), how that compares with the measure's other clauses, and the policy
topics and programme terms it holds. The model is fitted on ``data/gold/lineage_clauses.tsv``, where every
strong link of a measure with several clauses names the clause(s) that carry it, checked by reading.
A measure with one clause is its own clause: its ranking is the measure's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ipkg.extract.clauses import Clause, clauses
from ipkg.extract.lineage import CLAUSE_TOP_K, Candidates, with_alignment
from ipkg.extract.lineage_model import FOLDS, Gold, Model, Split, _fit_lr, load_model, save_model, split
from ipkg.extract.lineage_signals import Index, _tfidf, coverage
from ipkg.extract.records import ClauseOfLink, Corpus
from ipkg.extract.scoring import read_gold

CLAUSE_FEATURES = ["measure_logit", "sem", "sem_rel", "sem_best", "lex", "lex_rel", "lex_best", "topics", "programme"]
CLAUSE_MODEL_PATH = Path(__file__).resolve().parent / "clause_model.json"
CLAUSE_GOLD = "lineage_clauses.tsv"


@dataclass
class ClausePair:
    pair: int  # row in ``Candidates.pairs``
    clause: Clause
    features: dict[str, float]


@dataclass
class _ClauseText:
    """What the clause signals read of one later measure, per clause."""

    spans: list[Clause]
    lexical: np.ndarray  # one l2-normalised TF-IDF row per clause
    stems: list[str]  # the clause's content stems, space-delimited on both sides (programme terms match inside)
    topics: list[set[str]]  # the policy topics whose cues lie in the clause


def _clause_text(index: Index, i: int) -> _ClauseText | None:
    """Measure ``i`` clause by clause (None for a measure of one clause)."""
    spans = clauses(index.measures[i].text)
    if len(spans) < 2:
        return None
    words = [[t.stem for t in index.tokens[i] if c.start <= t.start < c.end] for c in spans]
    topics = [{t for t, where in index.topic_spans[i].items() if any(c.start <= s < c.end for s, _ in where)}
              for c in spans]
    return _ClauseText(spans, _tfidf(words, index.vocab, index.weight).toarray(),
                       [f" {' '.join(w)} " for w in words], topics)


def clause_pairs(cands: Candidates, measure_logits: np.ndarray) -> list[ClausePair]:
    """Every (clause, earlier measure) of the pooled pairs whose later measure has several clauses."""
    index = cands.index
    assert index.dense_segments is not None and index.dense_start is not None and index.segments is not None
    dense, start = index.dense_segments, index.dense_start
    segments, seg_start = index.segments, index.segment_start
    assert seg_start is not None
    out: list[ClausePair] = []
    measures: dict[int, _ClauseText | None] = {}
    for (i, _), rows in cands.queries().items():
        if i not in measures:
            measures[i] = _clause_text(index, i)
        text = measures[i]
        if text is None:
            continue
        spans, lexical, stems, topics = text.spans, text.lexical, text.stems, text.topics
        own = dense[start[i]:start[i + 1]]
        earlier = [cands.pairs[r].earlier for r in rows]
        sem = np.stack([(own @ dense[start[j]:start[j + 1]].T).max(axis=1) for j in earlier])  # rows x clauses
        lex = np.stack([(segments[seg_start[j]:seg_start[j + 1]] @ lexical.T).max(axis=0) for j in earlier])
        for a, r in enumerate(rows):
            j = earlier[a]
            for k, c in enumerate(spans):
                programmes = [g for g in index.programme_sets[i] & index.programme_sets[j] if f" {g} " in stems[k]]
                out.append(ClausePair(r, c, {
                    "measure_logit": float(measure_logits[r]),
                    "sem": float(sem[a, k]),
                    "sem_rel": float(sem[a, k] - sem[a].max()),  # against the measure's other clauses
                    "sem_best": float(sem[a, k] - sem[:, k].max()),  # against the clause's other candidates
                    "lex": float(lex[a, k]),
                    "lex_rel": float(lex[a, k] - lex[a].max()),
                    "lex_best": float(lex[a, k] - lex[:, k].max()),
                    "topics": coverage(topics[k], index.entities["topics"][j], index.entity_idf["topics"]),
                    "programme": float(len(programmes) > 0),
                }))
    return out


def measure_logits(scores: np.ndarray) -> np.ndarray:
    """The measure model's scores as logits (the clause model's first signal); NaN scores read as ~0."""
    p = np.clip(np.nan_to_num(scores, nan=1e-6), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def clause_matrix(cps: list[ClausePair], features: list[str] = CLAUSE_FEATURES) -> np.ndarray:
    return np.array([[c.features[f] for f in features] for c in cps], dtype=float).reshape(len(cps), len(features))


def clause_ranks(cands: Candidates, cps: list[ClausePair], scores: np.ndarray) -> np.ndarray:
    """Rank of each clause pair among the candidates of its clause in its earlier document (NaN: unranked)."""
    index = cands.index
    groups: dict[tuple[int, int, str], list[int]] = {}
    for k, c in enumerate(cps):
        p = cands.pairs[c.pair]
        if not np.isnan(scores[k]):
            groups.setdefault((p.later, c.clause.number, index.measures[p.earlier].doc), []).append(k)
    ranks = np.full(len(cps), np.nan)
    for rows in groups.values():
        ordered = sorted(rows, key=lambda k: (-scores[k], index.measures[cands.pairs[cps[k].pair].earlier].id))
        ranks[ordered] = np.arange(1, len(ordered) + 1)
    return ranks


# ---------------------------------------------------------------------------------------------- gold


def _numbers(cell: str) -> list[int]:
    """The clause numbers of a gold cell ("3" or "2,3")."""
    return [int(n) for n in cell.split(",") if n.strip()]


def read_clause_gold(gold_dir: Path) -> dict[tuple[str, str], set[int]]:
    """(later, earlier) -> the clause numbers that carry the strong link (``data/gold/lineage_clauses.tsv``)."""
    path = gold_dir / CLAUSE_GOLD
    if not path.exists():
        return {}
    return {(row["later"], row["earlier"]): set(_numbers(row["clauses"])) for row in read_gold(path)}


def clause_gold_problems(corpus: Corpus, gold: Gold, gold_dir: Path) -> list[str]:
    """What is wrong with the clause gold against the corpus and the link gold: a quote not in its clauses
    (the splitting changed), a clause number out of range, a row that is no strong link, a strong link of a
    measure with several clauses that has no row."""
    texts = {m.id: m.text for m in corpus.measures}
    path = gold_dir / CLAUSE_GOLD
    rows = read_gold(path) if path.exists() else []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        pair = (row["later"], row["earlier"])
        seen.add(pair)
        if pair not in gold.strong:
            problems.append(f"{pair[0]} -> {pair[1]}: not a strong link of lineage.tsv")
            continue
        spans = clauses(texts.get(pair[0], ""))
        numbers = _numbers(row["clauses"])
        if not numbers or any(not 1 <= n <= len(spans) for n in numbers):
            problems.append(f"{pair[0]} -> {pair[1]}: clauses {row['clauses']!r} not in 1..{len(spans)}")
        elif not any(row["quote"] in spans[n - 1].of(texts[pair[0]]) for n in numbers):
            problems.append(f"{pair[0]} -> {pair[1]}: quote {row['quote']!r} not in clause(s) {row['clauses']}")
    for later, earlier in sorted(gold.strong - seen):
        if later in texts and len(clauses(texts[later])) > 1:
            problems.append(f"{later} -> {earlier}: strong link of a measure with several clauses, no clause row")
    return problems


def _split(cands: Candidates, gold: Gold, clause_gold: dict[tuple[str, str], set[int]], measure_scores: np.ndarray,
           k: int = FOLDS) -> tuple[list[ClausePair], Split]:
    """The clause pairs with their labels and the folds of their later measures (those of ``split``)."""
    cps = clause_pairs(cands, measure_logits(measure_scores))
    fold = split(cands, gold, k).fold
    pair_fold = np.array([fold.get(cands.ids(cands.pairs[c.pair])[0], -1) for c in cps])
    return cps, Split(clause_labels(cands, cps, gold, clause_gold), fold, pair_fold)


def clause_labels(cands: Candidates, cps: list[ClausePair], gold: Gold,
                  clause_gold: dict[tuple[str, str], set[int]]) -> list[int | None]:
    """1 where the clause carries a strong link, 0 for the other clauses of that link and for every clause of a
    non-link (explicit or by the gold's exhaustiveness), None where the gold says nothing (weak, uncovered)."""
    out: list[int | None] = []
    for c in cps:
        pair = cands.ids(cands.pairs[c.pair])
        label = gold.label(*pair)
        if label == 1:
            out.append(int(c.clause.number in clause_gold[pair]) if pair in clause_gold else None)
        else:
            out.append(label)
    return out


# ---------------------------------------------------------------------------------------------- fitting


@dataclass
class ClauseValidated:
    pairs: list[ClausePair]
    scores: np.ndarray  # out-of-fold clause logit of every clause pair (NaN: later measure not covered)
    labels: list[int | None]


def cross_validate_clauses(cands: Candidates, gold: Gold, clause_gold: dict[tuple[str, str], set[int]],
                           measure_scores: np.ndarray, features: list[str] = CLAUSE_FEATURES,
                           k: int = FOLDS) -> ClauseValidated:
    """Out-of-fold clause scores, with the folds of ``lineage_model.cross_validate`` (whose out-of-fold measure
    scores ``measure_scores`` should be, so no clause is scored with its own measure's link in training)."""
    cps, sp = _split(cands, gold, clause_gold, measure_scores, k)
    known, y, pair_fold = sp.labelled, sp.y, sp.pair_fold
    x = clause_matrix(cps, features)
    scores = np.full(len(cps), np.nan)
    for f in range(k):
        test = pair_fold == f
        if test.any():
            coef, intercept = _fit_lr(x[known & (pair_fold >= 0) & ~test], y[known & (pair_fold >= 0) & ~test])
            scores[test] = x[test] @ coef + intercept
    return ClauseValidated(cps, scores, sp.labels)


def fit_clause_model(cands: Candidates, gold: Gold, gold_dir: Path, measure_scores: np.ndarray,
                     path: Path | None = CLAUSE_MODEL_PATH) -> Model:
    """Fit the clause model on every clause pair the gold labels; ``measure_scores``: the measure model's
    out-of-fold scores, the same kind of first signal the clause model meets in a build of new text."""
    clause_gold = read_clause_gold(gold_dir)
    cps, sp = _split(cands, gold, clause_gold, measure_scores)
    known, y = sp.labelled, sp.y
    coef, intercept = _fit_lr(clause_matrix(cps)[known], y[known])
    model = Model(CLAUSE_FEATURES, [round(float(c), 4) for c in coef], round(intercept, 4), 0.5, {
        "fitted": True,
        "training_clause_pairs": int(known.sum()),
        "positives": int(y[known].sum()),
        "clause_gold_rows": len(clause_gold),
        "threshold": "unused: clause scores rank a measure's candidates per clause, they assert nothing",
    })
    if path is not None:
        save_model(model, path)
    return model


def load_clause_model(path: Path = CLAUSE_MODEL_PATH) -> Model | None:
    return load_model(path) if path.exists() else None


# ---------------------------------------------------------------------------------------------- linking


def rank_clauses(cands: Candidates, measure_model: Model, clause_model: Model,
                 kept: set[int]) -> tuple[set[int], dict[tuple[int, int], ClauseOfLink]]:
    """Rank the whole pool of every later measure of several clauses per clause (its pairs aligned first, so
    their measure scores are exact). Returns the pool rows to keep — ``kept`` and each clause's best
    ``CLAUSE_TOP_K`` per earlier document — and, per kept pair of those measures (later row, earlier row),
    the clause that scores it best with that score and the pair's rank there."""
    index = cands.index
    composite = {i for i, m in enumerate(index.measures) if len(clauses(m.text)) > 1}
    rows = [r for r, p in enumerate(cands.pairs) if p.later in composite]
    for r in rows:
        if cands.pairs[r].alignment is None:
            with_alignment(index, cands.pairs[r])
    sub = replace(cands, pairs=[cands.pairs[r] for r in rows])
    logits = measure_logits(measure_model.predict(sub.matrix(measure_model.features))) if rows else np.array([])
    cps = clause_pairs(sub, logits)
    scores = clause_model.predict(clause_matrix(cps, clause_model.features)) if cps else np.array([])
    ranks = clause_ranks(sub, cps, scores)
    keep = set(kept)
    best: dict[int, int] = {}  # pool row -> its best clause pair
    for k, c in enumerate(cps):
        r = rows[c.pair]
        if ranks[k] <= CLAUSE_TOP_K:
            keep.add(r)
        if r not in best or scores[k] > scores[best[r]]:
            best[r] = k
    carried: dict[tuple[int, int], ClauseOfLink] = {}
    for r, k in best.items():
        p, c = cands.pairs[r], cps[k].clause
        span = cands.mapper.span(index.measures[p.later], c.start, c.end) if r in keep else None
        if span is not None:
            carried[(p.later, p.earlier)] = ClauseOfLink(c.number, span, round(float(scores[k]), 4), int(ranks[k]))
    return keep, carried

"""The lineage linker: for every measure, ranked candidates in every earlier document, with evidence.

Pipeline, per later document L and each earlier document E (earlier by issue date, see ``earlier_documents``):

1. Retrieval — a sparse product of the measures' tf-idf vectors restricted to the *specific* vocabulary
   (terms in at most ``SPECIFIC_DF`` of all measures; an inverted-index lookup, so pairs sharing only
   generic words are never touched) plus the stem-bigram vectors; the top ``POOL`` earlier measures per
   later measure and document form the pool.
   Dense retrieval adds the ``DENSE_POOL`` nearest earlier measures by sentence embedding (measure cosine +
   best sentence-pair cosine), so paraphrases that share no specific stem still reach the pool.
   On request (``budget``, setting ``IPKG_LINEAGE_BUDGET``), a later measure's pool over all its earlier
   documents is cut to its best by the cheap similarity signals (``within_budget``): the pool grows with
   the number of earlier documents, a budget keeps the costly signals of step 2 linear in the number of
   measures, at the price of no longer searching every earlier document.
2. Signals on the pool only (see ``FEATURES``): lexical (tf-idf cosine, idf-weighted overlap, bigram cosine,
   cosine relative to the best in that document), specific entities (programme lexicon, agencies,
   instruments, IP types), a local alignment (``extract/alignment.py``) and the embedding
   signals (measure cosine, best sentence-pair cosine, cosine relative to the best in that document).
   The learned signals (``LEARNED``) are the measure cosine in the embedding space corrected by an adapter
   fitted on the gold links (``extract/lineage_adapter.py``), its gap to the best pooled candidate, and how
   often the other plans carry the earlier measure forward (a measure that persisted tends to persist).
3. A logistic model (``extract/lineage_model.json``, fitted by ``lineage_model.fit``) turns the signals into a
   score in [0, 1]; the top ``TOP_K`` per earlier document (and every pair at the calibrated threshold, which
   are asserted) are kept, ranked over all earlier documents. The linker aligns only the pairs that can be
   kept (``aligned_where_kept``); the fit and the eval align the whole pool.
4. A relation type from cue words and the documents' kinds (``relation``).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from ipkg.extract.alignment import Alignment, SpanMapper, align, evidence, topic_evidence
from ipkg.extract.lineage_adapter import Adapter, fit_adapter, identity, load_adapter
from ipkg.extract.lineage_signals import (
    Index,
    build_index,
    coverage,
    dense_segment_similarity,
    overlap,
    programme_signal,
    segment_similarity,
    shared_programmes,
)
from ipkg.extract.records import ClauseOfLink, Corpus, LineageCandidate, issued_before
from ipkg.extract.scoring import Table
from ipkg.extract.sentence_encoder import DIMENSIONS

if TYPE_CHECKING:  # lineage_model imports this module
    from ipkg.extract.lineage_model import Model

POOL = 15  # candidates per (later measure, earlier document) that get the full signals
DENSE_POOL = 10  # embedding nearest neighbours per (later measure, earlier document) added to the pool
TOPIC_POOL = 10  # earlier measures whose policy topics the later measure covers best, added to the pool
TOP_K = 5  # candidates kept per (later measure, earlier document)
CLAUSE_TOP_K = 3  # and per clause of a several-clause later measure and earlier document (``clause_lineage``)
# ... and at most this many per later measure (asserted links always kept): with many earlier documents the
# per-document quota alone would grow the graph with the square of the corpus.
MAX_CANDIDATES = 20
SPECIFIC_DF = 0.10  # retrieval ignores terms found in more than this share of measures

FEATURE_GROUPS: dict[str, list[str]] = {
    "lexical": ["lex_cos", "lex_overlap", "bigram_cos", "lex_rel", "seg_cos", "seg_rel"],
    "entities": ["programme", "agencies", "instruments", "ip_types", "topics"],
    "alignment": ["align_coverage", "align_longest"],
    "embeddings": ["sem_cos", "sem_seg", "sem_rel"],
    # fitted on the gold links (extract/lineage_adapter.py), so refitted per fold by the cross-validation
    "learned": ["adapted_cos", "adapted_gap", "carried_elsewhere"],
}
LEARNED = FEATURE_GROUPS["learned"]
ALIGNMENT = FEATURE_GROUPS["alignment"]  # signals in [0, 1]
FEATURES = [f for group in FEATURE_GROUPS.values() for f in group]


# ---------------------------------------------------------------------------------------------- documents


def earlier_documents(corpus: Corpus) -> dict[str, list[str]]:
    """For each document in the corpus, the corpus documents issued before it (oldest first)."""
    docs = sorted((d for d in corpus.documents if d.in_corpus), key=lambda d: d.issued or "")
    return {b.slug: [a.slug for a in docs if issued_before(a.issued, b.issued)] for b in docs}


# ---------------------------------------------------------------------------------------------- candidates


@dataclass
class Pair:
    later: int  # row in the index
    earlier: int
    features: dict[str, float]
    alignment: Alignment | None  # None until aligned (``with_alignment``)


@dataclass
class Candidates:
    """The pool of every later measure with its signals; what the linker, the fit and the eval share."""

    index: Index
    pairs: list[Pair]
    mapper: SpanMapper
    earlier_docs: dict[str, list[str]] = field(default_factory=dict)
    # learned signals per set of training links, so the cross-validation fits each adapter once
    learned_cache: dict[tuple[tuple[int, int], ...], np.ndarray] = field(default_factory=dict)

    def matrix(self, features: list[str] = FEATURES) -> np.ndarray:
        return np.array([[p.features[f] for f in features] for p in self.pairs], dtype=float).reshape(
            len(self.pairs), len(features)
        )

    def ids(self, p: Pair) -> tuple[str, str]:
        return self.index.measures[p.later].id, self.index.measures[p.earlier].id

    def queries(self) -> dict[tuple[int, str], list[int]]:
        """The rows of ``pairs`` per (later measure, earlier document): what a later measure's candidates are
        ranked within."""
        out: dict[tuple[int, str], list[int]] = {}
        for r, p in enumerate(self.pairs):
            out.setdefault((p.later, self.index.measures[p.earlier].doc), []).append(r)
        return out


def learned_signals(cands: Candidates, adapter: Adapter) -> np.ndarray:
    """Per pooled pair (rows as ``cands.pairs``), the ``LEARNED`` signals: the adapted measure cosine; its gap
    to the best pooled candidate of the same later measure in the same earlier document (0 for that best one,
    negative below); and log(1 + the gold links that carry the earlier measure forward from the measures of
    *other* later documents). Links from the pair's own document are left out: a new plan arrives with none,
    and the pair's own gold link must not score it."""
    index = cands.index
    assert index.dense is not None
    later = np.array([p.later for p in cands.pairs], dtype=int)
    earlier = np.array([p.earlier for p in cands.pairs], dtype=int)
    cos = adapter.cosine(index.dense, later, earlier)
    best = np.empty(len(cos))  # per pair, the best adapted cosine of its query
    for rows in cands.queries().values():
        best[rows] = cos[rows].max()
    total: Counter[str] = Counter()
    for (earlier_id, _), n in adapter.carried.items():
        total[earlier_id] += n
    carried = np.log1p([
        total[index.measures[p.earlier].id]
        - adapter.carried.get((index.measures[p.earlier].id, index.measures[p.later].doc), 0)
        for p in cands.pairs
    ])
    return np.column_stack([cos, cos - best, carried]) if len(cos) else np.zeros((0, len(LEARNED)))


def learn_from_links(index: Index, links: list[tuple[int, int]]) -> Adapter:
    """What gold links (later row, earlier row) teach the linker: the embedding adapter and the counts of
    links per earlier measure and later document."""
    assert index.dense is not None
    carried = Counter((index.measures[j].id, index.measures[i].doc) for i, j in links)
    return replace(fit_adapter(index.dense, links), carried=dict(carried))


def add_learned_signals(cands: Candidates, adapter: Adapter) -> None:
    for p, row in zip(cands.pairs, learned_signals(cands, adapter), strict=True):
        p.features.update(zip(LEARNED, (float(v) for v in row), strict=True))


def _restrict(m: sparse.csr_matrix, keep: np.ndarray) -> sparse.csr_matrix:
    return sparse.csr_matrix(m @ sparse.diags(keep.astype(float)))


def _topic_matrices(index: Index) -> tuple[sparse.csr_matrix, sparse.csr_matrix, np.ndarray]:
    """Measures x topics: presence, idf-weighted presence, and each measure's topic mass."""
    sets, idf = index.entities["topics"], index.entity_idf["topics"]
    names = sorted(idf)
    col = {t: k for k, t in enumerate(names)}
    rows = [r for r, s in enumerate(sets) for _ in s]
    cols = [col[t] for s in sets for t in sorted(s)]
    shape = (len(sets), len(names))
    presence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    weighted = sparse.csr_matrix(presence @ sparse.diags(np.array([idf[t] for t in names]))) if names else presence
    return presence, weighted, np.asarray(weighted.sum(axis=1)).ravel()


@dataclass
class _Pooled:
    """A pooled pair with the signals that come out of the retrieval matrices."""

    later: int  # row in the index
    earlier: int
    features: dict[str, float]

    @property
    def first_stage(self) -> float:
        """What orders a later measure's pool when it is cut to the budget: the cheap similarity signals."""
        f = self.features
        return f["sem_cos"] + f["sem_seg"] + f["lex_cos"] + f["seg_cos"]


class _Retrieval:
    """The vectors of every measure, and the pool of a block of later measures in one earlier document."""

    def __init__(self, index: Index) -> None:
        self.index = index
        n = len(index.measures)
        df = np.asarray(index.presence.sum(axis=0)).ravel()
        self.specific = _restrict(index.unigram, df <= max(2, SPECIFIC_DF * n))
        self.weighted = sparse.csr_matrix(index.presence @ sparse.diags(index.weight))
        self.totals = np.asarray(self.weighted.sum(axis=1)).ravel()
        self.topic_presence, self.topic_weighted, self.topic_mass = _topic_matrices(index)

    def pool(self, rl: np.ndarray, re_: np.ndarray, pool: int, dense_pool: int, topic_pool: int) -> list[_Pooled]:
        """For each later row of ``rl``, the top ``pool`` earlier rows of ``re_`` by specific-term and bigram
        retrieval, then the ``dense_pool`` nearest by embedding, then the ``topic_pool`` whose policy topics
        it covers best; in that order, each earlier measure once."""
        index = self.index
        assert index.dense is not None
        seg = segment_similarity(index, rl, re_)
        retrieval = (self.specific[rl] @ self.specific[re_].T + index.bigram[rl] @ index.bigram[re_].T).toarray() + seg
        sem = index.dense[rl] @ index.dense[re_].T
        sem_seg = dense_segment_similarity(index, rl, re_)
        dense = sem + sem_seg
        topical = (self.topic_presence[rl] @ self.topic_weighted[re_].T).toarray() / np.maximum(
            self.topic_mass[re_], 1e-9)
        sem_best = np.maximum(sem.max(axis=1), 1e-6)
        # dense blocks: indexing a sparse matrix one cell at a time is what made the pool slow
        cos = (index.unigram[rl] @ index.unigram[re_].T).toarray()
        shared = (self.weighted[rl] @ index.presence[re_].T).toarray()
        bcos = (index.bigram[rl] @ index.bigram[re_].T).toarray()
        by_retrieval = np.argsort(-retrieval, axis=1, kind="stable")[:, :pool]
        by_dense = np.argsort(-dense, axis=1, kind="stable")[:, :dense_pool]
        by_topic = np.argsort(-(topical + 0.01 * dense), axis=1, kind="stable")[:, :topic_pool]
        out: list[_Pooled] = []
        for a, i in enumerate(rl):
            top = [int(b) for b in by_retrieval[a] if retrieval[a, b] > 0]
            seen = set(top)
            top += [int(b) for b in by_dense[a] if b not in seen]
            seen = set(top)
            top += [int(b) for b in by_topic[a] if topical[a, b] > 0 and b not in seen]
            if not top:
                continue
            best = max(cos[a, b] for b in top) or 1.0
            best_seg = max(seg[a, b] for b in top) or 1.0
            for b in top:
                j = int(re_[b])
                out.append(_Pooled(int(i), j, {
                    "lex_cos": float(cos[a, b]),
                    "lex_overlap": float(shared[a, b] / max(1e-9, min(self.totals[i], self.totals[j]))),
                    "bigram_cos": float(bcos[a, b]),
                    "lex_rel": float(cos[a, b] / best),
                    "seg_cos": float(seg[a, b]),
                    "seg_rel": float(seg[a, b] / best_seg),
                    "sem_cos": float(sem[a, b]),
                    "sem_seg": float(sem_seg[a, b]),
                    "sem_rel": float(sem[a, b] / sem_best[a]),
                }))
        return out


def within_budget(pooled: list[_Pooled], budget: int | None) -> list[_Pooled]:
    """Each later measure's ``budget`` best pooled pairs by ``first_stage``, in their pooled order (all of
    them without a budget).

    The pool is formed per earlier document, so its size grows with the number of earlier documents: with
    a budget, the costly signals (alignment, entities) grow with the number of measures only. The real
    corpus pools at most 116 pairs per measure (four earlier documents)."""
    if budget is None:
        return pooled
    by_later: dict[int, list[int]] = {}
    for k, p in enumerate(pooled):
        by_later.setdefault(p.later, []).append(k)
    kept: set[int] = set()
    for ks in by_later.values():
        kept.update(sorted(ks, key=lambda k: -pooled[k].first_stage)[:budget])
    return [p for k, p in enumerate(pooled) if k in kept]


def _with_signals(index: Index, p: _Pooled, aligned: bool) -> Pair:
    """A pooled pair with the signals computed per pair: shared programmes and entities, and the alignment
    if ``aligned`` (its signals read 0 until then)."""
    i, j = p.later, p.earlier
    feats = {**p.features, "programme": programme_signal(index, i, j), **dict.fromkeys(ALIGNMENT, 0.0)}
    for kind in ("agencies", "instruments", "ip_types"):
        feats[kind] = overlap(index.entities[kind][i], index.entities[kind][j], index.entity_idf[kind])
    feats["topics"] = coverage(index.entities["topics"][i], index.entities["topics"][j], index.entity_idf["topics"])
    pair = Pair(i, j, feats, None)
    return with_alignment(index, pair) if aligned else pair


def with_alignment(index: Index, p: Pair) -> Pair:
    """``p`` with its alignment and the alignment signals."""
    p.alignment = align(index.tokens[p.later], index.tokens[p.earlier], index.idf)
    p.features.update(align_coverage=p.alignment.coverage, align_longest=p.alignment.signal_longest)
    return p


def candidate_pool(corpus: Corpus, raws: dict[str, str], pool: int = POOL, dense_pool: int = DENSE_POOL,
                   topic_pool: int = TOPIC_POOL, budget: int | None = None, aligned: bool = True) -> Candidates:
    """Every later measure's pool in every earlier document (cut to its ``budget`` best by the cheap
    signals, if given), with the full signals (the alignment only if ``aligned``)."""
    index = build_index(corpus)
    order = earlier_documents(corpus)
    rows_of: dict[str, list[int]] = {}
    for i, m in enumerate(index.measures):
        rows_of.setdefault(m.doc, []).append(i)
    retrieval = _Retrieval(index)
    pairs: list[Pair] = []
    for later_doc, earlier in order.items():
        rl = np.array(rows_of.get(later_doc, []), dtype=int)
        pooled: list[_Pooled] = []
        for earlier_doc in earlier:
            re_ = np.array(rows_of.get(earlier_doc, []), dtype=int)
            if len(rl) and len(re_):
                pooled += retrieval.pool(rl, re_, pool, dense_pool, topic_pool)
        pairs += [_with_signals(index, p, aligned) for p in within_budget(pooled, budget)]
    return Candidates(index, pairs, SpanMapper(raws), order)


# ---------------------------------------------------------------------------------------------- relations

_COMPLETE = re.compile(
    r"\b(complet|finish|conclud|accomplish)\w*\s+(the\s+)?(\w+\s+){0,3}?"
    r"(revis|amend|draft|formulat|legislat|establish|construct|build)",
    re.IGNORECASE,
)
_START = re.compile(
    r"\b(revis|amend|draft|formulat|stud(y|ies)|research|press(ing)?\s+ahead|start|launch|explor|promot)",
    re.IGNORECASE,
)


def relation(corpus: Corpus, later_doc: str, later_text: str, earlier_doc: str, earlier_text: str,
             later_ip_types: AbstractSet[str] = frozenset(), earlier_ip_types: AbstractSet[str] = frozenset()) -> str:
    """implements: any link into a document the later plan implements (manifest ``implements``) or into the
    strategy outline (the 2008 Outline, whose goals every later plan works toward: a concrete step to a goal);
    completes: the later measure finishes what the earlier started ("complete the revision" after
    "revise" / "press ahead with"); expands: the later measure widens the earlier one's scope from named
    kinds of IP to IP at large (trademark supervision of markets -> IP supervision of markets); otherwise
    continues.

    Two cues were measured against the gold and dropped: an expansion verb in the later measure only (it
    fires on composite paragraphs whose "expand" concerns another clause: 31 wrong, none right) and a
    length rule (twice the words covering the earlier one)."""
    if earlier_doc in corpus.document(later_doc).implements or corpus.document(earlier_doc).kind == "strategy-outline":
        return "implements"
    if _COMPLETE.search(later_text) and not _COMPLETE.search(earlier_text) and _START.search(earlier_text):
        return "completes"
    if earlier_ip_types and not later_ip_types:
        return "expands"
    return "continues"


def pair_relation(corpus: Corpus, cands: Candidates, p: Pair) -> str:
    """``relation`` of a pooled pair, read in the sentences of the later measure that share its phrases: in a
    composite paragraph, "complete the revision of the Patent Law" says nothing of its copyright clause."""
    index = cands.index
    later, earlier = index.measures[p.later], index.measures[p.earlier]
    types = index.entities["ip_types"]
    return relation(corpus, later.doc, _linked_sentences(index, p), earlier.doc, earlier.text, types[p.later],
                    types[p.earlier])


def _linked_sentences(index: Index, p: Pair) -> str:
    """The later measure's sentences that hold an aligned phrase of the pair (its whole text if none)."""
    tokens, text = index.tokens[p.later], index.measures[p.later].text
    held = {tokens[i + k].sentence for i, _, n in (p.alignment.blocks if p.alignment else []) for k in range(n)}
    if not held:
        return text
    pieces = [list(ts) for s, ts in itertools.groupby(tokens, key=lambda t: t.sentence) if s in held]
    return " ".join(text[ts[0].start:ts[-1].end] for ts in pieces)


# ---------------------------------------------------------------------------------------------- linking


def link_lineage(corpus: Corpus, raws: dict[str, str], model: object | None = None,
                 adapter: Adapter | None = None, top_k: int = TOP_K, budget: int | None = None,
                 max_candidates: int = MAX_CANDIDATES) -> list[LineageCandidate]:
    """Ranked, scored, typed lineage candidates of every measure; also stored in ``corpus.lineage``.
    ``budget``: see ``within_budget``; ``top_k``, ``max_candidates``: see ``to_candidates``."""
    from ipkg.extract.clause_lineage import load_clause_model, rank_clauses
    from ipkg.extract.lineage_model import Model, load_model

    chosen: Model = model if isinstance(model, Model) else load_model()
    cands = candidate_pool(corpus, raws, budget=budget, aligned=False)
    dimensions = cands.index.dense.shape[1] if cands.index.dense is not None else DIMENSIONS
    add_learned_signals(cands, adapter or load_adapter(dimensions=dimensions) or identity(dimensions))
    rows = aligned_rows(cands, chosen, top_k, max_candidates)
    clause_of: dict[tuple[int, int], ClauseOfLink] = {}
    clause_model = load_clause_model()
    if clause_model is not None:
        rows, clause_of = rank_clauses(cands, chosen, clause_model, rows)
    kept = replace(cands, pairs=[p for r, p in enumerate(cands.pairs) if r in rows])
    scores = chosen.predict(kept.matrix(chosen.features)) if kept.pairs else np.array([])
    corpus.lineage = to_candidates(corpus, kept, scores, chosen.threshold, top_k, max_candidates, clause_of)
    corpus.lineage_threshold = chosen.threshold
    return corpus.lineage


def aligned_where_kept(cands: Candidates, model: Model, top_k: int = TOP_K,
                       max_candidates: int = MAX_CANDIDATES) -> list[Pair]:
    """The pooled pairs that can be kept, aligned (``aligned_rows``)."""
    kept = aligned_rows(cands, model, top_k, max_candidates)
    return [p for r, p in enumerate(cands.pairs) if r in kept]


def aligned_rows(cands: Candidates, model: Model, top_k: int = TOP_K,
                 max_candidates: int = MAX_CANDIDATES) -> set[int]:
    """The rows of the pooled pairs that can be kept, aligned: every pair that may reach the threshold, or be among its
    later measure's ``top_k`` in its earlier document and its ``max_candidates`` over all of them
    (``to_candidates`` keeps no other). The rest, most of the pool, are never aligned.

    The alignment signals lie in [0, 1], so a pair's score without them bounds its score with them from above
    and below. A later measure keeps at least the ``max_candidates``-th best of its documents' top ``top_k``
    lower bounds (its floor). In each (later measure, earlier document) group, pairs are aligned best upper
    bound first, until no bound left can reach the threshold, the floor, or the group's k-th best score:
    the kept candidates and their scores are those of aligning the whole pool."""
    index = cands.index
    w = np.array(model.coef)
    cols = [k for k, f in enumerate(model.features) if f in ALIGNMENT]
    z = cands.matrix(model.features) @ w + model.intercept  # alignment signals still 0
    upper = z + float(np.clip(w[cols], 0, None).sum()) + 1e-9  # the margins absorb rounding
    lower = z + float(np.clip(w[cols], None, 0).sum()) - 1e-9
    t = min(max(model.threshold, 1e-12), 1 - 1e-12)
    z_threshold = float(np.log(t / (1 - t)))
    groups = cands.queries()
    tops: dict[int, list[float]] = {}
    for (later, _), rows in groups.items():
        tops.setdefault(later, []).extend(heapq.nlargest(top_k, lower[rows].tolist()))
    floor = {later: heapq.nlargest(max_candidates, v)[-1] if len(v) >= max_candidates else -np.inf
             for later, v in tops.items()}
    kept: set[int] = set()
    for (later, _), rows in groups.items():
        best: list[float] = []  # a min-heap of the group's top_k exact scores (logits)
        for r in sorted(rows, key=lambda r: -upper[r]):
            if upper[r] < z_threshold and (upper[r] < floor[later] or (len(best) == top_k and upper[r] < best[0])):
                break
            p = with_alignment(index, cands.pairs[r])
            exact = z[r] + sum(w[k] * p.features[model.features[k]] for k in cols)
            heapq.heappush(best, exact)
            if len(best) > top_k:
                heapq.heappop(best)
            kept.add(r)
    return kept


def to_candidates(corpus: Corpus, cands: Candidates, scores: np.ndarray, threshold: float,
                  top_k: int = TOP_K, max_candidates: int = MAX_CANDIDATES,
                  clause_of: dict[tuple[int, int], ClauseOfLink] | None = None) -> list[LineageCandidate]:
    """Per later measure, ranked over all earlier documents: its ``top_k`` pooled pairs in each earlier
    document, every pair at or above the threshold (asserted) and every pair among the best of one of its
    clauses (``clause_of``, rank <= ``CLAUSE_TOP_K``); past ``max_candidates``, asserted and clause ones only."""
    index = cands.index
    clause_of = clause_of or {}

    def by_clause(p: Pair) -> bool:
        c = clause_of.get((p.later, p.earlier))
        return c is not None and c.rank <= CLAUSE_TOP_K
    by_later: dict[int, dict[str, list[tuple[float, Pair]]]] = {}
    for p, s in zip(cands.pairs, scores, strict=True):
        doc = index.measures[p.earlier].doc
        by_later.setdefault(p.later, {}).setdefault(doc, []).append((float(s), p))
    out: list[LineageCandidate] = []
    for i in sorted(by_later):
        kept: list[tuple[float, Pair]] = []
        for items in by_later[i].values():
            ranked = sorted(items, key=lambda sp: (-sp[0], index.measures[sp[1].earlier].id))
            kept += [sp for n, sp in enumerate(ranked) if n < top_k or sp[0] >= threshold or by_clause(sp[1])]
        kept.sort(key=lambda sp: (-sp[0], index.measures[sp[1].earlier].id))
        kept = [sp for n, sp in enumerate(kept) if n < max_candidates or sp[0] >= threshold or by_clause(sp[1])]
        for rank, (score, p) in enumerate(kept, 1):
            candidate = _candidate(corpus, cands, p, score, rank, score >= threshold)
            candidate.clause = clause_of.get((p.later, p.earlier))
            out.append(candidate)
    return out


def _candidate(corpus: Corpus, cands: Candidates, p: Pair, score: float, rank: int,
               asserted: bool) -> LineageCandidate:
    index = cands.index
    later, earlier = index.measures[p.later], index.measures[p.earlier]
    shared = {
        kind: sorted(index.entities[kind][p.later] & index.entities[kind][p.earlier])
        for kind in ("agencies", "instruments", "ip_types", "topics")
    }
    shared["programmes"] = [index.programme_surface[g] for g in shared_programmes(index, p.later, p.earlier)]
    rel = pair_relation(corpus, cands, p)
    phrases = evidence(later, index.tokens[p.later], earlier, index.tokens[p.earlier], p.alignment,
                       cands.mapper, index.idf)
    topics = sorted(shared["topics"], key=lambda t: (-index.entity_idf["topics"].get(t, 1.0), t))
    phrases += topic_evidence(later, index.topic_spans[p.later], earlier, index.topic_spans[p.earlier], topics,
                              cands.mapper, phrases)
    return LineageCandidate(
        later=later.id, earlier=earlier.id, score=round(score, 4), rank=rank, relation=rel, asserted=asserted,
        signals={k: round(v, 4) for k, v in p.features.items()}, shared=shared, evidence=phrases,
    )


# ---------------------------------------------------------------------------------------------- documents


def document_lineage(corpus: Corpus) -> Table:
    """Per pair of documents (later, earlier): does the later implement the earlier (manifest), how many of
    its measures carry an asserted link into it, and how many earlier measures are carried forward."""
    order = earlier_documents(corpus)
    count = {d.slug: sum(1 for m in corpus.measures if m.doc == d.slug) for d in corpus.documents}
    rows: list[list[object]] = []
    for later_doc, earlier in order.items():
        implements = corpus.document(later_doc).implements
        for earlier_doc in reversed(earlier):
            links = [c for c in corpus.lineage if c.asserted and c.later.startswith(later_doc + "/")
                     and c.earlier.startswith(earlier_doc + "/")]
            later_n = len({c.later for c in links})
            earlier_n = len({c.earlier for c in links})
            rows.append([
                later_doc, earlier_doc, "yes" if earlier_doc in implements else "",
                f"{later_n}/{count[later_doc]}", f"{earlier_n}/{count[earlier_doc]}", len(links),
            ])
    notes = [f"{d.slug} implements {', '.join(d.implements)} (manifest)" for d in corpus.documents if d.implements]
    return Table(
        "Lineage between documents",
        ["later", "earlier", "implements", "later measures linked", "earlier measures carried forward",
         "asserted links"],
        rows, notes,
    )

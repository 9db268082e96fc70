"""The lineage model: a logistic regression over the signals, calibrated on the hand-checked gold.

``fit`` learns the coefficients from ``data/gold/lineage.tsv`` (strong = 1; negative, and any other pooled
candidate of a later measure the gold covers = 0; weak pairs are left out), picks the assert threshold on
cross-validated scores (the lowest threshold with precision >= ``TARGET_PRECISION``, 0.92, i.e. the best recall at that
precision; the F1 maximum if no threshold reaches it) and writes ``extract/lineage_model.json``, a small
reviewable file. The build only reads it, so it is deterministic and never refits.
Refit after the signals or the gold change: ``python -m ipkg.extract.lineage_model`` (it also writes the
embedding adapter, ``extract/lineage_adapter.npz``, and the clause model, ``extract/clause_model.json``).
The embedding signals (``sem_*``) come from a fixed pretrained encoder (all-mpnet-base-v2, offline: ``sentence_encoder``), never trained on the gold. The
learned signals (``adapted_*``) come from an adapter fitted on the gold links, so the cross-validation
refits it per fold on the links that touch none of the fold's measures (``training_links``), and the shipped
coefficients of those signals are fitted on their out-of-fold values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from ipkg.extract.lineage import (
    FEATURES,
    LEARNED,
    Candidates,
    candidate_pool,
    learn_from_links,
    learned_signals,
)
from ipkg.extract.lineage_adapter import ADAPTER_PATH, RANK, save_adapter
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import gold_comments, read_gold
from ipkg.extract.sentence_encoder import MODEL, PARTS

MODEL_PATH = Path(__file__).resolve().parent / "lineage_model.json"
# Aimed above the 0.85 the issue asks of asserted links: a threshold chosen on training pairs loses some precision on
# new ones (0.90 on the training folds gave 0.844 out of fold on the settled gold; 0.92 gives 0.862).
TARGET_PRECISION = 0.92
FOLDS = 5
ID_PREFIX = "https://w3id.org/ipkg/id/measure/"


@dataclass
class Model:
    features: list[str]
    coef: list[float]
    intercept: float
    threshold: float
    notes: dict[str, object] = field(default_factory=dict)

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = x @ np.array(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


# Used only until a model has been fitted: hand weights, documented as such.
DEFAULT = Model(
    FEATURES,
    [4.0, 2.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.0, 3.0, 0.5, 2.0, 0.0, 0.5, 1.0, 4.0, 1.0, 0.0, 0.0, 0.0],  # per FEATURES
    -9.0,
    0.5,
    {"fitted": False},
)


def load_model(path: Path = MODEL_PATH) -> Model:
    if not path.exists():
        return DEFAULT
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model(data["features"], data["coef"], data["intercept"], data["threshold"], data.get("notes", {}))


def save_model(model: Model, path: Path = MODEL_PATH) -> None:
    path.write_text(json.dumps(asdict(model), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------- gold


def measure_id(text: str) -> str:
    """'doc/label' from 'doc/label', a measure IRI, or 'doc label'."""
    text = text.strip()
    if text.startswith(ID_PREFIX):
        text = text[len(ID_PREFIX):]
    if "/" not in text and " " in text:
        text = text.replace(" ", "/", 1)
    return text


@dataclass
class Gold:
    strong: set[tuple[str, str]]
    weak: set[tuple[str, str]]
    negative: set[tuple[str, str]]
    covered: set[str]  # later measures the gold speaks about (any row, or a no-strong-link line)
    relation: dict[tuple[str, str], str]

    def label(self, later: str, earlier: str) -> int | None:
        """1 strong, 0 negative (explicit, or unlisted for a covered later measure), None unknown/weak."""
        pair = (later, earlier)
        if pair in self.strong:
            return 1
        if pair in self.weak:
            return None
        if pair in self.negative or later in self.covered:
            return 0
        return None


def read_lineage_gold(gold_dir: Path) -> Gold:
    path = gold_dir / "lineage.tsv"
    gold = Gold(set(), set(), set(), set(), {})
    if not path.exists():
        return gold
    for row in read_gold(path):
        later, earlier = measure_id(row.get("later", "")), measure_id(row.get("earlier", ""))
        if not later or not earlier:
            continue
        strength = row.get("strength", "").lower()
        {"strong": gold.strong, "weak": gold.weak, "negative": gold.negative}.get(strength, set()).add(
            (later, earlier)
        )
        gold.covered.add(later)
        if strength == "strong" and row.get("relation"):
            gold.relation[(later, earlier)] = row["relation"]
    for comment in gold_comments(path):
        if comment.lower().startswith("no-strong-link:"):
            for token in comment.split(":", 1)[1].replace(",", " ").split():
                gold.covered.add(measure_id(token))
    return gold


# ---------------------------------------------------------------------------------------------- fitting


def _fit_lr(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    if len(set(y.tolist())) < 2:
        return np.zeros(x.shape[1]), -2.0
    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit(x, y)
    return lr.coef_[0], float(lr.intercept_[0])


def choose_threshold(scores: np.ndarray, y: np.ndarray, target: float = TARGET_PRECISION) -> float:
    """Lowest threshold whose precision reaches ``target`` (best recall at that precision); the F1 maximum
    if none does."""
    order = np.argsort(-scores, kind="stable")
    s, yy = scores[order], y[order]
    tp = np.cumsum(yy)
    k = np.arange(1, len(yy) + 1)
    prec = tp / k
    rec = tp / max(1, yy.sum())
    best: tuple[float, float] | None = None
    for i in range(len(s)):
        if i + 1 < len(s) and s[i + 1] == s[i]:
            continue  # a threshold cannot split tied scores
        if prec[i] >= target and (best is None or rec[i] > best[0]):
            best = (rec[i], s[i])
    if best is None:
        f1 = 2 * prec * rec / np.maximum(prec + rec, 1e-9)
        i = int(np.argmax(f1)) if len(f1) else 0
        return float(s[i]) if len(s) else 0.5
    return float(best[1])


def folds_of(later_ids: list[str], k: int = FOLDS) -> dict[str, int]:
    """Deterministic k-fold over later measures (sorted ids dealt round-robin)."""
    return {m: i % k for i, m in enumerate(sorted(set(later_ids)))}


def training_links(cands: Candidates, gold: Gold, fold: dict[str, int], exclude: set[int]) -> list[tuple[int, int]]:
    """The gold strong links (as index rows) that touch no later measure of the ``exclude`` folds, neither as
    the later nor as the earlier measure: a held-out measure's text never reaches the adapter."""
    index = cands.index
    return [
        (index.row(later), index.row(earlier)) for later, earlier in sorted(gold.strong)
        if later in index and earlier in index
        and fold.get(later, -1) not in exclude and fold.get(earlier, -1) not in exclude
    ]


def learned_columns(cands: Candidates, gold: Gold, fold: dict[str, int], exclude: set[int]) -> np.ndarray:
    """``learned_signals`` of every pooled pair from an adapter fitted without the ``exclude`` folds."""
    links = training_links(cands, gold, fold, exclude)
    key = tuple(links)
    if key not in cands.learned_cache:
        cands.learned_cache[key] = learned_signals(cands, learn_from_links(cands.index, links))
    return cands.learned_cache[key]


def _matrix(cands: Candidates, features: list[str]) -> np.ndarray:
    """The pool's signals; the learned columns stay 0 here, to be filled fold by fold (``_with_learned``)."""
    x = np.zeros((len(cands.pairs), len(features)))
    fixed = [c for c, f in enumerate(features) if f not in LEARNED]
    x[:, fixed] = cands.matrix([features[c] for c in fixed])
    return x


def _with_learned(cands: Candidates, gold: Gold, x: np.ndarray, features: list[str], fold: dict[str, int],
                  pair_fold: np.ndarray, held_out: int | None) -> np.ndarray:
    """``x`` with its learned columns out of fold: the rows of fold g from an adapter fitted without g (and
    without ``held_out``, the fold under test, whose links must not shape its own training rows either)."""
    cols = [(c, LEARNED.index(f)) for c, f in enumerate(features) if f in LEARNED]
    if not cols:
        return x
    out = x.copy()
    for g in sorted(set(pair_fold.tolist()) - {-1}):
        rows = pair_fold == g
        learned = learned_columns(cands, gold, fold, {g} if held_out is None else {g, held_out})
        for c, k in cols:
            out[rows, c] = learned[rows, k]
    return out


@dataclass
class CrossValidated:
    scores: np.ndarray  # out-of-fold score of every pooled pair (NaN for laters the gold does not cover)
    thresholds: np.ndarray  # the threshold of each pair's fold
    labels: list[int | None]


@dataclass
class Split:
    """The pool against the gold: each pair's label and the fold of its later measure (-1: not covered)."""

    labels: list[int | None]
    fold: dict[str, int]  # later measure -> fold
    pair_fold: np.ndarray

    @property
    def labelled(self) -> np.ndarray:
        return np.array([lab is not None for lab in self.labels], dtype=bool)

    @property
    def y(self) -> np.ndarray:
        return np.array([lab or 0 for lab in self.labels])


def split(cands: Candidates, gold: Gold, k: int = FOLDS) -> Split:
    ids = [cands.ids(p) for p in cands.pairs]
    fold = folds_of([later for later, _ in ids if later in gold.covered], k)
    return Split([gold.label(*pair) for pair in ids], fold, np.array([fold.get(later, -1) for later, _ in ids]))


def cross_validate(cands: Candidates, gold: Gold, features: list[str], k: int = FOLDS) -> CrossValidated:
    sp = split(cands, gold, k)
    labels, fold, pair_fold, labelled, y = sp.labels, sp.fold, sp.pair_fold, sp.labelled, sp.y
    x_all = _matrix(cands, features)
    scores = np.full(len(labels), np.nan)
    thresholds = np.full(len(labels), np.nan)
    for f in range(k):
        train = labelled & (pair_fold >= 0) & (pair_fold != f)
        test = pair_fold == f
        if not test.any():
            continue
        x = _with_learned(cands, gold, x_all, features, fold, pair_fold, f)
        coef, intercept = _fit_lr(x[train], y[train])
        model = Model(features, coef.tolist(), intercept, 0.5)
        # The fold's threshold, like the shipped one (see ``fit``), is chosen on out-of-fold scores — here an
        # inner cross-validation over the training folds only; in-sample scores would be optimistic.
        inner = np.full(len(labels), np.nan)
        for g in range(k):
            if g == f:
                continue
            inner_train = train & (pair_fold != g)
            inner_test = train & (pair_fold == g)
            if inner_test.any():
                c, b = _fit_lr(x[inner_train], y[inner_train])
                inner[inner_test] = Model(features, c.tolist(), b, 0.5).predict(x[inner_test])
        held = train & ~np.isnan(inner)
        thresholds[test] = choose_threshold(inner[held], y[held]) if held.any() else 0.5
        scores[test] = model.predict(x[test])
    return CrossValidated(scores, thresholds, labels)


def fit(corpus: Corpus, raws: dict[str, str], gold_dir: Path, path: Path | None = MODEL_PATH,
        features: list[str] = FEATURES, adapter_path: Path | None = ADAPTER_PATH,
        clause_model_path: Path | None = None) -> Model:
    """Fit on all the gold, choose the threshold on cross-validated scores, write the model file and the
    embedding adapter fitted on every gold strong link; with ``clause_model_path``, also the clause model
    (``clause_lineage``), on this model's cross-validated scores."""
    gold = read_lineage_gold(gold_dir)
    cands = candidate_pool(corpus, raws)
    cv = cross_validate(cands, gold, features)
    sp = split(cands, gold)
    labelled, y = sp.labelled, sp.y
    # The coefficients of the learned signals are fitted on their out-of-fold values: in-sample they would
    # look better than they are on a measure the adapter has not seen.
    x = _with_learned(cands, gold, _matrix(cands, features), features, sp.fold, sp.pair_fold, None)
    coef, intercept = _fit_lr(x[labelled], y[labelled])
    links = training_links(cands, gold, sp.fold, set())
    if adapter_path is not None and any(f in LEARNED for f in features):
        save_adapter(learn_from_links(cands.index, links), adapter_path)
    ok = labelled & ~np.isnan(cv.scores)
    threshold = choose_threshold(cv.scores[ok], y[ok]) if ok.any() else 0.5
    model = Model(
        features, [round(float(c), 4) for c in coef], round(intercept, 4), round(threshold, 4),
        {
            "fitted": True,
            "training_pairs": int(labelled.sum()),
            "positives": int(y[labelled].sum()),
            "gold_strong": len(gold.strong),
            "threshold_rule": f"lowest cross-validated threshold with precision >= {TARGET_PRECISION}",
            "entity_records": {
                "assignments": len(corpus.assignments), "mentions": len(corpus.mentions),
                "citations": len(corpus.citations), "ip_types": len(corpus.ip_types),
            },
            "generic_terms_learned": cands.index.generic_terms(25),
            "programme_lexicon_size": len(cands.index.programmes),
            "embedding_model": f"sentence-transformers/{MODEL} (packages {PARTS[0]} ... {PARTS[-1][-3:]}), "
                               "per sentence, l2-normalised; measure vector = normalised sentence mean",
            "embedding_adapter": f"extract/{ADAPTER_PATH.name}: rank-{RANK} correction fitted on {len(links)} gold "
                                 "strong links, with their counts per earlier measure and later document (carried_elsewhere); learned "
                                 "signals' coefficients fitted on out-of-fold values",
        },
    )
    if path is not None:
        save_model(model, path)
    if clause_model_path is not None:
        from ipkg.extract.clause_lineage import fit_clause_model  # it builds on this module

        fit_clause_model(cands, gold, gold_dir, cv.scores, clause_model_path)
    return model


if __name__ == "__main__":  # pragma: no cover - the refit command
    from ipkg.extract.entities import extract_entities
    from ipkg.extract.pipeline import extract_structure, raw_texts

    # Fit on the corpus as the build sees it: with agencies, instruments and IP types extracted.
    data = Path("data")
    corpus, raws = extract_structure(data), raw_texts(data)
    extract_entities(corpus, raws)
    from ipkg.extract.clause_lineage import CLAUSE_MODEL_PATH

    fitted = fit(corpus, raws, data / "gold", clause_model_path=CLAUSE_MODEL_PATH)
    print(json.dumps(asdict(fitted), indent=1))

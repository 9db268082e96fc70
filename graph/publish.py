"""Publish a validated graph: build the new Oxigraph store in a directory of its own, then swap it in.

Layout under ``data/build/``::

    stores/<build-id>/        one complete Oxigraph store per published build (the last two are kept)
    store -> stores/<build-id> a symlink, replaced atomically (rename of a new link over the old one)
    ipkg.nt, ipkg.ttl          the published graph (written by atomic rename, just before the swap)

A build that fails or is interrupted before the swap leaves ``store`` pointing at the previous complete
store (still serving) and removes its half-written directory; nothing is ever written inside the live
store. Readers open ``store`` once and resolve the link, so a swap never changes a store under them.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from ipkg.graph.export import serialise
from ipkg.graph.store import OxigraphStore, StoreError

STORES = "stores"
LIVE = "store"


@dataclass
class Published:
    store_dir: Path
    triples: int
    files: list[Path]


def current_store(build_dir: Path) -> Path | None:
    """The directory the live ``store`` link points at (None before the first publish)."""
    live = build_dir / LIVE
    return live.resolve() if live.exists() else None


def _write_tmp(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    tmp.write_bytes(data)
    return tmp


def _load_store(directory: Path, nt_file: Path, expected: int) -> None:
    store = OxigraphStore(directory)
    try:
        store.load(nt_file)
        n = len(store)
        if n != expected:
            raise StoreError(f"the new store holds {n} triples, the graph {expected}")
    finally:
        store.close()
        del store
        gc.collect()


def swap(build_dir: Path, new_store: Path) -> None:
    """Point ``build_dir/store`` at ``new_store`` atomically."""
    live = build_dir / LIVE
    if live.exists() and not live.is_symlink():
        # a store directory from before the link layout: move it aside, as a build of its own
        legacy = build_dir / STORES / f"legacy-{time.strftime('%Y%m%dT%H%M%S')}"
        legacy.parent.mkdir(parents=True, exist_ok=True)
        os.replace(live, legacy)
    link_tmp = build_dir / f".{LIVE}.{os.getpid()}.link"
    link_tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(new_store, build_dir), link_tmp)
    os.replace(link_tmp, live)


def _prune(build_dir: Path, keep: int) -> None:
    stores = build_dir / STORES
    if not stores.is_dir():
        return
    live = current_store(build_dir)
    complete = sorted(
        (d for d in stores.iterdir() if d.is_dir() and not d.name.startswith(".")), key=lambda d: d.stat().st_mtime
    )
    for d in complete[:-keep] if keep > 0 else complete:
        if live is not None and d.resolve() == live:
            continue
        shutil.rmtree(d, ignore_errors=True)
    for d in stores.iterdir():  # leftovers of killed builds
        if d.name.startswith(".") and d.name.endswith(".tmp") and time.time() - d.stat().st_mtime > 3600:
            shutil.rmtree(d, ignore_errors=True)


def publish(graph: Graph, build_dir: Path, build_id: str, *, keep: int = 2) -> Published:
    """Write ``graph`` as ipkg.nt / ipkg.ttl and as a new Oxigraph store, then swap the store in.

    Call only with a graph that passed validation. On any error the previous store and files stay.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    stores = build_dir / STORES
    stores.mkdir(exist_ok=True)
    final = stores / build_id
    if final.exists():
        final = stores / f"{build_id}-{os.getpid()}"
    work = stores / f".{final.name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    nt_path, ttl_path = build_dir / "ipkg.nt", build_dir / "ipkg.ttl"
    temps: list[Path] = []
    try:
        temps.append(nt_tmp := _write_tmp(nt_path, serialise(graph, "nt")))
        temps.append(ttl_tmp := _write_tmp(ttl_path, serialise(graph, "ttl")))
        _load_store(work, nt_tmp, len(graph))
        os.replace(work, final)
        # the store is what serves: swap it first, so a build killed before the swap leaves the old store
        # and the old files, consistent with each other
        swap(build_dir, final)
        os.replace(nt_tmp, nt_path)
        os.replace(ttl_tmp, ttl_path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if final.exists() and current_store(build_dir) != final.resolve():
            shutil.rmtree(final, ignore_errors=True)
        for t in temps:
            t.unlink(missing_ok=True)
        raise
    _prune(build_dir, keep)
    return Published(final, len(graph), [nt_path, ttl_path])

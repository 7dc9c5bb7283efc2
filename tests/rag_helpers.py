"""Test doubles for the knowledge base: a tiny deterministic embedding model and a spec'd fake Pinecone index."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any
from unittest.mock import create_autospec

import numpy as np
from langchain_core.embeddings import Embeddings
from pinecone.core.openapi.db_data.models import (
    IndexDescription,
    NamespaceSummary,
    QueryResponse,
    ScoredVector,
    UpsertResponse,
)
from pinecone.db_data import Index

from backend.rag.lexical import tokenize


class HashEmbeddings(Embeddings):
    """Bag of hashed tokens (the BM25 tokeniser's): texts sharing words get close vectors; no model, no network.

    Records every text it embeds so tests can tell what was (not) embedded.
    """

    def __init__(self, dimension: int = 64, model_name: str = "hash-64") -> None:
        self.dimension = dimension
        self.model_name = model_name
        self.documents: list[str] = []
        self.queries: list[str] = []

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(self.dimension, dtype=np.float64)
        for token in tokenize(text):
            digest = hashlib.sha1(token.encode()).digest()
            vector[int.from_bytes(digest[:4], "little") % self.dimension] += 1.0 if digest[4] & 1 else -1.0
        norm = np.linalg.norm(vector)
        if norm == 0:
            vector[0] = 1.0
            norm = 1.0
        return (vector / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += texts
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._vector(text)


class FailingEmbeddings(HashEmbeddings):
    """Fails on the first document batch, like an embedding API that is down."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise ConnectionError("embedding service unavailable")


class _Done:
    """What `upsert(..., async_req=True)` returns: something with `.get()` (an ApplyResult in the real client)."""

    def __init__(self, value: object) -> None:
        self._value = value

    def get(self, timeout: float | None = None) -> object:
        return self._value


def _matches(metadata: dict[str, Any], flt: dict[str, Any] | None) -> bool:
    """Pinecone metadata filters: plain equality, $eq, $ne, $in, $nin, $and, $or."""
    if not flt:
        return True
    for key, condition in flt.items():
        if key == "$and":
            if not all(_matches(metadata, c) for c in condition):
                return False
            continue
        if key == "$or":
            if not any(_matches(metadata, c) for c in condition):
                return False
            continue
        value = metadata.get(key)
        ops = condition if isinstance(condition, dict) else {"$eq": condition}
        for op, wanted in ops.items():
            ok = {
                "$eq": lambda v, w: v == w,
                "$ne": lambda v, w: v != w,
                "$in": lambda v, w: v in w,
                "$nin": lambda v, w: v not in w,
            }[op](value, wanted)
            if not ok:
                return False
    return True


def fake_pinecone_index(dimension: int) -> Any:
    """A `pinecone.Index` autospec (calls with a wrong signature fail) backed by in-memory namespaces.

    `index.vectors[namespace][id] = (values, metadata)` is the state; upsert/query/delete/describe_index_stats
    honour namespace, filter, top_k and include_metadata the way the service does (cosine metric).
    """
    index = create_autospec(Index, instance=True)
    index.config.host = "https://fake-index.svc.pinecone.io"
    index.config.api_key = "fake-key"
    vectors: dict[str, dict[str, tuple[list[float], dict[str, Any]]]] = defaultdict(dict)
    index.vectors = vectors

    def upsert(vectors, namespace=None, batch_size=None, show_progress=True, **kwargs):  # noqa: ANN001, ANN202
        space = index.vectors[namespace or ""]
        for item in vectors:
            vid, values, metadata = (
                (item["id"], item["values"], item.get("metadata", {}))
                if isinstance(item, dict)
                else (item[0], item[1], item[2] if len(item) > 2 else {})
            )
            if len(values) != dimension:
                raise ValueError(
                    f"Vector dimension {len(values)} does not match the dimension of the index {dimension}"
                )
            space[vid] = (list(values), dict(metadata))
        response = UpsertResponse(upserted_count=len(vectors))
        return _Done(response) if kwargs.get("async_req") else response

    def query(
        *args,
        top_k,
        vector=None,
        id=None,
        namespace=None,
        filter=None,
        include_values=None,  # noqa: ANN001, ANN202, A002
        include_metadata=None,
        sparse_vector=None,
        **kwargs,
    ):
        if vector is None or len(vector) != dimension:
            raise ValueError("query vector missing or of the wrong dimension")
        q = np.asarray(vector, dtype=np.float64)
        scored = []
        for vid, (values, metadata) in index.vectors.get(namespace or "", {}).items():
            if not _matches(metadata, filter):
                continue
            v = np.asarray(values, dtype=np.float64)
            score = float(q @ v / ((np.linalg.norm(q) * np.linalg.norm(v)) or 1.0))
            scored.append((score, vid, metadata))
        scored.sort(key=lambda s: -s[0])
        matches = [
            ScoredVector(id=vid, score=score, metadata=dict(metadata) if include_metadata else None)
            for score, vid, metadata in scored[:top_k]
        ]
        return QueryResponse(matches=matches, namespace=namespace or "")

    def delete(ids=None, delete_all=None, namespace=None, filter=None, **kwargs):  # noqa: ANN001, ANN202
        space = index.vectors[namespace or ""]
        if delete_all:
            space.clear()
        for vid in ids or []:
            space.pop(vid, None)
        if filter:
            for vid in [v for v, (_, meta) in space.items() if _matches(meta, filter)]:
                del space[vid]
        return {}

    def describe_index_stats(filter=None, **kwargs):  # noqa: ANN001, ANN202
        namespaces = {ns: NamespaceSummary(vector_count=len(space)) for ns, space in index.vectors.items() if space}
        return IndexDescription(
            dimension=dimension,
            namespaces=namespaces,
            total_vector_count=sum(len(space) for space in index.vectors.values()),
            index_fullness=0.0,
        )

    index.upsert.side_effect = upsert
    index.query.side_effect = query
    index.delete.side_effect = delete
    index.describe_index_stats.side_effect = describe_index_stats
    return index

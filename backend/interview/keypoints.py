"""Key points for a question that is not in the bank, drawn from reference text or retrieved passages."""

from __future__ import annotations

import re

import numpy as np

from backend.rag.embeddings import E5Embeddings
from backend.rag.lexical import tokenize

_HANGUL = re.compile(r"[가-힣]")  # Korean says as much in fewer characters
_SPLIT = re.compile(r"(?<=[.!?。])\s+|\n+")
# Markdown emphasis and code marks (dropped) and heading, quote and table marks (a space); not
# underscores, which belong to identifiers ("__eq__", "max_connections") far more often than to emphasis.
_INLINE, _BLOCK = re.compile(r"[*`]+"), re.compile(r"[#>|]+")


def sentences(text: str) -> list[str]:
    """Plain sentences of a (Markdown) text, markup stripped, very short fragments dropped."""
    out = []
    for raw in _SPLIT.split(text):
        clean = " ".join(_BLOCK.sub(" ", _INLINE.sub("", raw)).split()).strip(" -")
        if len(clean) >= (10 if _HANGUL.search(clean) else 15) and not clean.startswith(("Q:", "A:")):
            out.append(clean)
    return out


def derive_key_points(question: str, texts: list[str], *, embeddings: E5Embeddings | None, limit: int = 4) -> list[str]:
    """The `limit` sentences of `texts` most related to `question`, in their original order."""
    candidates = list(dict.fromkeys(s for text in texts for s in sentences(text)))[:200]
    if not candidates:
        return []
    query_terms = set(tokenize(question))
    lexical = np.array(
        [len(query_terms & set(tokenize(c))) / (len(query_terms) or 1) for c in candidates], dtype=np.float32
    )
    if embeddings is not None:
        dense = embeddings.embed_passages(candidates) @ embeddings.embed_query_array(question)
        scores = dense + 0.3 * lexical
    else:
        scores = lexical
    chosen = sorted(np.argsort(-scores)[:limit].tolist())
    return [candidates[i] for i in chosen]

"""Lexical ranking: BM25 (bm25s) over tokens that work for Korean and English."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import bm25s
import numpy as np

from backend import korean

_WORD = re.compile(r"[가-힣]+|[a-z0-9]+(?:[+#]+|(?:[.\-_][a-z0-9]+)*)", re.IGNORECASE)
_HANGUL = re.compile(r"[가-힣]")
_STOP = frozenset(
    "a an the and or of to in on for with is are was were be been it its this that these those as at by "
    "from what which who how why when do does did can could should would will i you we they he she my our "
    "your their me us them about into than then so if not no yes there here also just very".split()
)


def _stem(word: str) -> str:
    """A light English stemmer: plural and common verb endings."""
    if not word.isalpha():
        return word
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + keep
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased English words (stemmed, stop words dropped) and Korean character bigrams.

    Korean attaches particles and endings to words (프로세스는, 프로세스와); bigrams of syllables
    match the shared stem without a morphological analyser.
    """
    tokens: list[str] = []
    for match in _WORD.finditer(text.lower()):
        tokens.extend(_word_tokens(match.group(0)))
    return tokens


@lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of one lower-cased word (cached: graders tokenize the same words on every answer)."""
    if _HANGUL.match(word):
        return (word,) if len(word) == 1 else tuple(word[i : i + 2] for i in range(len(word) - 1))
    return () if word in _STOP else (_stem(word),)


# How search tokenises Korean words: "kiwi" (content morphemes), "bigram" (syllable bigrams) or "both".
# Kiwi's morphemes measured better than bigrams on the development queries (benchmarks/retrieval.py);
# where kiwipiepy is not installed, bigrams.
KOREAN_SEARCH_TOKENS = "kiwi"


def search_tokenize(text: str) -> list[str]:
    """Tokens for knowledge-base search: `tokenize`'s, with Korean words also (or instead) split into
    their content morphemes by Kiwi (see KOREAN_SEARCH_TOKENS; bigrams alone where Kiwi is missing)."""
    tokens: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        if not _HANGUL.match(word) or KOREAN_SEARCH_TOKENS == "bigram":
            tokens.extend(_word_tokens(word))
            continue
        morphemes = korean.content_morphemes(word)
        if KOREAN_SEARCH_TOKENS == "both" or not morphemes:
            tokens.extend(_word_tokens(word))
        tokens.extend(f"~{m}" for m in morphemes)  # marked: a morpheme never collides with a bigram
    return tokens


def search_query_tokenize(query: str) -> list[str]:
    """`search_tokenize`'s tokens of a query, plus their translations from the bilingual term list (a
    Korean morpheme's English word, an English word's Korean morpheme), so lexical matching reaches
    passages in the other language too."""
    from backend.rag import bilingual

    tokens = search_tokenize(query)
    extra = []
    for token in tokens:
        if token.startswith("~"):
            english = bilingual.translations(token[1:], "ko")
            extra += [english] if english else []
        elif not _HANGUL.match(token):
            morpheme = bilingual.translations(token, "en")
            extra += [f"~{morpheme}"] if morpheme else []
    return tokens + extra


class Bm25Index:
    """BM25 scores for a fixed list of texts."""

    def __init__(
        self,
        texts: list[str],
        *,
        tokenizer: Callable[[str], list[str]] = tokenize,
        query_tokenizer: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._size = len(texts)
        self._tokenize = query_tokenizer or tokenizer
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index([tokenizer(t) or [""] for t in texts], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per indexed text (zeros when nothing matches)."""
        tokens = self._tokenize(query)
        if not self._size or not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

"""Korean morphological analysis with kiwipiepy (its model ships in the kiwipiepy-model wheel: nothing is
downloaded at run time), shared by lexical search and the offline grader.

Korean glues particles and endings to its words (프로세스는, 프로세스와, 실행했다): matching needs the
stems. Kiwi splits a word into morphemes; `content_morphemes` keeps those that carry meaning.
"""

from __future__ import annotations

import threading
from functools import lru_cache

# Nouns, numerals, pronouns, verb and adjective stems, roots, adverbs, and Latin, numbers and Hanja inside Korean text.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "MAG", "SL", "SN", "SH"})
# Kiwi knows a loanword alone but may cut it into one-syllable nouns when a particle follows (프록시 -> 프록시,
# 프록시는 -> 프 + 록 + 시): such a run is joined back into one morpheme, which matches the word elsewhere.
_NOUNS = frozenset({"NNG", "NNP"})
_lock = threading.Lock()


@lru_cache(maxsize=1)
def kiwi() -> object | None:
    """The process's Kiwi analyser, loaded once (about 1 s); None where kiwipiepy is not installed.

    Without the multi-word and typo dictionaries: words are analysed one at a time, so a multi-word entry never
    applies, and the content morphemes of all 15,373 distinct Korean words of the bundled and benchmark
    documents came out the same without either. Leaving them out saves about 185 MiB of the about 495 MiB the
    first call adds to the process (kiwipiepy 0.24, 2 cores: resident +495 -> +310 MiB, first call 1.5-2.1 ->
    0.8-0.9 s), which counts on a host with 1 GB of memory.
    """
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        return None
    return Kiwi(load_multi_dict=False, load_typo_dict=False)


def available() -> bool:
    """True when the analyser can be loaded."""
    return kiwi() is not None


@lru_cache(maxsize=1 << 16)
def content_morphemes(word: str) -> tuple[str, ...]:
    """The content morphemes of one Korean word (lower-cased), in order; () when Kiwi is unavailable.

    Cached per word: the same words come back in every index and answer.
    """
    analyser = kiwi()
    if analyser is None:
        return ()
    with _lock:  # one Kiwi instance shared by threads
        tokens = analyser.tokenize(word)
    out: list[str] = []
    run: list[str] = []  # adjacent one-syllable nouns: the pieces of a word Kiwi did not know
    end = -1
    for token in tokens:
        single = token.tag in _NOUNS and len(token.form) == 1
        if run and not (single and token.start == end):
            out.append("".join(run))
            run = []
        if single:
            run.append(token.form)
        elif token.tag in CONTENT_TAGS:
            out.append(token.form.lower())
        end = token.start + token.len
    if run:
        out.append("".join(run))
    return tuple(out)

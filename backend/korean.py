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
    return tuple(t.form.lower() for t in tokens if t.tag in CONTENT_TAGS)

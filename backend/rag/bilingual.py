"""Query expansion across languages with a term list mined from the parallel knowledge base.

The bundled documents exist in Korean and English with the same section anchors. A Korean content
morpheme and an English word that keep occurring in the same aligned sections (Dice coefficient at least
MIN_DICE over at least MIN_SECTIONS sections) are translations for search: a Korean question about
"스레드" then also matches English passages on "thread" lexically, and the other way round. Mined by
`python -m backend.rag.bundle` into data/index/bilingual.json, shipped with the app like the vectors.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from backend import korean
from backend.config import DATA_DIR
from backend.rag.chunking import content_hash

LEXICON_PATH = DATA_DIR / "index" / "bilingual.json"
MIN_DICE = 0.6
MIN_SECTIONS = 3
_ANCHORED = re.compile(r"^##\s+.*\{#([A-Za-z0-9_-]+)\}\s*$", re.M)
_HANGUL_WORD = re.compile(r"[가-힣]+")
_LATIN_WORD = re.compile(r"[a-z]{3,}")


def _sections(text: str) -> dict[str, str]:
    """Text under each anchored second-level heading, by anchor."""
    marks = list(_ANCHORED.finditer(text))
    return {
        m.group(1): text[m.end() : marks[n + 1].start() if n + 1 < len(marks) else len(text)]
        for n, m in enumerate(marks)
    }


def _korean_terms(text: str) -> set[str]:
    return {m for w in _HANGUL_WORD.findall(text) for m in korean.content_morphemes(w) if len(m) > 1 and m[0] >= "가"}


def _english_terms(text: str) -> set[str]:
    from backend.rag.lexical import tokenize

    return {t for t in tokenize(text) if _LATIN_WORD.fullmatch(t)}


def knowledge_hash(knowledge_dir: Path) -> str:
    """A hash of the parallel documents the term list is mined from."""
    return content_hash("".join(p.read_text(encoding="utf-8") for p in sorted(knowledge_dir.glob("*/*.md"))))


def mine(knowledge_dir: Path) -> dict[str, object]:
    """Term pairs from `knowledge_dir`/{ko,en}/<name>.md: {"ko": {morpheme: [word]}, "en": {word: [morpheme]}}."""
    aligned = []
    for english in sorted((knowledge_dir / "en").glob("*.md")):
        korean_path = knowledge_dir / "ko" / english.name
        if not korean_path.exists():
            continue
        en, ko = _sections(english.read_text(encoding="utf-8")), _sections(korean_path.read_text(encoding="utf-8"))
        for anchor in en.keys() & ko.keys():
            # Latin words already written in the Korean section match without translation.
            aligned.append((_korean_terms(ko[anchor]), _english_terms(en[anchor]) - _english_terms(ko[anchor])))
    df_ko, df_en, both = Counter(), Counter(), Counter()
    for ko_terms, en_terms in aligned:
        df_ko.update(ko_terms)
        df_en.update(en_terms)
        both.update((k, e) for k in ko_terms for e in en_terms)
    best: dict[str, dict[str, tuple[float, str]]] = {"ko": {}, "en": {}}
    # In order of the terms, so that of pairs with the same Dice coefficient the first wins on every build: the pairs
    # are counted from sets, whose order changes with each process's string hashing (PYTHONHASHSEED), and each
    # build shipped a slightly different list.
    for (k, e), count in sorted(both.items()):
        dice = 2 * count / (df_ko[k] + df_en[e])
        if count >= MIN_SECTIONS and dice >= MIN_DICE:
            if dice > best["ko"].get(k, (0.0, ""))[0]:
                best["ko"][k] = (dice, e)
            if dice > best["en"].get(e, (0.0, ""))[0]:
                best["en"][e] = (dice, k)
    return {
        "source_hash": knowledge_hash(knowledge_dir),
        "ko": {k: v[1] for k, v in sorted(best["ko"].items())},
        "en": {e: v[1] for e, v in sorted(best["en"].items())},
    }


def save(knowledge_dir: Path, path: Path = LEXICON_PATH) -> int:
    """Mine and write the term list; returns the number of pairs."""
    lexicon = mine(knowledge_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(lexicon, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    load.cache_clear()
    return len(lexicon["ko"]) + len(lexicon["en"])


@lru_cache(maxsize=1)
def load(path: Path = LEXICON_PATH) -> dict[str, dict[str, str]]:
    """The shipped term list ({"ko": …, "en": …}; empty where none ships)."""
    if not path.exists():
        return {"ko": {}, "en": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"ko": data.get("ko", {}), "en": data.get("en", {}), "source_hash": data.get("source_hash", "")}


def translations(term: str, language: str) -> str | None:
    """The other language's term for a Korean morpheme (`language` "ko") or an English word ("en")."""
    return load().get(language, {}).get(term)

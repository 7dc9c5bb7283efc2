"""Key points for a question that is not in the bank, drawn from reference text or retrieved passages."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from backend.rag.bundle import fill_vectors, sentence_vectors
from backend.rag.embeddings import OFFLINE_MODEL_NAME, E5Embeddings
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


# Lines that are not prose: front matter (lower-case keys: "description: …"; a capitalised label opens prose,
# "Pitfalls: session fixation — …"), fenced code, HTML, tables, Q/A labels.
_FRONT_MATTER = re.compile(r"^\s*[a-z_][a-z0-9_-]{1,19}:\s")
_HTML = re.compile(r"<[^>]+>")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")  # a list item's mark
# A sentence opening with a pronoun for something the sentence before names ("It has an owner").
_ANAPHOR = re.compile(r"^(?:(?:It|Its|They|Their|This|These|That|Those)\b|(?:이것|그것|이는|이들|이를|이렇게))")
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:Q|A|Question|Answer|질문|답변?)\s*[:.)]", re.IGNORECASE)

_FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_QUOTE = re.compile(r"^\s*>\s*")


def plain_paragraphs(text: str) -> list[str]:
    """A (Markdown) answer as plain paragraphs: a wrapped line continues its paragraph, while a blank line and each
    list item start a new one (an item without a full stop is a statement of its own); a fenced code block is a
    paragraph on one line; headings (titles, not statements), quote, list, emphasis and code marks, link targets and
    HTML tags dropped."""
    text = _FENCED.sub(lambda m: "\n\n" + " ".join(m.group(2).split()) + "\n\n", text)
    out: list[str] = []
    joined = False  # whether the next line continues the last paragraph
    for line in text.splitlines():
        if _HEADING.match(line):
            joined = False
            continue
        unquoted = _QUOTE.sub("", line)
        clean = " ".join(_HTML.sub(" ", _INLINE.sub("", _LINK.sub(r"\1", _ITEM.sub("", unquoted)))).split())
        if clean and joined and unquoted == line and not _ITEM.match(line):
            out[-1] += " " + clean
        elif clean:
            out.append(clean)
        joined = bool(clean)
    return out


def list_items(text: str) -> int:
    """How many lines of a (Markdown) text are list items."""
    return sum(1 for line in text.splitlines() if _ITEM.match(line))


def declarative_sentences(text: str) -> list[str]:
    """The prose statements of a (Markdown) reference text: no headings, front matter, code fences,
    HTML, table rows, Q/A labels or questions; each stripped of markup."""
    kept: list[str] = []
    fenced = front = False
    for index, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if stripped == "---" and (index == 0 or front):
            front = not front
            continue
        if fenced or front or stripped.startswith(("#", "|", "<")) or _FRONT_MATTER.match(stripped):
            continue
        if _LABEL.match(stripped):
            stripped = _LABEL.sub("", stripped)
        stripped = _HTML.sub(" ", stripped)
        # A wrapped line continues its paragraph; a blank line or a list item starts a new one.
        if kept and kept[-1] and stripped and not _ITEM.match(stripped):
            kept[-1] += " " + stripped
        else:
            kept.append(stripped)
    out: list[str] = []
    for paragraph in kept:
        previous = False  # whether the paragraph's last sentence was kept
        for sentence in sentences(paragraph):
            if sentence.endswith(("?", "？")) or sentence.endswith(":"):
                previous = False
            elif previous and _ANAPHOR.match(sentence):
                out[-1] += " " + sentence  # "It has an owner." says nothing without the sentence naming "it"
            else:
                out.append(sentence)
                previous = True
    return out


def derive_key_points(
    question: str, texts: list[str], *, embeddings: E5Embeddings | None, limit: int = 4, related_only: bool = True
) -> list[str]:
    """The `limit` statements of `texts` most related to `question` (and, if `related_only`, nearly as related as
    the best one: leave it off when all of `texts` answers the question), without near-duplicates, in their
    original order."""
    candidates = list(dict.fromkeys(s for text in texts for s in declarative_sentences(text)))[:200]
    if not candidates:
        return []
    query_terms = set(tokenize(question))
    tokens = [set(tokenize(c)) for c in candidates]
    lexical = np.array([len(query_terms & t) / (len(query_terms) or 1) for t in tokens], dtype=np.float32)
    if embeddings is not None:
        scores = reference_vectors(embeddings, tuple(candidates)) @ _query_vector(embeddings, question) + 0.3 * lexical
    else:
        scores = lexical
    chosen: list[int] = []
    for i in np.argsort(-scores).tolist():
        if related_only and scores[i] < scores.max() - _RELEVANT_GAP:
            break  # the rest of the section is about something else
        if all(len(tokens[i] & tokens[j]) < _DUPLICATE * min(len(tokens[i]), len(tokens[j]) or 1) for j in chosen):
            chosen.append(i)
        if len(chosen) == limit:
            break
    return [candidates[i] for i in sorted(chosen)]


# A statement is a key point only if it is nearly as related to the question as the best one: a long section's
# statements about its other topics ("400 또는 422입니다." from a status-code section, for a question on
# redirects) are not points to make. On the development half's 16 questions outside the bank, 0.1 dropped 6
# derived points, 5 of them about another topic; pairwise order unchanged (0.877).
_RELEVANT_GAP = 0.1
_DUPLICATE = 0.7  # share of the shorter sentence's words the other repeats: the same statement twice


_CACHED = 4096  # reference sentences whose vectors are kept (about 6 MB): a few hundred questions' worth
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def reference_vectors(embeddings: E5Embeddings, texts: tuple[str, ...]) -> np.ndarray:
    """Vectors of reference sentences (key points, model answers, a reference's statements): shipped for
    the bank's, otherwise embedded once per process in one call and kept (the most recent `_CACHED`),
    so every answer to a question outside the bank reuses its reference's vectors."""
    known = sentence_vectors(list(texts)) if embeddings.model_name == OFFLINE_MODEL_NAME else {}
    with _cache_lock:
        for i, text in enumerate(texts):
            if i not in known and text in _cache:
                _cache.move_to_end(text)
                known[i] = _cache[text]
    missing = [i for i in range(len(texts)) if i not in known]
    out = fill_vectors(list(texts), known, embeddings.embed_passages)
    with _cache_lock:
        for i in missing:
            _cache[texts[i]] = out[i]
        while len(_cache) > _CACHED:
            _cache.popitem(last=False)
    return out


@lru_cache(maxsize=256)
def _query_vector(embeddings: E5Embeddings, question: str) -> np.ndarray:
    return embeddings.embed_query_array(question)

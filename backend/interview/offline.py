"""The offline grader: key-point coverage checked claim by claim, without any LLM.

Topical similarity alone ranks a confidently wrong answer (all the right words, the wrong claims)
above a vague one. So each clause of the answer is aligned with the key points (and the model
answer's sentences) by multilingual embeddings plus lexical overlap, and an aligned clause only
counts as support when it does not contradict the fact: a flipped negation, an opposite
(shared/own, cheaper/more expensive …), the compared terms swapped, or a different Big-O class.
Deterministic: the same inputs give the same grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from backend.interview import cues
from backend.interview.keypoints import sentences as reference_sentences
from backend.interview.rubric import DimensionScore, Grade, dimensions_for, total_from
from backend.rag.embeddings import E5Embeddings
from backend.rag.lexical import tokenize

_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_CLAUSE = re.compile(
    r"[,;:]\s+(?=(?:and|but|while|whereas|so|which|because|although|though|then)\b)|;\s+|"
    r"(?<=[고며서만데])\s*,\s+|(?<=지만)\s+|(?<=는데)\s+|(?<=니까)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[가-힣]+|[a-z]+", re.IGNORECASE)
_COMPARISON = re.compile(r"differ|compar|versus|\bvs\b|\bor\b|차이|비교|다른 점|다른가|무엇이 다", re.IGNORECASE)
_JAMO = re.compile(r"[ㄱ-ㅎㅏ-ㅣ]")
_DENSE_FLOOR, _DENSE_SPAN = 0.80, 0.10  # E5 cosine: unrelated text sits below ~0.8, a paraphrase near 0.9+
_ALIGNED, _PARTIAL = 0.45, 0.30

_HINT = {
    "ko": "핵심 개념을 한 문장으로 먼저 말하고, 왜 그런지와 예시를 2~3문장 덧붙여 보세요.",
    "en": "Start with the core idea in one sentence, then add two or three sentences on why and an example.",
}
_CHECK = {
    "ko": "이 주장을 다시 확인해 보세요: \"{claim}\" (참고: {fact})",
    "en": "Double-check this claim: \"{claim}\" (compare: {fact})",
}



@dataclass
class _Claim:
    text: str  # a clause of the answer
    sentence: str  # the sentence it came from (the evidence shown to the candidate)


def grade_offline(
    *,
    question: str,
    key_points: list[str],
    answer: str,
    language: str,
    track: str,
    embeddings: E5Embeddings | None,
    model_answer: str = "",
) -> Grade:
    """Grade `answer` against `key_points`; `embeddings=None` grades on lexical evidence alone."""
    dims = dimensions_for(track)
    claims = _claims(answer)
    facts = list(key_points) + [s for s in reference_sentences(model_answer) if s not in key_points]
    if not claims or not key_points or _not_an_answer(answer, claims):
        return _insufficient(dims, key_points, language)
    align = _alignment(facts, [c.text for c in claims], embeddings)
    topic = set(tokenize(" ".join([question, *facts])))
    overlap = len(topic & set(tokenize(answer)))
    if float(align.max()) < _PARTIAL and overlap < 3:
        return _insufficient(dims, key_points, language)  # off-topic

    contra = np.array([[_contradicts(f, c.text, question) for c in claims] for f in facts], dtype=bool)
    supported = (align >= _ALIGNED) & ~contra
    partial = (align >= _PARTIAL) & ~contra
    contradicted = (align >= _PARTIAL) & contra
    k = len(key_points)
    covered = [i for i in range(k) if supported[i].any()]
    half = [i for i in range(k) if i not in covered and partial[i].any()]
    coverage = (len(covered) + 0.5 * len(half)) / k
    wrong_claims = [j for j in range(len(claims)) if contradicted[:, j].any() and not supported[:, j].any()]
    right_claims = [j for j in range(len(claims)) if supported[:, j].any()]
    wrong_ratio = len(wrong_claims) / max(1, len(wrong_claims) + len(right_claims))
    quality = min(1.0, 0.25 + coverage) * (1.0 - wrong_ratio)

    best = claims[int(np.argmax(align.max(axis=0)))].sentence
    first = claims[0].sentence
    correctness = _clamp(1 + 4 * min(1.0, 0.25 + coverage) - 6 * wrong_ratio)
    scores: dict[str, DimensionScore] = {}
    if dims == ("situation", "task", "action", "result"):
        for dim in dims:
            hits = [c.sentence for c in claims if cues.STAR[dim].search(c.text)]
            raw = 1 + min(4, len(set(hits)) + (1 if hits else 0))
            scores[dim] = DimensionScore(_clamp(1 + (raw - 1) * quality), hits[0] if hits else "")
    else:
        sentences = list(dict.fromkeys(c.sentence for c in claims))
        reasons = [s for s in sentences if cues.REASONING.search(s)]
        hedges = [s for s in sentences if cues.HEDGES.search(s)]
        cap = correctness + 1
        depth = min(cap, _clamp(1 + 4 * coverage + (0.5 if reasons and coverage >= 0.4 else 0)))
        clarity = 3 + (1 if coverage >= 0.5 else 0) + (1 if reasons and coverage >= 0.6 else 0) - min(2, len(hedges))
        structure = 2 + (1 if len(sentences) >= 3 else 0) + (1 if align[:, 0].max() >= _PARTIAL else 0)
        structure += 1 if cues.STRUCTURE.search(answer) and len(sentences) >= 3 else 0
        wrong_sentence = claims[wrong_claims[0]].sentence if wrong_claims else ""
        scores = {
            "correctness": DimensionScore(correctness, wrong_sentence if correctness <= 2 and wrong_claims else best),
            "depth": DimensionScore(depth, reasons[0] if reasons else best),
            "clarity": DimensionScore(min(cap, _clamp(clarity)), hedges[0] if hedges else best),
            "structure": DimensionScore(min(cap, _clamp(structure)), first),
        }
    checks = [
        _CHECK[language].format(claim=claims[j].text, fact=facts[int(np.argmax(np.where(contra[:, j], align[:, j], -1)))])
        for j in wrong_claims[:2]
    ]
    return Grade(
        total=total_from({d: s.score for d, s in scores.items()}),
        scores=scores,
        strengths=[key_points[i].rstrip(". ") + "." for i in covered[:3]],
        covered_points=[key_points[i] for i in covered],
        missed_points=[p for i, p in enumerate(key_points) if i not in covered],
        coaching="\n".join(checks),
        model_answer=model_answer,
        grader="offline",
    )


def _claims(answer: str) -> list[_Claim]:
    out: list[_Claim] = []
    for sentence in _SENTENCE.split(answer.strip()):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        parts = [p.strip() for p in _CLAUSE.split(sentence) if p and p.strip()]
        merged: list[str] = []
        for part in parts:  # very short clauses carry no claim on their own: keep them with the previous one
            if merged and len(part) < 18:
                merged[-1] += " " + part
            else:
                merged.append(part)
        out.extend(_Claim(p, sentence) for p in merged or [sentence])
    return out[:60]


def _not_an_answer(answer: str, claims: list[_Claim]) -> bool:
    """Empty, a word or two, "I don't know", or keyboard mashing."""
    words = _WORD.findall(answer)
    hangul = sum(len(w) for w in words if "가" <= w[0] <= "힣")
    latin = [w for w in words if w.isascii()]
    if hangul < 8 and len(latin) < 4:
        return True
    if cues.DONT_KNOW.search(answer) and len(words) <= 12:
        return True
    if len(_JAMO.findall(answer)) > len(answer) * 0.2:
        return True
    plausible = sum(1 for w in latin if _looks_like_a_word(w.lower()))
    return bool(latin) and hangul < 8 and plausible < 0.6 * len(latin)


def _looks_like_a_word(word: str) -> bool:
    if len(word) <= 3 or word in _known_words():
        return True
    return bool(re.search(r"[aeiouy]", word)) and not re.search(r"(.)\1\1|[^aeiouy]{5,}|[qxzj][^aeiouy]", word)


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    from backend.interview.bank import load_bank

    text = " ".join(" ".join([*q.text.values(), *q.model_answer.values()]) for q in load_bank().values())
    return frozenset(w.lower() for w in _WORD.findall(text))


def _alignment(facts: list[str], claims: list[str], embeddings: E5Embeddings | None) -> np.ndarray:
    """(facts × claims) in [0, 1]: calibrated embedding similarity blended with lexical recall of the fact."""
    fact_tokens = [set(tokenize(f)) for f in facts]
    claim_tokens = [set(tokenize(c)) for c in claims]
    lexical = np.array(
        [[len(ft & ct) / (len(ft) or 1) for ct in claim_tokens] for ft in fact_tokens], dtype=np.float32
    )
    if embeddings is None:
        return lexical
    dense = _fact_vectors(embeddings, tuple(facts)) @ embeddings.embed_passages(claims).T
    calibrated = np.clip((dense - _DENSE_FLOOR) / _DENSE_SPAN, 0.0, 1.0)
    return 0.6 * calibrated + 0.4 * lexical


@lru_cache(maxsize=256)
def _fact_vectors(embeddings: E5Embeddings, facts: tuple[str, ...]) -> np.ndarray:
    return embeddings.embed_passages(list(facts))


def _contradicts(fact: str, claim: str, question: str) -> bool:
    """Does `claim` say the opposite of `fact`?"""
    f, c = fact.lower(), claim.lower()
    if bool(cues.NEGATION.search(f)) != bool(cues.NEGATION.search(c)):
        return True
    for one, other in cues.OPPOSITES:
        f_one, f_other = re.search(one, f), re.search(other, f)
        c_one, c_other = re.search(one, c), re.search(other, c)
        if (f_one and not f_other and c_other and not c_one) or (f_other and not f_one and c_one and not c_other):
            return True
    f_o, c_o = cues.complexities(f), cues.complexities(c)
    if f_o and c_o and not f_o & c_o:
        return True
    return _swapped(f, c, question)


def _swapped(fact: str, claim: str, question: str) -> bool:
    """The fact is about one of the question's compared terms and the claim puts it on another."""
    if not _COMPARISON.search(question):
        return False
    terms = {t for t in _terms(question) if len(t) >= 2}
    in_fact = {t for t in terms if t in fact}
    in_claim = {t for t in terms if t in claim}
    return bool(in_fact and in_claim and not in_fact & in_claim)


@lru_cache(maxsize=512)
def _terms(question: str) -> frozenset[str]:
    """Content words of a question, Korean particles trimmed ("프로세스와" → "프로세스")."""
    out = set()
    for word in _WORD.findall(question.lower()):
        if word.isascii():
            if len(word) >= 3 and tokenize(word):
                out.add(word.rstrip("s") if len(word) > 4 else word)
        else:
            out.add(re.sub(r"(?:와|과|는|은|이|가|을|를|의|에서|에|로|으로|란|이란|하고|랑|이랑)$", "", word))
    return frozenset(w for w in out if w)


def _insufficient(dims: tuple[str, ...], key_points: list[str], language: str) -> Grade:
    scores = {d: DimensionScore(1) for d in dims}
    return Grade(
        total=0,
        scores=scores,
        insufficient=True,
        missed_points=list(key_points),
        coaching=_HINT[language],
        grader="offline",
    )


def _clamp(value: float) -> int:
    return int(min(5, max(1, round(value))))

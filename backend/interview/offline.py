"""The offline grader: key-point coverage checked claim by claim, without any LLM.

Topical similarity alone ranks a confidently wrong answer (all the right words, the wrong claims)
above a vague one. So each clause of the answer is aligned with the key points (and the model
answer's sentences) by multilingual embeddings plus lexical overlap; a clause restating the model
answer's sentence for a key point covers that point, however abstractly the point is worded. Each
clause is checked for evidence that the reference contradicts it (claims.py): a property given to the
wrong one of the compared terms, a claim closer to a key point with its terms swapped or a word
reversed than to anything the reference says (contrast.py), role words the wrong way round ("the
larger tree under the smaller"), a Big-O class the reference never gives, a negation of what a key
point asserts. Behavioural answers are checked for the anti-patterns interview guides warn about
(blame, perks first, belittling a colleague, a story told only as "we"). The share of claims that
survive discounts every dimension, so a vague answer that says little but nothing false beats a
fluent wrong one.
Deterministic: the same inputs give the same grade.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from backend.interview import claims as claim_check
from backend.interview import cues
from backend.interview.bank import Question, load_bank, text_key
from backend.interview.contrast import perturbations
from backend.interview.keypoints import sentences as reference_sentences
from backend.interview.rubric import BEHAVIORAL, DimensionScore, Grade, dimensions_for, total_from
from backend.rag.bundle import sentence_vectors
from backend.rag.embeddings import OFFLINE_MODEL_NAME, E5Embeddings
from backend.rag.lexical import tokenize

_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_CLAUSE = re.compile(
    r"[,;:]\s+(?=(?:and|but|while|whereas|so|which|because|although|though|then)\b)|;\s+|"
    r"(?<=[고며서만데])\s*,\s+|(?<=지만)\s+|(?<=는데)\s+|(?<=니까)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[가-힣]+|[a-z]+", re.IGNORECASE)
_JAMO = re.compile(r"[ㄱ-ㅎㅏ-ㅣ]")
_DENSE_FLOOR, _DENSE_SPAN = 0.86, 0.08  # E5 cosine: unrelated text sits below ~0.8, a paraphrase near 0.9+
_ALIGNED, _PARTIAL = 0.5, 0.35
# Weights of the evidence that a claim is false (see _errors). A swapped attribute or a wrong Big-O
# class is specific; a negation bound to a key point's word is weaker evidence (answers also negate
# to correct a misconception), so it counts half.
_SWAP_WEIGHT, _ORDER_WEIGHT, _NEGATION_WEIGHT = 1.0, 1.0, 0.5
# "Almost constant time" for O(α(n)) is an approximation, not a different complexity class.
_APPROXIMATE = re.compile(
    r"\b(?:almost|nearly|practically|effectively|essentially|close to|roughly)\b|거의|사실상|실질적으로|실제로는|대략",
    re.IGNORECASE,
)
# A claim is "reversed" when its E5 cosine to a perturbed reference sentence (contrast.py) beats its
# cosine to every true reference sentence by this much. A swap moves a sentence's vector only a
# little, so the margin is small; below ~0.01 the noise between near-paraphrases flags correct
# claims too. A reversal is as specific as a swapped attribute.
_REVERSAL_MARGIN, _REVERSAL_WEIGHT = 0.02, 1.0
# A claim matches at least this many more of a reference sentence's ordered word pairs ("smaller …
# under … larger") once two role words are exchanged: it has them the wrong way round. One pair is
# noise between paraphrases; two flag 37 claims of wrong answers and 3 of strong ones on our evaluation set.
_ROLE_GAIN = 2
_NEGATION_ALIGNED = 0.2  # a key point this close to the claim is the one its negation is compared with
# Truth (see grade_offline): one contradicted claim outweighs six supported ones; two claims' worth
# of benefit of the doubt keeps a short answer that asserts nothing false near full truth. Six, not
# four, since the checks seldom flag a correct claim (on the technical questions of our evaluation set
# they flag 163 claims of wrong answers, 15 of strong and 5 of weak ones): it ranks as well or better
# on each half of the set (en, ko, odd and even question numbers).
_ERROR_COST, _TRUTH_PRIOR = 6.0, 2.0
_PRAISE_TRUTH = 0.5  # below this truth an answer's covered points are not credited or praised
# Off-topic: under a sixth of the answer's rarity-weighted vocabulary is in this question's reference,
# and another bank question's reference covers at least 2.5 times as much of it.
_OWN_SHARE, _OTHER_RATIO = 0.15, 0.4
# An answer whose meaning is within this E5 cosine of this question's, against every other bank
# question, is an answer to it, however few of the reference's words it uses. On our evaluation set
# (benchmarks/grading.py) the answers to other questions sit 0.036 below the best other question at the
# median and 0.016 at the 95th percentile.
_ON_TOPIC_MARGIN = 0.01
_ANTI_PATTERNS = (cues.DEFLECTION, cues.SELF_INTEREST, cues.DISMISSAL)
_WE_PROBLEM = 3  # "we" this often in a behavioural answer that hardly ever says "I"

_HINT = {
    "ko": "핵심 개념을 한 문장으로 먼저 말하고, 왜 그런지와 예시를 2~3문장 덧붙여 보세요.",
    "en": "Start with the core idea in one sentence, then add two or three sentences on why and an example.",
}
_CHECK = {
    "ko": '이 주장을 다시 확인해 보세요: "{claim}" (참고: {fact})',
    "en": 'Double-check this claim: "{claim}" (compare: {fact})',
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
    facts = (*key_points, *(s for s in reference_sentences(model_answer) if s not in key_points))
    if not claims or not key_points or _not_an_answer(answer, claims):
        return _insufficient(dims, key_points, language)
    # A key point may be spread over the clauses of one sentence ("on a read it looks in the cache; if
    # it's a miss, it queries the database"), so sentences of several clauses are aligned as well.
    joined = [s for s in dict.fromkeys(c.sentence for c in claims) if sum(c.sentence == s for c in claims) > 1]
    units, vectors = _alignment(list(facts), claims, joined, embeddings)
    align = units[:, : len(claims)]
    topic = set(tokenize(" ".join([question, *facts])))
    words = set(tokenize(answer))
    own, elsewhere = _relevance(question, topic, words)
    closest = float(align.max())
    stray = (closest < _PARTIAL and len(topic & words) < 3 and own < elsewhere) or (
        closest < _ALIGNED and own < _OWN_SHARE and own < _OTHER_RATIO * elsewhere
    )  # nothing aligns and few words are shared, or the words belong to another question's reference
    if stray and not _answers_this_question(question, vectors, embeddings):
        return _insufficient(dims, key_points, language)

    k = len(key_points)
    points = _point_support(units, _illustrations(facts, k, embeddings))
    point_of = points.argmax(axis=0)  # the key point a claim (or sentence) is mainly about
    fact_of = align.argmax(axis=0)
    story_errors = 0.0
    # Every sentence of the model answer, however short, can be restated ("Message boundaries differ too.").
    restated = _restatements([*facts, *(c.sentence for c in _claims(model_answer))], claims)
    if track == "behavioral":
        errors = [
            0.0 if again else float(any(cue.search(c.text) for cue in _ANTI_PATTERNS))
            for c, again in zip(claims, restated, strict=True)
        ]
        mine, ours = len(cues.FIRST_PERSON.findall(answer)), len(cues.FIRST_PERSON_PLURAL.findall(answer))
        if ours >= _WE_PROBLEM and mine <= 1:
            story_errors = 1.0  # the whole story is told as "we": one error for the answer
    else:
        reversed_ = _reversals(question, key_points, facts, claims, vectors, embeddings)
        errors = _errors(question, key_points, facts, claims, align, point_of[: len(claims)], restated, reversed_)
    wrong_claims = [j for j, weight in enumerate(errors) if weight > 0]
    # A claim supports its main key point, and any other it covers outright: one sentence of a good
    # answer often covers two points ("on a miss, read the database and fill the cache").
    # A sentence counts only when none of its clauses is flagged.
    flagged_sentences = {claims[j].sentence for j in wrong_claims}
    kept = np.array([j not in wrong_claims for j in range(len(claims))] + [s not in flagged_sentences for s in joined])
    main = np.zeros_like(points, dtype=bool)
    main[point_of, np.arange(points.shape[1])] = True
    credit = (points * ((main | (points >= _ALIGNED)) & kept)).max(axis=1)
    covered = [i for i in range(k) if credit[i] >= _ALIGNED]
    coverage = float(np.clip((credit - _PARTIAL) / (_ALIGNED + 0.15 - _PARTIAL), 0, 1).mean())
    aligned = [j for j in range(len(claims)) if align[:, j].max() >= _PARTIAL]
    supported = len([j for j in aligned if j not in wrong_claims])
    # Truth: the share of what the answer asserts that survives the checks. A contradicted claim
    # weighs _ERROR_COST supported ones, and _TRUTH_PRIOR claims of benefit of the doubt keep a short,
    # vague answer (nothing checked, nothing false) near 1. It discounts every dimension below, which
    # is how the rubric's "correctness caps the rest" reads when the checks are only evidence.
    truth = (supported + _TRUTH_PRIOR) / (supported + _TRUTH_PRIOR + _ERROR_COST * (sum(errors) + story_errors))
    if truth < _PRAISE_TRUTH:
        covered = []  # most of what it asserts is contradicted: no point counts as made, none is praised
    wrong_ratio = len(wrong_claims) / max(1, len(aligned))
    precision = _relation_support(facts, [c.text for c in claims]) * (1.0 - min(1.0, wrong_ratio))

    best = claims[int(np.argmax(align.max(axis=0)))].sentence
    sentences = list(dict.fromkeys(c.sentence for c in claims))
    correctness = 1 + 4 * precision * min(1.0, 0.3 + coverage)
    values: dict[str, tuple[float, str]] = {}
    if dims == BEHAVIORAL:
        # Behavioural key points describe the shape of a good story rather than facts, so alignment
        # is weak evidence; relation support still tells a specific story from a generic one.
        quality = (0.5 + 0.5 * coverage) * (0.5 + 0.5 * precision)
        for dim in dims:
            hits = list(dict.fromkeys(c.sentence for c in claims if cues.STAR[dim].search(c.text)))
            # An answer that got this far says something, which is level 2 ("vague") at worst. A story
            # that covers what the question looks for has each part, in words the cue lists may miss.
            raw = max(2 + min(3, len(hits)), 1 + 4 * coverage)
            values[dim] = (1 + (raw - 1) * quality, hits[0] if hits else "")
    else:
        reasons = [x for x in sentences if cues.REASONING.search(x)]
        hedges = [x for x in sentences if cues.HEDGES.search(x)]
        cap = correctness + 1
        depth = 1 + 4 * coverage * (0.4 + 0.6 * precision) + (0.3 if reasons else 0)
        clarity = 3 + coverage + (0.5 if reasons else 0) - 0.5 * min(3, len(hedges))
        structure = 2 + (len(sentences) >= 3) + (align[:, 0].max() >= _PARTIAL) * 0.5
        structure += 0.5 * bool(cues.STRUCTURE.search(answer) and len(sentences) >= 3)
        wrong_sentence = claims[wrong_claims[0]].sentence if wrong_claims else ""
        values = {
            "correctness": (correctness, wrong_sentence if correctness < 2.5 and wrong_claims else best),
            "depth": (min(cap, depth), reasons[0] if reasons else best),
            "clarity": (min(cap, clarity), hedges[0] if hedges else best),
            "structure": (min(cap, structure), claims[0].sentence),
        }
    values = {d: (1 + (min(5.0, max(1.0, v)) - 1) * truth**2, e) for d, (v, e) in values.items()}
    # A behavioural answer's flagged sentences (blame, perks) have no fact to compare with.
    flagged = [] if track == "behavioral" else wrong_claims[:2]
    checks = [_CHECK[language].format(claim=claims[j].text, fact=facts[fact_of[j]]) for j in flagged]
    return Grade(
        # The total keeps the unrounded dimension values, so close answers are still told apart.
        total=total_from({d: v for d, (v, _) in values.items()}),
        scores={d: DimensionScore(_clamp(v), e) for d, (v, e) in values.items()},
        strengths=[key_points[i].rstrip(". ") + "." for i in covered[:3]],
        covered_points=[key_points[i] for i in covered],
        missed_points=[p for i, p in enumerate(key_points) if i not in covered],
        coaching="\n".join(checks),
        model_answer=model_answer,
        grader="offline",
    )


_RESTATED = 0.85  # share of a claim's words found in one reference sentence that makes it a restatement


def _errors(
    question: str,
    key_points: list[str],
    facts: list[str],
    claims: list[_Claim],
    align: np.ndarray,
    point_of: np.ndarray,
    restated: list[bool],
    reversed_: list[bool],
) -> list[float]:
    """Per claim, the weight of evidence that it says something the reference contradicts."""
    terms, attributes, roles = _reference_reading(question, tuple(facts))
    reference_orders = set().union(*(cues.complexities(f) for f in facts))
    topic = frozenset(w.stem for w in claim_check.words(question))
    out: list[float] = []
    for j, claim in enumerate(claims):
        if restated[j] or cues.MISCONCEPTION.search(claim.text):
            out.append(0.0)  # nothing to contradict, or a misconception reported rather than asserted
            continue
        swapped, kept = claim_check.swapped_attributes(claim.text, terms, attributes)
        orders = cues.complexities(claim.text)
        point = key_points[point_of[j]]
        weight = 0.0
        if swapped > kept:
            weight = _SWAP_WEIGHT
        elif reversed_[j] or roles.gain(claim.text) >= _ROLE_GAIN:
            weight = _REVERSAL_WEIGHT
        elif orders and reference_orders and not orders & reference_orders and not _APPROXIMATE.search(claim.text):
            weight = _ORDER_WEIGHT  # a complexity the reference never gives for this topic
        elif (
            align[point_of[j], j] >= _NEGATION_ALIGNED
            and not claim_check.about_other_terms(point, claim.text, terms)
            and claim_check.polarity_conflict(point, claim.text, topic)
        ):
            weight = _NEGATION_WEIGHT
        out.append(weight)
    return out


@lru_cache(maxsize=256)
def _reference_reading(
    question: str, facts: tuple[str, ...]
) -> tuple[list[str], dict[str, set[str]], claim_check.RoleCheck]:
    """What the claim checks read from a question's reference, once per question: its compared terms,
    what it says of each, and its role-word order."""
    terms = claim_check.entities(question, list(facts))
    return terms, claim_check.attribute_map(list(facts), terms), claim_check.role_check(question, list(facts), terms)


def _restatements(facts: list[str], claims: list[_Claim]) -> list[bool]:
    """Per claim, whether it restates a reference sentence (its words are nearly all in one)."""
    fact_words = [set(tokenize(f)) for f in facts]
    out = []
    for claim in claims:
        words = set(tokenize(claim.text))
        out.append(bool(words) and max(len(words & f) for f in fact_words) >= _RESTATED * len(words))
    return out


def _relation_support(facts: tuple[str, ...], claims: list[str], window: int = 5) -> float:
    """How far the answer's word pairings (term near term) also occur in the reference, in [0, 1].

    A confidently wrong answer reuses the reference's words but pairs them differently ("thread" with
    "own address space"); a correct paraphrase keeps the pairings. Few pairings shrink toward neutral.
    """
    reference, vocabulary = _reference_pairs(facts, window)
    found = checked = 0
    for claim in claims:
        pairs, _ = _pairs(claim, window)
        known = [p for p in pairs if p <= vocabulary]
        checked += len(known)
        found += sum(1 for p in known if p in reference)
    ratio = (found + 2.5) / (checked + 5)
    return float(np.clip((ratio - 0.38) / 0.17, 0, 1))


@lru_cache(maxsize=256)
def _reference_pairs(facts: tuple[str, ...], window: int) -> tuple[frozenset[frozenset[str]], frozenset[str]]:
    """The word pairings and words of a question's reference sentences, built once per question."""
    reference: set[frozenset[str]] = set()
    vocabulary: set[str] = set()
    for fact in facts:
        for clause in _claims(fact):
            pairs, words = _pairs(clause.text, window)
            reference |= pairs
            vocabulary |= words
    return frozenset(reference), frozenset(vocabulary)


def _pairs(text: str, window: int) -> tuple[set[frozenset[str]], set[str]]:
    words = _stems(text)
    return {frozenset(pair) for pair in claim_check.ordered_pairs(words, window)}, set(words)


def _stems(text: str) -> list[str]:
    """Content words in order: English stemmed without stop words, Korean cut to the first two syllables."""
    out: list[str] = []
    for word in re.findall(r"[가-힣]+|[a-z0-9]+", text.lower()):
        if "가" <= word[0] <= "힣":
            out.append(word[:2])
        else:
            out.extend(tokenize(word))
    return out


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


def _relevance(question: str, topic: set[str], words: set[str]) -> tuple[float, float]:
    """How much of the answer's distinctive vocabulary this question's reference explains, and the
    most any other bank question's reference explains, each in [0, 1]. Words are weighted by rarity
    across the bank: a word every question uses says nothing about which one is being answered."""
    texts, postings = _bank_vocabulary()
    known = [w for w in words if w in postings]
    if not known:
        return 0.0, 0.0
    scale = math.log(len(texts) + 1)
    weight = {w: scale - math.log(len(postings[w]) + 0.5) for w in known}
    total = sum(weight.values()) or 1.0
    shares = np.zeros(len(texts))
    for w, v in weight.items():
        shares[postings[w]] += v
    shares[texts == text_key(question)] = 0.0
    return sum(v for w, v in weight.items() if w in topic) / total, float(shares.max()) / total


@lru_cache(maxsize=1)
def _bank_vocabulary() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per bank question and language, its question text; and for each word of their references
    (question, key points, model answer), the indexes of the references that use it."""
    texts, postings = [], defaultdict(list)
    for q in load_bank().values():
        for language, text in q.text.items():
            reference = " ".join([text, *q.points(language), q.model_answer.get(language, "")])
            for word in set(tokenize(reference)):
                postings[word].append(len(texts))
            texts.append(text_key(text))
    return np.array(texts), {w: np.array(ids) for w, ids in postings.items()}


def _answers_this_question(question: str, vectors: np.ndarray | None, embeddings: E5Embeddings | None) -> bool:
    """Whether the answer means this question at least as much as any other bank question, by E5.

    A vague answer uses few of the reference's words ("one of them is stricter"), so the lexical
    checks alone would call it an answer to another question; in meaning it is still closest to
    this one. Without embeddings, the lexical checks decide."""
    if vectors is None or embeddings is None:
        return False
    texts, matrix = _bank_question_vectors(embeddings)
    mean = vectors.mean(axis=0)
    answer = mean / (np.linalg.norm(mean) or 1.0)
    own = float(_fact_vectors(embeddings, (question,))[0] @ answer)
    others = matrix[texts != text_key(question)] @ answer
    return not len(others) or own >= float(others.max()) - _ON_TOPIC_MARGIN


@lru_cache(maxsize=1)
def _bank_question_vectors(embeddings: E5Embeddings) -> tuple[np.ndarray, np.ndarray]:
    """Every bank question (both languages): normalised texts and vectors (shipped with the bundle)."""
    questions = [text for q in load_bank().values() for text in q.text.values()]
    return _bank_vocabulary()[0], _fact_vectors(embeddings, tuple(questions))  # the same order


def _looks_like_a_word(word: str) -> bool:
    if len(word) <= 3 or word in _known_words():
        return True
    return bool(re.search(r"[aeiouy]", word)) and not re.search(r"(.)\1\1|[^aeiouy]{5,}|[qxzj][^aeiouy]", word)


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    text = " ".join(" ".join([*q.text.values(), *q.model_answer.values()]) for q in load_bank().values())
    return frozenset(w.lower() for w in _WORD.findall(text))


def _alignment(
    facts: list[str], claims: list[_Claim], joined: list[str], embeddings: E5Embeddings | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """(facts × (claims + joined sentences)) in [0, 1]: calibrated embedding similarity blended with
    lexical recall of the fact; and the claims' vectors (None without embeddings). A joined
    sentence's vector is the mean of its clauses' vectors, which spares a second, longer pass
    through the model."""
    lexical = _recall(facts, [c.text for c in claims] + joined)
    if embeddings is None:
        return lexical, None
    vectors = embeddings.embed_passages([c.text for c in claims])
    units = vectors
    if joined:
        pooled = np.stack([vectors[[c.sentence == s for c in claims]].mean(axis=0) for s in joined])
        units = np.vstack([vectors, pooled / np.linalg.norm(pooled, axis=1, keepdims=True)])
    return _blend(_fact_vectors(embeddings, tuple(facts)) @ units.T, lexical), vectors


def _reversals(
    question: str,
    key_points: list[str],
    facts: tuple[str, ...],
    claims: list[_Claim],
    vectors: np.ndarray | None,
    embeddings: E5Embeddings | None,
) -> list[bool]:
    """Per claim, whether it is closer to a perturbed key point (compared terms swapped, a word turned
    into its opposite) than to any true reference sentence. Needs embeddings: a swap keeps the words.

    Only key points are perturbed: perturbing the model answer's sentences as well finds no more
    wrong answers on our evaluation set and doubles the sentences to embed."""
    if vectors is None or embeddings is None:
        return [False] * len(claims)
    perturbed = _perturbed_vectors(embeddings, question, tuple(key_points))
    if not len(perturbed):
        return [False] * len(claims)
    true = (vectors @ _fact_vectors(embeddings, facts).T).max(axis=1)
    return list((vectors @ perturbed.T).max(axis=1) - true > _REVERSAL_MARGIN)


@lru_cache(maxsize=256)
def _perturbed_vectors(embeddings: E5Embeddings, question: str, key_points: tuple[str, ...]) -> np.ndarray:
    """Vectors of the question's perturbed key points, embedded once per question."""
    variants = perturbations(question, list(key_points))
    return embeddings.embed_passages(variants) if variants else np.zeros((0, 0), dtype=np.float32)


def _blend(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    calibrated = np.clip((dense - _DENSE_FLOOR) / _DENSE_SPAN, 0.0, 1.0)
    return 0.5 * calibrated + 0.5 * lexical


def _recall(facts: list[str], claims: list[str]) -> np.ndarray:
    """(facts × claims): the share of each fact's words that the claim uses."""
    fact_tokens = [set(tokenize(f)) for f in facts]
    claim_tokens = [set(tokenize(c)) for c in claims]
    return np.array([[len(ft & ct) / (len(ft) or 1) for ct in claim_tokens] for ft in fact_tokens], dtype=np.float32)


def _point_support(align: np.ndarray, illustrations: np.ndarray) -> np.ndarray:
    """(key points × claims): how well each claim supports each key point, directly or by restating
    a model-answer sentence that illustrates the point."""
    k = illustrations.shape[0]
    via_model = (illustrations[:, :, None] * align[None, k:, :]).max(axis=1, initial=0.0)
    return np.maximum(align[:k], via_model)


@lru_cache(maxsize=256)
def _illustrations(facts: tuple[str, ...], k: int, embeddings: E5Embeddings | None) -> np.ndarray:
    """(key points × model-answer sentences), 1 where the sentence illustrates the key point.

    The model answer is written to cover every key point, so each point's closest model-answer
    sentence is where the model answer makes it, however abstractly the point is worded ("moves the
    discussion to agreed criteria" is "we agreed on three criteria"). A sentence that covers two
    points illustrates both.
    """
    out = np.zeros((k, len(facts) - k), dtype=np.float32)
    if len(facts) > k:
        between = _recall(list(facts[:k]), list(facts[k:]))
        if embeddings is not None:
            vectors = _fact_vectors(embeddings, tuple(facts))
            between = _blend(vectors[:k] @ vectors[k:].T, between)
        out[np.arange(k), between.argmax(axis=1)] = 1.0
    return out


@lru_cache(maxsize=256)
def _fact_vectors(embeddings: E5Embeddings, facts: tuple[str, ...]) -> np.ndarray:
    """Vectors of a question's reference sentences: shipped for bank questions, else embedded once."""
    shipped = sentence_vectors(list(facts)) if embeddings.model_name == OFFLINE_MODEL_NAME else {}
    missing = [i for i in range(len(facts)) if i not in shipped]
    computed = embeddings.embed_passages([facts[i] for i in missing])
    out = np.zeros((len(facts), computed.shape[1]), dtype=np.float32)
    for i, vector in shipped.items():
        out[i] = vector
    out[missing] = computed
    return out


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


def grade_bank_answer(question: Question, answer: str, language: str, embeddings: E5Embeddings | None) -> Grade:
    """Grade `answer` to a bank question against its own key points and model answer."""
    return grade_offline(
        question=question.text[language],
        key_points=question.points(language),
        answer=answer,
        language=language,
        track=question.track,
        embeddings=embeddings,
        model_answer=question.model_answer[language],
    )

"""The offline grader: key-point coverage, measured without an LLM.

What can be measured offline is whether the answer makes each key point: a sentence of the answer
that means what the point (or the model answer's sentence for it) says, by multilingual embeddings,
and that uses the point's own content words beyond the question's. Coverage drives correctness and
depth; clarity and structure are read from the answer's form. Naming the question's terms, a keyword
list, a restated question or text addressed to the grader covers nothing.

Whether a sentence is true cannot be measured offline with the confidence a negative judgement
needs (a check for restated reference sentences with their negation or an opposite word flipped
doubted nine true sentences and no planted false one on the development half), so the offline
grader doubts nothing: what the reference does not vouch for simply earns no credit, and the LLM
grader is the one that judges truth. Behavioural answers are read for the substance of STAR:
a situation, the candidate's own actions, a result. An answer in the other language is graded
against the bank's key points in that language. Deterministic: the same inputs give the same grade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from backend.interview import cues
from backend.interview.bank import find_by_text, load_bank, section_text, text_key
from backend.interview.keypoints import list_items, plain_paragraphs, reference_vectors
from backend.interview.keypoints import sentences as reference_sentences
from backend.interview.rubric import DimensionScore, Grade, dimensions_for, total_from
from backend.rag.bundle import fill_vectors, sentence_vectors
from backend.rag.chunking import detect_language
from backend.rag.embeddings import OFFLINE_MODEL_NAME, E5Embeddings
from backend.rag.lexical import tokenize

# Not after an ellipsis: "SELECT ... FOR UPDATE" is one sentence.
_SENTENCE = re.compile(r"(?<=[.!?。])(?<!\.\.\.)\s+|\n+")
# Clauses a sentence is also read by: after a semicolon, and English clauses joined by a conjunction after a
# comma (development half: brief correct answers 71 → 75, pairwise order unchanged; Korean connective
# endings cut this way lowered Korean pairwise order 0.857 → 0.846, so Korean sentences are read whole).
# Only sentences this long (characters) are also read by clause: a short one makes one point anyway, and
# every clause read costs an embedding (development half: reading every sentence's clauses doubled the
# grader's time for the same pairwise order; at 150, p95 232 ms against 253 ms on the dev bank answers).
_LONG = 150
_CLAUSE = re.compile(r";\s+|,\s+(?=(?:and|but|whereas|while|although|so)\b)", re.IGNORECASE)
_WORD = re.compile(r"[가-힣]+|[a-z]+", re.IGNORECASE)
_JAMO = re.compile(r"[ㄱ-ㅎㅏ-ㅣ]")
_HANGUL = re.compile(r"[가-힣]")
# Calibration of E5 cosine (set on the development half of benchmarks/data/heldout): unrelated
# sentences of one topic sit near 0.80, a paraphrase of a key point near 0.90.
_DENSE_LO, _DENSE_HI = 0.87, 0.93
# Across languages E5 puts a sentence and its translation's paraphrase about 0.085 lower (median over
# the bank's key points and their model-answer sentences in the two languages). Key points derived from
# someone else's passage get no such allowance: lowering the bar for them by 0.02 let the model answer of
# a neighbouring bank question reach 50 against a question's derived points in 35 of 120 cases (9 without),
# for the same pairwise order on the development half (0.877 with, 0.878 without).
_CROSS_SHIFT = 0.085
_LEXICAL_FULL = 0.6  # share of a key point's own content words at which the lexical evidence is full
# The same for key points derived from a passage: long sentences in someone else's words, so a sentence
# that says one in its own words shares few of them, but one that shares none says something else on the
# topic (development half: pairwise order 0.877 -> 0.880, confidently wrong 24.5 -> 22.6; graded as if
# outside the bank against points derived from their sections, the development half's bank answers order
# 0.757 -> 0.774, vague 19 -> 15, restated questions 12 -> 7).
_LEXICAL_DERIVED = 0.1
_COVERED, _PARTIAL = 0.5, 0.25
# Half of a missed point's partial evidence counts (development half: counting all of it gave answers that cover no
# point up to 81; 0.5 lifted pairwise order 0.857 → 0.860 and lowered confidently wrong 27 → 24).
_MISSED = 0.5
# Grounding: the share of an answer's own content words found in its reference, from which
# correctness starts to count and where it is full (dev half: excellent 0.68, brief 0.77, confidently
# wrong 0.45, vague 0.27 on average); an answer graded across languages is taken as typical.
_GROUNDED_LO, _GROUNDED_HI, _GROUNDED_NEUTRAL = 0.3, 0.6, 0.8
_GROUNDED_CREDIT = 0.5  # a sentence this grounded (rescaled) gets full credit for the points it makes
# Coverage at which an answer has made its core point (correctness no longer grows with more), and
# the curve of depth over coverage (the first points made count most): a brief correct answer is a
# good answer, with room to go deeper. Set on the development half.
_CORE, _DEPTH_CURVE = 0.3, 0.5
# How many levels a behavioural answer's key-point coverage adds to each STAR part: the story's
# substance decides, the points it makes confirm it (set on the development half).
_STAR_COVERAGE = 1.5
# Weight of a substantive sentence that makes no point in how grounded an answer is (development half:
# 0 lets a lone coincidence decide when words are the only evidence; 0.1–0.3 measure alike).
_ASIDE = 0.1
# Depth levels a keyword list earns for naming the key points' own terms (it makes no point): it knows the
# vocabulary, unlike a restated question (development half: 0 left lists tied with restated questions at 0;
# 1–3 measure alike, pairwise order 0.859 → 0.877). A list naming every point's terms totals 20 at most.
_NAMED = 2
# Words that say how much or that something happens, not what: against the derived point "A cache stampede happens
# when a popular key expires and many requests miss at once…", "A cache stampede happens when the garbage collector
# pauses all the threads at once" shared "happen", "all" and "once" and was credited with it (65/100; 0 without
# them). Development half: pairwise order 0.880 -> 0.877, every kind's mean within 0.7; its bank answers graded as
# if outside the bank, against points derived from their sections: pairwise 0.813 -> 0.821, confidently wrong 35 -> 32.
_GENERIC = frozenset("all many much once some any every each more most other same such only too happen".split())
# English contractions, read as the words they stand for (a possessive 's is dropped). Development half: pairwise
# order 0.877 -> 0.878, answers within 15 points of their translation 0.833 -> 0.854.
_NOT = re.compile(r"(?:\b(ca|wo))?n[’']t\b", re.IGNORECASE)
_CLITIC = re.compile(r"[’'](s|d|ll|re|ve|m)\b", re.IGNORECASE)
_SPELLED = {"ca": "can", "wo": "will", "s": "", "d": " would", "ll": " will", "re": " are", "ve": " have", "m": " am"}
_RELATED = 0.3  # support at which a sentence is about something the reference says
# Grounding (mean over the answer's sentences) from which an answer is on its question's subject, never "an answer to
# a different question", whichever bank question it reads closest to: the reference's own words, said too briefly to
# make a point ("It writes changes to a log first so if the server crashes you don't lose data": 0.94, and it was
# told it answered another question); other bank questions' model answers score 0-0.32 (14 pairs).
_ON_SUBJECT = 0.5
_NOVEL = 2  # content tokens beyond the question's that a sentence needs to say anything

_HINT = {
    "ko": "핵심 개념을 한 문장으로 먼저 말하고, 왜 그런지와 예시를 2~3문장 덧붙여 보세요.",
    "en": "Start with the core idea in one sentence, then add two or three sentences on why and an example.",
}
_STORY_HINT = {
    "ko": "실제로 겪은 일 하나를 이야기해 보세요: 어떤 상황이었는지, 본인이 직접 한 일, 그리고 결과.",
    "en": "Tell one real story: the situation, what you did yourself, and how it turned out.",
}
# A story is graded on its STAR parts, so its feedback names the parts that fell short (below 4 of 5) and
# what makes each one strong, not the key points' wording (which a good story seldom repeats).
_STRONG_PART = 4
_STAR_ADVICE = {
    "situation": {
        "ko": "상황: 언제, 어디서 있었던 구체적인 일 하나와 무엇이 걸려 있었는지 말해 보세요.",
        "en": "Situation: set the scene with one specific event, when and where, and what was at stake.",
    },
    "task": {
        "ko": "과제: 그 상황에서 본인이 맡은 책임이나 목표가 무엇이었는지 말해 보세요.",
        "en": "Task: say what you were responsible for, or what you set out to achieve.",
    },
    "action": {
        "ko": "행동: 본인이 직접 한 일을 '저는'으로 시작해 단계별로 말해 보세요.",
        "en": 'Action: say what you did yourself, step by step, with "I".',
    },
    "result": {
        "ko": "결과: 어떻게 끝났는지 가능하면 숫자로, 그리고 무엇을 배웠는지 말해 보세요.",
        "en": "Result: say how it turned out, with a number if you can, and what you learned.",
    },
}
# A story that blames or belittles others loses Action and Result levels; the feedback says why.
_OWNERSHIP = {
    "ko": "주인 의식: 누구 잘못이었는지보다 본인이 무엇을 했고 무엇을 배웠는지 말해 보세요. "
    "남을 탓하는 말은 감점됩니다.",
    "en": "Ownership: say what you did and what you learned rather than who was at fault; blaming others costs points.",
}
_STAR_PRAISE = {
    "situation": {"ko": "구체적인 상황", "en": "a specific situation"},
    "task": {"ko": "본인이 맡은 과제", "en": "your own responsibility"},
    "action": {"ko": "본인이 직접 한 행동", "en": "what you did yourself"},
    "result": {"ko": "분명한 결과", "en": "a clear result"},
}
# What to change when clarity falls short, by what held it back most.
_CLARITY_ADVICE = {
    "hedge": {
        "ko": "더 분명하게: '아마', '~것 같다' 같은 얼버무리는 표현을 빼고 단정적으로 말해 보세요.",
        "en": 'To make it clearer, drop the hedging ("I think", "maybe") and say it plainly.',
    },
    "direct": {
        "ko": "더 분명하게: 첫 문장에서 질문에 바로 답해 보세요.",
        "en": "To make it clearer, give the answer in your first sentence.",
    },
    "filler": {
        "ko": "더 분명하게: 구체적인 내용이 없는 문장을 줄여 보세요.",
        "en": "To make it clearer, cut the sentences that say nothing specific.",
    },
    "example": {
        "ko": "더 분명하게: 구체적인 예를 하나 들어 보세요.",
        "en": "To make it clearer, add one concrete example.",
    },
}
# The question that closes an interview ("Any questions for me?") wants questions: this many specific ones.
_ASKED_ENOUGH = 2
_QUESTIONS_HINT = {
    "ko": "면접관에게 구체적인 질문을 두세 개 해 보세요: 이 직무의 성공 기준, 팀이 일하는 방식, "
    "면접관 본인의 경험 같은 것들요.",
    "en": "Ask two or three specific questions: what success looks like in the role, how the team works, or the "
    "interviewer's own experience.",
}
_ASKED_PRAISE = {"ko": "구체적인 질문 {count}개.", "en": "{count} specific questions."}
_OFF_TOPIC = {
    "ko": "다른 질문에 대한 답처럼 읽힙니다. 받은 질문에 답해 보세요.",
    "en": "This reads as an answer to a different question: answer the one asked.",
}
_LIST_HINT = {
    "ko": "용어를 나열하기만 했습니다. 각 용어가 무엇이고 왜 중요한지 문장으로 설명해 보세요.",
    "en": "You listed terms without explaining them. Say in a sentence what each one is and why it matters.",
}


@dataclass(frozen=True)
class _Unit:
    text: str  # a sentence of the answer
    tokens: frozenset[str]
    novel: frozenset[str]  # content tokens the question does not already contain
    listing: bool  # a bare list of terms, not a sentence


@dataclass(frozen=True)
class _Reference:
    key_points: tuple[str, ...]
    model_answer: str
    language: str
    passage: str  # the reference section the key points come from ('' when unknown)


def grade_offline(
    *,
    question: str,
    key_points: list[str],
    answer: str,
    language: str,
    track: str,
    embeddings: E5Embeddings | None,
    model_answer: str = "",
    reference: str = "",
    approximate: bool = False,
) -> Grade:
    """Grade `answer` against `key_points`; `embeddings=None` grades on lexical evidence alone.

    `reference` is the passage the key points come from (a bank question's section is found by
    itself); `approximate` marks key points that were derived rather than authored: the grade says so."""
    closes = track == "behavioral" and _closes(question)
    dims = dimensions_for(rubric_track(question, track, model_answer))
    story = "situation" in dims
    hint = (_QUESTIONS_HINT if closes else _STORY_HINT if story else _HINT)[language]
    sentences = (s for p in plain_paragraphs(answer) for s in _SENTENCE.split(p))
    text = "\n".join(s for s in sentences if s.strip() and not cues.DIRECTED.search(s))
    reference = _reference_for(question, tuple(key_points), model_answer, language, text, reference)
    units = _units(text, question)
    # The questions a closing answer puts to the interviewer: specific ones, not about pay or perks.
    asked = [u for u in units if closes and _substantive(u) and cues.ASKS.search(u.text)]
    asked = [u for u in asked if not cues.SELF_INTEREST.search(u.text)]
    if not key_points or _not_an_answer(text) or (closes and not asked):
        return _insufficient(dims, key_points, hint)
    if not any(_substantive(u) for u in units):
        lists = [u for u in units if u.listing]
        named = _named(reference.key_points, lists, question) if lists and track != "behavioral" else 0.0
        return _listed(dims, key_points, named, language) if named else _insufficient(dims, key_points, hint)
    model = [s for s in reference_sentences(reference.model_answer) if s not in reference.key_points]
    facts = (*reference.key_points, *model)
    cross = reference.language != _language_of(text, language)
    support, vectors = _support(question, facts, units, embeddings, cross=cross, authored=not approximate)
    grounding = _grounding(facts, reference, units, cross)
    on_subject = not cross and float(grounding.mean()) >= _ON_SUBJECT
    if not asked and support.max() < _PARTIAL and not on_subject and _off_topic(
        question, track, units, vectors, embeddings, facts, cross
    ):
        return _insufficient(dims, key_points, f"{_OFF_TOPIC[language]} {hint}")  # about something else entirely

    k = len(key_points)
    # A sentence's credit for a point is worth what the reference vouches for of it.
    weight = np.minimum(1.0, grounding / _GROUNDED_CREDIT)
    points = _point_support(support, _illustrations(facts, k, embeddings, approximate)) * weight[:, None]
    credit = points.max(axis=0)
    covered = [i for i in range(k) if credit[i] >= _COVERED]
    # A point the feedback lists as missed counts at most _MISSED of a covered one, so the total and the
    # list of covered points tell the same story.
    partial = np.clip((credit - _PARTIAL) / (_COVERED - _PARTIAL), 0, 1)
    coverage = float(np.where(credit >= _COVERED, 1.0, _MISSED * partial).mean())
    # How far the sentences that make points are vouched for by the reference, each weighed by how much
    # it says of the reference (plus _ASIDE for any substantive sentence): a true elaboration the
    # reference does not cover costs little, a sentence that makes the points counts in full.
    relevance = support.max(axis=1) + _ASIDE * np.array([_substantive(u) for u in units])
    grounded = float(grounding @ relevance / relevance.sum()) if relevance.sum() > 0 else 0.0

    depth = 1 + 4 * coverage**_DEPTH_CURVE
    # The sentence the content scores rest on: the one making a covered point best (none when no point is made, so
    # the evidence never quotes a sentence for a point the feedback lists as missed).
    best = units[int(np.argmax(points[:, covered].max(axis=1)))].text if covered else ""
    strengths = [key_points[i].rstrip(". ") + "." for i in covered]
    missed = [p for i, p in enumerate(key_points) if i not in covered]
    advice: dict[str, str] = {}  # what to change, for a dimension whose advice depends on what held it back
    if story:  # the feedback speaks of the STAR parts the grade rests on
        values = _star(units, coverage)
        strong = [dim for dim, (v, _) in values.items() if _clamp(v) >= _STRONG_PART]
        if strong and not strengths:
            strengths = [_praise(strong, language)]
        missed = [_STAR_ADVICE[dim][language] for dim in values if dim not in strong]
        if any(_blames(u.text) for u in units) and not {"action", "result"} <= set(strong):
            # What cost Action and Result levels: said instead of their general advice.
            drop = {_STAR_ADVICE[dim][language] for dim in ("action", "result")}
            missed = [_OWNERSHIP[language], *(m for m in missed if m not in drop)]
    else:
        content = {
            "correctness": (1 + 4 * min(1.0, coverage / _CORE) ** 0.5 * grounded, best),
            "depth": (depth, best),
        }
        if closes:  # the content is how many specific questions it asks, confirmed by the points they make
            value = 2 + 0.75 * min(len(asked), _ASKED_ENOUGH + 1) + _STAR_COVERAGE * coverage
            content = {dim: (value, asked[0].text) for dim in content}
            if len(asked) >= _ASKED_ENOUGH:
                strengths = [_ASKED_PRAISE[language].format(count=len(asked)), *strengths]
            else:
                missed = [_QUESTIONS_HINT[language], *missed]
        value, evidence, advice["clarity"] = _clarity(units, support, language)
        values = {**content, "clarity": (value, evidence), "structure": _structure(units, support, answer)}
    return Grade(
        total=total_from({d: min(5.0, max(1.0, v)) for d, (v, _) in values.items()}),
        # Depth 5 reads "covers every key point": shown as 4 while one is missed (the total keeps the measure).
        scores={
            d: DimensionScore(min(_clamp(v), 4) if d == "depth" and missed else _clamp(v), e, advice.get(d, ""))
            for d, (v, e) in values.items()
        },
        strengths=strengths,
        covered_points=[key_points[i] for i in covered],
        missed_points=missed,
        model_answer=model_answer,
        grader="offline",
        approximate=approximate,
    )


def _reference_for(
    question: str, key_points: tuple[str, ...], model_answer: str, language: str, answer: str, passage: str
) -> _Reference:
    """What to grade against: the bank's key points, model answer and section in the answer's language
    when the candidate answered in the other one (same order, so covered points map back to the
    question's language); other key points as given, in the language they are written in."""
    spoken = _language_of(answer, language)
    bank = find_by_text(question)
    if bank is not None and len(bank.key_points) == len(key_points):
        if spoken != language and spoken in bank.model_answer:
            passage = section_text(bank.reference, spoken)
            return _Reference(tuple(bank.points(spoken)), bank.model_answer[spoken], spoken, passage)
        passage = passage or section_text(bank.reference, language)
    written = language if bank is not None else _written_in(key_points, language)
    return _Reference(key_points, model_answer, written, passage)


def _written_in(texts: tuple[str, ...], language: str) -> str:
    """The language key points derived from a document are written in, whatever the interview's: Korean when Hangul
    dominates, English when there is no Hangul at all (Korean notes full of code and English terms stay Korean)."""
    text = " ".join(texts)
    detected = detect_language(text)
    if detected == "ko" or (detected == "en" and not _HANGUL.search(text)):
        return detected
    return language


def _language_of(text: str, default: str) -> str:
    return detect_language(text) or default


def _words(text: str) -> set[str]:
    """Content tokens as the grader compares them: a lone Hangul syllable is a particle left after a
    Latin word ("JOIN은"), not content; nor are quantifiers and "happen" (_GENERIC); contractions are
    read spelled out."""
    return {t for t in _tokens(text) if (len(t) > 1 or not "가" <= t <= "힣") and t not in _GENERIC}


def _tokens(text: str) -> list[str]:
    """`tokenize` with English contractions spelled out first: "isn't" made the content words "isn" and "t"."""
    text = _NOT.sub(lambda m: _SPELLED.get((m.group(1) or "").lower(), "") + " not", text)
    return tokenize(_CLITIC.sub(lambda m: _SPELLED[m.group(1).lower()], text))


def _units(text: str, question: str) -> list[_Unit]:
    asked = _words(question)
    out: list[_Unit] = []
    for sentence in _SENTENCE.split(text):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        tokens = frozenset(_words(sentence))
        out.append(_Unit(sentence, tokens, frozenset(tokens - asked), _is_listing(sentence)))
    return out[:60]


def _is_listing(text: str) -> bool:
    """Terms separated by commas or slashes, each a few words long, with hardly a function word: a keyword
    list, not a sentence (a sentence that lists things has a clause around the list: "… are all shallow")."""
    items = [i for i in re.split(r"[,/·]|\s-\s", text) if i.strip()]
    if len(items) < 3 or any(len(i.split()) > 3 for i in items):
        return False
    words = len(_WORD.findall(text)) or 1
    return len(cues.FUNCTION_WORDS.findall(text)) <= 0.1 * words


def _substantive(unit: _Unit) -> bool:
    return len(unit.novel) >= _NOVEL and not unit.listing


def _support(
    question: str,
    facts: tuple[str, ...],
    units: list[_Unit],
    embeddings: E5Embeddings | None,
    *,
    cross: bool,
    authored: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(units × facts) in [0, 1]: how well each sentence of the answer says each reference sentence —
    calibrated embedding similarity times the share of the fact's own content words (beyond the
    question's) that the sentence uses: meaning without the point's substance is a vague answer,
    words without the meaning a keyword list. Against key points derived from a passage (long
    sentences in someone else's words) a few of the point's words suffice; across languages, meaning
    alone. Sentences without substance get 0."""
    # A long sentence is also read clause by clause: one that makes two points ("X; Y") blurs both in one
    # vector, and a point is made by the sentence or by one of its clauses.
    pieces = [(j, u.text, u.tokens) for j, u in enumerate(units)]
    for j, unit in enumerate(units):
        parts = [p.strip() for p in _CLAUSE.split(unit.text) if p.strip()] if len(unit.text) >= _LONG else []
        if len(parts) > 1:
            pieces += [(j, part, frozenset(_words(part))) for part in parts]
    asked = _words(question)
    lexical = np.zeros((len(pieces), len(facts)), dtype=np.float32)
    for f, fact in enumerate(facts):
        own = _words(fact) - asked
        for i, (_, _, tokens) in enumerate(pieces):
            lexical[i, f] = len(own & tokens) / len(own) if own else 0.0
    vectors = None
    if embeddings is None:
        piece_support = np.minimum(1.0, lexical / _LEXICAL_FULL)
    else:
        piece_vectors = _embed(embeddings, tuple(text for _, text, _ in pieces))
        vectors = piece_vectors[: len(units)]
        low = _DENSE_LO - _CROSS_SHIFT * cross
        similarity = piece_vectors @ reference_vectors(embeddings, facts).T
        dense = np.clip((similarity - low) / (_DENSE_HI - _DENSE_LO), 0, 1)
        full = None if cross else _LEXICAL_FULL if authored else _LEXICAL_DERIVED
        piece_support = dense if full is None else dense * np.minimum(1.0, lexical / full)
        # A sentence closer in meaning to the question than to anything the reference says restates the
        # question: it makes no point, in either language.
        beyond = similarity.max(axis=1) - piece_vectors @ reference_vectors(embeddings, (question,))[0]
        piece_support = piece_support * (beyond > 0)[:, None]
    support = np.zeros((len(units), len(facts)), dtype=np.float32)
    for i, (j, _, _) in enumerate(pieces):
        support[j] = np.maximum(support[j], piece_support[i])
    substance = np.array([_substantive(u) for u in units], dtype=np.float32)
    return support * substance[:, None], vectors


def _grounding(facts: tuple[str, ...], reference: _Reference, units: list[_Unit], cross: bool) -> np.ndarray:
    """Per sentence, how much of what it says the reference also says, in [0, 1]: the share of its
    own content words (beyond the question's) found in the key points, model answer and reference
    section, averaged with the share of its word pairings (two such words close together) that the
    reference also pairs; rescaled. A confidently wrong answer reuses the reference's words but says
    things the reference does not, and pairs them differently ("thread" with "own address space")."""
    if cross:  # a reference in another language shares no words with the answer
        return np.full(len(units), _GROUNDED_NEUTRAL, dtype=np.float32)
    vocabulary, pairings = _reference_words(facts, reference.passage)
    out = np.zeros(len(units), dtype=np.float32)
    for j, unit in enumerate(units):
        words = unit.novel & vocabulary
        share = len(words) / (len(unit.novel) or 1)
        pairs = _pairings(unit.text, within=vocabulary)
        paired = sum(p in pairings for p in pairs) / len(pairs) if pairs else share
        out[j] = (share + paired) / 2
    return np.clip((out - _GROUNDED_LO) / (_GROUNDED_HI - _GROUNDED_LO), 0, 1)


@lru_cache(maxsize=256)
def _reference_words(facts: tuple[str, ...], passage: str) -> tuple[frozenset[str], frozenset[str]]:
    """A reference's content words and word pairings, read once per question."""
    texts = [*facts, *reference_sentences(passage)]
    return frozenset(_words(" ".join(texts))), frozenset(p for t in texts for p in _pairings(t))


def _pairings(text: str, window: int = 5, within: frozenset[str] | None = None) -> set[str]:
    """Unordered pairs of content words at most `window` tokens apart (both in `within`, if given), each as one
    string "a\tb" (a < b): strings are not tracked by the garbage collector, so a reference section's thousands
    of pairs do not set off collections that walk the whole heap (benchmarks/turn.py: as frozensets, the first
    grading of a question took 200-400 ms on a server with the search indexes loaded, 2 ms in a bare process)."""
    tokens = _tokens(text)
    return {
        (a + "\t" + b) if a < b else (b + "\t" + a)
        for i, a in enumerate(tokens)
        for b in tokens[i + 1 : i + 1 + window]
        if a != b and (within is None or (a in within and b in within))
    }


def _clarity(units: list[_Unit], support: np.ndarray, language: str) -> tuple[float, str, str]:
    """From the answer's form: a direct first sentence, hedging, filler, a concrete example. Also the advice
    for what held it back most (the first of those it lacks)."""
    text = " ".join(u.text for u in units)
    hedges = [u.text for u in units if cues.HEDGES.search(u.text)]
    filler = sum(1 for u in units if not _substantive(u)) / len(units)
    direct, example = support[0].max() >= _RELATED, bool(cues.EXAMPLE.search(text))
    value = 3.0 + direct - 0.5 * min(2, len(hedges)) - (filler > 0.4) + 0.5 * example
    lack = "hedge" if hedges else "direct" if not direct else "filler" if filler > 0.4 else "" if example else "example"
    return value, hedges[0] if hedges else units[0].text, _CLARITY_ADVICE[lack][language] if lack else ""


def _structure(units: list[_Unit], support: np.ndarray, answer: str) -> tuple[float, str]:
    """From the answer's form: enough sentences, the answer first, connected reasoning, organisation (ordinal
    words or a list)."""
    n = sum(1 for u in units if _substantive(u))
    value = 1.5 + min(n, 3) * 0.5 + (support[0].max() >= _RELATED)
    organised = cues.STRUCTURE.search(answer) or list_items(answer) >= 2
    value += 0.5 * bool(cues.REASONING.search(answer)) + 0.5 * bool(organised and n >= 3)
    return value, units[0].text


def _star(units: list[_Unit], coverage: float) -> dict[str, tuple[float, str]]:
    """STAR from the story's substance: a specific situation that happened (not a habit), the candidate's
    own actions (first person, past tense; a Korean action verb without a subject is theirs unless the
    sentence says "we" or "together"), a result with an outcome (better with a number). Hypotheticals
    ("I would…") are no story; blaming, belittling or perks-first sentences cost a level each on action
    and result (at most two)."""
    texts = [cues.STAR_LABEL.sub("", u.text) for u in units if _substantive(u)] or [u.text for u in units]
    past = [t for t in texts if cues.PAST.search(t)]
    plural = [t for t in past if cues.FIRST_PERSON_PLURAL.search(t)]
    mine = [t for t in past if cues.FIRST_PERSON.search(t) or (cues.OWN_ACTION.search(t) and t not in plural)]
    ours = [t for t in plural if t not in mine]
    outcome = [t for t in past if cues.STAR["result"].search(t)]
    setting = [
        t for t in past if (cues.STAR["situation"].search(t) or cues.SPECIFIC.search(t)) and not cues.HABITUAL.search(t)
    ]
    task = [t for t in texts if cues.STAR["task"].search(t)]
    mine_done = [t for t in mine if t not in task]
    bad = [t for t in texts if _blames(t) or cues.SELF_INTEREST.search(t)]
    numbers = [t for t in outcome if cues.SPECIFIC.search(t)]
    values = {
        # A detail or when it happened makes a situation specific; a longer story only then counts ("there was a
        # project" in three past-tense sentences had 4 of 5. Development half: pairwise 0.877 -> 0.878, blaming
        # stories 30.8 -> 29.8, brief stories 61.8 -> 63.0, others within 0.3).
        "situation": (
            1 + 2 * bool(setting) + (1 + (len(past) > 2)) * bool(_specific(" ".join(setting))),
            setting,
        ),
        "task": (2 + bool(task) + bool(mine) + (len(mine) >= 3), task or mine),
        # Evidence of the candidate's actions: not the sentence saying what they were responsible for.
        "action": (1 + min(4, 1.5 * len(mine)) if mine else 1.5 + 0.5 * bool(ours), mine_done or mine or ours),
        # A story ends with its result: the last such sentence is the evidence, not an action that has a number.
        "result": (1 + 2 * bool(outcome) + bool(numbers) + (len(outcome) >= 2), (numbers or outcome)[::-1]),
    }
    out: dict[str, tuple[float, str]] = {}
    for dim, (value, hits) in values.items():
        value += _STAR_COVERAGE * coverage
        if dim in ("action", "result"):
            value -= min(2, len(bad))
        if not past:
            value = min(value, 2.0)  # what one would do, not what one did: no story
        evidence = bad[0] if bad and dim in ("action", "result") else hits[0] if hits else ""
        out[dim] = (value, evidence)
    return out


def _specific(text: str) -> bool:
    """Whether a situation is one event: a detail (a number, a named tool) or when it happened."""
    return bool(cues.SPECIFIC.search(text) or cues.WHEN.search(text))


def _blames(text: str) -> bool:
    """Whether a sentence blames or belittles others."""
    return bool(cues.DEFLECTION.search(text) or cues.DISMISSAL.search(text))


def _asks_for_a_story(question: str, model_answer: str) -> bool:
    """Whether a behavioural question wants a story: its model answers in both languages tell one (the
    past-tense cues of one language alone took "What is the STAR method?" for a story in English and "Why do
    you want to work here?" in Korean)."""
    bank = find_by_text(question)
    return all(_tells_a_story(a) for a in (bank.model_answer.values() if bank is not None else [model_answer]))


def rubric_track(question: str, track: str, model_answer: str = "") -> str:
    """The track whose rubric grades an answer to `question`: a behavioural question that wants no story ("What is
    STAR?", "Any questions for me?") is graded like a technical one, on what the answer says and its form, not on
    Situation, Task, Action and Result."""
    if track == "behavioral" and (_closes(question) or not _asks_for_a_story(question, model_answer)):
        return "general"
    return track


def _closes(question: str) -> bool:
    bank = find_by_text(question)
    return bank is not None and bank.closes


def _tells_a_story(model_answer: str) -> bool:
    """Whether a behavioural question wants a story: its model answer tells one (or there is none). Its
    questions are not narration ("… you mentioned earlier; what has been the hardest part?")."""
    parts = [p for p in _SENTENCE.split(model_answer) if p.strip() and not p.strip().endswith("?")]
    return not parts or sum(bool(cues.PAST.search(p)) for p in parts) >= 0.3 * len(parts)


def _not_an_answer(answer: str) -> bool:
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
    text = " ".join(" ".join([*q.text.values(), *q.model_answer.values()]) for q in load_bank().values())
    return frozenset(w.lower() for w in _WORD.findall(text))


def _off_topic(
    question: str,
    track: str,
    units: list[_Unit],
    vectors: np.ndarray | None,
    embeddings: E5Embeddings | None,
    facts: tuple[str, ...],
    cross: bool,
) -> bool:
    """Whether an answer that makes no point is about something else: a bank question's answer is
    when it means another bank question more than this one; a story is never, for a behavioural
    question; an answer to a question outside the bank is when no sentence comes near its reference."""
    if track == "behavioral" and any(cues.PAST.search(u.text) for u in units):
        return False
    if find_by_text(question) is not None or vectors is None or embeddings is None:
        return not _answers_this_question(question, vectors, embeddings, track)
    low = _DENSE_LO - _CROSS_SHIFT * cross
    return float((vectors @ reference_vectors(embeddings, facts).T).max()) < low


def _answers_this_question(
    question: str, vectors: np.ndarray | None, embeddings: E5Embeddings | None, track: str
) -> bool:
    """Whether the answer means this question at least as much as any other bank question, by E5.
    A story fits many behavioural questions, so only technical ones compete with a behavioural one."""
    if vectors is None or embeddings is None:
        return False
    texts, tracks, matrix = _bank_question_vectors(embeddings)
    mean = vectors.mean(axis=0)
    answer = mean / (np.linalg.norm(mean) or 1.0)
    own = float(reference_vectors(embeddings, (question,))[0] @ answer)
    rivals = (texts != text_key(question)) & ((tracks != "behavioral") if track == "behavioral" else True)
    others = matrix[rivals] @ answer
    return not len(others) or own >= float(others.max()) - 0.01


@lru_cache(maxsize=1)
def _bank_question_vectors(embeddings: E5Embeddings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every bank question (both languages): normalised texts, tracks and vectors (shipped with the bundle)."""
    pairs = [(text, q.track) for q in load_bank().values() for text in q.text.values()]
    texts = np.array([text_key(t) for t, _ in pairs])
    return texts, np.array([track for _, track in pairs]), reference_vectors(embeddings, tuple(t for t, _ in pairs))


def _point_support(support: np.ndarray, illustrations: np.ndarray) -> np.ndarray:
    """(units × key points): a sentence supports a point directly or by restating the model-answer
    sentence that makes it."""
    k = illustrations.shape[0]
    via_model = (support[:, None, k:] * illustrations[None, :, :]).max(axis=2, initial=0.0)
    return np.maximum(support[:, :k], via_model)


@lru_cache(maxsize=256)
def _illustrations(facts: tuple[str, ...], k: int, embeddings: E5Embeddings | None, derived: bool) -> np.ndarray:
    """(key points × model-answer sentences), 1 where the sentence is the one that makes the point.

    A bank model answer is written to make its key points. Derived points have the section they come from as
    model answer, whose other sentences are about other things: such a sentence makes a point only if that point
    is also the nearest to it. Otherwise "LRU evicts the least recently used entry" covered "FIFO simply evicts the
    oldest inserted entry", whose nearest sentence of the section was the LRU one (development half graded as
    notes questions are: pairwise order 0.835 -> 0.838, confidently wrong 33 -> 32, brief correct 72 -> 70)."""
    out = np.zeros((k, len(facts) - k), dtype=np.float32)
    if len(facts) > k and embeddings is not None:
        vectors = reference_vectors(embeddings, facts)
        similarity = vectors[:k] @ vectors[k:].T
        out[np.arange(k), similarity.argmax(axis=1)] = 1.0
        if derived:
            out *= similarity.argmax(axis=0)[None, :] == np.arange(k)[:, None]
    return out


def _embed(embeddings: E5Embeddings, texts: tuple[str, ...]) -> np.ndarray:
    """Vectors of `texts`: shipped for sentences of the bank (a model answer read back, a key
    point), embedded otherwise."""
    shipped = sentence_vectors(list(texts)) if embeddings.model_name == OFFLINE_MODEL_NAME else {}
    return fill_vectors(list(texts), shipped, embeddings.embed_passages)


def _named(key_points: tuple[str, ...], units: list[_Unit], question: str) -> float:
    """How far a keyword list names the key points' own terms (beyond the question's), in [0, 1]."""
    asked = _words(question)
    said = frozenset().union(*(u.tokens for u in units))
    shares = [len(own & said) / len(own) if (own := _words(p) - asked) else 0.0 for p in key_points]
    return float(np.mean(np.minimum(1.0, np.array(shares) / _LEXICAL_FULL))) if shares else 0.0


def _listed(dims: tuple[str, ...], key_points: list[str], named: float, language: str) -> Grade:
    """A keyword list: it covers no point, but naming the points' terms shows some depth."""
    values = {d: 1.0 for d in dims} | {"depth": 1 + _NAMED * named}
    return Grade(
        total=total_from(values),
        scores={d: DimensionScore(_clamp(v)) for d, v in values.items()},
        missed_points=list(key_points),
        coaching=_LIST_HINT[language],
        grader="offline",
    )


def _praise(parts: list[str], language: str) -> str:
    """What a story did well, from its strong STAR parts: "A specific situation and a clear result."."""
    names = [_STAR_PRAISE[p][language] for p in parts]
    if language == "ko":
        return ", ".join(names) + "."
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text[0].upper() + text[1:] + "."


def _insufficient(dims: tuple[str, ...], key_points: list[str], hint: str) -> Grade:
    return Grade(
        total=0,
        scores={d: DimensionScore(1) for d in dims},
        insufficient=True,
        missed_points=list(key_points),
        coaching=hint,
        grader="offline",
    )


def _clamp(value: float) -> int:
    return int(min(5, max(1, round(value))))


def grade_bank_answer(question, answer: str, language: str, embeddings: E5Embeddings | None) -> Grade:  # noqa: ANN001
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

"""Which questions an interview asks, and why: the set-up, the bank plan, tailoring to a résumé or job
description, weak spots, due reviews, practice again."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from backend import logs, review
from backend.context import AppContext
from backend.db import repo
from backend.db.models import Answer
from backend.errors import AppError
from backend.interview.bank import (
    DIFFICULTIES,
    LANGUAGES,
    TRACKS,
    Question,
    load_bank,
    main_question_id,
    questions_for,
)
from backend.rag.bundle import fill_vectors, sentence_vectors
from backend.rag.embeddings import E5Embeddings
from backend.rag.knowledge import KnowledgeBase
from backend.rag.lexical import Bm25Index, tokenize
from backend.rag.store import Passage

log = logs.get_logger("interview.planning")

MAX_QUESTIONS = 15
MAX_CONTEXT_CHARS = 6000
WEAK_SCORE = 60  # a best score below this makes a question a weak spot (the fsrs rating "Hard" starts here too)
MIXED = "mixed"  # the track of an interview whose chosen questions come from several tracks (due reviews)
# The track of an interview on the candidate's own notes: its questions' track only sets the rubric.
NOTES = "notes"
TOPIC_QUESTIONS = 5  # questions of one weak topic practised together


@dataclass(frozen=True)
class InterviewSetup:
    """What the candidate chose before starting (or what "practise again" chose for them)."""

    track: str
    difficulty: str = "mixed"  # easy | medium | hard | mixed
    language: str = "ko"
    num_questions: int = 5
    context_text: str = ""  # job description / résumé pasted or taken from an upload
    context_name: str = ""  # the uploaded document the context comes from ("" when pasted)
    weak_spots: bool = False
    # exactly these questions, in this order: bank questions, or a question from the candidate's notes that a
    # linked answer was given to (asked again as it was asked then)
    question_ids: tuple[str, ...] = ()
    # question id -> the user's earlier answer it practises again (shown with the difference in both places)
    linked_answers: dict[str, int] = field(default_factory=dict)


def check_setup(setup: InterviewSetup) -> None:
    """Refuse a set-up the interview cannot run."""
    chosen = bool(setup.question_ids)
    if setup.track not in TRACKS and not (setup.track == MIXED and chosen):
        raise AppError("interview.bad_setup", f"track {setup.track}")
    if setup.difficulty not in (*DIFFICULTIES, "mixed") or setup.language not in LANGUAGES:
        raise AppError("interview.bad_setup", "difficulty or language")
    if not 1 <= setup.num_questions <= MAX_QUESTIONS:
        raise AppError("interview.bad_setup", "num_questions", max=MAX_QUESTIONS)
    bank = load_bank()
    for question_id in setup.question_ids:
        if question_id in bank and setup.track in (MIXED, bank[question_id].track):
            continue
        if question_id in bank or question_id not in setup.linked_answers:  # a notes question needs its answer
            raise AppError("interview.bad_setup", f"question {question_id}")
    if set(setup.linked_answers) - set(setup.question_ids):
        raise AppError("interview.bad_setup", "linked answer of a question not asked")


_LAST_LOOKED_AT = 20  # latest interviews searched for the last one set up by hand


def last_setup(ctx: AppContext, *, user_id: int) -> InterviewSetup | None:
    """The set-up of the user's latest interview chosen in the set-up form (not a "practise again" of chosen
    questions): where the next one starts, after a new login too."""
    with ctx.read() as db:
        rows = repo.list_sessions(db, user_id=user_id, limit=_LAST_LOOKED_AT)
    for row in rows:
        setup = (row.settings or {}).get("setup") or {}
        if setup.get("track") in TRACKS and not setup.get("question_ids"):
            known = {
                name: setup[name] for name in ("track", "difficulty", "language", "num_questions") if name in setup
            }
            return InterviewSetup(**known)
    return None


def weak_question_ids(ctx: AppContext, *, user_id: int, track: str) -> list[str]:
    """The user's weakest bank questions of a track (best score below 60), weakest first."""
    with ctx.read() as db:
        scores = repo.recent_user_scores(db, user_id=user_id)
    return weakest(scores, track)


def weakest(scores: list[tuple[str, float]], track: str | None) -> list[str]:
    """Bank questions (of `track`, or any) whose best recent score is below WEAK_SCORE, weakest first."""
    bank = load_bank()
    best: dict[str, float] = {}
    for question_id, total in scores:
        if question_id in bank and track in (None, bank[question_id].track):
            best[question_id] = max(best.get(question_id, 0.0), total)
    return [qid for qid, score in sorted(best.items(), key=lambda kv: kv[1]) if score < WEAK_SCORE]


# Tailoring: the share of the rescaled dense similarity in a question's closeness to the document, the rest
# BM25 over both languages of the question. benchmarks/tailoring.py, dev split, precision of the first four:
# 0.83 fused at 0.3 (0.81 at 0.5 and 0.7), 0.79 BM25 alone, 0.77 dense alone, 0.77 before (BM25 over the
# interview language only).
TAILOR_DENSE_WEIGHT = 0.3
_REASON_WORDS = 3  # words of the document named in a question's reason
_CONTEXT_LINES = 40  # lines of the document embedded (about 10 ms each offline)
_LINE = re.compile(r"(?<=[.!?])\s+|\n+|[;,]\s*")
_HANGUL = re.compile(r"[가-힣]")
# English words a question uses in passing ("move work like sending emails into a queue instead of…"): a résumé's
# "I like making slow systems fast" is no reason to ask it.
_IN_PASSING = frozenset(tokenize("like such instead into onto via also rather way"))
# Syllable pairs of Korean endings and particles (했습니다, 하고, 으로…): shared by many sentences, they say
# nothing about why a question was chosen, so a reason never names a word for them.
_KO_GRAMMAR = frozenset(
    "습니 니다 했습 합니 하고 하는 하여 해서 으로 에서 있는 있습 했고 한다 하다 되는 에게 부터 까지 "
    "이다 입니 했다 하기 하며".split()
)
# A particle left on a word the question happens to write the same way (요구사항이 → 요구사항); a syllable that
# also ends nouns (재시도, 정확도) only after three.
_KO_PARTICLE = re.compile(
    r"(?<=[가-힣]{2})(?:으로|에서|에게|까지|부터|[을를은는의와과에])$|(?<=[가-힣]{3})[이가도로만]$"
)
_SURFACE = re.compile(r"[가-힣]+|[A-Za-z][A-Za-z0-9+#]*(?:[.\-/][A-Za-z0-9+#]+)*")


@dataclass(frozen=True)
class Tailoring:
    """How close each bank question of a track is to the candidate's document, and the document's words
    it shares with the question (the reason it is asked)."""

    scores: dict[str, float]
    words: dict[str, list[str]]  # question id -> matched words as the document writes them (none: not tailored)

    def reasons(self, question_ids: list[str], *, document: str = "") -> dict[str, dict[str, object]]:
        """The reason of each of `question_ids` chosen for the document, as stored with its question."""
        return {q: {"words": self.words[q], "document": document} for q in question_ids if self.words.get(q)}


def _question_text(question: Question) -> str:
    """What a question is matched on: its text and key points in both languages, and its tags (a résumé
    is often in the other language than the interview)."""
    parts = [question.text[lang] + " " + " ".join(question.points(lang)) for lang in LANGUAGES]
    return " ".join([*parts, *question.tags])


def _topic_words(question: Question) -> list[str]:
    """The words of a question's text (both languages) and tags: what it is about, which a reason names. Not the
    English text's first word unless a tag names it: "Design a rate limiter…" is about rate limiters, and a
    résumé's "Designed JWT-based authentication" is no reason to ask it."""
    tags = [t.replace("-", " ") for t in question.tags]
    first, _, rest = question.text["en"].partition(" ")
    english = question.text["en"] if set(tokenize(first)) & set(tokenize(" ".join(tags))) else rest
    texts = [text for lang, text in question.text.items() if lang != "en"]
    return _SURFACE.findall(" ".join([english, *texts, *tags]))


def _tokens(word: str) -> set[str]:
    """A word's tokens whole and by its hyphenated parts: "JWT-based" shares "jwt", "cache-aside" itself."""
    return {*tokenize(word), *tokenize(word.replace("-", " "))}


def _document_words(context: str, topic: list[str], weight: dict[str, float]) -> list[str]:
    """The words of `context` the question's `topic` words share a token with, as the document writes them,
    the rarest in the track first. A Korean word is cut to the part it shares (캐시를 against 캐시 → 캐시)."""
    topic_tokens = {t: w for w in topic for t in _tokens(w) if t not in _KO_GRAMMAR and t not in _IN_PASSING}
    written = {w.lower() for w in topic}
    matched: list[tuple[re.Match[str], set[str]]] = []  # document words and the tokens they share
    for match in _SURFACE.finditer(context):
        if _inflected(match.group(0)) and match.group(0).lower() not in written:
            continue  # "Designed", "building", "serving": a verb's form shares a stem with the topic, not the topic
        if hits := {t for t in _tokens(match.group(0)) if t in topic_tokens and t in weight}:
            matched.append((match, hits))
    found: dict[str, tuple[float, str]] = {}  # the phrase's heaviest shared token -> (weight, phrase as written)
    i = 0
    while i < len(matched):
        # English words next to each other are one phrase ("rate limiting"), named as the document writes it.
        j = i
        while (
            j + 1 < len(matched)
            and not _HANGUL.match(matched[j][0].group(0))
            and not _HANGUL.match(matched[j + 1][0].group(0))
            and context[matched[j][0].end() : matched[j + 1][0].start()] == " "
        ):
            j += 1
        hits = sorted(set().union(*(h for _, h in matched[i : j + 1])), key=lambda t: -weight[t])
        word = context[matched[i][0].start() : matched[j][0].end()]
        if _HANGUL.match(word):
            common = SequenceMatcher(None, word, topic_tokens[hits[0]], autojunk=False).find_longest_match()
            word = _KO_PARTICLE.sub("", word[common.a : common.a + common.size])
        score = sum(weight[t] for t in hits)
        if len(word) > 1 and score > found.get(hits[0], (0.0, ""))[0]:
            found[hits[0]] = (score, word)
        i = j + 1
    named: list[str] = []
    for _, word in sorted(found.values(), key=lambda sw: -sw[0]):
        if not any(word.lower() in _SURFACE.findall(other.lower()) for other in named):  # "Redis" in "Redis caching"
            named.append(word)
    return named[:_REASON_WORDS]  # no phrase twice: `found` holds one per heaviest token, and equal text shares it


def _inflected(word: str) -> bool:
    """An English verb form ending in -ed or -ing (a past tense or gerund), by its spelling."""
    return word.isascii() and word.isalpha() and len(word) > 5 and word.lower().endswith(("ed", "ing"))


def tailor(track: str, context: str, *, embeddings: E5Embeddings | None) -> Tailoring:
    """Closeness of the track's bank questions to a résumé or job description: BM25 over both languages,
    fused with the offline embeddings' similarity of the question to the document's closest line."""
    context = context[:MAX_CONTEXT_CHARS]
    pool = questions_for(track)
    if not pool or not context.strip():
        return Tailoring({}, {})
    texts = [_question_text(q) for q in pool]
    lexical = Bm25Index(texts).scores(context)
    fused = _rescaled(lexical)
    lines = [line.strip() for line in _LINE.split(context) if len(line.strip()) > 3][:_CONTEXT_LINES]
    if embeddings is not None and lines:
        questions = [q.text[lang] for q in pool for lang in LANGUAGES]
        vectors = fill_vectors(questions, sentence_vectors(questions), embeddings.embed_passages)
        line_vectors = np.vstack([embeddings.embed_query_array(line) for line in lines])
        dense = (vectors @ line_vectors.T).reshape(len(pool), len(LANGUAGES), len(lines)).max(axis=(1, 2))
        fused = TAILOR_DENSE_WEIGHT * _rescaled(dense) + (1 - TAILOR_DENSE_WEIGHT) * fused
    # A word shared with few of the track's questions says more about why this one was chosen.
    token_sets = [_tokens(text) for text in texts]
    counts = {t: sum(t in tokens for tokens in token_sets) for t in _tokens(context)}
    weight = {t: float(np.log(1 + len(pool) / n)) for t, n in counts.items() if n}
    words = {
        q.id: _document_words(context, _topic_words(q), weight) if lexical[i] > 0 else [] for i, q in enumerate(pool)
    }
    return Tailoring({q.id: float(fused[i]) for i, q in enumerate(pool)}, words)


def document_passage(kb: KnowledgeBase | None, *, user_id: int, reason: dict | None) -> Passage | None:
    """The passage of the user's upload a question comes from, cited with its grade: the one holding most of
    the words it was chosen for ("you mention Redis" points at where), or the section of the notes it was asked
    from; None without such a passage or a reason."""
    words = (reason or {}).get("words") or [(reason or {}).get("section", "")]
    if kb is None or not reason or not reason.get("document") or not any(words):
        return None
    try:
        passages = kb.user_document_passages(user_id=user_id, source=reason["document"])
    except Exception as exc:  # noqa: BLE001 - a store that is down costs this citation only
        log.warning("document passages unavailable", extra={"error": type(exc).__name__})
        return None
    words = [w.casefold() for w in words]
    # A passage headed by the section counts above one that only mentions its heading.
    hits = [
        sum(w in p.text.casefold() for w in words) + (p.heading.split(" > ")[-1].casefold() in words) for p in passages
    ]
    best = max(range(len(passages)), key=lambda i: (hits[i], -i), default=None)
    return passages[best] if best is not None and hits[best] else None


def _rescaled(values: np.ndarray) -> np.ndarray:
    spread = float(values.max() - values.min())
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)


def plan_questions(
    setup: InterviewSetup,
    *,
    seed: int,
    weak_ids: list[str] | None = None,
    recent_ids: set[str] | None = None,
    tailoring: Tailoring | None = None,
) -> list[str]:
    """Question ids for the session: the chosen ones if any, else weak spots first (if asked), then those
    closest to the context text (`tailoring`, lexical only when not given), no repeats."""
    if setup.question_ids:
        return list(dict.fromkeys(setup.question_ids))[: setup.num_questions]
    pool = questions_for(setup.track, setup.difficulty) or questions_for(setup.track)
    rng = random.Random(seed)
    order = pool[:]
    rng.shuffle(order)
    recent = recent_ids or set()
    # Prefer questions not asked in the candidate's recent sessions.
    order.sort(key=lambda q: q.id in recent)
    if setup.context_text.strip():
        tailoring = tailoring or tailor(setup.track, setup.context_text, embeddings=None)
        matched = [q for q in order if tailoring.words.get(q.id)]
        matched.sort(key=lambda q: -tailoring.scores[q.id])
        # Mostly the questions closest to the job description / résumé, with some breadth kept.
        tailored = matched[: max(1, setup.num_questions - 1)]
        order = tailored + [q for q in order if q not in tailored]
    chosen: list[str] = []
    if setup.weak_spots and weak_ids:
        by_id = {q.id: q for q in pool} | {q.id: q for q in questions_for(setup.track)}
        chosen += [qid for qid in weak_ids if qid in by_id][: setup.num_questions]
    for question in order:
        if len(chosen) >= setup.num_questions:
            break
        if question.id not in chosen:
            chosen.append(question.id)
    # A question that closes an interview ("We have a few minutes left. Any questions for me?") comes last.
    bank = load_bank()
    return sorted(chosen, key=lambda qid: bank[qid].closes)


def _chosen(db: Session, *, user_id: int, question_ids: list[str], language: str) -> InterviewSetup:
    """An interview of exactly these bank questions, each linked to the user's latest answer to it."""
    bank = load_bank()
    question_ids = list(dict.fromkeys(q for q in question_ids if q in bank))[:MAX_QUESTIONS]
    if not question_ids:
        raise AppError("interview.no_questions")
    tracks, levels = {bank[q].track for q in question_ids}, {bank[q].difficulty for q in question_ids}
    return InterviewSetup(
        track=tracks.pop() if len(tracks) == 1 else MIXED,
        difficulty=levels.pop() if len(levels) == 1 else MIXED,  # the title says what is asked
        language=language,
        num_questions=len(question_ids),
        question_ids=tuple(question_ids),
        linked_answers=repo.latest_answer_ids(db, user_id=user_id, question_ids=question_ids),
    )


def again_setup(ctx: AppContext, *, user_id: int, answer_id: int) -> InterviewSetup:
    """Practise the question of one of the user's past answers again, in that interview's language."""
    with ctx.read() as db:
        answer = repo.get_answer(db, user_id=user_id, answer_id=answer_id)
        language = repo.get_session(db, user_id=user_id, session_id=answer.session_id).language
        main_id = main_question_id(answer.question_id)  # a follow-up practises its main question
        if main_id not in load_bank():  # a question from the candidate's notes
            return _notes_again(db, user_id=user_id, answer=answer, main_id=main_id, language=language)
        setup = _chosen(db, user_id=user_id, question_ids=[main_id], language=language)
    linked = {main_id: answer.id} if answer.question_id == main_id else setup.linked_answers
    return replace(setup, linked_answers=linked)


def _notes_again(db: Session, *, user_id: int, answer: Answer, main_id: str, language: str) -> InterviewSetup:
    """A question from the candidate's notes again, linked to the answer given to it (where the engine finds it)."""
    linked = answer.id if answer.question_id == main_id else None
    if linked is None:  # a follow-up's answer: its main question's latest answer
        linked = repo.latest_answer_ids(db, user_id=user_id, question_ids=[main_id]).get(main_id)
    if linked is None:
        raise AppError("interview.no_questions")
    asked = asked_question(db, user_id=user_id, question_id=main_id, answer_id=linked)
    return InterviewSetup(
        track=asked["track"],
        language=language,
        num_questions=1,
        question_ids=(main_id,),
        linked_answers={main_id: linked},
    )


def asked_question(db: Session, *, user_id: int, question_id: str, answer_id: int) -> dict[str, Any]:
    """A question from the candidate's notes as it was asked in the interview of one of the user's answers to it."""
    answer = repo.get_answer(db, user_id=user_id, answer_id=answer_id)
    asked = repo.get_session(db, user_id=user_id, session_id=answer.session_id).settings.get("questions", {})
    if answer.question_id != question_id or question_id not in asked:
        raise AppError("interview.no_questions")
    return asked[question_id]


def topic_setup(ctx: AppContext, *, user_id: int, reference: str, language: str) -> InterviewSetup:
    """Practise the bank questions of one knowledge section ("track#anchor"), the weakest first."""
    with ctx.read() as db:
        scores = repo.recent_user_scores(db, user_id=user_id)
        weak = weakest(scores, None)
        seen = {qid for qid, _ in scores}
        section = [q.id for q in load_bank().values() if q.reference == reference]
        # Weakest first, then those never answered, then the rest.
        ordered = sorted(section, key=lambda q: weak.index(q) if q in weak else len(weak) + (q in seen))
        return _chosen(db, user_id=user_id, question_ids=ordered[:TOPIC_QUESTIONS], language=language)


def due_setup(ctx: AppContext, *, user_id: int, timezone: str, language: str) -> InterviewSetup:
    """An interview of the questions due for review today, most overdue first, in the language most of them were
    last answered in (recall is practised as it was learnt; `language`, the interface's, on a tie)."""
    with ctx.read() as db:
        due = review.due_question_ids(db, user_id=user_id, timezone=timezone, limit=MAX_QUESTIONS)
        setup = _chosen(db, user_id=user_id, question_ids=due, language=language)
        spoken = Counter(repo.answer_languages(db, user_id=user_id, answer_ids=list(setup.linked_answers.values())))
    ranked = spoken.most_common()
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return replace(setup, language=ranked[0][0])
    return setup

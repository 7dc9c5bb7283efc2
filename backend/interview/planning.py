"""Which questions an interview asks: the set-up, the bank plan, weak spots, due reviews, practice again."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from backend import review
from backend.context import AppContext
from backend.db import repo
from backend.errors import AppError
from backend.interview.bank import DIFFICULTIES, LANGUAGES, TRACKS, load_bank, questions_for
from backend.rag.lexical import Bm25Index

MAX_QUESTIONS = 15
MAX_CONTEXT_CHARS = 6000
WEAK_SCORE = 60  # a best score below this makes a question a weak spot (the fsrs rating "Hard" starts here too)
MIXED = "mixed"  # the track of an interview whose chosen questions come from several tracks (due reviews)
TOPIC_QUESTIONS = 5  # questions of one weak topic practised together


@dataclass(frozen=True)
class InterviewSetup:
    """What the candidate chose before starting (or what "practise again" chose for them)."""

    track: str
    difficulty: str = "mixed"  # easy | medium | hard | mixed
    language: str = "ko"
    num_questions: int = 5
    context_text: str = ""  # job description / résumé pasted or taken from an upload
    weak_spots: bool = False
    question_ids: tuple[str, ...] = ()  # exactly these bank questions, in this order
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
        if question_id not in bank or setup.track not in (MIXED, bank[question_id].track):
            raise AppError("interview.bad_setup", f"question {question_id}")
    if set(setup.linked_answers) - set(setup.question_ids):
        raise AppError("interview.bad_setup", "linked answer of a question not asked")


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


def plan_questions(
    setup: InterviewSetup, *, seed: int, weak_ids: list[str] | None = None, recent_ids: set[str] | None = None
) -> list[str]:
    """Question ids for the session: the chosen ones if any, else weak spots first (if asked), tailored to the
    context text, no repeats."""
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
        lang = setup.language
        index = Bm25Index([f"{q.text[lang]} {' '.join(q.tags)} {' '.join(q.points(lang))}" for q in order])
        relevance = index.scores(setup.context_text[:MAX_CONTEXT_CHARS])
        ranked = sorted(range(len(order)), key=lambda i: -float(relevance[i]))
        # Mostly the questions closest to the job description / résumé, with some breadth kept.
        tailored = [order[i] for i in ranked[: max(1, setup.num_questions - 1)] if relevance[i] > 0]
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
    return chosen


def _chosen(db: Session, *, user_id: int, question_ids: list[str], language: str) -> InterviewSetup:
    """An interview of exactly these bank questions, each linked to the user's latest answer to it."""
    bank = load_bank()
    question_ids = list(dict.fromkeys(q for q in question_ids if q in bank))[:MAX_QUESTIONS]
    if not question_ids:
        raise AppError("interview.no_questions")
    tracks = {bank[q].track for q in question_ids}
    return InterviewSetup(
        track=tracks.pop() if len(tracks) == 1 else MIXED,
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
        main_id = answer.question_id.split(":")[0]  # a follow-up practises its main question
        setup = _chosen(db, user_id=user_id, question_ids=[main_id], language=language)
    linked = {main_id: answer.id} if answer.question_id == main_id else setup.linked_answers
    return replace(setup, linked_answers=linked)


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
    """An interview of the questions due for review today, most overdue first."""
    with ctx.read() as db:
        due = review.due_question_ids(db, user_id=user_id, timezone=timezone, limit=MAX_QUESTIONS)
        return _chosen(db, user_id=user_id, question_ids=due, language=language)

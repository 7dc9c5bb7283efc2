"""The interview as an explicit state machine, persisted after every step (Streamlit-free).

States: question -> grading -> feedback -> (follow-up | next question | retry) -> ... -> ended.
A session row's `settings` JSON holds the set-up, the question plan and the current state, so a
refreshed page (or another replica) resumes exactly where the candidate was.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy.exc import IntegrityError

from backend import logs, review
from backend.context import AppContext
from backend.db import repo
from backend.db.models import as_utc, utcnow
from backend.errors import AppError, NotFound
from backend.interview import llm_grader
from backend.interview.bank import (
    FollowUp,
    Question,
    load_bank,
    main_question_id,
    section_heading,
    section_text,
)
from backend.interview.feedback import feedback_text
from backend.interview.keypoints import derive_key_points
from backend.interview.offline import grade_offline
from backend.interview.planning import (
    MAX_CONTEXT_CHARS,
    NOTES,
    WEAK_SCORE,
    InterviewSetup,
    asked_question,
    check_setup,
    document_passage,
    plan_questions,
    tailor,
    weakest,
)
from backend.interview.rubric import Grade
from backend.llm.provider import check_rate_limit, provider_error
from backend.rag.embeddings import offline_embeddings
from backend.rag.knowledge import KnowledgeBase
from backend.rag.store import Passage

log = logs.get_logger("interview")


class State(StrEnum):
    QUESTION = "question"
    GRADING = "grading"
    FEEDBACK = "feedback"
    ENDED = "ended"


@dataclass(frozen=True)
class Llms:
    """The models in use: a temperature-0 grader and the interviewer (None offline)."""

    grader: BaseChatModel | None = None
    interviewer: BaseChatModel | None = None

    @property
    def online(self) -> bool:
        return self.grader is not None


@dataclass
class AnswerView:
    id: int
    question_id: str
    question_text: str
    answer_text: str
    attempt_no: int
    status: str
    grade: Grade | None
    # The earlier answer this one practises again, and the latest later practice of this one: (total, when).
    previous: tuple[float, datetime] | None = None
    later: tuple[float, datetime] | None = None


@dataclass
class MessageView:
    id: int
    role: str
    content: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class PastAnswer:
    """The earlier answer an open question is practised again after, shown before the candidate answers it."""

    total: float | None
    at: datetime  # UTC
    text: str
    missed_points: list[str]


@dataclass
class InterviewView:
    """Everything the chat page shows."""

    session_id: int
    title: str
    mode: str
    setup: InterviewSetup
    state: State
    current: dict[str, Any]
    position: int  # 1-based number of the current planned question
    planned: int
    messages: list[MessageView]
    answers: dict[int, AnswerView]
    votes: dict[int, bool]
    vote_comments: dict[int, str]  # what the user wrote with a vote, by answer id
    last_error: dict[str, Any] | None = None  # {code, params} of the last failed grading

    follow_up_left: bool = True  # offline, only follow-ups with authored key points are asked
    due: dict[str, datetime] = field(default_factory=dict)  # bank question id -> next review (UTC)
    created_at: datetime | None = None  # UTC
    overall_score: float | None = None  # once ended
    draft: str = ""  # the unsent answer of the open turn, kept while the candidate types
    practising: PastAnswer | None = None  # the earlier answer the open question practises again

    @property
    def can_follow_up(self) -> bool:
        return self.state == State.FEEDBACK and self.current.get("kind") == "main" and self.follow_up_left

    @property
    def untouched(self) -> bool:
        """Nothing answered or skipped yet: ending now keeps nothing (see end_interview)."""
        return not self.answers and not any(m.meta.get("kind") == "skipped" for m in self.messages)


@dataclass
class TopicScore:
    topic: str
    score: float
    questions: int


@dataclass
class Summary:
    overall: float | None
    answered: int
    topics: list[TopicScore]
    strongest: list[TopicScore]
    weakest: list[TopicScore]
    study: list[dict[str, Any]] = field(default_factory=list)  # passages for the weakest questions
    improvements: list[dict[str, Any]] = field(default_factory=list)  # retries: question, first, best
    skipped: int = 0  # questions skipped and never answered
    discarded: bool = False  # ended before anything was answered or skipped: deleted, nothing in it to review


# --------------------------------------------------------------------------- persistence helpers


def _state(row_settings: dict[str, Any]) -> dict[str, Any]:
    return dict(row_settings or {})


class StaleInterview(AppError):
    """Another click or tab changed the interview first; this change was not made (show the current state)."""

    def __init__(self) -> None:
        super().__init__("interview.changed", "state changed concurrently")


def _save_state(  # noqa: ANN001
    db, *, user_id: int, session_id: int, data: dict[str, Any], version: int | None = None, **values: Any
) -> None:
    """Write the new state (and `values`) if the interview is still at the version this transaction read
    (or `version`); else StaleInterview, and the caller's transaction rolls back whatever it added."""
    if version is None:
        version = repo.get_session(db, user_id=user_id, session_id=session_id).version  # as read, identity map
    if not repo.save_state(db, user_id=user_id, session_id=session_id, version=version, settings=data, **values):
        raise StaleInterview()


def _require_turn(data: dict[str, Any], turn: str | None) -> None:
    """A click is about the turn its browser tab showed (`turn`, when given): StaleInterview when the interview has
    moved on since, in another tab (a Next or Skip would otherwise act on a question that tab never showed)."""
    if turn is not None and turn != data["current"]["turn"]:
        raise StaleInterview()


def _require(data: dict[str, Any], *allowed: State) -> None:
    if State(data["state"]) not in allowed:
        raise AppError("interview.invalid_action", f"state {data['state']} not in {allowed}")


def _bank_current(question: Question, language: str, *, attempt: int = 1) -> dict[str, Any]:
    return {
        "question_id": question.id,
        "main_id": question.id,
        "track": question.track,
        "text": question.text[language],
        "kind": "main",
        "attempt": attempt,
        "key_points": question.points(language),
        "model_answer": question.model_answer[language],
        "reference": question.reference,
        "turn": uuid.uuid4().hex,
    }


def _planned(data: dict[str, Any], index: int) -> dict[str, Any]:
    """The current-question state of planned question `index`: from the candidate's notes, or the bank."""
    question_id = data["plan"][index]
    own = data.get("questions", {}).get(question_id)
    if own is not None:
        return {**own, "turn": uuid.uuid4().hex}
    return _bank_current(load_bank()[question_id], data["setup"]["language"])


def _ask(db, *, user_id: int, session_id: int, data: dict[str, Any], intro: str = "") -> None:  # noqa: ANN001
    current = data["current"]
    # Why this question (the résumé's words it matches, or the section of the notes it comes from): with it first.
    reason = current.get("reason") or data.get("reasons", {}).get(current["question_id"])
    repo.add_message(
        db,
        user_id=user_id,
        session_id=session_id,
        role="assistant",
        content=current["text"],
        meta={
            "kind": "question",
            "question_id": current["question_id"],
            "question_kind": current["kind"],
            "attempt": current["attempt"],
            "turn": current["turn"],
            "position": data["index"] + 1,
            "intro": intro,
            "reason": reason if current["kind"] == "main" and not intro else None,
        },
    )


# --------------------------------------------------------------------------- actions


_RECENT_ANSWERS = 200  # the questions of the user's latest answers come last in a new plan
MAX_VOTE_COMMENT = 2000  # characters kept of what a user writes with a thumbs-down


def start_interview(
    ctx: AppContext, *, user_id: int, setup: InterviewSetup, mode: str, questions: list[dict[str, Any]] | None = None
) -> int:
    """Create a session, plan its questions and ask the first one; returns the session id.

    `questions` (from the candidate's notes, `notes.note_questions`) are asked instead of bank questions."""
    check_setup(setup)
    setup = InterviewSetup(**{**asdict(setup), "context_text": setup.context_text[:MAX_CONTEXT_CHARS]})
    with ctx.read() as db:  # newest first: one read serves both the weak spots and the recent questions
        scores = repo.recent_user_scores(db, user_id=user_id)
        for question_id, answer_id in setup.linked_answers.items():  # only the user's own answers are linked
            if repo.get_answer(db, user_id=user_id, answer_id=answer_id).question_id != question_id:
                raise AppError("interview.bad_setup", f"answer {answer_id} is not of {question_id}")
        # A question from the candidate's notes practised again is asked as it was asked then.
        bank = load_bank()
        again = [
            asked_question(db, user_id=user_id, question_id=qid, answer_id=setup.linked_answers[qid])
            for qid in setup.question_ids
            if qid not in bank
        ]
    questions = questions or again or None
    weak = weakest(scores, setup.track) if setup.weak_spots else []
    recent = {question_id for question_id, _ in scores[:_RECENT_ANSWERS]}
    seed = random.SystemRandom().randrange(2**31)
    tailored = setup.context_text.strip() and not questions and not setup.question_ids
    tailoring = tailor(setup.track, setup.context_text, embeddings=offline_embeddings()) if tailored else None
    plan = (
        [q["question_id"] for q in questions]
        if questions
        else plan_questions(setup, seed=seed, weak_ids=weak, recent_ids=recent, tailoring=tailoring)
    )
    if not plan:
        raise AppError("interview.no_questions")
    data = {
        "setup": asdict(setup),
        "plan": plan,
        "questions": {q["question_id"]: q for q in questions or []},
        "reasons": tailoring.reasons(plan, document=setup.context_name) if tailoring else {},
        "index": 0,
        "state": State.QUESTION.value,
        "pending_answer_id": None,
        "follow_ups": {},
        "last_error": None,
    }
    data["current"] = _planned(data, 0)
    # Questions from the candidate's notes are named after the notes, not after the track that only sets the rubric.
    reasons = [q["reason"] for q in questions or [] if q.get("reason", {}).get("document")]
    notes_name = reasons[0]["document"] if reasons else None
    if notes_name and len(plan) == 1 and reasons[0].get("section"):  # one question (practised again): its section
        notes_name = f"{notes_name} › {reasons[0]['section']}"
    title = notes_name or default_title(setup.track, setup.difficulty, setup.language)
    with ctx.tx() as db:
        row = repo.create_session(
            db,
            user_id=user_id,
            title=title,
            track=NOTES if questions else setup.track,
            difficulty=setup.difficulty,
            language=setup.language,
            mode=mode,
            settings=data,
        )
        _ask(db, user_id=user_id, session_id=row.id, data=data)
        session_id = row.id
    log.info("interview started", extra={"user_id": user_id, "session_id": session_id, "mode": mode})
    return session_id


def question_heading(meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The UI string key (and its parameters) heading a question message: a retry, a follow-up, or "Question n"."""
    if meta.get("intro") == "retry":
        return "chat.retry_label", {"attempt": meta.get("attempt", 2)}
    if meta.get("question_kind") == "follow_up":
        return "chat.follow_up_label", {}
    return "chat.question_label", {"n": meta.get("position", 1)}


def default_title(track: str, difficulty: str, language: str) -> str:
    """The title an interview starts with (pages show a translated one instead until it is renamed)."""
    return f"{track} · {difficulty} · {language}"


def active_session_id(ctx: AppContext, *, user_id: int) -> int | None:
    """The user's most recent unfinished interview, for resuming after a refresh."""
    with ctx.read() as db:
        rows = repo.list_sessions(db, user_id=user_id, limit=1, status="active")
    return rows[0].id if rows else None


def unfinished_practice(ctx: AppContext, *, user_id: int, setup: InterviewSetup) -> int | None:
    """The user's unfinished interview of chosen questions (a review, a question or topic practised again) that has
    yet to ask every question of `setup`: to be continued rather than started a second time (in its own language: a
    review's follows the answers still due, which changes as they are answered)."""
    if not setup.question_ids:
        return None
    wanted = set(setup.question_ids)
    with ctx.read() as db:
        for session in repo.list_sessions(db, user_id=user_id, status="active"):
            data = session.settings or {}
            chosen = (data.get("setup") or {}).get("question_ids")
            ahead = set((data.get("plan") or [])[int(data.get("index") or 0) :])
            if chosen and wanted <= ahead:
                return session.id
    return None


def load_interview(ctx: AppContext, *, user_id: int, session_id: int) -> InterviewView:
    """The whole interview as the chat page shows it."""
    # The chat page loads it once per run, and again after grading an answer in the same run; a few statements,
    # no transaction.
    with ctx.read() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        messages = repo.list_message_rows(db, user_id=user_id, session_id=session_id)
        answers = repo.list_answers_with_votes(db, user_id=user_id, session_id=session_id)
        asked = [a.question_id for a in answers if a.question_id in load_bank()]
        due = review.next_due(db, user_id=user_id, question_ids=asked)
        data = _state(row.settings)
        draft = (
            repo.get_draft(db, user_id=user_id, session_id=session_id, turn_key=data["current"]["turn"])
            if data["state"] == State.QUESTION.value
            else None
        )
        practising = _past_answer(db, user_id=user_id, data=data)
    return InterviewView(
        session_id=row.id,
        title=row.title,
        mode=row.mode,
        setup=InterviewSetup(**data["setup"]),
        state=State(data["state"]),
        current=data["current"],
        position=min(data["index"] + 1, len(data["plan"])),
        planned=len(data["plan"]),
        messages=[MessageView(m.id, m.role, m.content, dict(m.meta or {})) for m in messages],
        answers={
            a.id: AnswerView(
                a.id,
                a.question_id,
                a.question_text,
                a.answer_text,
                a.attempt_no,
                a.status,
                Grade.from_dict(a.feedback) if a.feedback else None,
                (a.previous_total, as_utc(a.previous_at)) if a.previous_total is not None else None,
                (a.later_total, as_utc(a.later_at)) if a.later_total is not None else None,
            )
            for a in answers
        },
        votes={a.id: a.helpful for a in answers if a.helpful is not None},
        vote_comments={a.id: a.comment for a in answers if a.comment},
        last_error=data.get("last_error"),
        # Follow-ups start from a bank question: none on a question from the candidate's notes.
        follow_up_left=(row.mode != "offline" and data["current"].get("main_id") in load_bank())
        or _offline_follow_up(data) is not None,
        due=due,
        created_at=as_utc(row.created_at),
        overall_score=row.overall_score,
        draft=draft or "",
        practising=practising,
    )


def _past_answer(db, *, user_id: int, data: dict[str, Any]) -> PastAnswer | None:  # noqa: ANN001
    """The earlier answer the open question (a first attempt) practises again, if it still exists."""
    current = data["current"]
    linked = data["setup"].get("linked_answers", {}).get(current["question_id"])
    if linked is None or data["state"] != State.QUESTION.value or current.get("attempt", 1) != 1:
        return None
    try:
        answer = repo.get_answer(db, user_id=user_id, answer_id=linked)
    except NotFound:  # its interview was deleted since
        return None
    missed = (answer.missed_points or {}).get("items", [])
    return PastAnswer(answer.total, as_utc(answer.created_at), answer.answer_text, list(missed))


def submit_answer(ctx: AppContext, *, user_id: int, session_id: int, turn: str, text: str, client: str = "") -> int:
    """Save the candidate's answer (before any LLM call); idempotent per turn. Returns the answer id. `client`
    names the browser tab it comes from (see save_draft).

    AppError interview.answered_elsewhere when the turn already holds another text (sent from another tab) or is no
    longer open (answered or skipped in another tab, which moved on): this one is not saved, and the caller still has
    it to show."""
    text = text.strip()
    if not text:  # nothing to grade: said, and the question stays open
        raise AppError("interview.empty_answer")
    if len(text) > ctx.settings.max_answer_chars:
        raise AppError("interview.too_long", max=ctx.settings.max_answer_chars)
    try:
        return _submit(ctx, user_id=user_id, session_id=session_id, turn=turn, text=text, client=client)
    except (IntegrityError, StaleInterview):  # the same turn submitted at the same moment: the first one won
        with ctx.read() as db:
            stored = repo.answer_for_turn(db, user_id=user_id, session_id=session_id, turn_key=turn)
            if stored is None:
                raise
            return _same_answer(db, user_id=user_id, answer_id=stored, text=text)


def _same_answer(db, *, user_id: int, answer_id: int, text: str) -> int:  # noqa: ANN001
    """`answer_id` when that answer holds `text` (a repeated submit); else AppError interview.answered_elsewhere."""
    if repo.get_answer(db, user_id=user_id, answer_id=answer_id).answer_text != text:
        raise AppError("interview.answered_elsewhere")
    return answer_id


def _submit(ctx: AppContext, *, user_id: int, session_id: int, turn: str, text: str, client: str) -> int:
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data = _state(row.settings)
        current = data["current"]
        # A repeated submit (or another tab's): the answer of that turn is already saved, whatever came since.
        existing = repo.answer_for_turn(db, user_id=user_id, session_id=session_id, turn_key=turn)
        if existing is not None:
            return _same_answer(db, user_id=user_id, answer_id=existing, text=text)
        if turn != current["turn"]:  # answered or skipped in another tab, which has moved on since
            raise AppError("interview.answered_elsewhere")
        _require(data, State.QUESTION)
        first_of_main = current["kind"] == "main" and current["attempt"] == 1
        answer, created = repo.save_answer(
            db,
            user_id=user_id,
            session_id=session_id,
            turn_key=turn,
            question_id=current["question_id"],
            question_text=current["text"],
            answer_text=text,
            attempt_no=current["attempt"],
            previous_answer_id=data["setup"].get("linked_answers", {}).get(current["question_id"])
            if first_of_main
            else None,
        )
        if not created and answer.answer_text != text:  # stored meanwhile by another tab's submit
            raise AppError("interview.answered_elsewhere")
        if created:
            repo.add_message(
                db,
                user_id=user_id,
                session_id=session_id,
                role="user",
                content=text,
                meta={"kind": "answer", "answer_id": answer.id, "turn": turn, "client": client},
            )
        data.update(state=State.GRADING.value, pending_answer_id=answer.id, last_error=None)
        _save_state(db, user_id=user_id, session_id=session_id, data=data)
        repo.delete_drafts(db, user_id=user_id, session_id=session_id)
        return answer.id


_DRAFT_LIMIT = 10  # a draft may hold this many times the longest answer: room to shorten a long paste, bounded


def save_draft(ctx: AppContext, *, user_id: int, session_id: int, turn: str, text: str, client: str = "") -> bool:
    """Keep the candidate's unsent answer to the open turn `turn`; False (nothing kept) once that turn is
    answered, skipped or ended, so a late save cannot bring back a draft of a closed turn. AppError
    interview.answered_elsewhere when another browser tab (`client`) answered the turn meanwhile: the caller still
    has the text to show (a save still in flight from the tab that sent the answer keeps nothing, silently)."""
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data = _state(row.settings)
        if data["state"] != State.QUESTION.value or data["current"]["turn"] != turn:
            sent = repo.answer_message(db, user_id=user_id, session_id=session_id, turn_key=turn)
            if client and text.strip() and sent is not None and sent.meta.get("client") not in (client, None, ""):
                raise AppError("interview.answered_elsewhere")
            return False
        repo.save_draft(
            db,
            user_id=user_id,
            session_id=session_id,
            turn_key=turn,
            text=text[: _DRAFT_LIMIT * ctx.settings.max_answer_chars],
        )
    return True


# Cite a further passage only when it scores at least this share of the best one. Set by reading the
# citations of 50 bank questions (random sample, seed 11): at 0.7, 75 of 94 shown supported the question;
# at 0.85, 66 of 70 (15 of the 19 unrelated ones and 9 related "see also" passages dropped). Reading another 50
# (seed 23), 6 of the 18 further passages were unrelated ("replication" for a DNS migration question), all
# scoring below the question's own section; requiring a further passage to score at least as high left 4 of
# them, 3 related, and the citations of 49 of the 50 questions all supported the question (46 before).
_CITE_SHARE = 0.85
# A cited passage from another section must also be among the top sections a search for the model answer finds.
# Set by reading the citations of 50 bank questions each (seeds 41 and 43): among the top 6, 4 of 127 citations
# were dropped and 2 doubtful ones stayed ("Dataclasses" for is vs ==, whose answer names __eq__; "Recursion" for
# BFS vs DFS); among the top 3, 7 were dropped (1 related) and neither stayed. Read on fresh samples: seed 47, all
# 55 citations shown supported their question ("Binary Search" for a BST question and a related "Normalization"
# dropped); seed 53, after the search's ranking changed (section BM25, no language axis), all 59 did (a "Rate
# Limiting" passage for a payment retried after a timeout dropped).
_ANSWER_K = 3


def _passages(
    kb: KnowledgeBase | None,
    *,
    user_id: int,
    query: str,
    language: str,
    reference: str = "",
    track: str = "",
    answer: str = "",
) -> list[Passage]:
    """Up to three passages to cite, in the interview language: the question's grounding section
    ("track#anchor") first, then only passages nearly as relevant as the best and at least as relevant as the
    grounding section; the grounding section alone when the search ranks it below six others. A behavioural
    question cites its own section alone: the guide's other sections are about other kinds of question. With
    the question's model `answer`, a passage from another section must also be among those that answer finds."""
    if kb is None:
        return []
    try:
        found = kb.search(query, user_id=user_id, k=6)
        same = [p for p in found if p.language in ("", language)] or found
        grounding = [p for p in same if reference and f"{PurePosixPath(p.source).stem}#{p.section_id}" == reference]
        if reference and not grounding:
            # The search ranks the question's own section below six others, so they are no guide to what
            # supports it either (reading 50 questions, seed 31: every further passage cited then was unrelated,
            # "safe retries" for a topological-sort question): its own section alone, read directly. Read on a
            # fresh sample (seed 37) with both rules: 65 of 68 citations supported the question, and all the
            # citations of 48 of the 50 questions.
            own = kb.bundled_section(reference, language)
            if own is not None:
                return [own]
    except Exception as exc:  # noqa: BLE001 - a store that is down (Pinecone unreachable) costs the citations only
        log.warning("retrieval failed; grading without passages", extra={"error": type(exc).__name__})
        return []
    if not same or (grounding and track == "behavioral"):
        return grounding[:3]
    # A further passage must also score at least as high as the question's own section: one the search ranks below
    # the section the question was written from is "see also" at best.
    floor = max(_CITE_SHARE * same[0].score, grounding[0].score if grounding else 0.0)
    others = [p for p in same if p not in grounding and p.score >= floor][: max(0, 3 - len(grounding))]
    if answer and others:
        others = _answered(kb, others, user_id=user_id, answer=answer)
    return (grounding + others)[:3]


def _answered(kb: KnowledgeBase, passages: list[Passage], *, user_id: int, answer: str) -> list[Passage]:
    """The `passages` whose section a search for the model answer also finds among its top `_ANSWER_K`. A question's
    words can match a passage that holds nothing of its answer ("Binary Search" for checking a binary search tree,
    a feed design's components for offset against cursor pagination); the answer's words and meaning do not."""
    try:
        found = kb.search(answer, user_id=user_id, k=_ANSWER_K)
    except Exception as exc:  # noqa: BLE001 - as in _passages: a store that is down costs the further citations only
        log.warning("retrieval failed; citing the grounding section only", extra={"error": type(exc).__name__})
        return []
    backed = {(p.source, p.section_id) for p in found}  # by section: the answer may find another part of it
    return [p for p in passages if (p.source, p.section_id) in backed]


def grade_pending(
    ctx: AppContext,
    kb: KnowledgeBase | None,
    llms: Llms,
    *,
    user_id: int,
    session_id: int,
    on_token: Callable[[str], None] | None = None,
) -> Grade:
    """Grade the saved answer. On a provider failure the answer stays saved and the state stays 'grading'."""
    with ctx.read() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data = _state(row.settings)
        _require(data, State.GRADING)
        answer = repo.get_answer(db, user_id=user_id, answer_id=data["pending_answer_id"])
        answer_text, answer_id = answer.answer_text, answer.id

    def count_request(calls: int = 1) -> None:
        """Count LLM requests against the user's limits before making them (refused: none counted)."""
        with ctx.tx() as db:
            check_rate_limit(db, user_id=user_id, settings=ctx.settings, calls=calls)

    if llms.online:
        try:
            count_request(2)  # the grade and the streamed feedback; a repair is counted when it is needed
        except AppError as exc:
            _record_error(ctx, user_id=user_id, session_id=session_id, error=exc)
            raise
    setup = InterviewSetup(**data["setup"])
    current = data["current"]
    language, track = setup.language, current.get("track") or setup.track
    passages = _passages(
        kb,
        user_id=user_id,
        query=current["text"],
        language=language,
        reference=current.get("reference", ""),
        track=track,
        answer=current.get("model_answer", ""),
    )
    reason = current.get("reason") or data.get("reasons", {}).get(current["main_id"])
    mentioned = document_passage(kb, user_id=user_id, reason=reason)
    if mentioned is not None:  # the section of the notes asked from first; a résumé's after the grounding section
        first = [] if "section" in reason else passages[:1]
        cited = {mentioned.key, *(p.key for p in first)}  # a search hit may be the same passage, scored
        passages = [*first, mentioned, *[p for p in passages if p.key not in cited]][:3]
    key_points = current.get("key_points") or derive_key_points(
        current["text"], [p.text for p in passages], embeddings=offline_embeddings()
    )

    def offline() -> Grade:
        return grade_offline(
            question=current["text"],
            key_points=key_points,
            answer=answer_text,
            language=language,
            track=track,
            embeddings=offline_embeddings(),
            model_answer=current.get("model_answer", ""),
            reference=(
                "\n\n".join(p.text for p in passages)
                if current.get("approximate") or not current.get("key_points")
                else section_text(current.get("reference", ""), language)
            ),
            approximate=bool(current.get("approximate")) or not current.get("key_points"),
        )

    try:
        if llms.online:
            grade = llm_grader.grade_with_llm(
                llms.grader,
                question=current["text"],
                key_points=key_points,
                answer=answer_text,
                language=language,
                track=track,
                passages=passages,
                context_text=setup.context_text,
                fallback=offline,
                before_repair=count_request,
            )
            tokens: list[str] = []
            for token in llm_grader.stream_feedback(
                llms.interviewer or llms.grader,
                question=current["text"],
                answer=answer_text,
                grade=grade,
                language=language,
            ):
                tokens.append(token)
                if on_token:
                    on_token(token)
            feedback = "".join(tokens).strip() or feedback_text(grade, language)
        else:
            grade = offline()
            feedback = feedback_text(grade, language)
    except AppError as exc:
        _record_error(ctx, user_id=user_id, session_id=session_id, error=exc)
        raise
    except Exception as exc:  # provider failure: keep the answer, offer a retry
        error = provider_error(exc)
        log.warning("grading failed", extra={"session_id": session_id, "error": error.detail})
        _record_error(ctx, user_id=user_id, session_id=session_id, error=error)
        raise error from exc

    grade.model_answer = current.get("model_answer") or (passages[0].text if passages else "")
    grade.sources = [p.to_dict() for p in passages]
    try:
        _store_grade(ctx, user_id=user_id, session_id=session_id, answer_id=answer_id, grade=grade, feedback=feedback)
    except StaleInterview:
        pass  # graded concurrently (double click): the first result stays
    return grade


def _store_grade(
    ctx: AppContext, *, user_id: int, session_id: int, answer_id: int, grade: Grade, feedback: str
) -> None:
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data = _state(row.settings)
        current = data["current"]
        if State(data["state"]) != State.GRADING or data.get("pending_answer_id") != answer_id:
            raise StaleInterview()
        repo.record_grade(
            db,
            user_id=user_id,
            answer_id=answer_id,
            status="graded",
            scores={k: v.score for k, v in grade.scores.items()},
            total=float(grade.total),
            missed_points={"items": grade.missed_points},
            model_answer=grade.model_answer,
            sources={"items": grade.sources},
            feedback=grade.to_dict(),
        )
        if _reviewable(current):
            review.record(db, user_id=user_id, question_id=current["question_id"], total=float(grade.total))
        repo.add_message(
            db,
            user_id=user_id,
            session_id=session_id,
            role="assistant",
            content=feedback,
            meta={"kind": "feedback", "answer_id": answer_id, "grader": grade.grader},
        )
        data.update(state=State.FEEDBACK.value, pending_answer_id=None, last_error=None)
        _save_state(db, user_id=user_id, session_id=session_id, data=data)


def _reviewable(current: dict[str, Any]) -> bool:
    """The first attempt of a bank question in this interview schedules its review card (backend/review.py)."""
    return current["kind"] == "main" and current["attempt"] == 1 and current["question_id"] in load_bank()


def _record_error(ctx: AppContext, *, user_id: int, session_id: int, error: AppError) -> None:
    try:
        with ctx.tx() as db:
            row = repo.get_session(db, user_id=user_id, session_id=session_id)
            data = _state(row.settings)
            data["last_error"] = {"code": error.code, "params": error.params}
            _save_state(db, user_id=user_id, session_id=session_id, data=data)
    except StaleInterview:
        pass  # the interview moved on meanwhile: the error no longer describes it


def _advance(db, *, user_id: int, session_id: int, data: dict[str, Any], intro: str = "") -> bool:  # noqa: ANN001
    """Move to the next planned question; False when the plan is exhausted."""
    data["index"] += 1
    if data["index"] >= len(data["plan"]):
        return False
    data["current"] = _planned(data, data["index"])
    data.update(state=State.QUESTION.value, pending_answer_id=None, last_error=None)
    _ask(db, user_id=user_id, session_id=session_id, data=data, intro=intro)
    _save_state(db, user_id=user_id, session_id=session_id, data=data)
    return True


def next_question(ctx: AppContext, *, user_id: int, session_id: int, turn: str | None = None) -> State:
    """After feedback: the next planned question, or the summary when none is left (only if the feedback shown is
    still that of the turn `turn`, when given)."""
    with ctx.tx() as db:
        # Held in a variable: the session's identity map keeps rows only while they are referenced,
        # and every repo call below checks the owner on this row.
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data = _state(row.settings)
        _require_turn(data, turn)
        _require(data, State.FEEDBACK)
        if _advance(db, user_id=user_id, session_id=session_id, data=data):
            return State.QUESTION
        _end(db, user_id=user_id, session_id=session_id)
    return State.ENDED


def skip_question(ctx: AppContext, *, user_id: int, session_id: int, turn: str | None = None) -> State:
    """Skip the unanswered current question (only if it is still the turn `turn`, when given: a double
    click skips one question, not two)."""
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)  # kept in the identity map
        data = _state(row.settings)
        _require_turn(data, turn)
        _require(data, State.QUESTION)
        repo.add_message(
            db,
            user_id=user_id,
            session_id=session_id,
            role="assistant",
            content="",
            # The model answer, to study what was skipped (Markdown when it is a section of the candidate's notes).
            meta={
                "kind": "skipped",
                "question_id": data["current"]["question_id"],
                "model_answer": data["current"].get("model_answer", ""),
                "markdown": bool(data["current"].get("approximate")),
            },
        )
        repo.delete_drafts(db, user_id=user_id, session_id=session_id)
        if _reviewable(data["current"]):  # skipped counts as Again
            review.record(db, user_id=user_id, question_id=data["current"]["question_id"], total=None)
        if _advance(db, user_id=user_id, session_id=session_id, data=data):
            return State.QUESTION
        _end(db, user_id=user_id, session_id=session_id)
    return State.ENDED


def retry_question(ctx: AppContext, *, user_id: int, session_id: int, turn: str | None = None) -> None:
    """Ask the same question again as a new attempt (both attempts are kept); `turn` as in next_question."""
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)  # kept in the identity map
        data = _state(row.settings)
        _require_turn(data, turn)
        _require(data, State.FEEDBACK)
        current = dict(data["current"])
        current.update(attempt=current["attempt"] + 1, turn=uuid.uuid4().hex)
        data.update(current=current, state=State.QUESTION.value, pending_answer_id=None, last_error=None)
        _ask(db, user_id=user_id, session_id=session_id, data=data, intro="retry")
        _save_state(db, user_id=user_id, session_id=session_id, data=data)


def _offline_follow_up(data: dict[str, Any]) -> tuple[int, FollowUp] | None:
    """The next follow-up of the current main question that can be graded offline, and its number."""
    main_id = data["current"].get("main_id")
    main = load_bank().get(main_id) if main_id else None
    if main is None:
        return None
    used = data["follow_ups"].get(main.id, 0)
    return next(((i, f) for i, f in enumerate(main.follow_ups) if i >= used and f.gradable_offline), None)


def follow_up(
    ctx: AppContext, kb: KnowledgeBase | None, llms: Llms, *, user_id: int, session_id: int, turn: str | None = None
) -> None:
    """Ask a follow-up on the current main question (from the bank offline; written by the LLM online); `turn` as
    in next_question."""
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        data, version = _state(row.settings), row.version
        _require_turn(data, turn)
        _require(data, State.FEEDBACK)
        answers = repo.list_answers(db, user_id=user_id, session_id=session_id)
    current = data["current"]
    if current["kind"] != "main":
        raise AppError("interview.invalid_action", "follow-up of a follow-up")
    language = data["setup"]["language"]
    main = load_bank()[current["main_id"]]
    used = data["follow_ups"].get(main.id, 0)
    last_answer = next((a.answer_text for a in reversed(answers) if a.question_id == main.id), "")
    passages = _passages(kb, user_id=user_id, query=main.text[language], language=language)
    text = ""
    if llms.online:
        try:
            with ctx.tx() as db:
                check_rate_limit(db, user_id=user_id, settings=ctx.settings)
            text = llm_grader.follow_up_question(
                llms.interviewer or llms.grader,
                question=main.text[language],
                answer=last_answer,
                passages=passages,
                language=language,
            )
        except AppError:
            raise
        except Exception as exc:
            raise provider_error(exc) from exc
    follow_passages: list[Passage] = []
    if text:  # written by the LLM: key points from the passages that answer it (an approximate reference)
        follow_passages = _passages(kb, user_id=user_id, query=text, language=language)
        key_points = derive_key_points(text, [p.text for p in follow_passages], embeddings=offline_embeddings())
        model_answer, approximate = "", True
    else:
        authored = _offline_follow_up(data)
        if authored is None:
            raise AppError("interview.no_follow_up")
        used, chosen = authored
        text, key_points = chosen.text[language], chosen.points(language)
        model_answer, approximate = (chosen.model_answer or {}).get(language, ""), False
    data["follow_ups"][main.id] = used + 1
    data["current"] = {
        "question_id": f"{main.id}:f{used + 1}",
        "main_id": main.id,
        "track": main.track,
        "text": text,
        "kind": "follow_up",
        "attempt": 1,
        "key_points": key_points,
        "model_answer": model_answer or (follow_passages[0].text if follow_passages else ""),
        "approximate": approximate,
        "reference": main.reference,
        "turn": uuid.uuid4().hex,
    }
    data.update(state=State.QUESTION.value, pending_answer_id=None, last_error=None)
    with ctx.tx() as db:
        _ask(db, user_id=user_id, session_id=session_id, data=data, intro="follow_up")
        _save_state(db, user_id=user_id, session_id=session_id, data=data, version=version)


def summarize(ctx: AppContext, *, user_id: int, session_id: int) -> Summary:
    """Overall score (best attempt per question), strongest and weakest topics, what to study next."""
    with ctx.read() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        return _session_summary(db, row, user_id=user_id)


def _session_summary(db, row, *, user_id: int) -> Summary:  # noqa: ANN001
    """The summary of the session `row` (the user's own), from its answers and skipped questions."""
    rows = repo.list_answer_results(db, user_id=user_id, session_id=row.id)
    skipped = repo.skipped_question_ids(db, session_id=row.id)
    own = ((row.settings or {}).get("setup") or {}).get("context_name", "")
    return _summary(rows, row.language, _notes_sections(row.settings), skipped, context=own)


def _notes_sections(settings: dict[str, Any] | None) -> dict[str, str]:
    """Question id -> the section of the candidate's notes it was asked from (its topic in the summary)."""
    questions = (settings or {}).get("questions", {})
    return {qid: q["reason"]["section"] for qid, q in questions.items() if (q.get("reason") or {}).get("section")}


_SIDE = 2  # topics named as strongest, and as weakest


def _summary(
    rows: list[Any],
    language: str,
    sections: dict[str, str] | None = None,
    skipped: set[str] | None = None,
    context: str = "",
) -> Summary:
    """The summary of an interview's answer `rows`; `context` names the candidate's résumé or job description the
    interview was tailored to, cited where relevant but nothing to study."""
    bank = load_bank()
    answers = [a for a in rows if a.total is not None]
    best: dict[str, Any] = {}
    first: dict[str, float] = {}
    for answer in answers:
        first.setdefault(answer.question_id, answer.total)
        if answer.question_id not in best or answer.total > best[answer.question_id].total:
            best[answer.question_id] = answer
    answered = {main_question_id(qid) for qid in best}  # a follow-up is part of its question
    never = len({main_question_id(qid) for qid in skipped or ()} - answered)
    if not best:
        return Summary(overall=None, answered=0, topics=[], strongest=[], weakest=[], skipped=never)
    by_topic: dict[str, list[float]] = defaultdict(list)
    for qid, answer in best.items():  # a topic is the knowledge section a question comes from, named in its language
        main = bank.get(main_question_id(qid))
        own = (sections or {}).get(qid, answer.question_text[:60])  # a question from the notes: its section
        by_topic[section_heading(main.reference, language) if main else own].append(answer.total)
    topics = sorted(
        (TopicScore(t, sum(v) / len(v), len(v)) for t, v in by_topic.items()), key=lambda t: (-t.score, t.topic)
    )
    # What to study: the passages behind the weakest answers, if they are weak (a 90 needs no reading list).
    weakest_answers = [a for a in sorted(best.values(), key=lambda a: a.total)[:2] if a.total < WEAK_SCORE]
    study = []
    for answer in weakest_answers:
        cited = (answer.sources or {}).get("items", [])
        for source in [s for s in cited if not (context and s.get("source") == context)][:2]:
            study.append({"question": answer.question_text, **source})
    improvements = [
        {"question": best[q].question_text, "first": first[q], "best": best[q].total}
        for q in best
        if best[q].attempt_no > 1 and best[q].total != first[q]
    ]
    overall = round(sum(a.total for a in best.values()) / len(best), 1)
    return Summary(
        overall=overall,
        answered=len(answered),
        topics=topics,
        # One threshold splits them, so no topic is both, a failed one is never a strength and a 95 is
        # never one to work on.
        # A topic with a weak answer in it (a 45 averaged with an 84 follow-up) is no strength: its reading is on the
        # study list.
        strongest=[t for t in topics if t.score >= WEAK_SCORE and min(by_topic[t.topic]) >= WEAK_SCORE][:_SIDE],
        weakest=[t for t in reversed(topics) if t.score < WEAK_SCORE][:_SIDE],
        study=study,
        improvements=improvements,
        skipped=never,
    )


def end_interview(ctx: AppContext, *, user_id: int, session_id: int) -> Summary:
    """Finish the session (any state) and store its overall score. Ended before anything was answered or skipped, it
    is deleted instead (`Summary.discarded`): a history entry with nothing in it is clutter."""
    with ctx.tx() as db:
        row = repo.get_session(db, user_id=user_id, session_id=session_id)
        untouched = not repo.list_answers(db, user_id=user_id, session_id=session_id) and not (
            repo.skipped_question_ids(db, session_id=session_id)
        )
        if untouched and State(_state(row.settings)["state"]) != State.ENDED:
            repo.delete_session(db, user_id=user_id, session_id=session_id)
            log.info("empty interview discarded", extra={"user_id": user_id, "session_id": session_id})
            return Summary(overall=None, answered=0, topics=[], strongest=[], weakest=[], discarded=True)
        return _end(db, user_id=user_id, session_id=session_id)


def _end(db, *, user_id: int, session_id: int) -> Summary:  # noqa: ANN001
    """End the session inside the caller's transaction; returns its summary."""
    row = repo.get_session(db, user_id=user_id, session_id=session_id)
    summary = _session_summary(db, row, user_id=user_id)
    data = _state(row.settings)
    if State(data["state"]) != State.ENDED:
        repo.delete_drafts(db, user_id=user_id, session_id=session_id)
        data.update(state=State.ENDED.value, pending_answer_id=None)
        _save_state(
            db,
            user_id=user_id,
            session_id=session_id,
            data=data,
            status="ended",
            ended_at=utcnow(),
            overall_score=summary.overall,
        )
    return summary


def set_vote(ctx: AppContext, *, user_id: int, answer_id: int, helpful: bool, comment: str | None = None) -> None:
    """Thumbs up/down on an answer's feedback, with what was wrong with it (None keeps the comment given before)."""
    comment = None if comment is None else comment[:MAX_VOTE_COMMENT]
    with ctx.tx() as db:
        repo.set_vote(db, user_id=user_id, answer_id=answer_id, helpful=helpful, comment=comment)

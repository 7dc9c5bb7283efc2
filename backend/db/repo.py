"""Repository functions for interview data. Every one takes the owning user id and filters by it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, load_only

from backend.db.models import Answer, AnswerDraft, FeedbackVote, InterviewSession, LlmCall, Message, utcnow
from backend.errors import NotFound


def create_session(
    db: Session,
    *,
    user_id: int,
    title: str,
    track: str,
    difficulty: str,
    language: str,
    mode: str,
    settings: dict[str, Any],
) -> InterviewSession:
    """Start an interview session owned by `user_id`."""
    row = InterviewSession(
        user_id=user_id,
        title=title[:200],
        track=track,
        difficulty=difficulty,
        language=language,
        mode=mode[:100],
        settings=settings,
    )
    db.add(row)
    db.flush()
    return row


def get_session(db: Session, *, user_id: int, session_id: int) -> InterviewSession:
    """The session if it belongs to `user_id`, else NotFound."""
    # Every function here checks ownership first, so one transaction asks for the same row several times
    # (23 SELECTs per interview turn, benchmarks/turn.py). `get` answers from the transaction's identity map
    # once the row is loaded; the owner is checked on the row either way.
    row = db.get(InterviewSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFound("interview session")
    return row


def list_sessions(db: Session, *, user_id: int, limit: int = 50, status: str | None = None) -> list[InterviewSession]:
    """The user's sessions, newest first."""
    query = select(InterviewSession).where(InterviewSession.user_id == user_id)
    if status is not None:
        query = query.where(InterviewSession.status == status)
    return list(db.scalars(query.order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc()).limit(limit)))


def update_session(db: Session, *, user_id: int, session_id: int, **values: Any) -> InterviewSession:
    """Change fields of the user's session (status, ended_at, overall_score, settings)."""
    row = get_session(db, user_id=user_id, session_id=session_id)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def save_state(db: Session, *, user_id: int, session_id: int, version: int, **values: Any) -> bool:
    """Write fields of the user's session only if its version is still `version`, bumping it; False when
    someone else changed the session first (compare-and-set, atomic on SQLite and PostgreSQL alike)."""
    result = db.execute(
        update(InterviewSession)
        .where(
            InterviewSession.id == session_id,
            InterviewSession.user_id == user_id,
            InterviewSession.version == version,
        )
        .values(version=version + 1, **values),
        execution_options={"synchronize_session": "evaluate"},
    )
    return result.rowcount == 1


def delete_session(db: Session, *, user_id: int, session_id: int) -> None:
    """Delete the user's session and everything in it."""
    get_session(db, user_id=user_id, session_id=session_id)
    db.execute(delete(InterviewSession).where(InterviewSession.id == session_id))


def add_message(
    db: Session, *, user_id: int, session_id: int, role: str, content: str, meta: dict[str, Any] | None = None
) -> Message:
    """Append a message to the user's session."""
    get_session(db, user_id=user_id, session_id=session_id)
    row = Message(session_id=session_id, role=role, content=content, meta=meta or {})
    db.add(row)
    db.flush()
    return row


def list_message_rows(db: Session, *, user_id: int, session_id: int) -> list[Row[Any]]:
    """The session's messages in order as plain rows (id, role, content, meta), for display."""
    get_session(db, user_id=user_id, session_id=session_id)
    query = select(Message.id, Message.role, Message.content, Message.meta).where(Message.session_id == session_id)
    return list(db.execute(query.order_by(Message.id)))


def save_answer(
    db: Session,
    *,
    user_id: int,
    session_id: int,
    turn_key: str,
    question_id: str,
    question_text: str,
    answer_text: str,
    attempt_no: int,
    previous_answer_id: int | None = None,
) -> tuple[Answer, bool]:
    """Store an answer once per turn key; returns (answer, created)."""
    get_session(db, user_id=user_id, session_id=session_id)
    existing = db.scalar(select(Answer).where(Answer.session_id == session_id, Answer.turn_key == turn_key))
    if existing is not None:
        return existing, False
    row = Answer(
        session_id=session_id,
        turn_key=turn_key,
        question_id=question_id,
        question_text=question_text,
        answer_text=answer_text,
        attempt_no=attempt_no,
        previous_answer_id=previous_answer_id,
    )
    db.add(row)
    db.flush()
    return row, True


def answer_for_turn(db: Session, *, user_id: int, session_id: int, turn_key: str) -> int | None:
    """The id of the answer stored for this turn of the user's session, if any."""
    get_session(db, user_id=user_id, session_id=session_id)
    return db.scalar(select(Answer.id).where(Answer.session_id == session_id, Answer.turn_key == turn_key))


def answer_message(db: Session, *, user_id: int, session_id: int, turn_key: str) -> Message | None:
    """The message of the candidate's answer to this turn of the user's session, if any."""
    get_session(db, user_id=user_id, session_id=session_id)
    return db.scalar(
        select(Message).where(
            Message.session_id == session_id,
            Message.meta["kind"].as_string() == "answer",
            Message.meta["turn"].as_string() == turn_key,
        )
    )


def get_answer(db: Session, *, user_id: int, answer_id: int) -> Answer:
    """The answer if its session belongs to `user_id`, else NotFound."""
    row = db.scalar(
        select(Answer)
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(Answer.id == answer_id, InterviewSession.user_id == user_id)
    )
    if row is None:
        raise NotFound("answer")
    return row


def record_grade(db: Session, *, user_id: int, answer_id: int, **values: Any) -> None:
    """Store the grade of an answer (scores, total, missed_points, model_answer, sources, feedback, status)."""
    # One UPDATE with the owner in its WHERE clause, instead of loading the row first.
    owned = select(InterviewSession.id).where(InterviewSession.user_id == user_id)
    result = db.execute(
        update(Answer).where(Answer.id == answer_id, Answer.session_id.in_(owned)).values(**values),
        execution_options={"synchronize_session": "fetch"},
    )
    if result.rowcount != 1:
        raise NotFound("answer")


def list_answers(db: Session, *, user_id: int, session_id: int) -> list[Answer]:
    """The session's answers in order."""
    get_session(db, user_id=user_id, session_id=session_id)
    return list(db.scalars(select(Answer).where(Answer.session_id == session_id).order_by(Answer.id)))


def list_answer_results(db: Session, *, user_id: int, session_id: int) -> list[Answer]:
    """The session's answers in order with what a summary needs (question, attempt, total, sources) loaded."""
    get_session(db, user_id=user_id, session_id=session_id)
    columns = load_only(Answer.question_id, Answer.question_text, Answer.attempt_no, Answer.total, Answer.sources)
    return list(db.scalars(select(Answer).where(Answer.session_id == session_id).options(columns).order_by(Answer.id)))


def skipped_question_ids(db: Session, *, session_id: int) -> set[str]:
    """The ids of the questions skipped in a session (a skip is a message, with no answer row)."""
    kinds = select(Message.meta).where(Message.session_id == session_id, Message.meta["kind"].as_string() == "skipped")
    return {str(meta.get("question_id", "")) for meta in db.scalars(kinds)}


def _answers_with_votes() -> Select[Any]:
    vote = and_(FeedbackVote.answer_id == Answer.id, FeedbackVote.user_id == bindparam("user_id"))
    previous, later, newer = aliased(Answer), aliased(Answer), aliased(Answer)
    latest_later = (
        select(newer.id)
        .where(newer.previous_answer_id == Answer.id, newer.total.is_not(None))
        .order_by(newer.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Answer.id,
            Answer.question_id,
            Answer.question_text,
            Answer.answer_text,
            Answer.attempt_no,
            Answer.status,
            Answer.feedback,
            FeedbackVote.helpful,
            FeedbackVote.comment,
            previous.total.label("previous_total"),
            previous.created_at.label("previous_at"),
            later.total.label("later_total"),
            later.created_at.label("later_at"),
        )
        .outerjoin(FeedbackVote, vote)
        .outerjoin(previous, previous.id == Answer.previous_answer_id)
        .outerjoin(later, later.id == latest_later)
        .where(Answer.session_id == bindparam("session_id"))
        .order_by(Answer.id)
    )


# Built once: constructing the three aliases and their joins took 1.7 of the 1.9 ms each call cost (CPU,
# SQLite), three times per interview turn (benchmarks/turn.py); only the two ids change between calls.
_ANSWERS_WITH_VOTES = _answers_with_votes()


def list_answers_with_votes(db: Session, *, user_id: int, session_id: int) -> list[Row[Any]]:
    """The session's answers in order as rows (id, question_id, question_text, answer_text, attempt_no, status,
    feedback, helpful, comment, previous_total, previous_at, later_total, later_at): helpful is the user's vote
    on the feedback or None, comment what they wrote with it; previous_* the earlier answer this one practises
    again; later_* its latest practice.

    What the chat page shows on every run, in one statement of plain rows (no ORM objects to build).
    """
    get_session(db, user_id=user_id, session_id=session_id)
    return list(db.execute(_ANSWERS_WITH_VOTES, {"user_id": user_id, "session_id": session_id}))


def recent_user_scores(db: Session, *, user_id: int, limit: int = 500) -> list[tuple[str, float]]:
    """(question id, total) of the user's latest graded answers, newest session first.

    Two columns instead of whole rows, walked in the order of the (user_id, created_at) index, so the
    cost follows `limit` rather than the user's whole history (benchmarks/turn.py: starting an
    interview with 1,000 earlier sessions took 93 ms, sorting and loading 5,000 answers with their JSON).
    """
    rows = db.execute(
        select(Answer.question_id, Answer.total)
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(InterviewSession.user_id == user_id, Answer.total.is_not(None))
        .order_by(InterviewSession.created_at.desc(), Answer.id.desc())
        .limit(limit)
    )
    return [(question_id, total) for question_id, total in rows]


def latest_answer_ids(db: Session, *, user_id: int, question_ids: list[str]) -> dict[str, int]:
    """The user's latest graded answer to each of these questions (questions never answered are left out)."""
    if not question_ids:
        return {}
    latest = (
        select(func.max(Answer.id))
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(
            InterviewSession.user_id == user_id,
            Answer.question_id.in_(set(question_ids)),
            Answer.total.is_not(None),
        )
        .group_by(Answer.question_id)
    )
    rows = db.execute(select(Answer.question_id, Answer.id).where(Answer.id.in_(latest)))
    return {question_id: answer_id for question_id, answer_id in rows}


def answer_languages(db: Session, *, user_id: int, answer_ids: list[int]) -> list[str]:
    """The language of the interview each of these answers of the user was given in."""
    if not answer_ids:
        return []
    query = (
        select(InterviewSession.language)
        .join(Answer, Answer.session_id == InterviewSession.id)
        .where(InterviewSession.user_id == user_id, Answer.id.in_(set(answer_ids)))
    )
    return list(db.scalars(query))


def set_vote(db: Session, *, user_id: int, answer_id: int, helpful: bool, comment: str | None = None) -> FeedbackVote:
    """Record (or change) the user's thumbs up/down on an answer's feedback, with a comment (None keeps the one
    given before)."""
    get_answer(db, user_id=user_id, answer_id=answer_id)
    row = db.scalar(select(FeedbackVote).where(FeedbackVote.user_id == user_id, FeedbackVote.answer_id == answer_id))
    if row is None:
        row = FeedbackVote(user_id=user_id, answer_id=answer_id, helpful=helpful, comment=comment or "")
        db.add(row)
    else:
        row.helpful = helpful
        if comment is not None:
            row.comment = comment
    db.flush()
    return row


def count_llm_calls(db: Session, *, user_id: int, seconds: int) -> int:
    """How many LLM calls the user made in the last `seconds`."""
    since = utcnow() - timedelta(seconds=seconds)
    query = select(func.count()).select_from(LlmCall)
    return db.scalar(query.where(LlmCall.user_id == user_id, LlmCall.created_at >= since)) or 0


def record_llm_call(db: Session, *, user_id: int) -> None:
    """Log one LLM call for the rate limit."""
    db.add(LlmCall(user_id=user_id))


def save_draft(db: Session, *, user_id: int, session_id: int, turn_key: str, text: str) -> None:
    """Keep `text` as the unsent answer of a turn of the user's session (one row per turn, overwritten)."""
    get_session(db, user_id=user_id, session_id=session_id)
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    values = {"session_id": session_id, "turn_key": turn_key, "user_id": user_id, "text": text, "updated_at": utcnow()}
    # One statement, so two saves racing for the same turn cannot both insert.
    db.execute(
        dialect.insert(AnswerDraft)
        .values(**values)
        .on_conflict_do_update(index_elements=["session_id", "turn_key"], set_={"text": text, "updated_at": utcnow()})
    )


def get_draft(db: Session, *, user_id: int, session_id: int, turn_key: str) -> str | None:
    """The user's unsent answer of that turn, if one is kept."""
    return db.scalar(
        select(AnswerDraft.text).where(
            AnswerDraft.user_id == user_id, AnswerDraft.session_id == session_id, AnswerDraft.turn_key == turn_key
        )
    )


def delete_drafts(db: Session, *, user_id: int, session_id: int) -> None:
    """Forget every unsent answer of the user's session (an answer was sent, or the turn closed)."""
    db.execute(delete(AnswerDraft).where(AnswerDraft.user_id == user_id, AnswerDraft.session_id == session_id))

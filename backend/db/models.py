"""The schema, shared by SQLite and PostgreSQL; Alembic migrations create it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored timestamp is UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite returns naive ones; every stored time is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class AppMeta(Base):
    """Small key/value facts about the installation (e.g. a generated pepper)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    # Lower-cased copy with a unique index: case-insensitive uniqueness on both databases.
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Unused since migration 0004 (LoginThrottle counts failures for every typed name). They stay because
    # dropping a column on SQLite before 3.35 (Debian 11) rebuilds the table, and with foreign keys on that
    # DROP TABLE cascades to every row the users own.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    ui_language: Mapped[str] = mapped_column(String(8), default="ko")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")


class LoginThrottle(Base):
    """Login failures and lock per typed username, whether or not an account has that name."""

    __tablename__ = "login_throttle"
    # HMAC-SHA256 (keyed by the pepper) of the normalised name: fixed length for any input, and a password
    # typed into the username box is not stored readable.
    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    # Rows untouched for a day are purged (accounts.py), so names an attacker sprays do not pile up.
    last_attempt_at: Mapped[datetime] = mapped_column(index=True)


class AuthToken(Base):
    __tablename__ = "auth_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)  # dead tokens are purged at login
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class InterviewSession(Base):
    __tablename__ = "interview_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    track: Mapped[str] = mapped_column(String(32))
    difficulty: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="active")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    overall_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Bumped by every change of the interview's state: a change is written only if the version it read
    # is still current (repo.save_state), so two clicks or tabs cannot both advance one interview.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (
        Index("ix_interview_sessions_user_created", "user_id", "created_at"),
        # The history page's filters and the "continue" lookup walk these in created_at order.
        Index("ix_interview_sessions_user_status_created", "user_id", "status", "created_at"),
        Index("ix_interview_sessions_user_track_created", "user_id", "track", "created_at"),
    )


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Answer(Base):
    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True)
    # Idempotency key of the turn: a double submit cannot store the answer twice.
    turn_key: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str] = mapped_column(Text)
    answer_text: Mapped[str] = mapped_column(Text)
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed_points: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_answer: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    feedback: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The earlier answer this one practises again ("practise this again" from the history page).
    previous_answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="SET NULL"), nullable=True)
    __table_args__ = (
        UniqueConstraint("session_id", "turn_key", name="uq_answers_session_turn"),
        # An answer's latest practice is read by (previous_answer_id, id DESC) on every chat page run: with both
        # columns the index answers it whatever the planner's statistics say (migration 0008).
        Index("ix_answers_previous_answer_id_id", "previous_answer_id", "id"),
        # Trigram indexes for the history search on PostgreSQL (migration 0005 creates them where it can).
        *(
            Index(f"ix_answers_{name}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
            for name, column in (("question", "question_text"), ("answer", "answer_text"))
        ),
    )


class FeedbackVote(Base):
    __tablename__ = "feedback_votes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), nullable=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), nullable=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("user_id", "answer_id", name="uq_feedback_votes_user_answer"),)


class AnswerDraft(Base):
    """The unsent answer of an interview's open turn, kept while the candidate types (deleted once sent)."""

    __tablename__ = "answer_drafts"
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"), primary_key=True)
    turn_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewCard(Base):
    """A bank question's spaced-repetition card for one user, scheduled by fsrs (backend/review.py)."""

    __tablename__ = "review_cards"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    due: Mapped[datetime] = mapped_column()
    card: Mapped[dict[str, Any]] = mapped_column(default=dict)  # fsrs.Card.to_dict()
    last_total: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: skipped
    last_review_at: Mapped[datetime] = mapped_column()
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_review_cards_user_due", "user_id", "due"),)


class LlmCall(Base):
    """One row per LLM call, for the per-user rate limits."""

    __tablename__ = "llm_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (Index("ix_llm_calls_user_created", "user_id", "created_at"),)


class KbDocument(Base):
    """A file indexed in the local store; namespace 'bundled' or 'user-<id>'."""

    __tablename__ = "kb_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("namespace", "source", name="uq_kb_documents_ns_source"),)


class KbChunk(Base):
    __tablename__ = "kb_chunks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True)
    namespace: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(500), default="")
    section_id: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    text: Mapped[str] = mapped_column(Text)
    # the enclosing section (bounded, heading line included) that search returns for this chunk
    parent: Mapped[str] = mapped_column(Text, default="", server_default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # float32 little-endian bytes; empty when no embedding model is available
    embedding: Mapped[bytes] = mapped_column(LargeBinary, default=b"")

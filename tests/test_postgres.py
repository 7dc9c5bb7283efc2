"""Integration against a real PostgreSQL: migrations, accounts, isolation, deletion."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from backend import accounts
from backend.db import migrate, repo
from backend.db.models import Answer, Base, InterviewSession, Message
from backend.errors import AppError, NotFound
from backend.interview import engine
from backend.interview.bank import load_bank
from backend.interview.engine import Llms
from backend.interview.planning import InterviewSetup
from tests.conftest import make_context, reset_postgres, strong_password

pytestmark = pytest.mark.postgres


def test_migrations_run_from_empty_to_head_and_are_idempotent(pg_url: str) -> None:
    reset_postgres(pg_url)
    engine = create_engine(pg_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # second start-up: nothing to do
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
    engine.dispose()


def test_migration_0009_files_interviews_on_notes_under_my_notes_and_back(pg_url: str) -> None:
    reset_postgres(pg_url)
    db = create_engine(pg_url)
    migrate.upgrade(db, "0008")
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, username_key, password_hash, created_at, failed_logins, ui_language, "
                "timezone) VALUES ('u', 'u', 'x', now(), 0, 'en', 'UTC')"
            )
        )
        for title, settings in (
            ("notes.md", '{"setup": {"track": "os"}, "questions": {"notes:ab:1": {"text": "Deadlock?"}}}'),
            ("os · easy · en", '{"setup": {"track": "os"}, "questions": {}}'),
        ):
            conn.execute(
                text(
                    "INSERT INTO interview_sessions (user_id, title, track, difficulty, language, mode, status, "
                    "settings, created_at) SELECT id, :title, 'os', 'easy', 'en', 'offline', 'ended', "
                    "CAST(:settings AS JSON), now() FROM users"
                ),
                {"title": title, "settings": settings},
            )
    tracks = "SELECT title, track FROM interview_sessions ORDER BY title"
    migrate.upgrade(db)
    with db.connect() as conn:
        assert conn.execute(text(tracks)).all() == [("notes.md", "notes"), ("os · easy · en", "os")]
    migrate.downgrade(db, "0008")
    with db.connect() as conn:
        assert conn.execute(text(tracks)).all() == [("notes.md", "os"), ("os · easy · en", "os")]
    db.dispose()


def test_models_match_migrations(pg_ctx) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with pg_ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_signup_login_lockout_logout(pg_ctx) -> None:
    password = strong_password()
    user = accounts.signup(pg_ctx, username="PgUser", password=password)
    assert accounts.login(pg_ctx, username="pguser", password=password).id == user.id
    token = accounts.issue_token(pg_ctx, user_id=user.id)
    assert accounts.account_for_token(pg_ctx, token).username == "PgUser"
    accounts.revoke_token(pg_ctx, token)
    assert accounts.account_for_token(pg_ctx, token) is None
    for _ in range(pg_ctx.settings.login_max_failures):
        with pytest.raises(AppError):
            accounts.login(pg_ctx, username="PgUser", password="wrong wrong wrong")
    with pytest.raises(AppError) as info:
        accounts.login(pg_ctx, username="PgUser", password=password)
    assert info.value.code == "auth.locked"


def _fill(db: Session, user_id: int) -> tuple[int, int]:
    session = repo.create_session(
        db, user_id=user_id, title="t", track="python", difficulty="easy", language="en", mode="offline", settings={}
    )
    repo.add_message(db, user_id=user_id, session_id=session.id, role="assistant", content="Q?")
    answer, _ = repo.save_answer(
        db,
        user_id=user_id,
        session_id=session.id,
        turn_key="k1",
        question_id="python-001",
        question_text="Q?",
        answer_text="A.",
        attempt_no=1,
    )
    repo.set_vote(db, user_id=user_id, answer_id=answer.id, helpful=True)
    repo.record_llm_call(db, user_id=user_id)
    return session.id, answer.id


def test_user_cannot_read_or_change_another_users_rows(pg_ctx) -> None:
    alice = accounts.signup(pg_ctx, username="alice", password=strong_password())
    bob = accounts.signup(pg_ctx, username="bob", password=strong_password())
    with pg_ctx.tx() as db:
        session_id, answer_id = _fill(db, alice.id)
    attempts = [
        lambda db: repo.get_session(db, user_id=bob.id, session_id=session_id),
        lambda db: repo.list_message_rows(db, user_id=bob.id, session_id=session_id),
        lambda db: repo.list_answers(db, user_id=bob.id, session_id=session_id),
        lambda db: repo.list_answer_results(db, user_id=bob.id, session_id=session_id),
        lambda db: repo.get_answer(db, user_id=bob.id, answer_id=answer_id),
        lambda db: repo.add_message(db, user_id=bob.id, session_id=session_id, role="user", content="x"),
        lambda db: repo.record_grade(db, user_id=bob.id, answer_id=answer_id, total=100.0),
        lambda db: repo.set_vote(db, user_id=bob.id, answer_id=answer_id, helpful=False),
        lambda db: repo.list_answers_with_votes(db, user_id=bob.id, session_id=session_id),
        lambda db: repo.update_session(db, user_id=bob.id, session_id=session_id, status="ended"),
        lambda db: repo.delete_session(db, user_id=bob.id, session_id=session_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), pg_ctx.tx() as db:
            attempt(db)
    with pg_ctx.tx() as db:
        assert repo.list_sessions(db, user_id=bob.id) == []
        assert repo.recent_user_scores(db, user_id=bob.id) == []
        assert len(repo.list_message_rows(db, user_id=alice.id, session_id=session_id)) == 1
        assert repo.get_answer(db, user_id=alice.id, answer_id=answer_id).total is None


def test_delete_account_removes_every_row_of_that_user(pg_ctx) -> None:
    password = strong_password()
    alice = accounts.signup(pg_ctx, username="alice", password=password)
    bob = accounts.signup(pg_ctx, username="bob", password=strong_password())
    accounts.issue_token(pg_ctx, user_id=alice.id)
    with pg_ctx.tx() as db:
        _fill(db, alice.id)
        _fill(db, bob.id)
    with pg_ctx.engine.connect() as conn:
        before = {
            t: conn.scalar(select(func.count()).select_from(Base.metadata.tables[t])) for t in Base.metadata.tables
        }
    accounts.delete_account(pg_ctx, user_id=alice.id, password=password)
    with pg_ctx.engine.connect() as conn:
        after = {
            t: conn.scalar(select(func.count()).select_from(Base.metadata.tables[t])) for t in Base.metadata.tables
        }
        for table in ("auth_tokens", "interview_sessions", "feedback_votes", "llm_calls", "kb_documents"):
            column = Base.metadata.tables[table].c.get("user_id")
            if column is not None:
                owned = conn.scalar(
                    select(func.count()).select_from(Base.metadata.tables[table]).where(column == alice.id)
                )
                assert owned == 0, table
    # Bob's rows are untouched: exactly one of each of his rows remains.
    for table in ("interview_sessions", "messages", "answers", "feedback_votes", "llm_calls"):
        assert after[table] == before[table] // 2, table
    assert after["users"] == 1


def test_sqlite_and_postgres_share_one_schema(pg_ctx) -> None:
    lite = make_context()
    try:
        assert set(inspect(lite.engine).get_table_names()) == set(inspect(pg_ctx.engine).get_table_names())
    finally:
        lite.engine.dispose()


def test_interview_answers_and_messages_persist_for_their_owner_without_duplicates(pg_ctx) -> None:
    alice = accounts.signup(pg_ctx, username="alice_iv", password=strong_password())
    bob = accounts.signup(pg_ctx, username="bob_iv", password=strong_password())
    setup = InterviewSetup(track="databases", difficulty="mixed", language="ko", num_questions=2)
    session_id = engine.start_interview(pg_ctx, user_id=alice.id, setup=setup, mode="offline")
    view = engine.load_interview(pg_ctx, user_id=alice.id, session_id=session_id)
    text = load_bank()[view.current["question_id"]].model_answer["ko"]
    ids = {
        engine.submit_answer(pg_ctx, user_id=alice.id, session_id=session_id, turn=view.current["turn"], text=text)
        for _ in range(2)  # a double click
    }
    grade = engine.grade_pending(pg_ctx, None, Llms(), user_id=alice.id, session_id=session_id)
    assert len(ids) == 1 and grade.total > 0
    with pg_ctx.tx() as db:
        answers = db.scalars(select(Answer)).all()
        assert [(a.id, a.session_id, a.answer_text, a.total) for a in answers] == [
            (ids.pop(), session_id, text, grade.total)
        ]
        owner = db.scalar(select(InterviewSession.user_id).where(InterviewSession.id == session_id))
        roles = db.scalars(select(Message.role).where(Message.session_id == session_id).order_by(Message.id)).all()
        assert owner == alice.id and roles == ["assistant", "user", "assistant"]
    with pytest.raises(NotFound):
        engine.load_interview(pg_ctx, user_id=bob.id, session_id=session_id)

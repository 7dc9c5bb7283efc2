"""Faults in the middle of an interview: PostgreSQL restarting, Pinecone unreachable, a read-only or full SQLite
file, an LLM reply cut short (connection closed mid-stream, or a stream without its final chunk). Each asserts
what the candidate sees (a user-safe message or success) and what is stored (no answer lost, nothing half-written).
429s, 500s and hangs past the timeout are in test_llm_stub.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import deque
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from backend import accounts
from backend.db.models import Answer
from backend.errors import AppError
from backend.interview import engine
from backend.interview.engine import Llms, State
from backend.interview.planning import InterviewSetup
from backend.llm.provider import make_chat_model
from backend.rag.knowledge import KnowledgeBase
from backend.rag.store import PineconeStore
from tests.conftest import make_context, reset_postgres, strong_password
from tests.llm_stub import StubLLM
from tests.rag_helpers import HashEmbeddings, fake_pinecone_index
from tests.test_engine import grade_json
from ui.strings import STRINGS


def begin(ctx, questions: int = 2):
    user = accounts.signup(ctx, username="faulty", password=strong_password())
    setup = InterviewSetup(track="os", language="en", num_questions=questions)
    return user, engine.start_interview(ctx, user_id=user.id, setup=setup, mode="offline")


def submit(ctx, user, session_id: int, text_: str = "A process owns its address space; threads share it.") -> int:
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    return engine.submit_answer(ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text=text_)


def stored_answers(ctx, session_id: int) -> list[tuple[str, str]]:
    with ctx.read() as db:
        return list(db.execute(select(Answer.answer_text, Answer.status).where(Answer.session_id == session_id)))


def restart_postgres(url: str) -> None:
    """Restart the local cluster when this machine runs it (as in CI); else drop the app's connections, which is
    what a restart looks like from the app."""
    clusters = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    local = make_url(url).host in ("127.0.0.1", "localhost", None)
    if shutil.which("pg_ctlcluster") and clusters and local and os.geteuid() == 0:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1].name, "main", "restart"],
            check=True,
            timeout=120,
            capture_output=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until it accepts connections again
            try:
                with create_engine(url).connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.5)
        raise RuntimeError("PostgreSQL did not come back")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'interview-coach' AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()


def retried(call, attempts: int = 3):
    """What the candidate does after a retry message: click again."""
    for attempt in range(attempts):
        try:
            return call()
        except AppError as exc:
            assert exc.code in ("error.db_unavailable", "error.db_busy"), exc.code  # a user-safe retry message
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return None


def test_postgresql_restarting_mid_interview_loses_no_answer(pg_url) -> None:
    reset_postgres(pg_url)
    ctx = make_context(pg_url)
    user, session_id = begin(ctx)
    submit(ctx, user, session_id)
    restart_postgres(pg_url)  # between the saved answer and its grading
    retried(lambda: engine.grade_pending(ctx, None, Llms(), user_id=user.id, session_id=session_id))
    retried(lambda: engine.next_question(ctx, user_id=user.id, session_id=session_id))
    submit(ctx, user, session_id, "Threads share memory, processes do not.")
    restart_postgres(pg_url)
    retried(lambda: engine.grade_pending(ctx, None, Llms(), user_id=user.id, session_id=session_id))
    assert retried(lambda: engine.next_question(ctx, user_id=user.id, session_id=session_id)) == State.ENDED
    assert [status for _, status in stored_answers(ctx, session_id)] == ["graded", "graded"]
    ctx.engine.dispose()


def test_pinecone_unreachable_grades_the_answer_without_citations(ctx) -> None:
    index = fake_pinecone_index(64)
    index.query.side_effect = ConnectionError("pinecone is unreachable")
    embeddings = HashEmbeddings(64)
    kb = KnowledgeBase(PineconeStore(ctx.sessions, embeddings, index), embeddings, max_bytes=100_000)
    user, session_id = begin(ctx)
    submit(ctx, user, session_id)
    grade = engine.grade_pending(ctx, kb, Llms(), user_id=user.id, session_id=session_id)
    assert grade.sources == [] and grade.total >= 0
    assert engine.load_interview(ctx, user_id=user.id, session_id=session_id).state == State.FEEDBACK


def test_a_read_only_sqlite_file_shows_a_retry_message_and_keeps_what_was_saved(tmp_path) -> None:
    database = tmp_path / "coach.db"
    writable = make_context(f"sqlite:///{database}")
    user, session_id = begin(writable)
    submit(writable, user, session_id)
    engine.grade_pending(writable, None, Llms(), user_id=user.id, session_id=session_id)
    writable.engine.dispose()
    read_only = make_context(f"sqlite:///file:{database}?mode=ro&uri=true")
    with pytest.raises(AppError) as refused:
        engine.next_question(read_only, user_id=user.id, session_id=session_id)
    assert refused.value.code == "error.db_unavailable"
    view = engine.load_interview(read_only, user_id=user.id, session_id=session_id)  # reading still works
    assert view.state == State.FEEDBACK and len(view.answers) == 1
    read_only.engine.dispose()


def test_a_full_sqlite_file_shows_a_retry_message_and_the_answer_can_be_sent_again(tmp_path) -> None:
    ctx = make_context(f"sqlite:///{tmp_path / 'coach.db'}", max_answer_chars=20_000)
    user, session_id = begin(ctx)
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")  # no free pages left to reuse
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    from sqlalchemy import event

    @event.listens_for(ctx.engine, "connect")
    def _full(dbapi_conn, _record) -> None:  # noqa: ANN001
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    ctx.engine.dispose()  # reconnect with the cap: the file cannot grow
    with pytest.raises(AppError) as refused:
        submit(ctx, user, session_id, "A long answer that needs new pages. " * 500)
    assert refused.value.code == "error.db_unavailable"
    with ctx.read() as db:
        assert db.scalar(select(func.count()).select_from(Answer)) == 0  # nothing half-written
    event.remove(ctx.engine, "connect", _full)
    ctx.engine.dispose()
    submit(ctx, user, session_id, "Sent again once there is room.")  # the candidate's retry
    assert [t for t, _ in stored_answers(ctx, session_id)] == ["Sent again once there is room."]


# --------------------------------------------------------------------------- LLM replies cut short
# "cut": the server closes the connection halfway through the body it announced; "stop": a stream that ends
# without its final chunk (finish_reason) and [DONE], which the client cannot tell from a finished one by bytes.


@pytest.fixture
def stub(httpserver):
    llm = StubLLM()
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(llm.handler)
    return llm


def llm_interview(httpserver):
    """A context against the stub, the app's two models (grader plain, interviewer streaming), one LLM interview
    with its answer saved."""
    ctx = make_context(openai_base_url=httpserver.url_for("/v1"), openai_model="stub-model", openai_max_retries=0)
    llms = Llms(grader=make_chat_model(ctx.settings, temperature=0),
                interviewer=make_chat_model(ctx.settings, streaming=True))
    user = accounts.signup(ctx, username="streamed", password=strong_password())
    setup = InterviewSetup(track="os", language="en", num_questions=2)
    session_id = engine.start_interview(ctx, user_id=user.id, setup=setup, mode="llm:stub-model")
    submit(ctx, user, session_id)
    return ctx, llms, user, session_id


def retry_message(code: str) -> str:
    return STRINGS[code]["en"]


@pytest.mark.parametrize(
    ("failures", "cut_at"),
    [
        ([None, "cut"], "the feedback stream, connection closed"),
        ([None, "stop"], "the feedback stream, no final chunk"),
        (["cut"], "the grade reply, connection closed"),
    ],
)
def test_an_llm_reply_cut_short_during_grading_keeps_the_answer_and_stores_no_half_feedback(
    httpserver, stub, failures, cut_at
) -> None:
    ctx, llms, user, session_id = llm_interview(httpserver)
    stub.replies.append(grade_json())
    stub.failures.extend(failures)
    shown: list[str] = []
    with pytest.raises(AppError) as info:
        engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id, on_token=shown.append)
    assert info.value.code == "llm.failed", cut_at
    assert "retry" in retry_message(info.value.code)
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert view.state == State.GRADING and view.last_error["code"] == "llm.failed"  # the page shows the retry message
    assert [(a.answer_text, a.status) for a in view.answers.values()] == [
        ("A process owns its address space; threads share it.", "pending")
    ]
    assert [m for m in view.messages if m.meta.get("kind") == "feedback"] == []  # nothing half-written

    stub.replies = deque([grade_json()])  # the candidate clicks retry
    grade = engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id)
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert view.state == State.FEEDBACK and view.last_error is None and grade.total > 0
    feedback = [m.content for m in view.messages if m.meta.get("kind") == "feedback"]
    assert feedback == ["".join(stub.stream_tokens).strip()]  # the whole feedback, once
    assert [a.status for a in view.answers.values()] == ["graded"]
    ctx.engine.dispose()


@pytest.mark.parametrize("failure", ["cut", "stop"])
def test_a_follow_up_question_cut_short_is_not_asked(httpserver, stub, failure) -> None:
    ctx, llms, user, session_id = llm_interview(httpserver)
    stub.replies.append(grade_json())
    engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id)
    before = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    stub.failures.append(failure)
    with pytest.raises(AppError) as info:
        engine.follow_up(ctx, None, llms, user_id=user.id, session_id=session_id)
    assert info.value.code == "llm.failed"
    after = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert after.state == State.FEEDBACK and after.current == before.current  # no half question asked
    assert len(after.messages) == len(before.messages)

    engine.follow_up(ctx, None, llms, user_id=user.id, session_id=session_id)  # the retry
    asked = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert asked.state == State.QUESTION and asked.current["kind"] == "follow_up"
    assert asked.current["text"] == "".join(stub.stream_tokens).strip()
    assert asked.messages[-1].content.endswith(asked.current["text"])
    ctx.engine.dispose()

"""Check-then-write races (issue 11, item 6), on a SQLite file and on PostgreSQL: simultaneous clicks on one
interview change it once, a double submit stores one answer and shows it, and the LLM limits hold."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from sqlalchemy import func, select

from backend import accounts
from backend.db.models import Answer, LlmCall, Message
from backend.errors import AppError
from backend.interview import engine
from backend.interview.engine import Llms
from backend.interview.planning import InterviewSetup
from backend.llm.provider import check_rate_limit
from tests.conftest import make_context, reset_postgres, strong_password

THREADS = 6


@pytest.fixture(params=["sqlite-file", "postgresql"])
def rctx(request, tmp_path):
    if request.param == "sqlite-file":
        context = make_context(f"sqlite:///{tmp_path / 'race.db'}", llm_calls_per_minute=3)
    else:
        url = request.getfixturevalue("pg_url")
        reset_postgres(url)
        context = make_context(url, llm_calls_per_minute=3)
    yield context
    context.engine.dispose()


def at_once(call: Callable[[], object], threads: int = THREADS) -> list[object]:
    """Run `call` in `threads` threads released together; each result or the exception it raised."""
    barrier, results = threading.Barrier(threads), [None] * threads

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results


def interview(ctx, questions: int = 3):
    user = accounts.signup(ctx, username="racer", password=strong_password())
    setup = InterviewSetup(track="os", language="en", num_questions=questions)
    return user, engine.start_interview(ctx, user_id=user.id, setup=setup, mode="offline")


def count(ctx, model, *where) -> int:
    with ctx.read() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def answered(ctx, user, session_id: int, text: str = "A process has its own address space; threads share it.") -> None:
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text=text)
    engine.grade_pending(ctx, None, Llms(), user_id=user.id, session_id=session_id)


def questions_asked(ctx, session_id: int) -> int:
    return count(ctx, Message, Message.session_id == session_id, Message.meta["kind"].as_string() == "question")


def test_simultaneous_next_question_clicks_advance_the_interview_once(rctx) -> None:
    user, session_id = interview(rctx)
    answered(rctx, user, session_id)
    results = at_once(lambda: engine.next_question(rctx, user_id=user.id, session_id=session_id))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    refused = [r for r in results if isinstance(r, Exception)]
    # Refused as changed meanwhile, or (read after the winner committed) as not a question's feedback any more.
    assert {getattr(r, "code", None) for r in refused} <= {"interview.changed", "interview.invalid_action"}, results
    assert questions_asked(rctx, session_id) == 2
    assert engine.load_interview(rctx, user_id=user.id, session_id=session_id).position == 2


def test_simultaneous_skips_skip_one_question(rctx) -> None:
    user, session_id = interview(rctx)
    turn = engine.load_interview(rctx, user_id=user.id, session_id=session_id).current["turn"]
    results = at_once(lambda: engine.skip_question(rctx, user_id=user.id, session_id=session_id, turn=turn))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    skipped = count(rctx, Message, Message.session_id == session_id, Message.meta["kind"].as_string() == "skipped")
    assert (skipped, questions_asked(rctx, session_id)) == (1, 2)


def test_simultaneous_gradings_store_one_feedback(rctx) -> None:
    user, session_id = interview(rctx)
    view = engine.load_interview(rctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(rctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text="Processes.")
    results = at_once(lambda: engine.grade_pending(rctx, None, Llms(), user_id=user.id, session_id=session_id))
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, AppError)], results
    feedback = count(rctx, Message, Message.session_id == session_id, Message.meta["kind"].as_string() == "feedback")
    assert feedback == 1
    assert engine.load_interview(rctx, user_id=user.id, session_id=session_id).state == engine.State.FEEDBACK


def test_a_double_submit_stores_one_answer_and_both_see_it(rctx) -> None:
    user, session_id = interview(rctx)
    turn = engine.load_interview(rctx, user_id=user.id, session_id=session_id).current["turn"]
    results = at_once(
        lambda: engine.submit_answer(rctx, user_id=user.id, session_id=session_id, turn=turn, text="Same answer.")
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert count(rctx, Answer, Answer.session_id == session_id) == 1
    assert count(rctx, Message, Message.session_id == session_id, Message.meta["kind"].as_string() == "answer") == 1


def test_simultaneous_llm_calls_respect_the_per_minute_limit(rctx) -> None:
    user = accounts.signup(rctx, username="caller", password=strong_password())

    def call() -> None:
        with rctx.tx() as db:
            check_rate_limit(db, user_id=user.id, settings=rctx.settings)

    results = at_once(call, threads=10)
    refused = [r for r in results if isinstance(r, AppError)]
    assert len(refused) == 7 and {r.code for r in refused} == {"llm.rate_minute"}, results
    assert count(rctx, LlmCall, LlmCall.user_id == user.id) == 3


def test_every_llm_request_of_a_grading_is_counted(rctx) -> None:
    """Grade, repair and streamed feedback: three requests, three counted."""
    user, session_id = interview(rctx)
    view = engine.load_interview(rctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(rctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text="Processes.")
    valid = {
        "insufficient": False,
        "scores": {
            k: {"score": 3, "evidence": "", "note": ""} for k in ("correctness", "depth", "clarity", "structure")
        },
        "strengths": [],
        "covered_points": [],
        "missed_points": [],
        "coaching": "",
    }
    llms = Llms(
        grader=FakeListChatModel(responses=["not json", json.dumps(valid)]),
        interviewer=GenericFakeChatModel(messages=iter(["Good start."])),
    )
    engine.grade_pending(rctx, None, llms, user_id=user.id, session_id=session_id)
    assert count(rctx, LlmCall, LlmCall.user_id == user.id) == 3

"""The real ChatOpenAI path against a local OpenAI-compatible stub: streaming, retries, errors, timeouts."""

from __future__ import annotations

from collections import deque

import pytest

from backend import accounts
from backend.config import load_settings
from backend.errors import AppError
from backend.interview import engine, llm_grader
from backend.interview.engine import Llms, State
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import Grade
from backend.llm.provider import make_chat_model, provider_error
from tests.conftest import make_context, strong_password
from tests.llm_stub import StubLLM
from tests.test_engine import grade_json


@pytest.fixture
def stub(httpserver):
    llm = StubLLM()
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(llm.handler)
    return llm


def settings_for(httpserver, **overrides):
    return load_settings(
        _env_file=None, openai_base_url=httpserver.url_for("/v1"), openai_model="stub-model",
        openai_max_retries=overrides.pop("retries", 0), openai_timeout_seconds=overrides.pop("timeout", 5), **overrides,
    )


def test_feedback_streams_token_by_token(httpserver, stub) -> None:
    model = make_chat_model(settings_for(httpserver), streaming=True)
    grade = Grade(total=50, scores={})
    tokens = list(llm_grader.stream_feedback(model, question="Q", answer="A", grade=grade, language="en"))
    assert tokens == stub.stream_tokens
    assert stub.requests[-1]["stream"] is True and stub.requests[-1]["model"] == "stub-model"


def test_429_then_success_is_retried(httpserver, stub) -> None:
    stub.failures.extend([429])
    stub.replies.append("hello")
    model = make_chat_model(settings_for(httpserver, retries=2), temperature=0)
    assert model.invoke("hi").content == "hello"
    assert len(stub.requests) == 2 and stub.requests[-1]["temperature"] == 0


def test_500_after_retries_becomes_a_clear_error(httpserver, stub) -> None:
    stub.failures.extend([500, 500])
    model = make_chat_model(settings_for(httpserver, retries=1))
    with pytest.raises(Exception) as info:
        model.invoke("hi")
    assert len(stub.requests) == 2
    assert provider_error(info.value).code == "llm.failed"


def test_hang_past_the_timeout_becomes_a_timeout_message(httpserver, stub) -> None:
    stub.failures.append("hang")
    stub.hang_seconds = 2.0
    model = make_chat_model(settings_for(httpserver, timeout=0.5))
    with pytest.raises(Exception) as info:
        model.invoke("hi")
    assert provider_error(info.value).code == "llm.timeout"


def test_interview_turn_against_the_stub_grades_and_streams(httpserver, stub) -> None:
    settings = settings_for(httpserver)
    ctx = make_context(openai_base_url=settings.openai_base_url, openai_model="stub-model", openai_max_retries=0)
    user = accounts.signup(ctx, username="streamer", password=strong_password())
    session_id = engine.start_interview(
        ctx, user_id=user.id, setup=InterviewSetup(track="os", language="en", num_questions=1), mode="llm:stub-model"
    )
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"],
                         text="Each process has its own address space, threads share it.")
    stub.replies.append(grade_json())
    llms = Llms(grader=make_chat_model(ctx.settings, temperature=0),
                interviewer=make_chat_model(ctx.settings, streaming=True))
    tokens: list[str] = []
    grade = engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id, on_token=tokens.append)
    assert tokens == stub.stream_tokens and grade.total > 0
    grading_request = stub.requests[0]
    assert grading_request["temperature"] == 0 and not grading_request.get("stream")
    user_text = grading_request["messages"][-1]["content"]
    assert "<candidate_answer>" in user_text and "threads share it" in user_text
    assert engine.load_interview(ctx, user_id=user.id, session_id=session_id).state == State.FEEDBACK


def test_server_error_during_interview_keeps_the_answer(httpserver, stub) -> None:
    ctx = make_context(openai_base_url=httpserver.url_for("/v1"), openai_model="stub-model", openai_max_retries=0)
    user = accounts.signup(ctx, username="unlucky", password=strong_password())
    session_id = engine.start_interview(
        ctx, user_id=user.id, setup=InterviewSetup(track="os", language="en", num_questions=1), mode="llm:stub-model"
    )
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text="My answer.")
    stub.failures.extend([500])
    llms = Llms(grader=make_chat_model(ctx.settings, temperature=0))
    with pytest.raises(AppError) as info:
        engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id)
    assert info.value.code == "llm.failed"
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert view.state == State.GRADING and list(view.answers.values())[0].answer_text == "My answer."
    stub.replies = deque([grade_json()])
    engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id)
    assert engine.load_interview(ctx, user_id=user.id, session_id=session_id).state == State.FEEDBACK

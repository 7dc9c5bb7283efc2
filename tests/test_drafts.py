"""Unsent answers kept server-side per interview and turn (issue 12 item 2), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend import accounts
from backend.db import repo
from backend.db.models import AnswerDraft
from backend.errors import AppError, NotFound
from backend.interview import engine
from backend.interview.engine import State
from backend.interview.planning import InterviewSetup
from tests.conftest import strong_password


@pytest.fixture(params=["sqlite", "postgresql"])
def any_ctx(request):
    """The app context on in-memory SQLite, then on the real PostgreSQL test database."""
    return request.getfixturevalue("ctx" if request.param == "sqlite" else "pg_ctx")


def interview(ctx, username: str = "drafter", questions: int = 2) -> tuple[int, int]:
    user = accounts.signup(ctx, username=username, password=strong_password())
    setup = InterviewSetup(track="os", difficulty="mixed", language="en", num_questions=questions)
    return user.id, engine.start_interview(ctx, user_id=user.id, setup=setup, mode="offline")


def view(ctx, user_id: int, session_id: int):
    return engine.load_interview(ctx, user_id=user_id, session_id=session_id)


def draft_rows(ctx) -> int:
    with ctx.read() as db:
        return db.scalar(select(func.count()).select_from(AnswerDraft))


def test_a_draft_is_kept_per_turn_and_overwritten_as_the_candidate_types(any_ctx) -> None:
    user_id, session_id = interview(any_ctx)
    turn = view(any_ctx, user_id, session_id).current["turn"]
    assert view(any_ctx, user_id, session_id).draft == ""
    assert engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="A process has")
    assert engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="A process has its 한글")
    assert view(any_ctx, user_id, session_id).draft == "A process has its 한글"
    assert draft_rows(any_ctx) == 1


def test_sending_the_answer_deletes_the_draft_and_a_late_save_keeps_nothing(any_ctx) -> None:
    user_id, session_id = interview(any_ctx)
    turn = view(any_ctx, user_id, session_id).current["turn"]
    engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="half an answer")
    engine.submit_answer(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="the whole answer")
    assert draft_rows(any_ctx) == 0
    # A save still in flight from the browser arrives after the answer: the closed turn keeps nothing.
    assert not engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="half an answer")
    assert draft_rows(any_ctx) == 0
    engine.grade_pending(any_ctx, None, engine.Llms(), user_id=user_id, session_id=session_id)
    engine.next_question(any_ctx, user_id=user_id, session_id=session_id)
    second = view(any_ctx, user_id, session_id)
    assert second.state == State.QUESTION and second.current["turn"] != turn and second.draft == ""


def test_a_draft_typed_in_another_tab_after_the_answer_is_refused_to_be_shown_back(any_ctx) -> None:
    user_id, session_id = interview(any_ctx)
    turn = view(any_ctx, user_id, session_id).current["turn"]
    engine.submit_answer(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="sent", client="tab-a")
    # Tab A's own save still in flight: silently nothing. Tab B, still showing the question: told, text kept.
    assert not engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="se", client="tab-a")
    with pytest.raises(AppError) as info:
        engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="mine", client="tab-b")
    assert info.value.code == "interview.answered_elsewhere" and draft_rows(any_ctx) == 0


def test_skipping_or_ending_forgets_the_draft(any_ctx) -> None:
    user_id, session_id = interview(any_ctx)
    turn = view(any_ctx, user_id, session_id).current["turn"]
    engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="not sure yet")
    engine.skip_question(any_ctx, user_id=user_id, session_id=session_id, turn=turn)
    assert draft_rows(any_ctx) == 0
    turn = view(any_ctx, user_id, session_id).current["turn"]
    engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text="another start")
    engine.end_interview(any_ctx, user_id=user_id, session_id=session_id)
    assert draft_rows(any_ctx) == 0


def test_drafts_belong_to_their_user(any_ctx) -> None:
    owner, session_id = interview(any_ctx, "owner")
    intruder = accounts.signup(any_ctx, username="intruder", password=strong_password()).id
    turn = view(any_ctx, owner, session_id).current["turn"]
    engine.save_draft(any_ctx, user_id=owner, session_id=session_id, turn=turn, text="mine")
    with pytest.raises(NotFound):
        engine.save_draft(any_ctx, user_id=intruder, session_id=session_id, turn=turn, text="overwritten")
    with any_ctx.read() as db:
        assert repo.get_draft(db, user_id=intruder, session_id=session_id, turn_key=turn) is None
        assert repo.get_draft(db, user_id=owner, session_id=session_id, turn_key=turn) == "mine"
    with any_ctx.tx() as db:
        repo.delete_drafts(db, user_id=intruder, session_id=session_id)
    assert view(any_ctx, owner, session_id).draft == "mine"


def test_a_draft_is_bounded_and_deleting_the_account_deletes_it(any_ctx) -> None:
    user_id, session_id = interview(any_ctx)
    turn = view(any_ctx, user_id, session_id).current["turn"]
    huge = "x" * (100 * any_ctx.settings.max_answer_chars)
    engine.save_draft(any_ctx, user_id=user_id, session_id=session_id, turn=turn, text=huge)
    kept = view(any_ctx, user_id, session_id).draft
    assert any_ctx.settings.max_answer_chars < len(kept) < len(huge)
    password = strong_password()
    other = accounts.signup(any_ctx, username="leaver", password=password)
    setup = InterviewSetup(track="os", difficulty="mixed", language="en", num_questions=1)
    other_session = engine.start_interview(any_ctx, user_id=other.id, setup=setup, mode="offline")
    other_turn = view(any_ctx, other.id, other_session).current["turn"]
    engine.save_draft(any_ctx, user_id=other.id, session_id=other_session, turn=other_turn, text="bye")
    assert draft_rows(any_ctx) == 2
    accounts.delete_account(any_ctx, user_id=other.id, password=password)
    assert draft_rows(any_ctx) == 1

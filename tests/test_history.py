"""History queries, progress, the dashboard, review scheduling, user isolation and exports, on SQLite and
real PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from backend import accounts, export, history, review
from backend.db.models import Answer, FeedbackVote, InterviewSession, Message, ReviewCard
from backend.errors import NotFound
from backend.interview import engine, planning
from backend.interview.bank import load_bank, section_heading
from backend.interview.engine import Llms, State
from backend.interview.planning import InterviewSetup
from tests.conftest import make_context, reset_postgres, strong_password
from tests.history_helpers import add_interview
from ui.strings import translate

SEOUL = "Asia/Seoul"
NOW = datetime(2026, 3, 18, 3, 0, tzinfo=UTC)  # Wednesday, noon in Seoul


@pytest.fixture(params=["sqlite", "postgresql"])
def hctx(request):
    if request.param == "sqlite":
        context = make_context()
    else:
        url = request.getfixturevalue("pg_url")
        reset_postgres(url)
        context = make_context(url)
    yield context
    context.engine.dispose()


def new_user(ctx, name: str = "minji"):
    return accounts.signup(ctx, username=name, password=strong_password())


def page(ctx, user, **filters) -> history.HistoryPage:
    return history.history_page(ctx, user_id=user.id, timezone=SEOUL, filters=history.HistoryFilter(**filters))


def test_the_list_is_newest_first_with_local_times_answer_counts_and_scores(hctx) -> None:
    user = new_user(hctx)
    older, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=2),
        answers=[("python-001", 40, "a"), ("python-004", 60, "b")],
    )
    newer, _ = add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(hours=1), answers=[("os-001", 90, "c")], track="os"
    )
    result = page(hctx, user)
    assert [r.id for r in result.rows] == [newer, older]
    assert result.total == 2 and result.pages == 1
    first = result.rows[1]
    assert (first.answered, first.overall_score, first.track) == (2, 50.0, "python")
    assert first.score_so_far is None  # ended: its overall score stands
    unfinished, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW,
        status="active",
        answers=[("python-001", 40, "a"), ("python-001", 80, "b"), ("python-004", 60, "c")],
    )
    row = page(hctx, user).rows[0]
    assert (row.id, row.overall_score, row.score_so_far) == (unfinished, None, 70.0)  # each question's best
    assert first.created_at.utcoffset() == timedelta(hours=9)
    assert first.created_at.replace(tzinfo=None) == (NOW - timedelta(days=2) + timedelta(hours=9)).replace(tzinfo=None)


def test_every_filter_narrows_the_list(hctx) -> None:
    user = new_user(hctx)
    a, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=10),
        answers=[("python-001", 30, "x")],
        track="python",
        difficulty="easy",
        language="en",
    )
    b, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=5),
        answers=[("os-001", 70, "y")],
        track="os",
        difficulty="hard",
        language="ko",
    )
    c, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=1),
        answers=[("os-002", 95, "z")],
        track="os",
        difficulty="easy",
        language="en",
        status="active",
    )

    def ids(**filters) -> list[int]:
        return sorted(r.id for r in page(hctx, user, **filters).rows)

    assert ids(track="os") == [b, c]
    assert ids(difficulty="easy") == [a, c]
    assert ids(language="ko") == [b]
    assert ids(status="active") == [c]
    assert ids(status="ended") == [a, b]
    day_b = (NOW - timedelta(days=5)).astimezone(history.ZoneInfo(SEOUL)).date()
    assert ids(date_from=day_b, date_to=day_b) == [b]
    assert ids(date_from=day_b) == [b, c]
    assert ids(date_to=day_b) == [a, b]
    assert ids(score_min=50) == [b]  # the active one has no overall score yet
    assert ids(score_max=50) == [a]
    assert ids(track="os", language="en") == [c]
    assert page(hctx, user, track="os", language="en").total == 1


def test_search_finds_korean_and_english_answers_and_questions(hctx) -> None:
    user = new_user(hctx)
    ko, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=3),
        language="ko",
        answers=[("databases-001", 60, "B-트리 인덱스는 범위 검색에 강합니다")],
    )
    en, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=2),
        answers=[("python-001", 60, "The GIL serialises bytecode; 100% of threads wait")],
    )
    question = load_bank()["python-001"].text["en"]

    def ids(text: str) -> list[int]:
        return [r.id for r in page(hctx, user, search=text).rows]

    assert ids("범위 검색") == [ko]
    assert ids("the gil") == [en]  # case-insensitive
    assert ids(question[5:25]) == [en]  # question text is searched too
    assert ids("100%") == [en] and ids("0%") == [en]
    assert ids("%") == [en]  # a wildcard is taken literally: only the answer holding "%"
    assert ids("_") == []
    assert ids("없는 단어") == []
    # A bank question is found by its text in the other language too.
    assert ids(load_bank()["python-001"].text["ko"][:12]) == [en]
    assert ids(load_bank()["databases-001"].text["en"][:20]) == [ko]


def test_search_finds_a_skipped_question_and_a_follow_up_counts_with_its_question(hctx) -> None:
    user = new_user(hctx)
    setup = InterviewSetup(track="os", language="en", num_questions=2)
    skipped = engine.start_interview(hctx, user_id=user.id, setup=setup, mode="offline")
    asked = engine.load_interview(hctx, user_id=user.id, session_id=skipped).current["text"]
    engine.skip_question(hctx, user_id=user.id, session_id=skipped)
    found = page(hctx, user, search=asked[:40]).rows  # a skipped question has no answer row
    assert [r.id for r in found] == [skipped] and found[0].answered == 0

    followed, answers = add_interview(
        hctx, user_id=user.id, created_at=NOW, answers=[("python-001", 60, "a"), ("python-004", 70, "b")]
    )
    with hctx.tx() as db:  # the second answer is a follow-up of the first question
        db.get(Answer, answers[1]).question_id = "python-001:f1"
    row = next(r for r in page(hctx, user).rows if r.id == followed)
    assert row.answered == 1  # as the interview's results count it


def test_pagination_boundaries(hctx) -> None:
    user = new_user(hctx)
    made = [
        add_interview(hctx, user_id=user.id, created_at=NOW - timedelta(hours=i), answers=[("python-001", 50, "a")])[0]
        for i in range(41)
    ]
    first = page(hctx, user)
    assert (first.total, first.pages, len(first.rows)) == (41, 3, 20)
    third = history.history_page(hctx, user_id=user.id, timezone=SEOUL, page=3)
    assert [r.id for r in third.rows] == [made[-1]]  # the oldest
    beyond = history.history_page(hctx, user_id=user.id, timezone=SEOUL, page=99)
    assert beyond.page == 3 and [r.id for r in beyond.rows] == [made[-1]]
    seen = [r.id for p in (1, 2, 3) for r in history.history_page(hctx, user_id=user.id, timezone=SEOUL, page=p).rows]
    assert seen == made  # every interview exactly once, newest first
    assert history.history_page(hctx, user_id=user.id, timezone=SEOUL, per_page=41).pages == 1
    empty = page(hctx, new_user(hctx, "nobody"))
    assert (empty.total, empty.pages, empty.page, empty.rows) == (0, 1, 1, [])


def test_an_interview_at_2330_utc_is_on_the_next_day_in_seoul_and_counts_for_that_days_streak(hctx) -> None:
    user = new_user(hctx)
    late = datetime(2026, 3, 16, 23, 30, tzinfo=UTC)  # 08:30 on the 17th in Seoul
    add_interview(hctx, user_id=user.id, created_at=late, answers=[("python-001", 50, "a")])
    add_interview(
        hctx, user_id=user.id, created_at=datetime(2026, 3, 16, 2, 0, tzinfo=UTC), answers=[("python-002", 50, "b")]
    )
    row = page(hctx, user, date_from=date(2026, 3, 17), date_to=date(2026, 3, 17)).rows
    assert len(row) == 1 and row[0].created_at.date() == date(2026, 3, 17)
    now = datetime(2026, 3, 17, 5, 0, tzinfo=UTC)  # 14:00 on the 17th in Seoul
    seoul = history.dashboard(hctx, user_id=user.id, timezone=SEOUL, language="en", now=now)
    assert (seoul.streak_days, seoul.practised_today) == (2, True)  # the 16th and the 17th
    utc = history.dashboard(hctx, user_id=user.id, timezone="UTC", language="en", now=now)
    assert (utc.streak_days, utc.practised_today) == (1, False)  # both on the 16th in UTC


def test_dashboard_numbers_match_hand_computed_values(hctx) -> None:
    user = new_user(hctx)
    # The week starts on Monday 16 March in Seoul, 15:00 UTC on the 15th.
    add_interview(
        hctx,
        user_id=user.id,
        created_at=datetime(2026, 3, 17, 1, 0, tzinfo=UTC),
        answers=[("python-001", 80, "a"), ("python-002", 60, "b")],
    )
    add_interview(
        hctx,
        user_id=user.id,
        created_at=datetime(2026, 3, 15, 14, 0, tzinfo=UTC),  # Sunday 23:00 in Seoul
        answers=[("python-003", 40, "c")],
    )
    add_interview(
        hctx,
        user_id=user.id,
        created_at=datetime(2026, 3, 9, 0, 0, tzinfo=UTC),
        answers=[("python-004", 50, "d"), ("python-005", 30, "e")],
    )
    add_interview(
        hctx, user_id=user.id, created_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC), answers=[("python-006", 90, "f")]
    )
    unfinished, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
        status="active",
        answers=[("python-007", 10, "g")],
    )
    board = history.dashboard(hctx, user_id=user.id, timezone=SEOUL, language="en", now=NOW)
    assert board.answered_this_week == 2
    assert board.average_7 == 60.0  # (80 + 60 + 40) / 3
    assert board.average_prev_7 == 40.0  # (50 + 30) / 2
    assert (board.streak_days, board.practised_today) == (1, False)  # the 17th; nothing yet on the 18th
    assert board.unfinished is not None and board.unfinished.id == unfinished
    assert board.suggestion is not None and board.suggestion.reference == load_bank()["python-007"].reference


def test_dimension_trends_compare_the_last_30_days_with_the_30_before(hctx) -> None:
    user = new_user(hctx)
    add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(days=5), answers=[("python-001", 70, "a")], dimension_score=4
    )
    add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(days=6), answers=[("python-002", 70, "a")], dimension_score=5
    )
    add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(days=40), answers=[("python-003", 30, "b")], dimension_score=2
    )
    add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(days=70), answers=[("python-004", 10, "c")], dimension_score=1
    )  # outside both windows
    add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=3),
        answers=[("behavioral-001", 50, "d")],
        track="behavioral",
        dimension_score=3,
    )
    trends = {
        t.key: t for t in history.progress(hctx, user_id=user.id, timezone=SEOUL, language="en", now=NOW).dimensions
    }
    assert (trends["correctness"].recent, trends["correctness"].before) == (4.5, 2.0)
    assert (trends["situation"].recent, trends["situation"].before) == (3.0, None)
    assert set(trends) == {"correctness", "depth", "clarity", "structure", "situation", "task", "action", "result"}


def test_the_chart_shows_finished_interviews_and_unfinished_ones_by_their_score_so_far(hctx) -> None:
    user = new_user(hctx)
    finished, _ = add_interview(hctx, user_id=user.id, created_at=NOW - timedelta(days=3),
                                answers=[("python-001", 40, "a"), ("python-002", 60, "b")])
    answered, _ = add_interview(hctx, user_id=user.id, created_at=NOW - timedelta(days=2), status="active",
                                answers=[("python-003", 70, "c"), ("python-004", 90, "d")])
    add_interview(hctx, user_id=user.id, created_at=NOW - timedelta(days=1), status="active", answers=[])
    points = history.progress(hctx, user_id=user.id, timezone=SEOUL, language="en", now=NOW).points
    assert [(p.session_id, p.score) for p in points] == [(finished, 50.0), (answered, 80.0)]


def test_weak_topics_are_ordered_by_each_questions_latest_score(hctx) -> None:
    user = new_user(hctx)
    bank = load_bank()
    # python-001 and python-002 share a section; python-004 and python-005 have their own.
    add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=9),
        answers=[("python-001", 20, "a"), ("python-004", 90, "b"), ("python-005", 10, "c")],
    )
    add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=1),
        answers=[("python-001", 60, "a"), ("python-002", 40, "b"), ("python-005", 55, "c")],
        language="ko",
    )
    topics = history.progress(hctx, user_id=user.id, timezone=SEOUL, language="en", now=NOW).weak_topics
    by_ref = {t.reference: t for t in topics}
    shared = bank["python-001"].reference
    # python-005's section counts its latest score (55, not 10); python-004's (90) is no weak topic.
    assert [t.reference for t in topics] == [shared, bank["python-005"].reference]
    assert (by_ref[shared].score, by_ref[shared].practised, by_ref[shared].last_score) == (50.0, 3, 40.0)
    assert by_ref[shared].heading == section_heading(shared, "en") != shared
    # Practised again in the language it was last answered in, whatever the page's.
    assert {t.language for t in topics} == {"ko"}


def test_a_failed_card_is_due_sooner_than_a_passed_one_and_due_counts_follow_the_day(hctx) -> None:
    user = new_user(hctx)
    with hctx.tx() as db:
        failed = review.record(db, user_id=user.id, question_id="python-001", total=20, at=NOW)
        hard = review.record(db, user_id=user.id, question_id="python-002", total=50, at=NOW)
        passed = review.record(db, user_id=user.id, question_id="python-003", total=90, at=NOW)
    assert failed < passed and hard <= passed
    assert [review.rating_for(v).name for v in (None, 0, 39.9, 40, 59, 60, 84, 85, 100)] == [
        "Again",
        "Again",
        "Again",
        "Hard",
        "Hard",
        "Good",
        "Good",
        "Easy",
        "Easy",
    ]
    with hctx.read() as db:
        assert review.due_count(db, user_id=user.id, timezone=SEOUL, now=NOW) == 0
        assert review.due_count(db, user_id=user.id, timezone=SEOUL, now=failed) == 2  # failed and hard: next day
        assert review.due_count(db, user_id=user.id, timezone=SEOUL, now=passed) == 3
        ids = review.due_question_ids(db, user_id=user.id, timezone=SEOUL, limit=10, now=passed)
    assert ids[0] == "python-001"  # most overdue first
    with hctx.tx() as db:  # reviewed again, as Good, once due: the next interval grows
        again = review.record(db, user_id=user.id, question_id="python-003", total=70, at=passed)
    assert again - passed > passed - NOW


def test_skipping_a_question_counts_as_again_and_grading_schedules_the_card(hctx) -> None:
    user = new_user(hctx)
    setup = InterviewSetup(track="python", language="en", num_questions=2)
    session_id = engine.start_interview(hctx, user_id=user.id, setup=setup, mode="offline")
    skipped = engine.load_interview(hctx, user_id=user.id, session_id=session_id).current["question_id"]
    engine.skip_question(hctx, user_id=user.id, session_id=session_id)
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    engine.submit_answer(hctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text="I am not sure.")
    engine.grade_pending(hctx, None, Llms(), user_id=user.id, session_id=session_id)
    with hctx.read() as db:
        cards = {c.question_id: c for c in db.scalars(select(ReviewCard).where(ReviewCard.user_id == user.id))}
    assert cards[skipped].last_total is None and cards[skipped].reviews == 1
    graded = view.current["question_id"]
    assert cards[graded].last_total is not None
    assert engine.load_interview(hctx, user_id=user.id, session_id=session_id).due[graded] is not None


def test_practise_again_links_the_new_answer_to_the_old_one_both_ways(hctx) -> None:
    user = new_user(hctx)
    old_session, (old_answer, _) = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=3),
        answers=[("python-001", 10, "No idea."), ("python-002", 50, "b")],
    )
    setup = planning.again_setup(hctx, user_id=user.id, answer_id=old_answer)
    assert (setup.question_ids, setup.linked_answers, setup.num_questions) == (
        ("python-001",),
        {"python-001": old_answer},
        1,
    )
    session_id = engine.start_interview(hctx, user_id=user.id, setup=setup, mode="offline")
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    assert view.current["question_id"] == "python-001"
    text = load_bank()["python-001"].model_answer["en"]
    engine.submit_answer(hctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text=text)
    grade = engine.grade_pending(hctx, None, Llms(), user_id=user.id, session_id=session_id)
    new = next(iter(engine.load_interview(hctx, user_id=user.id, session_id=session_id).answers.values()))
    assert new.previous is not None and new.previous[0] == 10.0
    old = engine.load_interview(hctx, user_id=user.id, session_id=old_session).answers[old_answer]
    assert old.later is not None and old.later[0] == grade.total
    assert engine.next_question(hctx, user_id=user.id, session_id=session_id) == State.ENDED


def test_topic_and_due_practice_choose_their_questions(hctx) -> None:
    user = new_user(hctx)
    add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW - timedelta(days=3),
        answers=[("python-002", 30, "a"), ("os-001", 20, "b")],
    )
    reference = load_bank()["python-002"].reference
    topic = planning.topic_setup(hctx, user_id=user.id, reference=reference, language="ko")
    section = [q.id for q in load_bank().values() if q.reference == reference]
    assert topic.question_ids[0] == "python-002" and set(topic.question_ids) == set(section)
    assert topic.track == "python" and topic.linked_answers.keys() == {"python-002"}
    with hctx.tx() as db:
        for question_id in ("python-002", "os-001"):
            review.record(
                db, user_id=user.id, question_id=question_id, total=10, at=datetime.now(UTC) - timedelta(days=3)
            )
    due = planning.due_setup(hctx, user_id=user.id, timezone=SEOUL, language="ko")
    assert set(due.question_ids) == {"python-002", "os-001"} and due.track == planning.MIXED
    assert due.language == "en"  # both were answered in English: recalled in English, whatever the interface's
    add_interview(
        hctx, user_id=user.id, created_at=NOW - timedelta(days=2), language="ko", answers=[("os-001", 40, "c")]
    )
    tie = planning.due_setup(hctx, user_id=user.id, timezone=SEOUL, language="ko")
    assert tie.language == "ko"  # one in each language: the interface's
    session_id = engine.start_interview(hctx, user_id=user.id, setup=due, mode="offline")
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    assert view.planned == 2 and view.current["track"] == load_bank()[view.current["question_id"]].track
    with pytest.raises(Exception) as nothing_due:
        planning.due_setup(hctx, user_id=new_user(hctx, "fresh").id, timezone=SEOUL, language="en")
    assert getattr(nothing_due.value, "code", "") == "interview.no_questions"


def test_another_user_can_never_see_change_delete_resume_practise_or_export_an_interview(hctx) -> None:
    owner, other = new_user(hctx, "owner"), new_user(hctx, "other")
    session_id, (answer_id,) = add_interview(
        hctx, user_id=owner.id, created_at=NOW, status="active", answers=[("python-001", 40, "owner's secret answer")]
    )
    for attempt in (
        lambda: engine.load_interview(hctx, user_id=other.id, session_id=session_id),
        lambda: history.rename_session(hctx, user_id=other.id, session_id=session_id, title="mine"),
        lambda: history.delete_session(hctx, user_id=other.id, session_id=session_id),
        lambda: engine.summarize(hctx, user_id=other.id, session_id=session_id),
        lambda: engine.end_interview(hctx, user_id=other.id, session_id=session_id),
        lambda: engine.set_vote(hctx, user_id=other.id, answer_id=answer_id, helpful=False),
        lambda: planning.again_setup(hctx, user_id=other.id, answer_id=answer_id),
        lambda: engine.start_interview(
            hctx,
            user_id=other.id,
            setup=InterviewSetup(
                track="python", num_questions=1, question_ids=("python-001",), linked_answers={"python-001": answer_id}
            ),
            mode="offline",
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert page(hctx, other).total == 0 and page(hctx, other, search="secret").total == 0
    assert engine.active_session_id(hctx, user_id=other.id) is None
    assert history.dashboard(hctx, user_id=other.id, timezone=SEOUL, language="en").unfinished is None
    assert "secret" not in export.user_data_json(hctx, user_id=other.id)
    still = engine.load_interview(hctx, user_id=owner.id, session_id=session_id)
    assert still.title != "mine" and still.answers[answer_id].answer_text == "owner's secret answer"


def test_a_thumbs_down_keeps_what_the_user_wrote_with_it(hctx) -> None:
    user, other = new_user(hctx), new_user(hctx, "other")
    session_id, (answer_id,) = add_interview(hctx, user_id=user.id, created_at=NOW, answers=[("python-001", 40, "a")])
    engine.set_vote(hctx, user_id=user.id, answer_id=answer_id, helpful=False, comment="It missed my GIL point.")
    engine.set_vote(hctx, user_id=user.id, answer_id=answer_id, helpful=False)  # the thumb again: comment kept
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    assert view.votes == {answer_id: False} and view.vote_comments == {answer_id: "It missed my GIL point."}
    engine.set_vote(hctx, user_id=user.id, answer_id=answer_id, helpful=False, comment="x" * 5000)
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    assert len(view.vote_comments[answer_id]) == engine.MAX_VOTE_COMMENT
    with pytest.raises(NotFound):  # only on the user's own answers
        engine.set_vote(hctx, user_id=other.id, answer_id=answer_id, helpful=False, comment="mine now")


def test_deleting_an_interview_removes_its_answers_messages_and_votes_and_nothing_else(hctx) -> None:
    user, other = new_user(hctx), new_user(hctx, "other")
    doomed, (doomed_answer,) = add_interview(hctx, user_id=user.id, created_at=NOW, answers=[("python-001", 40, "a")])
    kept, (kept_answer,) = add_interview(hctx, user_id=user.id, created_at=NOW, answers=[("python-001", 70, "b")])
    theirs, (their_answer,) = add_interview(hctx, user_id=other.id, created_at=NOW, answers=[("python-001", 70, "c")])
    engine.set_vote(hctx, user_id=user.id, answer_id=doomed_answer, helpful=True)
    engine.set_vote(hctx, user_id=user.id, answer_id=kept_answer, helpful=False)
    engine.set_vote(hctx, user_id=other.id, answer_id=their_answer, helpful=True)
    with hctx.tx() as db:
        review.record(db, user_id=user.id, question_id="python-001", total=40)

    def counts() -> dict[str, int]:
        with hctx.read() as db:
            return {
                name: db.scalar(select(func.count()).select_from(model))
                for name, model in (
                    ("sessions", InterviewSession),
                    ("answers", Answer),
                    ("messages", Message),
                    ("votes", FeedbackVote),
                    ("cards", ReviewCard),
                )
            }

    before = counts()
    history.delete_session(hctx, user_id=user.id, session_id=doomed)
    assert counts() == {
        **before,
        "sessions": before["sessions"] - 1,
        "answers": before["answers"] - 1,
        "messages": before["messages"] - 3,
        "votes": before["votes"] - 1,
    }
    with pytest.raises(NotFound):
        engine.load_interview(hctx, user_id=user.id, session_id=doomed)
    assert engine.load_interview(hctx, user_id=user.id, session_id=kept).votes == {kept_answer: False}
    assert engine.load_interview(hctx, user_id=other.id, session_id=theirs).votes == {their_answer: True}


def test_rename_trims_and_refuses_an_empty_title(hctx) -> None:
    user = new_user(hctx)
    session_id, _ = add_interview(hctx, user_id=user.id, created_at=NOW, answers=[("python-001", 40, "a")])
    history.rename_session(hctx, user_id=user.id, session_id=session_id, title="  네이버   1차 대비 ")
    assert engine.load_interview(hctx, user_id=user.id, session_id=session_id).title == "네이버 1차 대비"
    with pytest.raises(Exception) as empty:
        history.rename_session(hctx, user_id=user.id, session_id=session_id, title="   ")
    assert getattr(empty.value, "code", "") == "history.empty_title"
    history.rename_session(hctx, user_id=user.id, session_id=session_id, title="x" * 500)
    assert (
        engine.load_interview(hctx, user_id=user.id, session_id=session_id).title == "x" * (history.MAX_TITLE - 1) + "…"
    )
    # A long title is shortened at a word, never mid-word ("아주 긴 제").
    history.rename_session(hctx, user_id=user.id, session_id=session_id, title="아주 긴 제목 " * 30)
    title = engine.load_interview(hctx, user_id=user.id, session_id=session_id).title
    assert len(title) <= history.MAX_TITLE and title.endswith("…")
    assert set(title[:-1].split()) == {"아주", "긴", "제목"}


def label(key: str, **params: object) -> str:
    return translate(key, "ko", **params)


def test_an_export_quotes_evidence_once_and_names_passages_by_their_readable_title(hctx) -> None:
    user = new_user(hctx)
    session_id, (answer_id, *_) = add_interview(hctx, user_id=user.id, created_at=NOW, answers=[("os-001", 80, "a")])
    with hctx.tx() as db:
        answer = db.get(Answer, answer_id)
        feedback = dict(answer.feedback)
        feedback["scores"] = {k: {**v, "evidence": "A process owns memory."} for k, v in feedback["scores"].items()}
        source = {"source": "data/knowledge/en/os.md", "heading": "OS Reference > Processes", "text": "…"}
        feedback["sources"] = [source]
        answer.feedback = feedback
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    label = lambda key, **params: translate(key, "en", **params)  # noqa: E731
    markdown = export.to_markdown(export.interview_blocks(view, title="OS", timezone=SEOUL, language="en", label=label))
    assert markdown.count("A process owns memory.") == 1  # as on the page: once, where it starts
    assert "- OS Reference › Processes" in markdown and "data/knowledge" not in markdown


def test_exports_hold_every_question_and_answer_render_korean_and_round_trip(hctx) -> None:
    user, other = new_user(hctx), new_user(hctx, "other")
    korean = "인덱스는 B-트리로 정렬돼 있어서 범위 검색이 빠릅니다."
    session_id, _ = add_interview(
        hctx,
        user_id=user.id,
        created_at=NOW,
        language="ko",
        answers=[("databases-001", 70, korean), ("python-001", 40, "두 번째 답변")],
    )
    add_interview(hctx, user_id=other.id, created_at=NOW, answers=[("python-001", 70, "other user's answer")])
    view = engine.load_interview(hctx, user_id=user.id, session_id=session_id)
    blocks = export.interview_blocks(view, title="DB 연습", timezone=SEOUL, language="ko", label=label)
    markdown = export.to_markdown(blocks)
    for answer in view.answers.values():
        assert answer.question_text in markdown and answer.answer_text in markdown
    assert markdown.startswith("# DB 연습") and "총점: 70/100" in markdown
    # Text is exported as written: a title with HTML or an identifier with underscores is no markup.
    marked = export.to_markdown(
        export.interview_blocks(view, title="<b>x</b> __init__", timezone=SEOUL, language="ko", label=label)
    )
    assert marked.startswith("# \\<b\\>x\\</b\\> \\_\\_init\\_\\_\n")
    day = view.created_at.astimezone(ZoneInfo(SEOUL)).date()  # a download's name says the day of the practice
    assert export.file_stem(view, timezone=SEOUL) == f"interview-{day:%Y-%m-%d}-{session_id}"
    reader = PdfReader(io.BytesIO(export.to_pdf(blocks)))
    assert reader.metadata.title == "DB 연습"  # a PDF viewer's window and tab show the interview's title
    text = "".join(p.extract_text() for p in reader.pages)
    assert korean.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    data = json.loads(export.user_data_json(hctx, user_id=user.id))
    assert data["account"]["username"] == "minji" and "password_hash" not in json.dumps(data)
    assert [i["id"] for i in data["interviews"]] == [session_id]
    assert {a["answer_text"] for a in data["interviews"][0]["answers"]} == {korean, "두 번째 답변"}
    assert len(data["interviews"][0]["messages"]) == 6
    assert "other user's answer" not in json.dumps(data, ensure_ascii=False)
    assert json.loads(json.dumps(data)) == data

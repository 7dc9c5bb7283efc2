"""AppTest: the history page (list, filter, search, open, rename, delete, practise again, review queue),
the home dashboard and the account page's JSON export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend import accounts, history, review
from backend.db.models import Answer, InterviewSession, ReviewCard
from backend.interview import engine
from backend.interview.bank import TRACKS, load_bank
from tests.apptest_helpers import new_app, texts
from tests.conftest import strong_password
from tests.history_helpers import add_interview
from ui import keys
from ui.strings import STRINGS


def en(key: str, **params: object) -> str:
    return STRINGS[key]["en"].format(**params) if params else STRINGS[key]["en"]


def logged_in(ctx, user, page: str = "app_pages/history.py"):
    token = accounts.issue_token(ctx, user_id=user.id)
    at = new_app(ctx, **{keys.ACCOUNT: user, keys.TOKEN: token}).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def seeded(ctx):
    user = accounts.signup(ctx, username="historian", password=strong_password(), ui_language="en")
    now = datetime.now(UTC)
    python, _ = add_interview(
        ctx,
        user_id=user.id,
        created_at=now - timedelta(days=2),
        answers=[("python-001", 35, "Mutable defaults are shared"), ("python-004", 65, "copy")],
    )
    os_, _ = add_interview(
        ctx,
        user_id=user.id,
        created_at=now - timedelta(days=1),
        track="os",
        language="ko",
        answers=[("os-001", 80, "프로세스는 독립된 주소 공간을 가집니다")],
    )
    return user, python, os_


def row_ids(at) -> list[int]:
    prefix = keys.HISTORY_OPEN_PREFIX
    return [int(b.key[len(prefix) :]) for b in at.button if b.key and b.key.startswith(prefix)]


def test_history_lists_filters_and_searches_interviews(ctx) -> None:
    user, python, os_ = seeded(ctx)
    at = logged_in(ctx, user)
    assert row_ids(at) == [os_, python]
    assert en("history.count", count=2, page=1, pages=1) in texts(at)
    at.selectbox(key=keys.HISTORY_TRACK).select_index(1 + TRACKS.index("os")).run()
    assert not at.exception, at.exception
    assert row_ids(at) == [os_]
    assert "1 interview · page 1 of 1" in texts(at)
    at.selectbox(key=keys.HISTORY_TRACK).select_index(0).run()
    at.text_input(key=keys.HISTORY_SEARCH).input("주소 공간").run()
    assert row_ids(at) == [os_]
    at.text_input(key=keys.HISTORY_SEARCH).input("no such words").run()
    assert row_ids(at) == [] and en("history.none") in texts(at)


def test_opening_an_interview_shows_its_transcript_and_score_cards(ctx) -> None:
    user, python, _ = seeded(ctx)
    at = logged_in(ctx, user)
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{python}").click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert load_bank()["python-001"].text["en"] in shown
    assert "Mutable defaults are shared" in [t.value for t in at.text]
    assert [m.value for m in at.metric][:3] == ["35/100", "65/100", "50/100"]  # two score cards, the summary
    assert at.button(key=keys.HISTORY_BACK) is not None
    at.button(key=keys.HISTORY_BACK).click().run()
    assert row_ids(at)
    # The opened interview is in the address: "History" in the menu (the page without it) shows the list again,
    # where it used to stay on the interview.
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{python}").click().run()
    assert at.query_params["interview"] == str(python) and not row_ids(at)
    at.query_params.clear()
    assert row_ids(at.run())


def test_a_retried_question_shows_its_attempts_with_signed_changes(ctx) -> None:
    user = accounts.signup(ctx, username="retrier", password=strong_password(), ui_language="en")
    session_id, answers = add_interview(
        ctx,
        user_id=user.id,
        created_at=datetime.now(UTC),
        answers=[("python-001", 35, "first try"), ("python-001", 80, "Copied:\n```python\nb = list(a)\n```")],
    )
    with ctx.tx() as db:
        db.get(Answer, answers[1]).attempt_no = 2
    at = logged_in(ctx, user)
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{session_id}").click().run()
    assert not at.exception, at.exception
    attempts = [m for m in at.metric if m.label.startswith(en("history.attempt", n=""))]
    assert [(m.value, m.delta) for m in attempts] == [("35/100", ""), ("80/100", "+45")]
    # Side by side as written: the code as code (twice: there and in the transcript), not run into one line.
    assert [c.value for c in at.code] == ["b = list(a)", "b = list(a)"]
    # Both attempts say when the question comes back; the retry, that the first answer set that date.
    with ctx.tx() as db:
        review.record(db, user_id=user.id, question_id="python-001", total=35)
    at.run()
    dates = [c.value for c in at.caption if c.value.startswith(en("review.next_tomorrow", date="")[:12])]
    assert len(dates) == 2 and not dates[0].endswith(en("review.first_answer")) and dates[1].endswith(
        f"  \n{en('review.first_answer')}"
    ), dates


def test_an_answer_says_when_its_question_is_next_reviewed_in_days(ctx) -> None:
    user, python, _ = seeded(ctx)
    zone = ZoneInfo(user.timezone)
    due = datetime.combine(datetime.now(zone).date() + timedelta(days=8), time(12), tzinfo=zone)  # noon, 8 days on
    with ctx.tx() as db:
        review.record(db, user_id=user.id, question_id="python-001", total=35)
        db.get(ReviewCard, (user.id, "python-001")).due = due.astimezone(UTC)
    at = logged_in(ctx, user)
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{python}").click().run()
    assert en("review.next", days=8, date=f"{due:%Y-%m-%d}") in [c.value for c in at.caption]


def test_rename_and_delete_from_the_history_page(ctx) -> None:
    user, python, os_ = seeded(ctx)
    at = logged_in(ctx, user)
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{python}").click().run()
    at.text_input(key=keys.HISTORY_TITLE).input("Mock before Kakao").run()
    at.button(key=keys.HISTORY_RENAME).click().run()
    assert not at.exception, at.exception
    assert engine.load_interview(ctx, user_id=user.id, session_id=python).title == "Mock before Kakao"
    # A pasted title over the limit is not dropped: it is saved cut to the limit, as the field's help says.
    long = "Mock interview notes " * 20
    at.text_input(key=keys.HISTORY_TITLE).input(long).run()
    at.button(key=keys.HISTORY_RENAME).click().run()
    saved = engine.load_interview(ctx, user_id=user.id, session_id=python).title
    assert len(saved) <= history.MAX_TITLE and saved.endswith("…") and long.startswith(saved[:-1])
    at.text_input(key=keys.HISTORY_TITLE).input("Mock before Kakao").run()
    at.button(key=keys.HISTORY_RENAME).click().run()
    assert "Mock before Kakao" in texts(at)
    assert at.button(key=keys.HISTORY_DELETE).disabled  # not without the confirmation
    # The confirmation speaks of this interview, not of the account's data.
    assert at.checkbox(key=keys.HISTORY_DELETE_CONFIRM).label == en("history.delete_sure")
    at.checkbox(key=keys.HISTORY_DELETE_CONFIRM).check().run()
    at.button(key=keys.HISTORY_DELETE).click().run()
    assert not at.exception, at.exception
    assert en("history.deleted") in texts(at)
    assert row_ids(at) == [os_]
    with ctx.read() as db:
        assert db.scalars(select(InterviewSession.id)).all() == [os_]


def test_practise_again_starts_a_linked_interview_on_the_chat_page(ctx) -> None:
    user, python, _ = seeded(ctx)
    at = logged_in(ctx, user)
    at.button(key=f"{keys.HISTORY_OPEN_PREFIX}{python}").click().run()
    with ctx.read() as db:
        weak = db.scalar(select(Answer.id).where(Answer.session_id == python, Answer.question_id == "python-001"))
    at.button(key=f"{keys.PRACTICE_PREFIX}{weak}").click().run()
    assert not at.exception, at.exception
    new_id = at.session_state[keys.CHAT_SESSION]
    assert new_id not in (python,)
    view = engine.load_interview(ctx, user_id=user.id, session_id=new_id)
    assert view.current["question_id"] == "python-001" and view.planned == 1
    assert load_bank()["python-001"].text[view.setup.language] in texts(at)  # now on the chat page
    # Before answering, the earlier answer: its score, its text and the key points it missed then.
    assert view.practising is not None and view.practising.total == 35
    assert view.practising.text == "Mutable defaults are shared"
    assert view.practising.missed_points == load_bank()["python-001"].points("en")[1:]
    past = [e for e in at.expander if e.label.startswith(en("chat.past_answer", date="", total="")[:20])]
    assert past and "(" in past[0].label and "35/100" in past[0].label


def test_the_review_queue_counts_due_questions_and_starts_them(ctx) -> None:
    user, _, _ = seeded(ctx)
    at = logged_in(ctx, user)
    assert en("review.none") in texts(at) and at.button(key=keys.REVIEW_START).disabled
    with ctx.tx() as db:
        for question_id in ("python-001", "os-001"):
            review.record(
                db, user_id=user.id, question_id=question_id, total=10, at=datetime.now(UTC) - timedelta(days=2)
            )
    at = logged_in(ctx, user)
    assert en("review.due", n=2) in texts(at)
    at.button(key=keys.REVIEW_START).click().run()
    assert not at.exception, at.exception
    view = engine.load_interview(ctx, user_id=user.id, session_id=at.session_state[keys.CHAT_SESSION])
    assert set(view.setup.question_ids) == {"python-001", "os-001"} and view.setup.track == "mixed"


def test_starting_the_review_again_continues_the_unfinished_one_instead_of_a_copy(ctx) -> None:
    user, _, _ = seeded(ctx)
    with ctx.tx() as db:
        for question_id in ("python-001", "os-001", "python-003"):
            review.record(
                db, user_id=user.id, question_id=question_id, total=10, at=datetime.now(UTC) - timedelta(days=2)
            )
    at = logged_in(ctx, user)
    at.button(key=keys.REVIEW_START).click().run()
    first = at.session_state[keys.CHAT_SESSION]
    view = engine.load_interview(ctx, user_id=user.id, session_id=first)
    engine.skip_question(ctx, user_id=user.id, session_id=first, turn=view.current["turn"])  # one of three done
    at = logged_in(ctx, user)
    assert en("review.due", n=2) in texts(at)
    at.button(key=keys.REVIEW_START).click().run()
    assert not at.exception, at.exception
    assert at.session_state[keys.CHAT_SESSION] == first  # carried on, not a second review of the same questions
    assert en("practice.continued") in [toast.value for toast in at.toast]  # and says so
    engine.end_interview(ctx, user_id=user.id, session_id=first)
    at = logged_in(ctx, user)
    at.button(key=keys.REVIEW_START).click().run()
    assert at.session_state[keys.CHAT_SESSION] != first  # once it is finished, a review is a new interview
    with ctx.read() as db:
        active = db.scalars(select(InterviewSession.id).where(InterviewSession.status == "active")).all()
    assert first not in active and len(active) == 1


def test_progress_tab_shows_the_chart_rubric_trends_and_weak_topics(ctx) -> None:
    user, _, _ = seeded(ctx)
    at = logged_in(ctx, user)
    shown = texts(at)
    assert en("progress.chart") in shown and en("progress.weak_topics") in shown
    chart = (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0]
    # The x axis counts interviews (a day's practice spreads out instead of stacking on one date), whole numbers
    # only; each interview's date and time is in its tooltip.
    encoding = json.loads(chart.proto.spec)["layer"][0]["encoding"]
    assert encoding["x"]["field"] == "n" and encoding["x"]["axis"]["format"] == "d"
    assert encoding["x"]["title"] == en("progress.interviews")
    assert encoding["tooltip"][0]["field"] == "when" and encoding["tooltip"][0]["format"] == "%Y-%m-%d %H:%M"
    table = at.dataframe[0].value  # a period without answers reads "–", not "None"
    assert table.map(lambda cell: isinstance(cell, str) and cell != "None").all().all()
    topic_buttons = [b.key for b in at.button if b.key and b.key.startswith(keys.TOPIC_PREFIX)]
    assert topic_buttons[0] == f"{keys.TOPIC_PREFIX}{load_bank()['python-001'].reference}"  # weakest first
    at.button(key=topic_buttons[0]).click().run()
    assert not at.exception, at.exception
    view = engine.load_interview(ctx, user_id=user.id, session_id=at.session_state[keys.CHAT_SESSION])
    assert view.current["question_id"] == "python-001"


def test_home_dashboard_numbers_on_seeded_data(ctx) -> None:
    user = accounts.signup(ctx, username="dashboard", password=strong_password(), ui_language="en")
    now = datetime.now(UTC)
    add_interview(
        ctx,
        user_id=user.id,
        created_at=now - timedelta(minutes=1),
        answers=[("python-001", 80, "a"), ("python-002", 60, "b")],
    )
    add_interview(
        ctx,
        user_id=user.id,
        created_at=now - timedelta(days=10),
        answers=[("python-003", 40, "c")],
        title="Mock before Kakao",
    )
    unfinished, _ = add_interview(
        ctx, user_id=user.id, created_at=now - timedelta(days=20), status="active", answers=[("os-001", 30, "d")]
    )
    at = logged_in(ctx, user, "app_pages/home.py")
    metrics = {m.label: m for m in at.metric}
    local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(user.timezone))
    same_week = local.isocalendar()[:2] == now.astimezone(ZoneInfo(user.timezone)).isocalendar()[:2]
    assert metrics[en("home.this_week")].value == ("2" if same_week else "0")
    assert metrics[en("home.average_7")].value == "70"
    assert metrics[en("home.average_7")].delta == "+30.0"
    assert metrics[en("home.streak")].value == en("home.streak_day", n=1)
    # Recent interviews are named as in the history: a renamed one by its name, the others by track and difficulty.
    lines = [m.value for m in at.markdown]
    assert any("Mock before Kakao" in line for line in lines)
    assert any(f"{en('track.python')} · {en('difficulty.easy')} · {en('language.en')}" in line for line in lines)
    # The way back into the unfinished interview says how far it got.
    label = at.button(key=keys.HOME_CONTINUE).label
    assert en("history.answered", n=1) in label and en("history.so_far", score=30) in label, label
    at.button(key=keys.HOME_CONTINUE).click().run()
    assert not at.exception, at.exception
    assert at.session_state[keys.CHAT_SESSION] == unfinished


def test_account_page_offers_the_json_export(ctx) -> None:
    user, _, _ = seeded(ctx)
    at = logged_in(ctx, user, "app_pages/account.py")
    assert en("export.help") in texts(at)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [en("export.json")]


def test_a_link_to_an_interview_that_is_gone_says_so_and_shows_the_list(ctx) -> None:
    user, python, _ = seeded(ctx)
    history.delete_session(ctx, user_id=user.id, session_id=python)
    token = accounts.issue_token(ctx, user_id=user.id)
    at = new_app(ctx, **{keys.ACCOUNT: user, keys.TOKEN: token})
    at.query_params["interview"] = str(python)
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    assert [toast.value for toast in at.toast] == [en("history.gone")]
    assert "interview" not in at.query_params and len(row_ids(at)) == 1

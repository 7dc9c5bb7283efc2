"""Widgets shared by the home and history pages: starting practice, the review queue, weak topics, charts."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from backend.accounts import Account
from backend.context import AppContext
from backend.errors import AppError
from backend.history import DimensionTrend, ScorePoint, WeakTopic
from backend.interview import engine, planning
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import DIMENSIONS
from backend.llm.provider import mode_label
from ui import keys, runtime
from ui.i18n import language, t

TREND_WINDOW = 5  # interviews in the chart's moving average


def start_practice(ctx: AppContext, account: Account, make_setup) -> None:  # noqa: ANN001
    """Start an interview from `make_setup()`, or continue the unfinished one of the same questions, and open it on
    the chat page (errors shown in place)."""
    try:
        setup: InterviewSetup = make_setup()
        session_id = engine.unfinished_practice(ctx, user_id=account.id, setup=setup)
        if session_id is not None:  # the same practice, started before and not finished: continued, not copied
            runtime.flash(t("practice.continued"))  # a toast: a notice on the page outstayed the next answers
        else:
            session_id = engine.start_interview(
                ctx, user_id=account.id, setup=setup, mode=mode_label(ctx.settings, runtime.llm_choice(ctx))
            )
    except AppError as exc:
        runtime.show_error(exc)
        return
    st.session_state[keys.CHAT_SESSION] = session_id
    st.switch_page("app_pages/chat.py")


def review_queue(ctx: AppContext, account: Account, due: int) -> None:
    """ "Due today: N" with one click to an interview of the due questions."""
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        if due:
            left.markdown(f"**{t('review.due', n=due)}**")
        else:
            left.caption(t("review.none"))
        if right.button(
            t("review.start"),
            key=keys.REVIEW_START,
            type="primary",
            disabled=not due,
            icon=":material/event_repeat:",
            width="stretch",
        ):
            start_practice(
                ctx,
                account,
                lambda: planning.due_setup(
                    ctx, user_id=account.id, timezone=account.timezone, language=account.ui_language
                ),
            )


def practise_topic(ctx: AppContext, account: Account, topic: WeakTopic) -> None:
    start_practice(
        ctx,
        account,
        lambda: planning.topic_setup(
            ctx, user_id=account.id, reference=topic.reference, language=topic.language or account.ui_language
        ),
    )


def weak_topics(ctx: AppContext, account: Account, topics: list[WeakTopic], limit: int = 5) -> None:
    """The weakest topics, each with a button that practises it."""
    for topic in topics[:limit]:
        # A row whose button takes the width of its label (in a fixed share of a narrow page it read "연습…").
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            left = st.container(width="stretch")
            left.markdown(f"**{topic.heading}**")
            left.caption(
                t(
                    "progress.topic_row",
                    track=t(f"track.{topic.track}"),
                    score=topic.score,
                    n=topic.practised,
                    last=topic.last_score,
                    date=f"{topic.last_at:%Y-%m-%d}",
                )
            )
            if st.button(
                t("progress.practise"),
                key=f"{keys.TOPIC_PREFIX}{topic.reference}",
                icon=":material/fitness_center:",
                width="content",
            ):
                practise_topic(ctx, account, topic)


def score_chart(points: list[ScorePoint]) -> None:
    """Overall score per interview, oldest to newest, coloured by track, with the moving-average trend. The x axis
    counts interviews, not days: a day's practice spreads out instead of stacking on one date, and the time of each
    is in its tooltip."""
    frame = pd.DataFrame(
        {
            "n": range(1, len(points) + 1),
            "when": [p.when.replace(tzinfo=None) for p in points],
            "score": [p.score for p in points],
            "track": [t(f"track.{p.track}") for p in points],
        }
    )
    frame["trend"] = frame["score"].rolling(TREND_WINDOW, min_periods=1).mean().round(1)
    x = alt.X(
        "n:Q",
        title=t("progress.interviews"),
        axis=alt.Axis(format="d", tickMinStep=1, labelAngle=0),
        scale=alt.Scale(domain=[0.5, len(points) + 0.5], nice=False),
    )
    dots = (
        alt.Chart(frame)
        .mark_circle(size=60, opacity=0.8)
        .encode(
            x=x,
            # The axis title level above the axis: Korean turned on its side is hard to read.
            y=alt.Y(
                "score:Q",
                title=t("progress.score"),
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(titleAngle=0, titleAlign="left", titleAnchor="end", titleY=-12, titleX=-30),
            ),
            # A palette of distinct hues: the theme's put two blues and two reds side by side.
            color=alt.Color("track:N", title=t("progress.track"), scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("when:T", title=t("progress.when"), format="%Y-%m-%d %H:%M"),
                alt.Tooltip("track:N", title=t("progress.track")),
                alt.Tooltip("score:Q", title=t("progress.score")),
            ],
        )
    )
    trend = (
        alt.Chart(frame)
        .mark_line(color="#555", strokeWidth=2)
        .encode(x=x, y="trend:Q", tooltip=[alt.Tooltip("trend:Q", title=t("progress.trend"))])
    )
    st.altair_chart(dots + trend, width="stretch")


def dimension_table(trends: list[DimensionTrend]) -> None:
    """Rubric averages of the last 30 days against the 30 before."""
    lang = language()

    def shown(value: float | None, sign: str = "") -> str:
        return "–" if value is None else f"{value:{sign}.1f}"  # "–", not "None", where a period has no answer

    frame = pd.DataFrame(
        {
            t("progress.dimension"): [DIMENSIONS[d.key]["name"][lang] for d in trends],
            t("progress.last_30"): [shown(d.recent) for d in trends],
            t("progress.prev_30"): [shown(d.before) for d in trends],
            t("progress.change"): [
                shown(None if d.recent is None or d.before is None else d.recent - d.before, "+") for d in trends
            ],
        }
    )
    number = st.column_config.TextColumn(alignment="right")
    columns = (t("progress.last_30"), t("progress.prev_30"), t("progress.change"))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=dict.fromkeys(columns, number))

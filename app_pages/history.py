"""History: every past interview (filtered, searched, paginated), one opened as a transcript, and progress."""

from datetime import date
from zoneinfo import ZoneInfo

import streamlit as st

from backend import export, history, review
from backend.errors import AppError, NotFound
from backend.interview import engine, planning
from backend.interview.bank import DIFFICULTIES, TRACKS
from ui import history_widgets, keys, runtime
from ui import interview_widgets as widgets
from ui.i18n import language, t
from ui.strings import LANGUAGE_NAMES

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]
ANY = ""


def vote(answer_id: int, key: str) -> None:
    widgets.save_vote(ctx, user_id=account.id, answer_id=answer_id, key=key)


def practise(answer_id: int) -> None:
    history_widgets.start_practice(
        ctx, account, lambda: planning.again_setup(ctx, user_id=account.id, answer_id=answer_id)
    )


# The opened interview is in the address ("?interview=12"): a refresh keeps it, and "History" in the menu, which
# opens the page without it, shows the list again.
def open_interview(session_id: int) -> None:
    st.query_params["interview"] = str(session_id)


def close_interview() -> None:
    st.query_params.pop("interview", None)


def opened_interview() -> int | None:
    value = st.query_params.get("interview", "")
    return int(value) if value.isdigit() else None


def choices(labels: dict[str, str]):  # noqa: ANN201
    """A select box's format_func: "any" for the empty choice, else the value's label (translated now)."""
    return {ANY: t("history.any"), **labels}.__getitem__


def filters() -> history.HistoryFilter:
    """The search box and the filters; any change goes back to the first page."""
    reset = {"on_change": lambda: st.session_state.update({keys.HISTORY_PAGE: 1})}
    search = st.text_input(
        t("history.search"),
        key=keys.HISTORY_SEARCH,
        help=t("history.search_help"),
        max_chars=history.MAX_SEARCH,
        icon=":material/search:",
        **reset,
    )
    with st.expander(t("history.filters"), icon=":material/filter_list:"):
        row = st.columns(4)
        tracks = [ANY, *TRACKS, planning.MIXED, planning.NOTES]
        difficulties = [ANY, *DIFFICULTIES, "mixed"]
        track = row[0].selectbox(
            t("chat.track"),
            tracks,
            key=keys.HISTORY_TRACK,
            placeholder=t("common.choose"),
            format_func=choices({v: t(f"track.{v}") for v in tracks[1:]}),
            **reset,
        )
        difficulty = row[1].selectbox(
            t("chat.difficulty"),
            difficulties,
            key=keys.HISTORY_DIFFICULTY,
            placeholder=t("common.choose"),
            format_func=choices({v: t(f"difficulty.{v}") for v in difficulties[1:]}),
            **reset,
        )
        lang = row[2].selectbox(
            t("chat.language"),
            [ANY, "ko", "en"],
            key=keys.HISTORY_LANGUAGE,
            placeholder=t("common.choose"),
            format_func=choices(LANGUAGE_NAMES),
            **reset,
        )
        status = row[3].selectbox(
            t("history.status"),
            [ANY, *history.STATUSES],
            key=keys.HISTORY_STATUS,
            placeholder=t("common.choose"),
            format_func=choices({v: t(f"home.status_{v}").capitalize() for v in history.STATUSES}),
            **reset,
        )
        left, right = st.columns(2)
        dates = left.date_input(
            t("history.dates"), value=(), key=keys.HISTORY_DATES, max_value=date.today(), format="YYYY-MM-DD", **reset
        )
        low, high = right.slider(t("history.scores"), 0, 100, (0, 100), key=keys.HISTORY_SCORES, **reset)
    picked = list(dates) if isinstance(dates, tuple | list) else [dates]
    return history.HistoryFilter(
        track=track or None,
        difficulty=difficulty or None,
        language=lang or None,
        status=status or None,
        date_from=picked[0] if picked else None,
        date_to=picked[-1] if picked else None,
        score_min=low if low > 0 else None,
        score_max=high if high < 100 else None,
        search=search or "",
    )


def session_row(row: history.SessionRow) -> None:
    with st.container(border=True):
        main, score, action = st.columns([5, 2, 1], vertical_alignment="center")
        shown = widgets.title(row.title, row.track, row.difficulty, row.language)
        main.markdown(f"**{widgets.plain(shown)}**")
        details = [f"{row.created_at:%Y-%m-%d %H:%M}", t(f"home.status_{row.status}")]
        if not shown.startswith(t(f"track.{row.track}")):  # renamed: the track is not in the title
            details.insert(1, t(f"track.{row.track}"))
        main.caption(" · ".join(details))
        if row.overall_score is not None:
            total = f"{row.overall_score:.0f}/100"
        else:
            total = t("history.no_score") if row.score_so_far is None else t("history.so_far", score=row.score_so_far)
        score.markdown(f"**{total}**")
        score.caption(t("history.answered", n=row.answered))
        action.button(
            t("history.open"),
            key=f"{keys.HISTORY_OPEN_PREFIX}{row.id}",
            on_click=open_interview,
            args=(row.id,),
            width="stretch",
        )


def interview_list() -> None:
    page = history.history_page(
        ctx,
        user_id=account.id,
        timezone=account.timezone,
        filters=filters(),
        page=st.session_state.get(keys.HISTORY_PAGE, 1),
    )
    st.session_state[keys.HISTORY_PAGE] = page.page
    if not page.total:
        st.info(t("history.none") if st.session_state.get(keys.HISTORY_SEARCH) else t("history.empty"))
        return
    st.caption(t("history.count", count=page.total, page=page.page, pages=page.pages))
    for row in page.rows:
        session_row(row)
    if page.pages > 1:
        prev, _, nxt = st.columns([1, 3, 1])
        if prev.button(
            t("history.prev"),
            key=keys.HISTORY_PREV,
            disabled=page.page <= 1,
            icon=":material/chevron_left:",
            width="stretch",
        ):
            st.session_state[keys.HISTORY_PAGE] = page.page - 1
            st.rerun()
        if nxt.button(
            t("history.next"),
            key=keys.HISTORY_NEXT,
            disabled=page.page >= page.pages,
            icon=":material/chevron_right:",
            width="stretch",
        ):
            st.session_state[keys.HISTORY_PAGE] = page.page + 1
            st.rerun()


def attempts_side_by_side(view: engine.InterviewView) -> None:
    """Questions answered more than once in this interview, their attempts in columns with the difference."""
    by_question: dict[str, list] = {}
    for answer in view.answers.values():
        if answer.grade is not None:
            by_question.setdefault(answer.question_id, []).append(answer)
    repeated = [attempts for attempts in by_question.values() if len(attempts) > 1]
    if not repeated:
        return
    st.subheader(t("history.attempts"))
    for attempts in repeated:
        st.markdown(f"**{widgets.plain(attempts[0].question_text)}**")
        columns = st.columns(min(len(attempts), 4))
        for column, earlier, answer in zip(columns, [None, *attempts], attempts, strict=False):
            change = 0 if earlier is None else round(answer.grade.total - earlier.grade.total)
            # Signed ("+87"): a bare "87" under a score read as another score.
            column.metric(
                t("history.attempt", n=answer.attempt_no),
                f"{answer.grade.total}/100",
                delta=f"{change:+d}" if change else None,
            )
            text = answer.answer_text
            with column:  # as written, its lines and code kept (a caption ran it into one line)
                widgets.answer_text(text if len(text) <= 300 else text[:300].rsplit(" ", 1)[0] + " …")


def manage(view: engine.InterviewView, row_status: str) -> None:
    """Resume, rename, delete and the two downloads of the opened interview."""
    # One row of buttons as wide as their labels, wrapping on a narrow page (fixed columns cut "이름 바꾸기" short).
    row = st.container(horizontal=True)
    if row_status == "active" and row.button(
        t("history.resume"),
        key=keys.HISTORY_RESUME,
        type="primary",
        icon=":material/play_arrow:",
    ):
        st.session_state[keys.CHAT_SESSION] = view.session_id
        st.switch_page("app_pages/chat.py")
    shown = widgets.title(view.title, view.setup.track, view.setup.difficulty, view.setup.language)
    with row.popover(t("history.rename"), icon=":material/edit:"):
        # No max_chars: a browser drops a paste over it without a word. A longer title is cut when saved, as said.
        title = st.text_input(
            t("history.new_title"),
            value=shown,
            help=t("history.title_help", max=history.MAX_TITLE),
            key=keys.HISTORY_TITLE,
        )
        if st.button(t("history.save"), key=keys.HISTORY_RENAME):
            try:
                history.rename_session(ctx, user_id=account.id, session_id=view.session_id, title=title)
            except AppError as exc:
                runtime.show_error(exc)
            else:
                runtime.flash(t("history.renamed"))
                st.rerun()
    with row.popover(t("history.delete"), icon=":material/delete:"):
        st.warning(t("history.delete_confirm"))
        sure = st.checkbox(t("history.delete_sure"), key=keys.HISTORY_DELETE_CONFIRM)
        if st.button(t("history.delete_button"), key=keys.HISTORY_DELETE, type="primary", disabled=not sure):
            history.delete_session(ctx, user_id=account.id, session_id=view.session_id)
            close_interview()
            runtime.flash(t("history.deleted"))
            st.rerun()

    # Labels are translated now: the PDF itself is built only on click, outside this script run.
    blocks = export.interview_blocks(view, title=shown, timezone=account.timezone, language=language(), label=t)
    name = export.file_stem(view, timezone=account.timezone)
    row.download_button(
        t("history.download_md"),
        data=export.to_markdown(blocks),
        file_name=f"{name}.md",
        mime="text/markdown",
        key=keys.EXPORT_MARKDOWN,
        icon=":material/description:",
        on_click="ignore",
    )
    row.download_button(
        t("history.download_pdf"),
        data=lambda: export.to_pdf(blocks),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        key=keys.EXPORT_PDF,
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )


def transcript(session_id: int) -> bool:
    """The opened interview; False (and the list instead) when there is none such to show."""
    try:
        view = engine.load_interview(ctx, user_id=account.id, session_id=session_id)
    except NotFound:  # deleted meanwhile, or not this user's: said in a toast, which outlasts the rerun that may
        close_interview()  # follow at once (writing the login cookie of a link opened in a new tab)
        st.toast(t("history.gone"), icon="⚠️")
        return False
    st.button(t("history.back"), key=keys.HISTORY_BACK, on_click=close_interview, icon=":material/arrow_back:")
    st.header(widgets.plain(widgets.title(view.title, view.setup.track, view.setup.difficulty, view.setup.language)))
    status = "ended" if view.state == engine.State.ENDED else "active"
    st.caption(
        " · ".join(
            [
                f"{view.created_at.astimezone(ZoneInfo(account.timezone)):%Y-%m-%d %H:%M}" if view.created_at else "",
                t(f"home.status_{status}"),
                t("export.overall", score=f"{view.overall_score:.0f}") if view.overall_score is not None else "",
            ]
        ).strip(" ·")
    )
    manage(view, status)
    attempts_side_by_side(view)
    for msg in view.messages:
        widgets.message(view, msg, vote, on_practise=practise)
    if status == "ended":
        widgets.summary(engine.summarize(ctx, user_id=account.id, session_id=session_id))
    return True


def progress_tab() -> None:
    data = history.progress(ctx, user_id=account.id, timezone=account.timezone, language=language())
    st.subheader(t("progress.chart"))
    if not data.points:
        st.info(t("progress.no_data"))
        return
    st.caption(t("progress.chart_help", n=len(data.points)))
    history_widgets.score_chart(data.points)
    if data.dimensions:
        st.subheader(t("progress.dimensions"))
        history_widgets.dimension_table(data.dimensions)
    if data.weak_topics:
        st.subheader(t("progress.weak_topics"))
        st.caption(t("progress.weak_help"))
        history_widgets.weak_topics(ctx, account, data.weak_topics)


runtime.show_flash()
st.title(t("history.title"))
opened = opened_interview()
if not (opened and transcript(opened)):
    history_widgets.review_queue(ctx, account, review.due_today(ctx, user_id=account.id, timezone=account.timezone))
    interviews, progress = st.tabs([t("history.tab_interviews"), t("history.tab_progress")])
    with interviews:
        interview_list()
    with progress:
        progress_tab()

"""Home: this week's practice, the streak, what is due, what to practise next, and a way in."""

import streamlit as st

from backend.history import dashboard, recent_sessions
from ui import history_widgets, keys, runtime
from ui.i18n import language, t
from ui.interview_widgets import continue_label, plain, title

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]

runtime.show_flash()
st.title(t("home.greeting", username=account.username))
st.write(t("home.intro"))
st.page_link("app_pages/chat.py", label=t("home.start"), icon=":material/play_circle:")

board = dashboard(ctx, user_id=account.id, timezone=account.timezone, language=language())
week, average, streak = st.columns(3)
week.metric(t("home.this_week"), board.answered_this_week, help=t("home.this_week_help"))
change = (
    None
    if board.average_7 is None or board.average_prev_7 is None
    else f"{board.average_7 - board.average_prev_7:+.1f}"
)
average.metric(
    t("home.average_7"),
    "–" if board.average_7 is None else f"{board.average_7:.0f}",
    delta=change,
    help=t("home.average_help"),
)
days = t("home.streak_day" if board.streak_days == 1 else "home.streak_days", n=board.streak_days)
streak.metric(t("home.streak"), days, help=t("home.streak_help"))

if board.unfinished is not None:
    if st.button(
        continue_label(board.unfinished),
        key=keys.HOME_CONTINUE,
        type="primary",
        icon=":material/play_arrow:",
    ):
        st.session_state[keys.CHAT_SESSION] = board.unfinished.id
        st.switch_page("app_pages/chat.py")

history_widgets.review_queue(ctx, account, board.due_today)

if board.suggestion is not None:
    st.markdown(f"**{t('home.suggestion')}**")  # the card below names the topic and its score
    history_widgets.weak_topics(ctx, account, [board.suggestion])

st.subheader(t("home.recent"))
sessions = recent_sessions(ctx, user_id=account.id, timezone=account.timezone)
if not sessions:
    st.caption(t("home.no_sessions"))


for item in sessions:
    score = f" · {item.overall_score:.0f}/100" if item.overall_score is not None else ""
    status = t(f"home.status_{item.status}")
    line, action = st.columns([5, 1], vertical_alignment="center")
    # Named as in the history: its own title (the notes' name, a new name), else its track and difficulty.
    shown = plain(title(item.title, item.track, item.difficulty, item.language))
    line.markdown(f"{item.created_at:%Y-%m-%d %H:%M} · {shown} · {status}{score}")
    if action.button(t("home.open"), key=f"{keys.HISTORY_OPEN_PREFIX}home_{item.id}", width="stretch"):
        st.switch_page("app_pages/history.py", query_params={"interview": str(item.id)})
st.page_link("app_pages/history.py", label=t("home.history"), icon=":material/history:")

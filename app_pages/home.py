"""Home: greeting, what the app does, and a way in."""

import streamlit as st

from backend.history import recent_sessions
from ui import keys, runtime
from ui.i18n import t

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]

runtime.show_flash()
st.title(t("home.greeting", username=account.username))
st.write(t("home.intro"))
st.page_link("app_pages/chat.py", label=t("home.start"), icon=":material/play_circle:")

st.subheader(t("home.recent"))
sessions = recent_sessions(ctx, user_id=account.id, timezone=account.timezone)
if not sessions:
    st.caption(t("home.no_sessions"))
for item in sessions:
    score = f" · {item.overall_score:.0f}/100" if item.overall_score is not None else ""
    status = t(f"home.status_{item.status}")
    st.markdown(
        f"- {item.created_at:%Y-%m-%d %H:%M} · {t(f'track.{item.track}')} · {status}{score}"
    )

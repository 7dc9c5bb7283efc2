"""Interview coach: entry point, login gate and page registry."""

from __future__ import annotations

import streamlit as st

from backend import logs
from backend.config import ConfigError
from backend.errors import AppError
from ui import runtime, sidebar
from ui.i18n import t

st.set_page_config(page_title="Interview coach · 면접 코치", page_icon="🎤", layout="centered")
log = logs.get_logger("main")

try:
    ctx = runtime.context()
    account = runtime.current_account(ctx)
except ConfigError as exc:
    st.error(t("error.config", detail=str(exc)), icon="⚠️")
    st.stop()
except AppError as exc:
    runtime.show_error(exc)
    st.button(t("error.retry"))
    st.stop()

if account is None:
    pages = [st.Page("app_pages/login.py", title=t("nav.login"), icon=":material/login:", default=True)]
else:
    sidebar.render(ctx, account)
    pages = [
        st.Page("app_pages/home.py", title=t("nav.home"), icon=":material/home:", default=True),
        st.Page("app_pages/chat.py", title=t("nav.chat"), icon=":material/forum:"),
        st.Page("app_pages/history.py", title=t("nav.history"), icon=":material/history:"),
        st.Page("app_pages/documents.py", title=t("nav.documents"), icon=":material/folder_open:"),
        st.Page("app_pages/account.py", title=t("nav.account"), icon=":material/manage_accounts:"),
    ]

page = st.navigation(pages)
try:
    page.run()
except AppError as exc:
    log.warning("app error", extra={"code": exc.code, "detail": exc.detail})
    runtime.show_error(exc)
    st.button(t("error.retry"))
except Exception:  # never a traceback in front of a candidate
    log.exception("unexpected error")
    st.error(t("error.unexpected"), icon="⚠️")

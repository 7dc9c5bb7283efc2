"""Interview coach: entry point, login gate and page registry."""

from __future__ import annotations

import streamlit as st

from backend import logs
from backend.config import ConfigError
from backend.errors import AppError
from ui import login_form, runtime, sidebar
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

# Every page exists whether or not someone is logged in, so a bookmarked or shared page URL is found: a visitor
# logs in first and then lands on the page they asked for.
login = st.Page("app_pages/login.py", title=t("nav.login"), icon=":material/login:", default=account is None)
pages = [
    st.Page(path, title=t(title), icon=icon, default=account is not None and path == "app_pages/home.py")
    for path, title, icon in (
        ("app_pages/home.py", "nav.home", ":material/home:"),
        ("app_pages/chat.py", "nav.chat", ":material/forum:"),
        ("app_pages/history.py", "nav.history", ":material/history:"),
        ("app_pages/documents.py", "nav.documents", ":material/folder_open:"),
        ("app_pages/account.py", "nav.account", ":material/manage_accounts:"),
    )
]
page = st.navigation([login, *pages], position="hidden") if account is None else st.navigation(pages)
runtime.mount_cookies()  # after st.navigation, so that its rerun runs this page (see mount_cookies)
runtime.warm_up()
if account is None:
    if page.url_path != login.url_path:  # log in right here; the page itself shows once logged in
        login_form.render(ctx)
        st.stop()
else:
    sidebar.render(ctx, account)
try:
    page.run()
except AppError as exc:
    log.warning("app error", extra={"code": exc.code, "detail": exc.detail})
    runtime.show_error(exc)
    st.button(t("error.retry"))
except Exception:  # never a traceback in front of a candidate
    log.exception("unexpected error")
    st.error(t("error.unexpected"), icon="⚠️")

"""Helpers to drive the app with streamlit.testing.v1.AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from backend.context import AppContext
from ui import keys


def new_app(ctx: AppContext, **state: object) -> AppTest:
    """The whole app (main.py) with `ctx` injected before the first run."""
    at = AppTest.from_file("../main.py", default_timeout=60)
    at.session_state["_test_context"] = ctx
    for key, value in state.items():
        at.session_state[key] = value
    return at


def texts(at: AppTest) -> str:
    """All visible text of the last run, for loose assertions."""
    parts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption)]
    parts += [e.value for e in (*at.error, *at.success, *at.warning, *at.info, *at.toast)]
    return "\n".join(str(p) for p in parts)


def sign_up(at: AppTest, username: str, password: str) -> AppTest:
    """Fill and submit the sign-up form."""
    at.text_input(key=keys.SIGNUP_USERNAME).input(username)
    at.text_input(key=keys.SIGNUP_PASSWORD).input(password)
    at.text_input(key=keys.SIGNUP_CONFIRM).input(password)
    return at.button(key=keys.SIGNUP_SUBMIT).click().run()


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill and submit the login form."""
    at.text_input(key=keys.LOGIN_USERNAME).input(username)
    at.text_input(key=keys.LOGIN_PASSWORD).input(password)
    return at.button(key=keys.LOGIN_SUBMIT).click().run()

"""Glue between Streamlit and the backend: cached context, login state, cookie, errors."""

from __future__ import annotations

import gc
import threading
from datetime import timedelta

import streamlit as st
from streamlit_extras.cookie_manager import cookie_manager

from backend import accounts, logs
from backend.accounts import Account
from backend.config import get_settings
from backend.context import AppContext, build_context
from backend.errors import AppError
from backend.interview.bank import load_bank
from backend.interview.engine import Llms
from backend.interview.offline import grade_bank_answer
from backend.llm.provider import LlmChoice, make_chat_model
from backend.rag.embeddings import offline_embeddings
from backend.rag.knowledge import KnowledgeBase, make_knowledge_base
from ui import keys
from ui.i18n import language, t

log = logs.get_logger("ui")


@st.cache_resource(show_spinner=False)
def _cached_context() -> AppContext:
    settings = get_settings()
    secrets = tuple(
        s.get_secret_value()
        for s in (settings.app_secret, settings.openai_api_key, settings.pinecone_api_key)
        if s is not None
    )
    logs.configure(settings.log_level, secrets)
    return build_context(settings)


def context() -> AppContext:
    """The process-wide backend context (a test may inject one through session state)."""
    injected = st.session_state.get("_test_context")
    return injected if injected is not None else _cached_context()


@st.cache_resource(show_spinner=False)
def _cached_knowledge() -> KnowledgeBase:
    ctx = _cached_context()
    kb = make_knowledge_base(ctx.settings, ctx.sessions)
    kb.ensure_bundled()
    return kb


@st.cache_resource(show_spinner=False)
def _warming() -> threading.Thread:
    def work() -> None:
        try:
            _cached_knowledge().search("warm-up", k=1)  # builds the search indexes
            question = next(iter(load_bank().values()))
            grade_bank_answer(question, question.model_answer["en"], "en", offline_embeddings())  # loads vectors
            # What is alive now lives as long as the process (indexes, vectors, modules): kept out of garbage
            # collection, a full collection no longer walks it (about 100 ms per collection with the bundled
            # indexes loaded, several per turn on a busy server; 0.002 ms after).
            gc.collect()
            gc.freeze()
        except Exception:  # noqa: BLE001 - only a head start: the first real use loads them anyway
            log.warning("warm-up failed", exc_info=True)

    thread = threading.Thread(target=work, name="warm-up", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Once per process, from the first visit (the login page too), load in the background what grading the
    first answer needs: without it that answer waited 9-13 s for the search indexes and the grader's vectors
    on a busy 2-core machine (benchmarks/browser.py)."""
    if st.session_state.get("_test_context") is None:
        _warming()


def knowledge(ctx: AppContext) -> KnowledgeBase:
    """The process-wide knowledge base, bundled content indexed on first use (with a spinner)."""
    if st.session_state.get("_test_context") is not None:
        if "_test_kb" not in st.session_state:
            kb = make_knowledge_base(ctx.settings, ctx.sessions)
            kb.ensure_bundled()
            st.session_state["_test_kb"] = kb
        return st.session_state["_test_kb"]
    with st.spinner(t("kb.indexing"), show_time=True):
        return _cached_knowledge()


def llm_choice(ctx: AppContext) -> LlmChoice | None:
    """The model and temperature picked in the sidebar (None offline)."""
    settings = ctx.settings
    if not settings.llm_enabled:
        return None
    model = st.session_state.get(keys.MODEL) or settings.openai_model
    if model not in settings.model_choices:
        model = settings.openai_model
    return LlmChoice(model, float(st.session_state.get(keys.TEMPERATURE, settings.openai_temperature)))


def llms(ctx: AppContext) -> Llms:
    """The grader (temperature 0) and interviewer models for this run; empty offline."""
    choice = llm_choice(ctx)
    if choice is None:
        return Llms()
    return Llms(
        grader=make_chat_model(ctx.settings, model=choice.model, temperature=0.0),
        interviewer=make_chat_model(ctx.settings, model=choice.model, temperature=choice.temperature, streaming=True),
    )


def show_error(error: AppError) -> None:
    """Show a translated, user-safe message for `error`."""
    st.error(t(error.code, **error.params), icon="⚠️")


def _cookies():
    """This run's cookie manager (the component may be mounted only once per run)."""
    return st.session_state[keys.COOKIE_JAR]


def current_account(ctx: AppContext) -> Account | None:
    """The logged-in account: from session state, or (first run) from the request's cookie.

    Reads only: the cookie component is mounted by `mount_cookies`, after st.navigation.
    """
    if not st.session_state.get(keys.COOKIE_CHECKED):
        st.session_state[keys.COOKIE_CHECKED] = True
        token = st.context.cookies.get(keys.COOKIE_NAME) if st.context.cookies else None
        if token:
            st.session_state[keys.TOKEN] = token
    token = st.session_state.get(keys.TOKEN)
    account = accounts.account_for_token(ctx, token) if token else None
    if account is None:
        if token:  # expired, revoked or tampered: forget it
            st.session_state.pop(keys.TOKEN, None)
            st.session_state[keys.COOKIE_FORGET] = True
        st.session_state.pop(keys.ACCOUNT, None)
        return None
    st.session_state[keys.ACCOUNT] = account
    return account


def mount_cookies() -> None:
    """Mount this run's cookie component; call it after st.navigation.

    The component asks for a rerun as soon as the browser mounts it. Mounted before st.navigation, that rerun
    could leave before the browser knew which page it was on, and ran the default page: a refresh of the
    interview page then landed on Home whenever the first run was slow (issue 12 item 1).
    """
    manager = st.session_state[keys.COOKIE_JAR] = cookie_manager(key=keys.COOKIE_MANAGER)
    if st.session_state.pop(keys.COOKIE_FORGET, False):
        manager.delete(keys.COOKIE_NAME, samesite="strict")


def remember(ctx: AppContext, account: Account) -> None:
    """Start a logged-in session that survives a browser refresh, then rerun."""
    token = accounts.issue_token(ctx, user_id=account.id)
    st.session_state[keys.TOKEN] = token
    st.session_state[keys.ACCOUNT] = account
    st.session_state.pop(keys.FAREWELL, None)
    st.session_state.pop(keys.LANGUAGE_PICKED, None)  # applied to the account (see login_form)
    _cookies().set(
        keys.COOKIE_NAME,
        token,
        max_age=timedelta(days=ctx.settings.session_days),
        samesite="strict",
    )
    st.rerun()


def logout(ctx: AppContext, farewell: str = "") -> None:
    """Revoke the token server-side, drop the cookie and return to the login screen on the home page, in the
    language the user had, saying the UI string `farewell` (a key) if given until the next login."""
    shown = language()
    accounts.revoke_token(ctx, st.session_state.get(keys.TOKEN))
    for key in list(st.session_state.keys()):
        if key not in (keys.COOKIE_CHECKED, keys.COOKIE_JAR, "_test_context") and not str(key).startswith(
            keys.COOKIE_MANAGER
        ):
            del st.session_state[key]
    st.session_state[keys.LANGUAGE] = shown
    if farewell:
        # Kept rather than flashed: the cookie component reruns the script as soon as the browser has dropped the
        # cookie, which wiped a one-run message before it could be read.
        st.session_state[keys.FAREWELL] = farewell
    _cookies().delete(keys.COOKIE_NAME, samesite="strict")
    # Not a rerun in place: the next login or sign-up lands on the page it happens on, and that should be home,
    # not the Account page an account was just deleted from (a bookmarked page is another matter).
    st.switch_page("app_pages/home.py")


def flash(message: str, *, notice: bool = False) -> None:
    """Show `message` on the next run: as a success, or (`notice`) as information to take in."""
    st.session_state[keys.FLASH] = (message, notice)


def show_flash() -> None:
    """The message `flash` left: a notice on the page, a success as a toast (it outlasts a rerun that follows at once,
    as after signing in, when the login cookie is written: a success on the page was gone before it was read)."""
    message, notice = st.session_state.pop(keys.FLASH, ("", False))
    if notice:
        st.info(message, icon=":material/info:")
    elif message:
        st.toast(message, icon="✅")


def show_farewell() -> None:
    """On the login screen: the notice the last logout left (the account was deleted), in the current language."""
    if farewell := st.session_state.get(keys.FAREWELL):
        st.info(t(farewell), icon=":material/info:")

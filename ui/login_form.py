"""The login and sign-up forms, shown on the login page and in place of any page a visitor opens logged out."""

import streamlit as st

from backend import accounts
from backend.context import AppContext
from backend.errors import AppError
from backend.interview.rubric import DIMENSIONS, total_from
from ui import keys, runtime
from ui.i18n import language, page_language, t
from ui.strings import LANGUAGE_NAMES


def render(ctx: AppContext) -> None:
    """Title, what a candidate gets, language picker, and the login and sign-up tabs beside an example score
    card; a successful login or sign-up logs in and reruns."""
    runtime.show_flash()
    runtime.show_farewell()  # "Your account and all its data were deleted."
    st.title(t("app.title"))
    st.caption(t("auth.welcome"))
    st.markdown(t("auth.pitch"))

    current = language()
    picked = st.segmented_control(
        t("lang.label"),
        ["ko", "en"],
        default=current,
        format_func=LANGUAGE_NAMES.get,
        key=keys.LANGUAGE_PICKER,
        required=True,
    )
    if picked and picked != current:
        st.session_state[keys.LANGUAGE] = st.session_state[keys.LANGUAGE_PICKED] = picked
        st.rerun()

    forms, example = st.columns([3, 2])  # on a phone the example comes below the forms
    with example:
        sample_score_card()
    with forms:
        login_and_signup(ctx)
    page_language()  # last: its empty slot adds no gap between anything shown


def login_and_signup(ctx: AppContext) -> None:
    login_tab, signup_tab = st.tabs([t("auth.login_tab"), t("auth.signup_tab")])

    with login_tab, st.form("login_form"):
        username = st.text_input(t("auth.username"), key=keys.LOGIN_USERNAME, autocomplete="username")
        password = st.text_input(
            t("auth.password"), type="password", key=keys.LOGIN_PASSWORD, autocomplete="current-password"
        )
        if st.form_submit_button(t("auth.login_button"), key=keys.LOGIN_SUBMIT, type="primary"):
            try:
                account = accounts.login(ctx, username=username, password=password)
                picked = st.session_state.get(keys.LANGUAGE_PICKED)
                if picked and picked != account.ui_language:  # chosen just now, on this screen: it is kept
                    account = accounts.set_preferences(ctx, user_id=account.id, ui_language=picked)
                runtime.remember(ctx, account)
            except AppError as exc:
                runtime.show_error(exc)

    with signup_tab, st.form("signup_form"):
        new_username = st.text_input(t("auth.username"), key=keys.SIGNUP_USERNAME, autocomplete="username")
        st.caption(t("auth.username_help"))  # the rules beside the field, not behind a tooltip
        new_password = st.text_input(
            t("auth.password"), type="password", key=keys.SIGNUP_PASSWORD, autocomplete="new-password"
        )
        st.caption(t("auth.password_help"))
        confirm = st.text_input(
            t("auth.password_confirm"), type="password", key=keys.SIGNUP_CONFIRM, autocomplete="new-password"
        )
        if st.form_submit_button(t("auth.signup_button"), key=keys.SIGNUP_SUBMIT, type="primary"):
            problems = accounts.signup_problems(new_username, new_password, confirm)
            for problem in problems:
                runtime.show_error(problem)
            if not problems:
                try:
                    account = accounts.signup(
                        ctx,
                        username=new_username,
                        password=new_password,
                        ui_language=language(),
                        timezone=st.context.timezone,  # the browser's: dates are shown in the candidate's own
                    )
                    runtime.flash(t("auth.signed_up", username=account.username))
                    runtime.remember(ctx, account)
                except AppError as exc:
                    runtime.show_error(exc)


def sample_score_card() -> None:
    """A small example of the score card every answer gets, drawn with the same widgets."""
    lang = language()
    with st.container(border=True):
        st.caption(t("auth.sample"))
        scores = {"correctness": 5, "depth": 4, "clarity": 4, "structure": 4}
        st.metric(t("chat.total"), f"{total_from(scores)}/100")  # the total these scores give
        for key, score in scores.items():
            st.progress(score / 5, text=f"{DIMENSIONS[key]['name'][lang]} · {score}/5")
        st.caption(t("auth.sample_missed"))

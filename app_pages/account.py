"""Account: preferences, password change, account deletion."""

from zoneinfo import available_timezones

import streamlit as st

from backend import accounts, export
from backend.errors import AppError
from ui import keys, runtime
from ui.i18n import t
from ui.strings import LANGUAGE_NAMES

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]

runtime.show_flash()
st.title(t("account.title"))

st.subheader(t("account.preferences"))
with st.form("preferences"):
    lang = st.segmented_control(
        t("lang.label"),
        ["ko", "en"],
        default=account.ui_language,
        format_func=LANGUAGE_NAMES.get,
        key=keys.ACCOUNT_LANGUAGE,
    )
    zones = sorted(available_timezones())
    zone = st.selectbox(
        t("account.timezone"),
        zones,
        index=zones.index(account.timezone) if account.timezone in zones else 0,
        key=keys.ACCOUNT_TIMEZONE,
        placeholder=t("common.choose"),
    )
    if st.form_submit_button(t("account.save"), key=keys.ACCOUNT_SAVE):
        try:
            st.session_state[keys.ACCOUNT] = accounts.set_preferences(
                ctx, user_id=account.id, ui_language=lang or account.ui_language, timezone=zone
            )
            runtime.flash(t("account.saved"))
            st.rerun()
        except AppError as exc:
            runtime.show_error(exc)


def change_password() -> None:
    """The password form's submit, run before the page is drawn: so a success can empty the fields (a browser
    kept what was typed in them when their state was dropped in the run that drew them)."""
    state = st.session_state
    if state[keys.PW_NEW] != state[keys.PW_CONFIRM]:
        state[keys.PW_OUTCOME] = AppError("auth.password_mismatch")
        return
    try:
        accounts.change_password(
            ctx,
            user_id=account.id,
            current=state[keys.PW_CURRENT],
            new=state[keys.PW_NEW],
            keep_token=state.get(keys.TOKEN),
        )
    except AppError as exc:
        state[keys.PW_OUTCOME] = exc  # what was typed stays, to correct
    else:  # emptied: a second press would only fail on the old password
        state.update({keys.PW_CURRENT: "", keys.PW_NEW: "", keys.PW_CONFIRM: "", keys.PW_OUTCOME: None})


st.subheader(t("account.change_password"))
st.caption(t("account.change_password_help"))
with st.form("change_password"):
    st.text_input(t("account.current_password"), type="password", key=keys.PW_CURRENT)
    st.text_input(t("account.new_password"), type="password", key=keys.PW_NEW, help=t("auth.password_help"))
    st.text_input(t("auth.password_confirm"), type="password", key=keys.PW_CONFIRM)
    st.form_submit_button(t("account.change_password"), key=keys.PW_SUBMIT, on_click=change_password)
    if keys.PW_OUTCOME in st.session_state:
        outcome = st.session_state.pop(keys.PW_OUTCOME)
        if outcome is None:  # on the page, where the candidate looks: a toast was easy to miss
            st.success(t("account.password_changed"), icon=":material/check_circle:")
        else:
            runtime.show_error(outcome)

st.subheader(t("export.title"))
st.caption(t("export.help"))
st.download_button(
    t("export.json"),
    data=lambda: export.user_data_json(ctx, user_id=account.id),
    file_name=f"interview-coach-{account.username}.json",
    mime="application/json",
    key=keys.EXPORT_JSON,
    icon=":material/download:",
    on_click="ignore",
)

st.subheader(t("account.delete"))
with st.expander(t("account.delete"), icon=":material/warning:"):
    st.warning(t("account.delete_warning"))
    with st.form("delete_account"):
        password = st.text_input(t("auth.password"), type="password", key=keys.DELETE_PASSWORD)
        sure = st.checkbox(t("account.delete_confirm"), key=keys.DELETE_CONFIRM)
        if st.form_submit_button(t("account.delete_button"), key=keys.DELETE_SUBMIT, type="primary", disabled=False):
            if sure:
                try:
                    accounts.delete_account(ctx, user_id=account.id, password=password)
                    runtime.logout(ctx, farewell="account.deleted")
                except AppError as exc:
                    runtime.show_error(exc)
            else:
                st.error(t("account.delete_unconfirmed"), icon="⚠️")

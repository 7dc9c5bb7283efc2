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

st.subheader(t("account.change_password"))
with st.form("change_password", clear_on_submit=False):
    current = st.text_input(t("account.current_password"), type="password", key=keys.PW_CURRENT)
    new = st.text_input(t("account.new_password"), type="password", key=keys.PW_NEW, help=t("auth.password_help"))
    confirm = st.text_input(t("auth.password_confirm"), type="password", key=keys.PW_CONFIRM)
    if st.form_submit_button(t("account.change_password"), key=keys.PW_SUBMIT):
        if new != confirm:
            st.error(t("auth.password_mismatch"), icon="⚠️")
        else:
            try:
                accounts.change_password(
                    ctx,
                    user_id=account.id,
                    current=current,
                    new=new,
                    keep_token=st.session_state.get(keys.TOKEN),
                )
            except AppError as exc:
                runtime.show_error(exc)  # what was typed stays, to correct
            else:  # the fields are emptied: a second press would only fail on the old password
                for key in (keys.PW_CURRENT, keys.PW_NEW, keys.PW_CONFIRM):
                    st.session_state.pop(key, None)
                runtime.flash(t("account.password_changed"))
                st.rerun()

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

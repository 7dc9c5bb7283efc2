"""The sidebar: who is logged in, what is running, logout."""

from __future__ import annotations

import streamlit as st

from backend.accounts import Account
from backend.context import AppContext
from ui import keys, runtime
from ui.i18n import page_language, t


def render(ctx: AppContext, account: Account) -> None:
    """Draw the sidebar for a logged-in user."""
    settings = ctx.settings
    with st.sidebar:
        st.markdown(t("sidebar.signed_in_as", username=account.username))
        if settings.llm_enabled:
            choices = settings.model_choices
            st.selectbox(t("sidebar.model"), choices, key=keys.MODEL, placeholder=t("common.choose"))
            st.slider(t("sidebar.temperature"), 0.0, 1.5, settings.openai_temperature, 0.1, key=keys.TEMPERATURE)
            st.caption(t("sidebar.llm", model=st.session_state.get(keys.MODEL, settings.openai_model)))
        else:
            st.caption(t("sidebar.offline"))
        with st.expander(t("sidebar.about"), icon=":material/info:"):  # for the curious, not in the way
            st.caption(t(f"sidebar.db_{settings.database_kind}"))
        if st.button(t("sidebar.logout"), key=keys.LOGOUT, icon=":material/logout:"):
            runtime.logout(ctx)
        page_language()  # last: its empty slot adds no gap between anything shown

"""The current UI language and the `t()` shortcut used by pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from ui import keys
from ui.strings import translate


def language() -> str:
    """The logged-in user's language, else the visitor's choice, else the browser locale (ko default)."""
    account = st.session_state.get(keys.ACCOUNT)
    if account is not None:
        return account.ui_language
    chosen = st.session_state.get(keys.LANGUAGE)
    if chosen:
        return chosen
    locale = (st.context.locale or "") if hasattr(st.context, "locale") else ""
    return "en" if str(locale).lower().startswith("en") else "ko"


def t(key: str, **params: object) -> str:
    """Translate `key` into the current UI language."""
    return translate(key, language(), **params)


def labeller(prefix: str, values: Iterable[str]) -> Callable[[str], str]:
    """A widget `format_func` showing `values` as the strings `prefix.<value>`, translated now.

    The labels are fixed when the widget is drawn, so the function needs no session state later.
    """
    return {value: t(f"{prefix}.{value}") for value in values}.__getitem__

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


# Streamlit writes these in English whatever the page's language: its uploader's button and size limit.
_UPLOADER = "[data-testid='stFileUploaderDropzone']"
_UPLOADER_TEXTS = {
    f"{_UPLOADER} button [data-testid='stMarkdownContainer'] p": "docs.upload_button",
    f"{_UPLOADER} [data-testid='stFileUploaderDropzoneInstructions'] span": "docs.upload_limit",
}


def uploader_in_language(max_mb: int) -> None:
    """Show the file uploader's own button and limit in the interface language: the English text is shrunk to
    nothing and the translation drawn in its place, at the uploader's text size (0.875rem). Where Streamlit's markup
    differs, the English stays."""
    if language() == "en":
        return
    rules = []
    for selector, key in _UPLOADER_TEXTS.items():
        text = t(key, mb=max_mb).replace("\\", "").replace('"', "")
        rules.append(f'{selector} {{font-size: 0;}} {selector}::after {{content: "{text}"; font-size: 0.875rem;}}')
    st.html(f"<style>{' '.join(rules)}</style>")

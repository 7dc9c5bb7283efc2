"""The current UI language and the `t()` shortcut used by pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st
import streamlit.components.v2

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


# Streamlit writes its uploader's button and size limit in English whatever the page's language: the English is
# shrunk to nothing and the translation drawn in its place (at the uploader's text size, 0.875rem). Fixed CSS; the
# texts come as data, set as CSS variables, never as markup. Where Streamlit's markup differs, the English stays.
_UPLOADER_CSS = """
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p,
[data-testid='stFileUploaderDropzoneInstructions'] span { font-size: 0; }
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p::after {
  content: var(--interview-coach-upload-button); font-size: 0.875rem;
}
[data-testid='stFileUploaderDropzoneInstructions'] span::after {
  content: var(--interview-coach-upload-limit); font-size: 0.875rem;
}
"""
_UPLOADER_TEXTS = st.components.v2.component(
    name="interview_coach.uploader_texts",
    css=_UPLOADER_CSS,
    isolate_styles=False,  # it styles the page's uploader, outside the component
    js="""
export default function ({ data }) {
  const root = document.documentElement.style;
  root.setProperty("--interview-coach-upload-button", JSON.stringify(data.button));
  root.setProperty("--interview-coach-upload-limit", JSON.stringify(data.limit));
}
""",
)


def uploader_in_language(max_mb: int) -> None:
    """Show the file uploader's own button and size limit in the interface language (Streamlit's are English). In
    English too: a page's style may outlive the component that brought it, and the texts must follow a switch."""
    _UPLOADER_TEXTS(
        key="uploader_texts",
        data={"button": t("docs.upload_button"), "limit": t("docs.upload_limit", mb=max_mb)},
        height=0,
    )


# The page's language, for the browser and screen readers (Streamlit's page says "en" whatever is shown), and Korean
# lines broken between words, not inside them ("프\n로세스" on a phone), in either interface language (a Korean
# interview or answer shows in the English one too). Set on every element, and as important: Streamlit's Markdown
# sets its own word-break on paragraphs, which a rule on the page alone did not reach. A word too long for its line
# still wraps.
_PAGE_LANGUAGE = st.components.v2.component(
    name="interview_coach.page_language",
    css="""
[data-testid='stAppViewContainer'] *, [data-testid='stSidebar'] * {
  word-break: keep-all !important; overflow-wrap: break-word;
}
""",
    isolate_styles=False,  # it styles the page, outside the component
    js="""
export default function ({ data }) {
  document.documentElement.lang = data.lang;
}
""",
)


def page_language() -> None:
    """Declare the interface language on the page (see _PAGE_LANGUAGE); drawn once per run, takes no space."""
    _PAGE_LANGUAGE(key="page_language", data={"lang": language()}, height=0)

"""Text shown literally where Markdown is rendered: on the pages and in the Markdown export."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def literal(text: str) -> str:
    """`text` rendered as written (`__eq__` stays `__eq__`, not bold "eq"; `<b>` is no HTML)."""
    return _MARKDOWN.sub(r"\\\1", text)

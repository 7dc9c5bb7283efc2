"""Readable names for cited passages: "Python Interview Reference › Descriptors", or an upload's file name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

_PATH_SEPARATOR = " > "  # how chunking joins a heading path
UPLOAD_PREFIX = "user-"  # namespaces of users' uploads


def passage_title(source: str, heading: str, *, uploaded: bool = False) -> str:
    """The document's name and the passage's own heading, never a repository path: an upload is named
    by its file name, any other document by its title (its first heading, else its file name)."""
    path = [part for part in heading.split(_PATH_SEPARATOR) if part]
    name = PurePosixPath(source).name or source
    if path and path[0] == name:  # text before any heading is titled by the file name
        path = path[1:]
    document = name if uploaded or not path else path[0]
    section = path[-1] if path and path[-1] != document else ""
    return f"{document} › {section}" if section else document


def source_title(item: Mapping[str, object]) -> str:
    """The title of a stored citation (answers.sources items; older ones have no "title")."""
    uploaded = str(item.get("namespace", "")).startswith(UPLOAD_PREFIX)
    if item.get("title"):
        return str(item["title"])
    return passage_title(str(item.get("source", "")), str(item.get("heading", "")), uploaded=uploaded)

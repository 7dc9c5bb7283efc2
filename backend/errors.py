"""Our exceptions: a translatable, user-safe message code plus a detail for the log."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error the UI can show: `code` is a key of the UI strings, `params` fill it in."""

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.params = params


class DatabaseUnavailable(AppError):
    def __init__(self, detail: str = "") -> None:
        super().__init__("error.db_unavailable", detail)


class DatabaseBusy(AppError):
    """Every pooled connection stayed in use for the whole pool timeout; a retry shortly will likely work."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("error.db_busy", detail)


class NotFound(AppError):
    """The row does not exist or belongs to another user (never say which)."""

    def __init__(self, what: str = "") -> None:
        super().__init__("error.not_found", what)

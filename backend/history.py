"""Queries behind the home and history views: a user's past sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from backend.context import AppContext
from backend.db import repo


@dataclass(frozen=True)
class SessionSummary:
    id: int
    title: str
    track: str
    status: str
    created_at: datetime  # in the user's time zone
    overall_score: float | None


def recent_sessions(ctx: AppContext, *, user_id: int, timezone: str, limit: int = 5) -> list[SessionSummary]:
    """The user's latest interviews, newest first, with times in `timezone`."""
    zone = ZoneInfo(timezone)
    with ctx.tx() as db:
        rows = repo.list_sessions(db, user_id=user_id, limit=limit)
    return [
        SessionSummary(
            r.id,
            r.title,
            r.track,
            r.status,
            (r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)).astimezone(zone),
            r.overall_score,
        )
        for r in rows
    ]

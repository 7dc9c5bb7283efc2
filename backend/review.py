"""Spaced repetition: every graded bank question is a review card scheduled by fsrs.

The grade maps to a rating (README, "Review queue"): below 40 Again, below 60 Hard, below 85 Good, else Easy.
A skipped question counts as Again. Only the first attempt of a question in an interview is a review: a
retry right after reading the model answer says little about what the candidate will remember.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.context import AppContext
from backend.db.models import ReviewCard, as_utc, utcnow

# Interview questions are practised at most daily, so no learning steps of minutes: every interval is in
# days. No fuzzing: the same grades give the same dates, which the candidate (and the tests) can follow.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
RATING_FLOORS = ((85, Rating.Easy), (60, Rating.Good), (40, Rating.Hard))


def rating_for(total: float | None) -> Rating:
    """The fsrs rating of a grade (None: skipped, which counts as Again)."""
    if total is None:
        return Rating.Again
    return next((rating for floor, rating in RATING_FLOORS if total >= floor), Rating.Again)


def record(db: Session, *, user_id: int, question_id: str, total: float | None, at: datetime | None = None) -> datetime:
    """Review the user's card of `question_id` with this grade (creating it on first sight); returns its due time."""
    at = at or utcnow()
    row = db.get(ReviewCard, (user_id, question_id), with_for_update=True)
    card = Card.from_dict(row.card) if row is not None else Card(due=at)
    card, _ = SCHEDULER.review_card(card, rating_for(total), at)
    if row is None:
        row = ReviewCard(user_id=user_id, question_id=question_id, reviews=0)
        db.add(row)
    row.card, row.due, row.last_total, row.last_review_at = card.to_dict(), card.due, total, at
    row.reviews = (row.reviews or 0) + 1
    db.flush()
    return card.due


def end_of_day(timezone: str, now: datetime | None = None) -> datetime:
    """The end of the user's current day (in `timezone`), in UTC: cards due before it are due today."""
    local = (now or utcnow()).astimezone(ZoneInfo(timezone))
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    return tomorrow.astimezone(UTC)


def due_count(db: Session, *, user_id: int, timezone: str, now: datetime | None = None) -> int:
    """How many of the user's cards are due today."""
    query = select(func.count()).select_from(ReviewCard)
    return db.scalar(query.where(ReviewCard.user_id == user_id, ReviewCard.due < end_of_day(timezone, now))) or 0


def due_question_ids(db: Session, *, user_id: int, timezone: str, limit: int, now: datetime | None = None) -> list[str]:
    """The question ids due today, most overdue first."""
    query = select(ReviewCard.question_id).where(
        ReviewCard.user_id == user_id, ReviewCard.due < end_of_day(timezone, now)
    )
    return list(db.scalars(query.order_by(ReviewCard.due, ReviewCard.question_id).limit(limit)))


def next_due(db: Session, *, user_id: int, question_ids: list[str]) -> dict[str, datetime]:
    """When each of these questions is next due for the user (questions without a card are left out)."""
    if not question_ids:
        return {}
    query = select(ReviewCard.question_id, ReviewCard.due).where(
        ReviewCard.user_id == user_id, ReviewCard.question_id.in_(set(question_ids))
    )
    return {qid: as_utc(due) for qid, due in db.execute(query)}


def due_today(ctx: AppContext, *, user_id: int, timezone: str) -> int:
    """How many reviews are due today, for the home and history pages."""
    with ctx.read() as db:
        return due_count(db, user_id=user_id, timezone=timezone)

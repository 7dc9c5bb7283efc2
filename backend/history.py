"""Queries behind the history, progress and home views: sessions, trends, weak topics, the dashboard.

Every query filters by the owning user and reads a bounded slice (one page, a time window, the latest
answers), so the cost stays flat as a user's history grows (benchmarks/history.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from backend import review
from backend.context import AppContext
from backend.db import repo
from backend.db.models import Answer, InterviewSession, Message, as_utc, utcnow
from backend.errors import AppError
from backend.interview.bank import load_bank, main_question_id, section_heading
from backend.interview.planning import WEAK_SCORE
from backend.interview.rubric import DIMENSIONS

PER_PAGE = 20
CHART_SESSIONS = 200  # the score-over-time chart shows the latest interviews with a score
TOPIC_ANSWERS = 500  # weak topics are judged on the latest graded answers
MAX_TITLE = 80  # a title reads as one heading line, not a paragraph
MAX_SEARCH = 200
STATUSES = ("active", "ended")


@dataclass(frozen=True)
class HistoryFilter:
    """What the history list is narrowed to; dates are days in the user's time zone, both ends included."""

    track: str | None = None
    difficulty: str | None = None
    language: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    score_min: float | None = None
    score_max: float | None = None
    search: str = ""


@dataclass(frozen=True)
class SessionRow:
    id: int
    title: str
    track: str
    difficulty: str
    language: str
    status: str
    mode: str
    created_at: datetime  # in the user's time zone
    answered: int  # questions with a graded answer
    overall_score: float | None
    score_so_far: float | None = None  # an unfinished interview's overall score if it ended now


@dataclass(frozen=True)
class HistoryPage:
    rows: list[SessionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ScorePoint:
    session_id: int
    when: datetime  # in the user's time zone
    track: str
    score: float


@dataclass(frozen=True)
class DimensionTrend:
    key: str
    recent: float | None  # mean 1–5 score over the last 30 days
    before: float | None  # and over the 30 days before


@dataclass(frozen=True)
class WeakTopic:
    reference: str  # "track#anchor" of the knowledge section
    track: str
    heading: str
    score: float  # mean of each question's latest score
    practised: int  # graded answers among the latest TOPIC_ANSWERS
    last_score: float
    last_at: datetime  # in the user's time zone
    language: str = ""  # of the interview it was last answered in: practised again in that language


@dataclass(frozen=True)
class Progress:
    points: list[ScorePoint]
    dimensions: list[DimensionTrend]
    weak_topics: list[WeakTopic]


@dataclass(frozen=True)
class Dashboard:
    answered_this_week: int
    average_7: float | None
    average_prev_7: float | None
    streak_days: int
    practised_today: bool
    unfinished: SessionRow | None
    due_today: int
    suggestion: WeakTopic | None = None


# --------------------------------------------------------------------------- the list


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return as_utc(moment).astimezone(zone)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight starting `day` in `zone`, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: Select, *, user_id: int, zone: ZoneInfo, filters: HistoryFilter) -> Select:
    s = InterviewSession
    query = query.where(s.user_id == user_id)
    for column, value in (
        (s.track, filters.track),
        (s.difficulty, filters.difficulty),
        (s.language, filters.language),
        (s.status, filters.status),
    ):
        if value:
            query = query.where(column == value)
    if filters.date_from is not None:
        query = query.where(s.created_at >= _day_start(filters.date_from, zone))
    if filters.date_to is not None:
        query = query.where(s.created_at < _day_start(filters.date_to + timedelta(days=1), zone))
    if filters.score_min is not None:
        query = query.where(s.overall_score >= filters.score_min)
    if filters.score_max is not None:
        query = query.where(s.overall_score <= filters.score_max)
    words = filters.search.strip()[:MAX_SEARCH]
    if words:
        pattern = _like(words)
        in_answers = exists().where(
            Answer.session_id == s.id,
            or_(Answer.question_text.ilike(pattern, escape="\\"), Answer.answer_text.ilike(pattern, escape="\\")),
        )
        # A question skipped or still open has no answer row: the question as asked is searched too. A bank
        # question is also found by its text in the other language ("디스크립터" finds an English interview on
        # descriptors).
        bank_ids = _bank_questions_mentioning(words)
        asked = exists().where(
            Message.session_id == s.id,
            Message.meta["kind"].as_string() == "question",
            or_(
                Message.content.ilike(pattern, escape="\\"),
                Message.meta["question_id"].as_string().in_(bank_ids),
            ),
        )
        in_bank = exists().where(Answer.session_id == s.id, Answer.question_id.in_(bank_ids))
        query = query.where(or_(s.title.ilike(pattern, escape="\\"), in_answers, asked, in_bank))
    return query


def _bank_questions_mentioning(words: str) -> list[str]:
    """Ids of the bank questions whose text contains `words` (case-insensitive) in either language."""
    needle = words.casefold()
    return [q.id for q in load_bank().values() if any(needle in text.casefold() for text in q.text.values())]


def _answered(db: Session, session_ids: list[int]) -> dict[int, int]:
    """Session id -> how many of its questions have a graded answer (a follow-up is part of its question, as in
    the interview's results)."""
    if not session_ids:
        return {}
    rows = db.execute(
        select(Answer.session_id, Answer.question_id)
        .where(Answer.session_id.in_(session_ids), Answer.total.is_not(None))
        .distinct()
    )
    questions: dict[int, set[str]] = defaultdict(set)
    for session_id, question_id in rows:
        questions[session_id].add(main_question_id(question_id))
    return {session_id: len(ids) for session_id, ids in questions.items()}


def _rows(db: Session, query: Select, zone: ZoneInfo) -> list[SessionRow]:
    s = InterviewSession
    columns = select(
        s.id,
        s.title,
        s.track,
        s.difficulty,
        s.language,
        s.status,
        s.mode,
        s.created_at,
        s.overall_score,
    )
    rows = db.execute(
        columns.where(s.id.in_(query.with_only_columns(s.id).scalar_subquery())).order_by(
            s.created_at.desc(), s.id.desc()
        )
    )
    rows = list(rows)
    answered = _answered(db, [r.id for r in rows])
    so_far = _scores_so_far(db, [r.id for r in rows if r.overall_score is None and answered.get(r.id)])
    return [
        SessionRow(
            r.id,
            r.title,
            r.track,
            r.difficulty,
            r.language,
            r.status,
            r.mode,
            _local(r.created_at, zone),
            answered.get(r.id, 0),
            r.overall_score,
            so_far.get(r.id),
        )
        for r in rows
    ]


def _scores_so_far(db: Session, session_ids: list[int]) -> dict[int, float]:
    """Session id -> the mean of each question's best graded answer, as the overall score is when it ends."""
    if not session_ids:
        return {}
    best: dict[int, list[float]] = defaultdict(list)
    query = (
        select(Answer.session_id, func.max(Answer.total))
        .where(Answer.session_id.in_(session_ids), Answer.total.is_not(None))
        .group_by(Answer.session_id, Answer.question_id)
    )
    for session_id, total in db.execute(query):
        best[session_id].append(float(total))
    return {session_id: round(sum(totals) / len(totals), 1) for session_id, totals in best.items()}


def history_page(
    ctx: AppContext,
    *,
    user_id: int,
    timezone: str,
    filters: HistoryFilter | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> HistoryPage:
    """One page of the user's interviews, newest first, with the number of matching interviews."""
    zone, filters = ZoneInfo(timezone), filters or HistoryFilter()
    s = InterviewSession
    with ctx.read() as db:
        total = db.scalar(_filtered(select(func.count()).select_from(s), user_id=user_id, zone=zone, filters=filters))
        pages = max(1, -(-(total or 0) // per_page))
        page = min(max(1, page), pages)
        ids = _filtered(select(s.id), user_id=user_id, zone=zone, filters=filters)
        ids = ids.order_by(s.created_at.desc(), s.id.desc()).limit(per_page).offset((page - 1) * per_page)
        rows = _rows(db, ids, zone)
    return HistoryPage(rows=rows, total=total or 0, page=page, per_page=per_page)


def rename_session(ctx: AppContext, *, user_id: int, session_id: int, title: str) -> None:
    """Give one of the user's interviews a new title (at most MAX_TITLE characters: a longer one is shortened at a
    word, with an ellipsis)."""
    title = " ".join(title.split())
    if not title:
        raise AppError("history.empty_title")
    if len(title) > MAX_TITLE:
        cut = title[: MAX_TITLE - 1]
        space = cut.rfind(" ", MAX_TITLE // 2)
        title = (cut[:space] if space > 0 else cut).rstrip() + "…"
    with ctx.tx() as db:
        repo.update_session(db, user_id=user_id, session_id=session_id, title=title)


def delete_session(ctx: AppContext, *, user_id: int, session_id: int) -> None:
    """Delete one of the user's interviews with its messages, answers and votes."""
    with ctx.tx() as db:
        repo.delete_session(db, user_id=user_id, session_id=session_id)


def _latest(db: Session, *, user_id: int, zone: ZoneInfo, limit: int, status: str | None = None) -> list[SessionRow]:
    """The user's latest interviews (of `status`), newest first, without counting them all."""
    s = InterviewSession
    query = select(s.id).where(s.user_id == user_id, *([s.status == status] if status else []))
    return _rows(db, query.order_by(s.created_at.desc(), s.id.desc()).limit(limit), zone)


def recent_sessions(
    ctx: AppContext, *, user_id: int, timezone: str, limit: int = 5, status: str | None = None
) -> list[SessionRow]:
    """The user's latest interviews (of `status`: "active" for the unfinished ones), newest first."""
    with ctx.read() as db:
        return _latest(db, user_id=user_id, zone=ZoneInfo(timezone), limit=limit, status=status)


# --------------------------------------------------------------------------- progress


def _score_points(db: Session, *, user_id: int, zone: ZoneInfo) -> list[ScorePoint]:
    """The latest interviews with a score: a finished one's overall score, an unfinished one's score so far (every
    question answered but "See my results" never pressed is practice all the same)."""
    s = InterviewSession
    query = (
        select(s.id, s.created_at, s.track, s.overall_score)
        .where(s.user_id == user_id, s.overall_score.is_not(None) | (s.status == "active"))
        .order_by(s.created_at.desc(), s.id.desc())
        .limit(CHART_SESSIONS)
    )
    rows = list(db.execute(query))
    so_far = _scores_so_far(db, [r.id for r in rows if r.overall_score is None])
    return [
        ScorePoint(r.id, _local(r.created_at, zone), r.track, score)
        for r in reversed(rows)
        if (score := r.overall_score if r.overall_score is not None else so_far.get(r.id)) is not None
    ]


def _recent_answers(*, user_id: int, since: datetime) -> Select:
    """Graded answers of the user since `since` (sessions are bounded by their index first)."""
    return (
        select()
        .select_from(Answer)
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(
            InterviewSession.user_id == user_id,
            # An answer is given within a day of its interview's start; this bound lets the index do the work.
            InterviewSession.created_at >= since - timedelta(days=1),
            Answer.created_at >= since,
            Answer.total.is_not(None),
        )
    )


def _dimension_trends(db: Session, *, user_id: int, now: datetime) -> list[DimensionTrend]:
    split, since = now - timedelta(days=30), now - timedelta(days=60)
    columns = []
    for key in DIMENSIONS:
        value = Answer.scores[key].as_float()
        columns += [
            func.avg(case((Answer.created_at >= split, value))).label(f"{key}_recent"),
            func.avg(case((Answer.created_at < split, value))).label(f"{key}_before"),
        ]
    row = db.execute(_recent_answers(user_id=user_id, since=since).add_columns(*columns)).one()
    trends = [DimensionTrend(key, row._mapping[f"{key}_recent"], row._mapping[f"{key}_before"]) for key in DIMENSIONS]
    return [trend for trend in trends if trend.recent is not None or trend.before is not None]


def _weak_topics(db: Session, *, user_id: int, zone: ZoneInfo, language: str) -> list[WeakTopic]:
    bank = load_bank()
    query = (
        select(Answer.question_id, Answer.total, Answer.created_at, InterviewSession.language)
        .join(InterviewSession, InterviewSession.id == Answer.session_id)
        .where(InterviewSession.user_id == user_id, Answer.total.is_not(None))
        .order_by(InterviewSession.created_at.desc(), Answer.id.desc())
        .limit(TOPIC_ANSWERS)
    )
    latest: dict[str, dict[str, float]] = defaultdict(dict)  # reference -> question -> its latest score
    practised: dict[str, int] = defaultdict(int)
    last: dict[str, tuple[float, datetime, str]] = {}
    for question_id, total, created_at, spoken in db.execute(query):  # newest first
        main = bank.get(main_question_id(question_id))
        if main is None:
            continue
        practised[main.reference] += 1
        latest[main.reference].setdefault(question_id, total)
        last.setdefault(main.reference, (total, created_at, spoken))
    topics = [
        WeakTopic(
            reference=reference,
            track=reference.split("#")[0],
            heading=section_heading(reference, language),
            score=round(sum(scores.values()) / len(scores), 1),
            practised=practised[reference],
            last_score=last[reference][0],
            last_at=_local(last[reference][1], zone),
            language=last[reference][2],
        )
        for reference, scores in latest.items()
    ]
    # Only topics to work on: a section answered at 90 is no weak topic, however few others there are.
    weak = [topic for topic in topics if topic.score < WEAK_SCORE]
    return sorted(weak, key=lambda topic: (topic.score, -topic.practised, topic.reference))


def progress(ctx: AppContext, *, user_id: int, timezone: str, language: str, now: datetime | None = None) -> Progress:
    """Score over time, rubric dimensions (last 30 days against the 30 before) and the weakest topics."""
    zone, now = ZoneInfo(timezone), now or utcnow()
    with ctx.read() as db:
        return Progress(
            points=_score_points(db, user_id=user_id, zone=zone),
            dimensions=_dimension_trends(db, user_id=user_id, now=now),
            weak_topics=_weak_topics(db, user_id=user_id, zone=zone, language=language),
        )


# --------------------------------------------------------------------------- the home dashboard


def _streak(db: Session, *, user_id: int, zone: ZoneInfo, now: datetime) -> tuple[int, bool]:
    """Consecutive days (in `zone`) with a graded answer, ending today or yesterday; and whether today is one.

    Reads a window of recent answers that doubles only while the streak reaches its edge, so the cost
    follows the streak, not the history.
    """
    today = now.astimezone(zone).date()
    window = 16
    while True:
        since = _day_start(today - timedelta(days=window), zone)
        query = _recent_answers(user_id=user_id, since=since).add_columns(Answer.created_at)
        days = {_local(moment, zone).date() for (moment,) in db.execute(query)}
        day = today if today in days else today - timedelta(days=1)
        streak = 0
        while day in days:
            streak, day = streak + 1, day - timedelta(days=1)
        if streak < window or window >= 4096:
            return streak, today in days
        window *= 4


def dashboard(ctx: AppContext, *, user_id: int, timezone: str, language: str, now: datetime | None = None) -> Dashboard:
    """This week's practice, the 7-day average against the 7 days before, the streak, what to do next."""
    zone, now = ZoneInfo(timezone), now or utcnow()
    local_today = now.astimezone(zone).date()
    week_start = _day_start(local_today - timedelta(days=local_today.weekday()), zone)  # Monday
    last_7, prev_7 = now - timedelta(days=7), now - timedelta(days=14)
    with ctx.read() as db:
        since = min(week_start, prev_7)
        totals = _recent_answers(user_id=user_id, since=since).add_columns(
            func.count(distinct(case((Answer.created_at >= week_start, Answer.id)))),
            func.avg(case((Answer.created_at >= last_7, Answer.total))),
            func.avg(case((and_(Answer.created_at >= prev_7, Answer.created_at < last_7), Answer.total))),
        )
        answered, average_7, average_prev_7 = db.execute(totals).one()
        streak, today = _streak(db, user_id=user_id, zone=zone, now=now)
        due = review.due_count(db, user_id=user_id, timezone=timezone, now=now)
        unfinished = next(iter(_latest(db, user_id=user_id, zone=zone, limit=1, status="active")), None)
        topics = _weak_topics(db, user_id=user_id, zone=zone, language=language)
    return Dashboard(
        answered_this_week=answered or 0,
        average_7=None if average_7 is None else round(float(average_7), 1),
        average_prev_7=None if average_prev_7 is None else round(float(average_prev_7), 1),
        streak_days=streak,
        practised_today=today,
        unfinished=unfinished,
        due_today=due,
        suggestion=topics[0] if topics else None,
    )

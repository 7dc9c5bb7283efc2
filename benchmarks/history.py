"""`python -m benchmarks.history`: backend time of the history page and of opening one interview, flat in N.

One user is seeded with 100 and, in a second database, with 10,000 interviews (5 graded answers and 15
messages each, review cards for every question answered), next to two other users with 1,000 interviews
each. Practice follows one rhythm in both: two interviews on a practice day, about one day in four
skipped, going back from today. At that pace even the smaller history is longer than the widest window
the page reads (60 days of rubric trends), so the two users differ only in how far back their history
goes, which is what "flat in N" is about.

Measured, p50 and p95 over repeated calls: the history page (first page with the total count, chart data,
rubric trends, weak topics, due count), the home dashboard, and opening one interview (the transcript as
the chat and history pages load it, with its summary). Runs on PostgreSQL when reachable
(TEST_DATABASE_URL, in a throwaway database), else on a temporary SQLite file. The ratio 10,000/100 shows
what history size costs. Each call's SQL statements are counted and timed as they come back (the turn
benchmark's SqlMeter), so a target missed says in `targets_why` how much of the time SQL took. Last
line: one JSON object.
"""

from __future__ import annotations

import json
import random
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from fsrs import Card
from sqlalchemy import insert

from backend import accounts, history, review
from backend.context import AppContext
from backend.db.models import Answer, InterviewSession, Message, ReviewCard
from backend.interview import engine
from backend.interview.bank import TRACKS, questions_for
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import DimensionScore, Grade, dimensions_for, total_from
from benchmarks.turn import SqlMeter, any_database, make_context

SIZES = (100, 10_000)
OTHER_USERS, OTHER_SESSIONS = 2, 1_000
PER_DAY, SKIP_DAY = 2, 0.25
ANSWERS = 5
REPEATS = 40
TIMEZONE = "Asia/Seoul"
TARGETS = {"page_p95_ms": 150.0, "ratio": 1.5, "open_p95_ms": 50.0}


def _grade(question, language: str, rng: random.Random) -> Grade:  # noqa: ANN001
    scores = {key: rng.randint(1, 5) for key in dimensions_for(question.track)}
    points = question.points(language)
    covered = rng.randint(0, len(points))
    return Grade(
        total=total_from(scores),
        scores={k: DimensionScore(v, points[0] if v > 2 else "", "") for k, v in scores.items()},
        covered_points=points[:covered],
        missed_points=points[covered:],
        model_answer=question.model_answer[language],
        sources=[{"source": f"{question.track}.md", "heading": question.reference, "text": "…", "score": 1.0}],
    )


def _settings(track: str, language: str, questions: list) -> dict:
    """The state JSON of an ended interview of these questions."""
    last = questions[-1]
    current = {
        "question_id": last.id,
        "main_id": last.id,
        "track": track,
        "text": last.text[language],
        "kind": "main",
        "attempt": 1,
        "turn": secrets.token_hex(16),
    }
    setup = asdict(InterviewSetup(track=track, language=language, num_questions=len(questions)))
    return {
        "setup": setup,
        "plan": [q.id for q in questions],
        "index": len(questions),
        "state": "ended",
        "current": current,
        "pending_answer_id": None,
        "follow_ups": {},
        "last_error": None,
    }


def seed_user(ctx: AppContext, *, user_id: int, sessions: int, seed: int, now: datetime | None = None) -> None:
    """`sessions` ended interviews in the practice rhythm, each with graded answers and messages, and a
    review card for every question answered.

    Each table is written in one batched statement (rows in the order they would be typed in, so ids grow
    with time as in real use): a statement per interview made seeding 14,100 interviews most of the run.
    """
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    day, asked, created = 0, set(), []
    while len(created) < sessions:
        if day == 0 or rng.random() >= SKIP_DAY:
            start = now - timedelta(days=day, hours=1)
            created += [start - timedelta(minutes=25 * i) for i in range(min(PER_DAY, sessions - len(created)))]
        day += 1
    interviews, answers = [], []
    for n, moment in enumerate(sorted(created)):
        track = TRACKS[n % len(TRACKS)]
        language = "ko" if n % 3 else "en"
        questions = rng.sample(questions_for(track), ANSWERS)
        grades = [_grade(q, language, rng) for q in questions]
        interviews.append(
            {
                "user_id": user_id,
                "title": f"{track} · mixed · {language}",
                "track": track,
                "difficulty": "mixed",
                "language": language,
                "mode": "offline",
                "status": "ended",
                "settings": _settings(track, language, questions),
                "created_at": moment,
                "ended_at": moment + timedelta(minutes=20),
                "overall_score": round(sum(g.total for g in grades) / len(grades), 1),
            }
        )
        answers.append(
            [
                {
                    "turn_key": secrets.token_hex(16),
                    "question_id": q.id,
                    "question_text": q.text[language],
                    "answer_text": q.model_answer[language][: rng.randint(120, 600)],
                    "attempt_no": 1,
                    "status": "graded",
                    "scores": {k: v.score for k, v in g.scores.items()},
                    "total": float(g.total),
                    "missed_points": {"items": g.missed_points},
                    "model_answer": g.model_answer,
                    "sources": {"items": g.sources},
                    "feedback": g.to_dict(),
                    "created_at": moment + timedelta(minutes=3 * i),
                }
                for i, (q, g) in enumerate(zip(questions, grades, strict=True))
            ]
        )
        asked.update(q.id for q in questions)
    with ctx.tx() as db:
        session_ids = (
            db.execute(
                insert(InterviewSession).returning(InterviewSession.id, sort_by_parameter_order=True), interviews
            )
            .scalars()
            .all()
        )
        rows = [{**a, "session_id": sid} for sid, group in zip(session_ids, answers, strict=True) for a in group]
        answer_ids = db.execute(insert(Answer).returning(Answer.id, sort_by_parameter_order=True), rows).scalars().all()
        messages = []
        for k, (answer, answer_id) in enumerate(zip(rows, answer_ids, strict=True)):
            common = {"session_id": answer["session_id"], "created_at": answer["created_at"]}
            question = {"kind": "question", "question_id": answer["question_id"], "question_kind": "main"}
            messages += [
                {
                    **common,
                    "role": "assistant",
                    "content": answer["question_text"],
                    "meta": {**question, "position": k % ANSWERS + 1},
                },
                {**common, "role": "user", "content": "…", "meta": {"kind": "answer", "answer_id": answer_id}},
                {
                    **common,
                    "role": "assistant",
                    "content": "Feedback.",
                    "meta": {"kind": "feedback", "answer_id": answer_id, "grader": "offline"},
                },
            ]
        db.execute(insert(Message), messages)
        cards = []
        for question_id in sorted(asked):
            due = now + timedelta(days=rng.randint(-3, 30))
            card = Card(due=due)
            cards.append(
                {
                    "user_id": user_id,
                    "question_id": question_id,
                    "due": due,
                    "card": card.to_dict(),
                    "last_total": 50.0,
                    "last_review_at": now - timedelta(days=1),
                    "reviews": 1,
                }
            )
        db.execute(insert(ReviewCard), cards)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2)}


def _time(call: Callable[[], object], meter: SqlMeter) -> dict[str, float]:
    call()  # warm-up: caches (bank, headings) and the connection pool
    samples, sql_ms, statements = [], [], []
    for _ in range(REPEATS):
        first = len(meter.each_ms)
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
        sql_ms.append(sum(meter.each_ms[first:]))
        statements.append(len(meter.each_ms) - first)
    return {
        **_percentiles(samples),
        "sql_statements": statistics.median(statements),
        "sql_p50": round(statistics.median(sql_ms), 2),
    }


def target_why(name: str, small: dict, large: dict, *, bar: float, ratio: bool = False) -> str:
    """Why a target on one call (`name`, e.g. "open_ms") missed its bar (its p95 with the large history, or
    with `ratio` the large/small ratio of p95), from both histories' figures, with how much went to SQL."""
    big, little = large[name], small[name]
    sql = (
        f"with {large['interviews']:,} interviews a call runs {big['sql_statements']:g} SQL statements taking "
        f"{big['sql_p50']} ms of its p50 {big['p50']} ms, with {small['interviews']:,} {little['sql_statements']:g} "
        f"taking {little['sql_p50']} ms of {little['p50']} ms"
    )
    if ratio:
        return (
            f"ratio p95 {round(big['p95'] / little['p95'], 2)} against {bar:g} (p95 {big['p95']} ms against "
            f"{little['p95']} ms): {sql}"
        )
    return f"p95 {big['p95']} ms against {bar:g} ms: {sql}"


def history_view(ctx: AppContext, user_id: int) -> None:
    """What the history page asks of the backend on its first run."""
    history.history_page(ctx, user_id=user_id, timezone=TIMEZONE)
    history.progress(ctx, user_id=user_id, timezone=TIMEZONE, language="ko")
    review.due_today(ctx, user_id=user_id, timezone=TIMEZONE)


def open_interview(ctx: AppContext, user_id: int, session_id: int) -> None:
    engine.load_interview(ctx, user_id=user_id, session_id=session_id)
    engine.summarize(ctx, user_id=user_id, session_id=session_id)


def measure(url: str, size: int) -> dict:
    ctx = make_context(url)
    password = "correct horse history " + secrets.token_hex(4)
    others = [accounts.signup(ctx, username=f"other_{i}", password=password) for i in range(OTHER_USERS)]
    for i, other in enumerate(others):
        seed_user(ctx, user_id=other.id, sessions=OTHER_SESSIONS, seed=100 + i)
    user = accounts.signup(ctx, username="candidate", password=password)
    seed_user(ctx, user_id=user.id, sessions=size, seed=1)
    if ctx.engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum keeps them on a live server
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    meter = SqlMeter(ctx.engine)
    latest = history.history_page(ctx, user_id=user.id, timezone=TIMEZONE, per_page=1).rows[0].id
    result = {
        "interviews": size,
        "history_page_ms": _time(lambda: history_view(ctx, user.id), meter),
        "dashboard_ms": _time(lambda: history.dashboard(ctx, user_id=user.id, timezone=TIMEZONE, language="ko"), meter),
        "search_ms": _time(
            lambda: history.history_page(
                ctx, user_id=user.id, timezone=TIMEZONE, filters=history.HistoryFilter(search="트랜잭션")
            ),
            meter,
        ),
        "open_ms": _time(lambda: open_interview(ctx, user.id, latest), meter),
    }
    ctx.engine.dispose()
    return result


def main() -> None:
    results = []
    for size in SIZES:
        with any_database() as (url, kind):
            started = time.perf_counter()
            result = measure(url, size)
            result["seed_and_measure_s"] = round(time.perf_counter() - started, 1)
            results.append(result)
    small, large = results
    print(
        f"history backend on {kind}: one user with {SIZES[0]} and with {SIZES[1]} interviews "
        f"(+{OTHER_USERS} users x {OTHER_SESSIONS}), {REPEATS} calls each, ms"
    )
    for name in ("history_page_ms", "dashboard_ms", "search_ms", "open_ms"):
        ratio = large[name]["p95"] / small[name]["p95"]
        print(
            f"{name:<16} {SIZES[0]:>6}: p50 {small[name]['p50']:7.2f} p95 {small[name]['p95']:7.2f}   "
            f"{SIZES[1]:>6}: p50 {large[name]['p50']:7.2f} p95 {large[name]['p95']:7.2f}   "
            f"ratio p95 {ratio:.2f}x"
        )
    summary = {
        "database": kind,
        "history_page_p95_ms": large["history_page_ms"]["p95"],
        "history_page_ratio_p95": round(large["history_page_ms"]["p95"] / small["history_page_ms"]["p95"], 2),
        "open_p95_ms": large["open_ms"]["p95"],
        "open_ratio_p95": round(large["open_ms"]["p95"] / small["open_ms"]["p95"], 2),
        "dashboard_p95_ms": large["dashboard_ms"]["p95"],
        "search_p95_ms": large["search_ms"]["p95"],
        "results": results,
    }
    checks = {
        "history page p95 <= 150 ms": summary["history_page_p95_ms"] <= TARGETS["page_p95_ms"],
        "ratio <= 1.5": summary["history_page_ratio_p95"] <= TARGETS["ratio"],
        "open p95 <= 50 ms": summary["open_p95_ms"] <= TARGETS["open_p95_ms"],
    }
    print("targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in checks.items()))
    bars = {
        "history page p95 <= 150 ms": ("history_page_ms", TARGETS["page_p95_ms"], False),
        "ratio <= 1.5": ("history_page_ms", TARGETS["ratio"], True),
        "open p95 <= 50 ms": ("open_ms", TARGETS["open_p95_ms"], False),
    }
    summary["targets_met"] = checks
    summary["targets_why"] = {
        k: target_why(bars[k][0], small, large, bar=bars[k][1], ratio=bars[k][2]) for k, v in checks.items() if not v
    }
    for name, reason in summary["targets_why"].items():
        print(f"  {name}: {reason}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

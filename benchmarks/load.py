"""`python -m benchmarks.load`: many candidates interviewing at once through the backend.

50 candidates (threads of one app process, as one Streamlit server runs them) sign up and each run a
3-question interview as the chat page drives it (three page runs per turn, submit, grade, next), all
released together: once with the offline interviewer, once with the LLM interviewer against a local
OpenAI-compatible stub answering after 200 ms. Model inference is instant (hash-seeded embeddings), so
what is measured is the app's own behaviour under contention. Pass: zero errors, every answer stored
exactly once and graded (row counts checked against what was sent), and the app's connections (sampled
from pg_stat_activity) never above its pool limit. Runs on PostgreSQL (TEST_DATABASE_URL, in a throwaway
database) when reachable, else on a SQLite file. Last line: one JSON object.
"""

from __future__ import annotations

import json
import logging
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from sqlalchemy import func, select, text

from backend import accounts
from backend.context import AppContext
from backend.db.engine import POOL_MAX_OVERFLOW, POOL_SIZE
from backend.db.models import Answer, InterviewSession, Message
from backend.interview import engine
from backend.interview.engine import Llms, State
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import dimensions_for
from backend.llm.provider import make_chat_model
from backend.rag import bundle
from backend.rag.embeddings import E5Embeddings
from backend.rag.knowledge import KnowledgeBase
from backend.rag.store import LocalStore
from benchmarks.turn import InstantE5, any_database, make_context

CANDIDATES, QUESTIONS, LATENCY_S = 50, 3, 0.2
APP_NAME = "interview-coach"


@contextmanager
def llm_stub(latency: float) -> Iterator[str]:
    """A threaded local OpenAI-compatible server: valid grades, streamed feedback, each after `latency` s."""
    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    from tests.llm_stub import completion, sse

    grade = {
        "insufficient": False,
        "scores": {d: {"score": 3, "evidence": "", "note": ""} for d in dimensions_for("os")},
        "strengths": ["A clear definition."],
        "covered_points": [],
        "missed_points": ["An example"],
        "coaching": "Add an example.",
    }

    def handler(request: Request) -> Response:
        time.sleep(latency)
        if json.loads(request.get_data() or b"{}").get("stream"):
            return Response(sse(["Good ", "start. ", "Add ", "an ", "example."]), content_type="text/event-stream")
        return Response(json.dumps(completion(json.dumps(grade))), content_type="application/json")

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = HTTPServer(threaded=True)
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(handler)
    server.start()
    try:
        yield server.url_for("/v1")
    finally:
        server.clear()
        server.stop()


class ConnectionWatch:
    """Samples how many connections the app holds on PostgreSQL, every 20 ms, in a thread."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx, self.peak, self.samples, self._stop = ctx, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._monitor = None

    def _run(self) -> None:
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :n AND datname = current_database()"
        )
        with self._monitor.connect() as conn:
            while not self._stop.is_set():
                self.peak = max(self.peak, conn.execute(query, {"n": APP_NAME}).scalar_one())
                self.samples += 1
                time.sleep(0.02)

    def __enter__(self) -> ConnectionWatch:
        if self.ctx.engine.dialect.name == "postgresql":
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            # Its own connection, in autocommit: pg_stat_activity is read once per transaction.
            self._monitor = create_engine(self.ctx.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._thread.join(timeout=5)
            self._monitor.dispose()


def candidate(ctx: AppContext, kb: KnowledgeBase, llms: Llms, n: int, start: threading.Barrier) -> dict:
    """One candidate: sign up, then a whole interview; per-turn times and any error."""
    user = accounts.signup(ctx, username=f"candidate_{n:03d}", password=f"correct horse load {n:03d} battery")
    token = accounts.issue_token(ctx, user_id=user.id)
    ids = {"user_id": user.id}
    start.wait()
    turns, sent = [], 0
    try:
        session_id = engine.start_interview(
            ctx,
            user_id=user.id,
            setup=InterviewSetup(track="os", language="en", num_questions=QUESTIONS),
            mode="load",
        )
        ids["session_id"] = session_id
        state = State.QUESTION
        while state != State.ENDED:
            started = time.perf_counter()
            accounts.account_for_token(ctx, token)
            view = engine.load_interview(ctx, **ids)
            engine.submit_answer(ctx, **ids, turn=view.current["turn"], text=f"Answer {sent} of candidate {n}.")
            sent += 1
            for _ in range(2):
                accounts.account_for_token(ctx, token)
                engine.load_interview(ctx, **ids)
            engine.grade_pending(ctx, kb, llms, **ids)
            state = engine.next_question(ctx, **ids)
            turns.append((time.perf_counter() - started) * 1000)
        return {"turns": turns, "sent": sent, "session_id": session_id, "error": None}
    except Exception as exc:  # noqa: BLE001 - reported, and the run fails
        return {"turns": turns, "sent": sent, "session_id": ids.get("session_id"), "error": repr(exc)}


def run_load(url: str, *, candidates: int = CANDIDATES, llm: str = "offline", latency: float = LATENCY_S) -> dict:
    """`candidates` interviews at once on `url`, offline or against an LLM stub; the checks and timings."""
    fake = E5Embeddings(InstantE5())
    with (
        mock.patch.object(engine, "offline_embeddings", return_value=fake),
        llm_stub(latency) if llm == "stub" else _nothing() as base_url,
    ):
        overrides = {"openai_base_url": base_url, "openai_model": "stub-model"} if base_url else {}
        ctx = make_context(url, **overrides)
        kb = KnowledgeBase(
            LocalStore(ctx.sessions, fake), fake, max_bytes=ctx.settings.max_upload_bytes, vectors=bundle.load()
        )
        kb.ensure_bundled()
        llms = (
            Llms(
                grader=make_chat_model(ctx.settings, temperature=0),
                interviewer=make_chat_model(ctx.settings, streaming=True),
            )
            if base_url
            else Llms()
        )
        start = threading.Barrier(candidates)
        results: list[dict] = [{}] * candidates

        def run(i: int) -> None:
            results[i] = candidate(ctx, kb, llms, i, start)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(candidates)]
        began = time.perf_counter()
        with ConnectionWatch(ctx) as watch:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        wall = time.perf_counter() - began
        sessions = [r["session_id"] for r in results if r.get("session_id")]
        with ctx.read() as db:
            answers = db.scalar(select(func.count()).select_from(Answer).where(Answer.session_id.in_(sessions)))
            graded = db.scalar(
                select(func.count())
                .select_from(Answer)
                .where(Answer.session_id.in_(sessions), Answer.status == "graded")
            )
            distinct_turns = db.scalar(
                select(func.count(func.distinct(Answer.turn_key))).where(Answer.session_id.in_(sessions))
            )
            messages = db.scalar(select(func.count()).select_from(Message).where(Message.session_id.in_(sessions)))
            ended = db.scalar(
                select(func.count())
                .select_from(InterviewSession)
                .where(InterviewSession.id.in_(sessions), InterviewSession.status == "ended")
            )
        ctx.engine.dispose()
    turns = sorted(t for r in results for t in r.get("turns", []))
    sent = sum(r.get("sent", 0) for r in results)
    return {
        "llm": llm,
        "candidates": candidates,
        "errors": [r["error"] for r in results if r.get("error")],
        "answers_sent": sent,
        "answers_stored": answers,
        "answers_graded": graded,
        "duplicate_answers": answers - distinct_turns,
        "messages": messages,
        "messages_expected": 3 * sent,  # each turn: the question, the answer, the feedback
        "interviews_ended": ended,
        "connections_peak": watch.peak if watch.samples else None,
        "connection_samples": watch.samples,
        "pool_limit": POOL_SIZE + POOL_MAX_OVERFLOW,
        "turn_ms": {"p50": round(statistics.median(turns), 1), "p95": round(turns[int(0.95 * (len(turns) - 1))], 1)}
        if turns
        else None,
        "wall_s": round(wall, 1),
    }


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def passed(result: dict) -> bool:
    """Zero errors, nothing lost or doubled, every interview ended, the pool limit held."""
    return (
        not result["errors"]
        and result["answers_stored"] == result["answers_sent"] == result["answers_graded"]
        and result["duplicate_answers"] == 0
        and result["messages"] == result["messages_expected"]
        and result["interviews_ended"] == result["candidates"]
        and (result["connections_peak"] is None or result["connections_peak"] <= result["pool_limit"])
    )


def main() -> None:
    results = []
    for llm in ("offline", "stub"):
        with any_database() as (url, kind):
            result = run_load(url, llm=llm)
            result["database"] = kind
            results.append(result)
    print(
        f"{CANDIDATES} candidates at once, {QUESTIONS} questions each, instant models; LLM stub latency "
        f"{LATENCY_S * 1000:.0f} ms"
    )
    for r in results:
        peak = "n/a" if r["connections_peak"] is None else f"{r['connections_peak']}/{r['pool_limit']}"
        print(
            f"{r['llm']:<8} {r['database']}: errors {len(r['errors'])}, answers sent/stored/graded "
            f"{r['answers_sent']}/{r['answers_stored']}/{r['answers_graded']}, duplicates {r['duplicate_answers']}, "
            f"messages {r['messages']}/{r['messages_expected']}, connections peak {peak}, turn p50 "
            f"{r['turn_ms']['p50']} ms p95 {r['turn_ms']['p95']} ms, wall {r['wall_s']} s -> "
            f"{'pass' if passed(r) else 'FAIL'}"
        )
        for error in r["errors"][:5]:
            print("  ", error)
    print(json.dumps({"passed": all(passed(r) for r in results), "results": results}))


if __name__ == "__main__":
    main()

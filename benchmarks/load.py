"""`python -m benchmarks.load`: many candidates interviewing at once through the backend.

50 candidates (threads of one app process, as one Streamlit server runs them) sign up and each run a
3-question interview as the chat page drives it (three page runs per turn, submit, grade, next), all
released together: once with the offline interviewer, once with the LLM interviewer against a local
OpenAI-compatible stub answering after 200 ms. Model inference is instant (hash-seeded embeddings), so
what is measured is the app's own behaviour under contention. Alongside the offline run, 5 real browser
sessions (headless Chromium driven by Playwright) sign up and answer a 3-question offline interview on one
`streamlit run` server with its own database (so each process's connections are counted against its own
pool). Pass: zero errors (no exception box or console error in a browser either), every answer stored
exactly once and graded (row counts and texts checked against what was sent), and each process's
connections (sampled from pg_stat_activity) never above its pool limit. Runs on PostgreSQL
(TEST_DATABASE_URL, in throwaway databases) when reachable, else on SQLite files. Last line: one JSON object,
with the counts that failed each condition missed in `targets_why`. Sizes: --candidates, --browsers.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from unittest import mock

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from backend import accounts
from backend.context import AppContext
from backend.db.engine import POOL_MAX_OVERFLOW, POOL_SIZE
from backend.db.models import Answer, InterviewSession, Message, User
from backend.interview import engine
from backend.interview.engine import Llms, State
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import dimensions_for
from backend.llm.provider import make_chat_model
from backend.rag import bundle
from backend.rag.embeddings import E5Embeddings
from backend.rag.knowledge import KnowledgeBase
from backend.rag.store import LocalStore
from benchmarks.turn import InstantE5, any_database, make_context, postgres_database, sqlite_url

CANDIDATES, QUESTIONS, LATENCY_S, BROWSERS = 50, 3, 0.2, 5
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
    """Samples how many connections the app holds in the database of `url` (PostgreSQL), every 20 ms."""

    def __init__(self, url: str) -> None:
        self.url, self.peak, self.samples, self._stop = url, 0, 0, threading.Event()
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
        if self.url.startswith("postgresql"):
            # Its own connection, in autocommit: pg_stat_activity is read once per transaction.
            self._monitor = create_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
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


class BrowserRun:
    """`sessions` real browsers, each signing up and answering an offline interview on one `streamlit run`
    server with a database of its own (on the server of `base_url`, or a SQLite file), in threads (one
    Playwright per thread, as its sync API requires); then the rows checked against what was sent."""

    def __init__(self, base_url: str, sessions: int) -> None:
        self.base_url, self.sessions, self.results = base_url, sessions, [{}] * sessions
        self._stack = ExitStack()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> BrowserRun:
        from tests.browser import app_server

        if self.base_url.startswith("postgresql"):
            self.url = self._stack.enter_context(postgres_database(self.base_url))
        else:
            self.url = sqlite_url(Path(self._stack.enter_context(tempfile.TemporaryDirectory())))
        secret = "benchmark-secret-" + "x" * 40
        self.app = self._stack.enter_context(app_server({"DATABASE_URL": self.url, "APP_SECRET": secret}))
        self.watch = self._stack.enter_context(ConnectionWatch(self.url))
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(self.sessions)]
        for thread in self._threads:
            thread.start()
        return self

    def _run(self, n: int) -> None:
        self.results[n] = browser_candidate(self.app, n)

    def __exit__(self, *exc: object) -> None:
        try:
            for thread in self._threads:
                thread.join()
            self.result = self._check()
        finally:
            self._stack.close()

    def _check(self) -> dict:
        sent = {text for r in self.results for text in r.get("sent", [])}
        engine_ = create_engine(self.url, poolclass=NullPool)
        with engine_.connect() as db:
            users = select(User.id).where(User.username.like("browser_%"))
            sessions = select(InterviewSession.id).where(InterviewSession.user_id.in_(users))
            rows = db.execute(
                select(Answer.answer_text, Answer.status, Answer.turn_key).where(Answer.session_id.in_(sessions))
            ).all()
            ended = db.scalar(
                select(func.count()).where(InterviewSession.id.in_(sessions), InterviewSession.status == "ended")
            )
        engine_.dispose()
        walls = sorted(r["wall_s"] for r in self.results if "wall_s" in r)
        return {
            "sessions": self.sessions,
            "errors": [e for r in self.results for e in r.get("errors", [])],
            "answers_sent": sum(len(r.get("sent", [])) for r in self.results),
            "answers_stored": len(rows),
            "answers_graded": sum(status == "graded" for _, status, _ in rows),
            "answers_match_sent": {text for text, _, _ in rows} == sent,
            "duplicate_answers": len(rows) - len({turn for _, _, turn in rows}),
            "interviews_ended": ended,
            "connections_peak": self.watch.peak if self.watch.samples else None,
            "pool_limit": POOL_SIZE + POOL_MAX_OVERFLOW,
            "session_wall_s": {"p50": round(statistics.median(walls), 1), "max": round(walls[-1], 1)}
            if walls
            else None,
        }


def browser_candidate(app_url: str, n: int) -> dict:
    """One candidate in a real browser: sign up, then a whole offline interview; what was sent, any error."""
    from tests.browser import answer_question, browser_page, sign_up, start_interview, wait_idle
    from ui.strings import STRINGS

    started, sent, errors = time.perf_counter(), [], []
    try:
        with browser_page(locale="en-US") as page:
            page.goto(app_url)
            page.get_by_role("tab", name=STRINGS["auth.signup_tab"]["en"]).wait_for(timeout=180_000)
            wait_idle(page, timeout=120_000)
            sign_up(page, f"browser_{n:02d}", f"correct horse browser {n:02d} battery", "en")
            page.get_by_test_id("stSidebarNav").wait_for(timeout=120_000)
            start_interview(page, "en", QUESTIONS)
            for position in range(1, QUESTIONS + 1):
                text_ = f"Browser session {n} answers question {position}: a process owns its memory, threads share it."
                answer_question(page, position, QUESTIONS, "en", text=text_)
                sent.append(text_)
                last = position == QUESTIONS
                page.get_by_role("button", name=STRINGS["chat.finish" if last else "chat.next"]["en"]).click()
            page.get_by_text(STRINGS["summary.title"]["en"], exact=True).wait_for(timeout=120_000)
            wait_idle(page, timeout=120_000)
            if page.get_by_test_id("stException").count():
                errors.append(f"browser {n}: Streamlit exception box")
            errors.extend(f"browser {n}: {e}" for e in page.errors)
    except Exception as exc:  # noqa: BLE001 - reported, and the run fails
        errors.append(f"browser {n}: {exc!r}"[:500])
    return {"sent": sent, "errors": errors, "wall_s": time.perf_counter() - started}


def run_load(
    url: str, *, candidates: int = CANDIDATES, llm: str = "offline", latency: float = LATENCY_S, browsers: int = 0
) -> dict:
    """`candidates` interviews at once on `url`, offline or against an LLM stub, alongside `browsers` real
    browser sessions on a server of their own; the checks and timings."""
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
        with (
            BrowserRun(url, browsers) if browsers else nullcontext() as browser_run,
            ConnectionWatch(ctx.engine.url.render_as_string(hide_password=False)) as watch,
        ):
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
        "browsers": browser_run.result if browsers else None,
    }


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def checks(result: dict) -> dict[str, bool]:
    """The pass conditions of one run, by name."""
    named = {
        "zero errors": not result["errors"],
        "every answer stored once and graded": result["answers_stored"]
        == result["answers_sent"]
        == result["answers_graded"]
        and result["duplicate_answers"] == 0,
        "every interview ended with all its messages": result["interviews_ended"] == result["candidates"]
        and result["messages"] == result["messages_expected"],
        "connections within the pool": result["connections_peak"] is None
        or result["connections_peak"] <= result["pool_limit"],
    }
    if result.get("browsers") is not None:
        named.update({f"browsers: {name}": ok for name, ok in browser_checks(result["browsers"]).items()})
    return named


def browser_checks(result: dict) -> dict[str, bool]:
    """The browsers' pass conditions: no error shown or logged, every answer stored once as sent and graded,
    every interview ended, the server's pool held."""
    return {
        "zero errors": not result["errors"],
        "every answer stored once, as sent, and graded": result["answers_stored"]
        == result["answers_sent"]
        == result["answers_graded"]
        == QUESTIONS * result["sessions"]
        and result["answers_match_sent"]
        and result["duplicate_answers"] == 0,
        "every interview ended": result["interviews_ended"] == result["sessions"],
        "connections within the pool": result["connections_peak"] is None
        or result["connections_peak"] <= result["pool_limit"],
    }


def checks_why(result: dict) -> dict[str, str]:
    """For each pass condition of one run that failed (named as in `checks`), the counts that failed it."""
    why = {
        "zero errors": _errors_why(result["errors"]),
        "every answer stored once and graded": _answers_why(result),
        "every interview ended with all its messages": f"{result['interviews_ended']} of {result['candidates']} "
        f"interviews ended; {result['messages']} of {result['messages_expected']} messages stored",
        "connections within the pool": _pool_why(result),
    }
    if (browsers := result.get("browsers")) is not None:
        why |= {
            "browsers: zero errors": _errors_why(browsers["errors"]),
            "browsers: every answer stored once, as sent, and graded": _answers_why(browsers)
            + f" ({QUESTIONS * browsers['sessions']} expected); texts as sent: {browsers['answers_match_sent']}",
            "browsers: every interview ended": f"{browsers['interviews_ended']} of {browsers['sessions']} ended",
            "browsers: connections within the pool": _pool_why(browsers),
        }
    met = checks(result)
    return {name: reason for name, reason in why.items() if not met[name]}


def _errors_why(errors: list) -> str:
    return f"{len(errors)} error{'' if len(errors) == 1 else 's'}" + (
        f", the first: {str(errors[0])[:200]}" if errors else ""
    )


def _answers_why(result: dict) -> str:
    return (
        f"answers sent {result['answers_sent']}, stored {result['answers_stored']}, graded "
        f"{result['answers_graded']}, duplicates {result['duplicate_answers']}"
    )


def _pool_why(result: dict) -> str:
    return f"peak {result['connections_peak']} connections against a pool of {result['pool_limit']}"


def passed(result: dict) -> bool:
    """Zero errors, nothing lost or doubled, every interview ended, the pool limit held (browsers too)."""
    return all(checks(result).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=CANDIDATES, help="backend candidates at once")
    parser.add_argument("--browsers", type=int, default=BROWSERS, help="real browser sessions alongside (offline)")
    args = parser.parse_args()
    results = []
    for llm in ("offline", "stub"):
        with any_database() as (url, kind):
            browsers = args.browsers if llm == "offline" else 0
            result = run_load(url, candidates=args.candidates, llm=llm, browsers=browsers)
            result["database"] = kind
            results.append(result)
    print(
        f"{args.candidates} candidates at once, {QUESTIONS} questions each, instant models; LLM stub latency "
        f"{LATENCY_S * 1000:.0f} ms; {args.browsers} real browsers alongside the offline run"
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
        b = r.get("browsers")
        if b:
            peak = "n/a" if b["connections_peak"] is None else f"{b['connections_peak']}/{b['pool_limit']}"
            print(
                f"  browsers: {b['sessions']} sessions, errors {len(b['errors'])}, answers sent/stored/graded "
                f"{b['answers_sent']}/{b['answers_stored']}/{b['answers_graded']} (texts match: "
                f"{b['answers_match_sent']}), duplicates {b['duplicate_answers']}, ended {b['interviews_ended']}, "
                f"server connections peak {peak}, session wall p50 {b['session_wall_s']['p50']} s "
                f"max {b['session_wall_s']['max']} s -> {'pass' if all(browser_checks(b).values()) else 'FAIL'}"
            )
            for error in b["errors"][:5]:
                print("  ", error)
    targets = {f"{r['llm']}: {name}": ok for r in results for name, ok in checks(r).items()}
    why = {f"{r['llm']}: {name}": reason for r in results for name, reason in checks_why(r).items()}
    if why:
        why["passed"] = f"{len(why)} of {len(targets)} conditions failed: " + "; ".join(why)
    for name, reason in why.items():
        print(f"  {name}: {reason}")
    print(json.dumps({"passed": all(targets.values()), "targets_met": targets, "targets_why": why, "results": results}))


if __name__ == "__main__":
    main()

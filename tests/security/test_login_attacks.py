"""Login under attack (issue 11): parallel guesses, unknown names and login bursts, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import bcrypt
import pytest

from backend import accounts
from backend.context import AppContext
from backend.db import engine as db_engine
from backend.errors import AppError
from tests.apptest_helpers import log_in, new_app
from tests.conftest import make_context, reset_postgres, strong_password
from ui.strings import STRINGS

LOCKED, WRONG = "auth.locked", "auth.bad_credentials"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database that threads can share: a SQLite file, or the PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    url = request.getfixturevalue("pg_url")
    reset_postgres(url)
    return url


@pytest.fixture
def shared_ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.engine.dispose()


def attempt(ctx: AppContext, username: str, password: str) -> str:
    """What a login answers: "ok" or the message code."""
    try:
        accounts.login(ctx, username=username, password=password)
    except AppError as exc:
        return exc.code
    return "ok"


def at_once(calls: list[Callable[[], str]]) -> list[str]:
    """Run the calls in threads released together; any exception other than AppError fails the test."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], str]) -> str:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("exists", [True, False], ids=["account", "unknown-name"])
def test_thirty_parallel_wrong_guesses_are_all_counted_and_lock(shared_ctx: AppContext, exists: bool) -> None:
    password = strong_password()
    if exists:
        accounts.signup(shared_ctx, username="victim", password=password)
    limit = shared_ctx.settings.login_max_failures
    outcomes = at_once([partial(attempt, shared_ctx, "victim", f"guess number {i}") for i in range(30)])
    assert sorted(outcomes) == [WRONG] * limit + [LOCKED] * (30 - limit)
    assert attempt(shared_ctx, "victim", password) == LOCKED


def test_right_password_among_parallel_guesses_gets_only_the_allowed_tries(
    shared_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = strong_password()
    accounts.signup(shared_ctx, username="victim", password=password)
    # A slow password check (a loaded server) keeps every guess in flight while the others arrive.
    real = bcrypt.checkpw
    monkeypatch.setattr(accounts.bcrypt, "checkpw", lambda pw, h: time.sleep(1) or real(pw, h))
    guesses = [f"guess number {i}" for i in range(29)] + [password]
    outcomes = at_once([partial(attempt, shared_ctx, "victim", guess) for guess in guesses])
    # As if the 30 guesses had come one after another: only the first `limit` are checked at all.
    assert sum(outcome != LOCKED for outcome in outcomes) <= shared_ctx.settings.login_max_failures


def test_unknown_name_locks_exactly_like_a_real_account(ctx: AppContext) -> None:
    accounts.signup(ctx, username="realname", password=strong_password())
    limit = ctx.settings.login_max_failures
    answers: dict[str, list[AppError]] = {"realname": [], "ghostname": []}
    for name, errors in answers.items():
        for _ in range(limit + 1):
            with pytest.raises(AppError) as info:
                accounts.login(ctx, username=name, password="wrong password here")
            errors.append(info.value)
    real, ghost = answers["realname"], answers["ghostname"]
    assert [e.code for e in real] == [e.code for e in ghost] == [WRONG] * limit + [LOCKED]
    assert abs(real[-1].params["seconds"] - ghost[-1].params["seconds"]) <= 1  # the same lock, a moment apart
    assert attempt(ctx, " GhostName ", "wrong password here") == LOCKED  # the lock is on the normalised name


def test_password_checks_hold_no_pooled_connection(shared_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    password, new = strong_password(), strong_password()
    user = accounts.signup(shared_ctx, username="holder", password=password)
    held: list[int] = []

    def watched(real: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object) -> object:
            held.append(shared_ctx.engine.pool.checkedout())
            return real(*args)

        return call

    accounts._dummy_hash()  # built once, before the calls watched
    monkeypatch.setattr(accounts.bcrypt, "checkpw", watched(bcrypt.checkpw))
    monkeypatch.setattr(accounts.bcrypt, "hashpw", watched(bcrypt.hashpw))
    for name, pw in (("nobody", password), ("holder", "wrong password here"), ("holder", password)):
        attempt(shared_ctx, name, pw)
    accounts.change_password(shared_ctx, user_id=user.id, current=password, new=new)
    accounts.delete_account(shared_ctx, user_id=user.id, password=new)
    assert held == [0] * 6  # three logins, a password change (check and hash), a deletion


def test_a_burst_of_logins_leaves_connections_for_other_pages(shared_ctx: AppContext) -> None:
    user = accounts.signup(shared_ctx, username="popular", password=strong_password())
    token = accounts.issue_token(shared_ctx, user_id=user.id)
    waits: list[float] = []

    def other_page() -> str:
        time.sleep(0.5)  # while the logins are under way
        started = time.perf_counter()
        account = accounts.account_for_token(shared_ctx, token)
        waits.append(time.perf_counter() - started)
        return "ok" if account else "anonymous"

    logins = [partial(attempt, shared_ctx, "popular", f"guess number {i}") for i in range(60)]
    outcomes = at_once([*logins, other_page])
    assert set(outcomes[:-1]) <= {WRONG, LOCKED} and outcomes[-1] == "ok"
    assert waits[0] < 2.0  # a few milliseconds here; 10 s and a pool timeout before the fix


def test_exhausted_pool_is_a_busy_message_not_an_unexpected_error(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_engine, "POOL_TIMEOUT_SECONDS", 0.2)
    ctx = make_context(db_url)
    held = [ctx.engine.connect() for _ in range(ctx.engine.pool.size() + db_engine.POOL_MAX_OVERFLOW)]
    try:
        assert attempt(ctx, "anyone", "any password here") == "error.db_busy"
        at = log_in(new_app(ctx).run(), "anyone", "any password here")
        assert not at.exception
        assert [e.value for e in at.error] == [STRINGS["error.db_busy"]["ko"]]
    finally:
        for conn in held:
            conn.close()
        ctx.engine.dispose()

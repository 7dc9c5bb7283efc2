"""Shared fixtures: an app context on in-memory SQLite, and one on real PostgreSQL."""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend.config import load_settings, normalise_database_url
from backend.context import AppContext, build_context

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/interview_coach_test")
TEST_SECRET = "test-secret-" + "x" * 40


def random_lower_string(length: int = 12) -> str:
    """A random lowercase ASCII string (usernames and such)."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


def strong_password() -> str:
    """A password the policy accepts."""
    return "correct horse " + random_lower_string(10)


def make_context(database_url: str = "sqlite://", **overrides: object) -> AppContext:
    """A fully migrated context on `database_url` with a fixed test pepper."""
    settings = load_settings(_env_file=None, database_url=database_url, app_secret=TEST_SECRET, **overrides)
    return build_context(settings)


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    context = make_context()
    yield context
    context.engine.dispose()


def _postgres_reachable() -> str | None:
    url = normalise_database_url(PG_URL)
    try:
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = make_url(url).database
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return url
    except Exception as exc:  # any failure means "no PostgreSQL here"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: {exc}")
        return None


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = _postgres_reachable()
    if url is None:
        pytest.skip("no PostgreSQL reachable (set TEST_DATABASE_URL or REQUIRE_POSTGRES=1)")
    return url


def reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def pg_ctx(pg_url: str) -> Iterator[AppContext]:
    reset_postgres(pg_url)
    context = make_context(pg_url)
    yield context
    context.engine.dispose()

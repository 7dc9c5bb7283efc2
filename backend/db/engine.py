"""Engine and session factory: one per process, bounded pool, SQLite pragmas."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, QueuePool, StaticPool

from backend import logs
from backend.errors import DatabaseBusy

log = logs.get_logger("db")

# Sized for a class of about 50 candidates on one replica (issue 11). A connection is held only for a statement
# or a short transaction (bcrypt, embeddings and LLM calls run outside them), so a few are busy at once; the
# overflow absorbs bursts such as a class logging in together. 20 per replica leaves room for four replicas
# on Neon's smallest compute (97 connections for applications).
POOL_SIZE = 10
POOL_MAX_OVERFLOW = 10
POOL_TIMEOUT_SECONDS = 10.0

# JSON columns hold mostly Korean text; stored as UTF-8 rather than \uXXXX escapes they are less than half
# the size and decode about three times faster, and the chat page decodes every grade of the interview on
# each run (benchmarks/turn.py).
_json_dumps = partial(json.dumps, ensure_ascii=False)


class BusyAwarePool(QueuePool):
    """A QueuePool whose checkout timeout is DatabaseBusy, a retry message, rather than an unexpected error."""

    def connect(self) -> PoolProxiedConnection:
        try:
            return super().connect()
        except PoolTimeout as exc:
            log.warning("database pool exhausted", extra={"pool": self.status()})
            raise DatabaseBusy(type(exc).__name__) from exc


def _pool_args() -> dict[str, object]:
    return {
        "poolclass": BusyAwarePool,
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_MAX_OVERFLOW,
        "pool_timeout": POOL_TIMEOUT_SECONDS,
    }


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
        return None
    return Path(url.split("///", 1)[1].split("?", 1)[0].removeprefix("file:"))  # also a URI filename


def _owner_only(database: Path) -> None:
    """Create the database file readable by its owner only (0600), or take others' access away from it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    elif database.stat().st_mode & 0o077:
        database.chmod(0o600)


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite gets foreign keys on and WAL."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        database = sqlite_file(url)
        if database is not None and "mode=ro" not in url:  # a read-only database is neither created nor changed
            _owner_only(database)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **({"poolclass": StaticPool} if memory else _pool_args()),
            json_serializer=_json_dumps,
            hide_parameters=True,  # errors and logs never carry a candidate's answer or a password hash
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(
        url,
        **_pool_args(),
        pool_pre_ping=True,
        pool_recycle=1800,
        json_serializer=_json_dumps,
        hide_parameters=True,
        connect_args={"connect_timeout": 10, "application_name": "interview-coach"},
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to `engine` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def autocommit_session(engine: Engine) -> Iterator[Session]:
    """A session whose statements run without BEGIN and COMMIT, for reads.

    psycopg2 switches autocommit on the client alone, where SQLAlchemy's isolation_level="AUTOCOMMIT"
    option also sends a SET when the connection goes back to the pool. SQLite needs no switch: the
    sqlite3 module begins a transaction only before a write.
    """
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        switch = engine.dialect.driver == "psycopg2"
        if switch:
            dbapi_conn.autocommit = True
        try:
            with Session(bind=conn, expire_on_commit=False) as db:
                yield db
        finally:
            if switch and not conn.invalidated:
                try:
                    dbapi_conn.autocommit = False
                except engine.dialect.loaded_dbapi.Error:
                    conn.invalidate()  # broken: never back into the pool, least of all in autocommit

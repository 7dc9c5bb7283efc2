"""Engine and session factory: one per process, bounded pool, SQLite pragmas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

# JSON columns hold mostly Korean text; stored as UTF-8 rather than \uXXXX escapes they are less than half
# the size and decode about three times faster, and the chat page decodes every grade of the interview on
# each run (benchmarks/turn.py).
_json_dumps = partial(json.dumps, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite gets foreign keys on and WAL."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
            json_serializer=_json_dumps,
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
        pool_size=5,
        max_overflow=5,
        pool_timeout=10,
        pool_pre_ping=True,
        pool_recycle=1800,
        json_serializer=_json_dumps,
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

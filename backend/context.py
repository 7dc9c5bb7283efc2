"""The per-process backend context: settings, database sessions and the password pepper."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend import logs
from backend.config import Settings
from backend.db import migrate
from backend.db.engine import autocommit_session, make_engine, session_factory
from backend.db.models import AppMeta
from backend.errors import DatabaseUnavailable

log = logs.get_logger("context")


@dataclass(frozen=True)
class AppContext:
    """What every backend call needs; built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    pepper: bytes

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A transaction; connection failures become DatabaseUnavailable."""
        with _unavailable_on_outage(), self.sessions() as db, db.begin():
            yield db

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads only, without BEGIN and COMMIT; connection failures become DatabaseUnavailable.

        On PostgreSQL each statement sees the latest committed data, as it does inside a READ COMMITTED
        transaction, so readers see the same rows; they save two round trips per call (benchmarks/turn.py).
        """
        with _unavailable_on_outage(), autocommit_session(self.engine) as db:
            yield db


@contextmanager
def _unavailable_on_outage() -> Iterator[None]:
    """Map a lost or refused database connection to DatabaseUnavailable (a user-safe retry message)."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, IntegrityError):
            raise
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            log.error("database unavailable", extra={"error": type(exc.orig).__name__})
            raise DatabaseUnavailable(str(type(exc.orig).__name__)) from exc
        raise


def _pepper(settings: Settings, factory: sessionmaker[Session]) -> bytes:
    """APP_SECRET if configured, else a random pepper generated once and kept in the database."""
    if settings.app_secret is not None:
        return settings.app_secret.get_secret_value().encode()
    log.warning("APP_SECRET is not set; using a generated pepper stored in the database")
    for _ in range(2):
        with factory() as db:
            row = db.scalar(select(AppMeta).where(AppMeta.key == "pepper"))
            if row is not None:
                return row.value.encode()
            try:
                db.add(AppMeta(key="pepper", value=secrets.token_urlsafe(48)))
                db.commit()
            except IntegrityError:  # another process created it first
                db.rollback()
    raise RuntimeError("could not establish the password pepper")


def build_context(settings: Settings) -> AppContext:
    """Create the engine, run migrations to head and resolve the pepper."""
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    factory = session_factory(engine)
    return AppContext(settings=settings, engine=engine, sessions=factory, pepper=_pepper(settings, factory))

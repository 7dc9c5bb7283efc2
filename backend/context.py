"""The per-process backend context: settings, database sessions and the password pepper."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend import logs
from backend.config import ConfigError, Settings
from backend.db import migrate
from backend.db.engine import autocommit_session, make_engine, session_factory, sqlite_file
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
    """APP_SECRET if configured; else, for a SQLite file, a random pepper kept in a 0600 file beside it.

    The pepper must not sit in the database it protects. With PostgreSQL it cannot live on local disk either
    (a replica's or Community Cloud's disk is wiped, and every user would be locked out), so APP_SECRET is
    required there; an installation whose pepper an earlier version kept in the database keeps using it.
    """
    if settings.app_secret is not None:
        return settings.app_secret.get_secret_value().encode()
    with factory() as db:
        stored = db.get(AppMeta, _PEPPER_KEY)
        stored_value = stored.value if stored is not None else None
    if settings.database_kind == "postgresql":
        if stored_value is None:
            raise ConfigError(
                "APP_SECRET is required with PostgreSQL: set it to a random value of 32+ characters "
                "(a pepper generated here would be lost with this machine's disk)."
            )
        log.warning("the password pepper is stored in the database; move it to APP_SECRET")
        return stored_value.encode()
    path = pepper_path(settings.effective_database_url)
    if path is None:  # in-memory database: nothing outlives the process
        return (stored_value or secrets.token_urlsafe(48)).encode()
    pepper = _read_or_create(path, stored_value or secrets.token_urlsafe(48))
    if stored_value is not None:  # moved out of the database once, now that the file holds it
        with factory() as db, db.begin():
            db.execute(delete(AppMeta).where(AppMeta.key == _PEPPER_KEY))
        log.info("moved the password pepper from the database to its own file")
    return pepper.encode()


_PEPPER_KEY = "pepper"


def pepper_path(database_url: str) -> Path | None:
    """Where the generated pepper of a SQLite file database lives: beside it, as `<name>.pepper`."""
    database = sqlite_file(database_url)
    return database.with_name(database.name + ".pepper") if database is not None else None


def _read_or_create(path: Path, candidate: str) -> str:
    """The pepper in `path`; written first (mode 0600, exclusively, so racing processes agree) if absent."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise ConfigError(f"the pepper file {path} is empty; restore it from a backup") from None
        return value
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(candidate)
    return candidate


def build_context(settings: Settings) -> AppContext:
    """Create the engine, run migrations to head and resolve the pepper."""
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    factory = session_factory(engine)
    return AppContext(settings=settings, engine=engine, sessions=factory, pepper=_pepper(settings, factory))

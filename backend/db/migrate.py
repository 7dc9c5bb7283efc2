"""Run Alembic migrations to head: at start-up (idempotent) or `python -m backend.db.migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: replicas starting together take turns on PostgreSQL.
_LOCK_ID = 73_310_241


def alembic_config() -> Config:
    """An Alembic Config pointing at our migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is already there."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema down to `revision` (used by tests and operators)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def main() -> None:
    from backend.config import get_settings
    from backend.db.engine import make_engine

    upgrade(make_engine(get_settings().effective_database_url))


if __name__ == "__main__":
    main()

"""The pepper never sits in the database it protects (issue 11, item 5), and the SQLite file is private."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import create_engine, select, text

from backend import accounts
from backend.config import ConfigError, load_settings
from backend.context import build_context, pepper_path
from backend.db import migrate
from backend.db.models import AppMeta
from tests.conftest import reset_postgres, strong_password


def sqlite_settings(tmp_path, **overrides):
    return load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'coach.db'}", **overrides)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_generated_pepper_lives_in_a_private_file_beside_the_database_not_in_it(tmp_path) -> None:
    ctx = build_context(sqlite_settings(tmp_path))
    password = strong_password()
    accounts.signup(ctx, username="minji", password=password)
    ctx.engine.dispose()
    database, pepper_file = tmp_path / "coach.db", tmp_path / "coach.db.pepper"
    assert pepper_path(f"sqlite:///{database}") == pepper_file
    assert mode(database) == 0o600 and mode(pepper_file) == 0o600
    assert pepper_file.read_text().encode() == ctx.pepper and len(ctx.pepper) >= 32
    with create_engine(f"sqlite:///{database}").connect() as conn:
        assert conn.scalar(select(AppMeta.value).where(AppMeta.key == "pepper")) is None
        dump = "\n".join(
            str(row) for table in ("app_meta", "users") for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert ctx.pepper.decode() not in dump
    again = build_context(sqlite_settings(tmp_path))  # a restart reads the same pepper: logins keep working
    assert again.pepper == ctx.pepper
    assert accounts.login(again, username="minji", password=password).username == "minji"
    pepper_file.unlink()  # a stolen database without the pepper file cannot test guesses: neither can we
    fresh = build_context(sqlite_settings(tmp_path))
    with pytest.raises(Exception) as refused:
        accounts.login(fresh, username="minji", password=password)
    assert getattr(refused.value, "code", "") == "auth.bad_credentials"


def test_a_world_readable_database_file_is_made_private_at_start(tmp_path) -> None:
    database = tmp_path / "coach.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    build_context(sqlite_settings(tmp_path)).engine.dispose()
    assert mode(database) == 0o600


def test_a_pepper_an_earlier_version_kept_in_the_database_moves_out_once(tmp_path) -> None:
    database = tmp_path / "coach.db"
    engine = create_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(AppMeta.__table__.insert().values(key="pepper", value="old-pepper-" + "p" * 40))
    engine.dispose()
    ctx = build_context(sqlite_settings(tmp_path))
    assert ctx.pepper == ("old-pepper-" + "p" * 40).encode()  # existing passwords still verify
    assert (tmp_path / "coach.db.pepper").read_text() == "old-pepper-" + "p" * 40
    with ctx.read() as db:
        assert db.scalar(select(AppMeta).where(AppMeta.key == "pepper")) is None


def test_postgresql_without_app_secret_refuses_to_start_with_one_sentence(pg_url) -> None:
    reset_postgres(pg_url)
    with pytest.raises(ConfigError) as refused:
        build_context(load_settings(_env_file=None, database_url=pg_url))
    message = str(refused.value)
    assert "APP_SECRET is required" in message and message.count(".") <= 2 and "\n" not in message


def test_postgresql_keeps_a_pepper_an_earlier_version_stored_there(pg_url) -> None:
    reset_postgres(pg_url)
    engine = create_engine(pg_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(AppMeta.__table__.insert().values(key="pepper", value="legacy-" + "q" * 40))
    engine.dispose()
    ctx = build_context(load_settings(_env_file=None, database_url=pg_url))
    assert ctx.pepper == ("legacy-" + "q" * 40).encode()
    ctx.engine.dispose()

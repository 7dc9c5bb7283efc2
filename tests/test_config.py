"""Settings: precedence, normalisation and validation."""

from __future__ import annotations

import pytest

from backend import config
from backend.config import ConfigError, Settings, load_settings, normalise_database_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg2://u:p@h:5432/db"),
        ("postgresql://u:p@h/db?sslmode=require", "postgresql+psycopg2://u:p@h/db?sslmode=require"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_is_normalised(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected
    assert load_settings(_env_file=None, database_url=raw).database_url == expected


def test_no_configuration_means_sqlite_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "PINECONE_API_KEY", "PINECONE_INDEX"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_kind == "sqlite"
    assert settings.effective_database_url.endswith(".data/interview_coach.db")
    assert not settings.llm_enabled and not settings.pinecone_enabled


def test_environment_beats_dotenv_beats_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("OPENAI_MODEL=from-dotenv\nSESSION_DAYS=3\nLOG_LEVEL=warning\n")
    monkeypatch.setattr(
        config._StreamlitSecrets,
        "__call__",
        lambda self: {"openai_model": "from-secrets", "session_days": 9, "default_timezone": "Europe/Paris"},
    )
    monkeypatch.setenv("OPENAI_MODEL", "from-env")
    settings = Settings(_env_file=env_file)
    assert settings.openai_model == "from-env"
    assert settings.session_days == 3
    assert settings.default_timezone == "Europe/Paris"
    assert settings.log_level == "WARNING"
    monkeypatch.delenv("OPENAI_MODEL")
    assert Settings(_env_file=env_file).openai_model == "from-dotenv"


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({"session_days": 0}, "SESSION_DAYS"),
        ({"app_secret": "change-me"}, "APP_SECRET"),
        ({"openai_base_url": "localhost:8000"}, "OPENAI_BASE_URL"),
        ({"default_timezone": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"llm_calls_per_minute": "lots"}, "LLM_CALLS_PER_MINUTE"),
    ],
)
def test_invalid_value_stops_with_one_sentence_naming_it(overrides: dict, name: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None, **overrides)
    message = str(info.value)
    assert name in message and message.endswith(".") and "\n" not in message


def test_pinecone_needs_key_and_index_together() -> None:
    with pytest.raises(ConfigError, match="PINECONE_API_KEY and PINECONE_INDEX"):
        load_settings(_env_file=None, pinecone_api_key="pc-key")


def test_secret_values_never_appear_in_repr() -> None:
    settings = load_settings(_env_file=None, openai_api_key="sk-very-secret-value", app_secret="s" * 40)
    assert "sk-very-secret-value" not in repr(settings)
    assert "s" * 40 not in str(settings.model_dump())

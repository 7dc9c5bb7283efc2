"""One typed Settings object: environment > .env > st.secrets > defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
LOCAL_DIR = ROOT / ".data"

_PLACEHOLDERS = {"change-me", "changeme", "secret", "your-secret", "xxx", "replace-me", "todo"}


class ConfigError(RuntimeError):
    """A setting is invalid; the message is one sentence naming it."""


def normalise_database_url(url: str) -> str:
    """Accept postgres:// and postgresql:// forms and pick the psycopg2 driver."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


class _StreamlitSecrets(PydanticBaseSettingsSource):
    """Reads top-level keys of st.secrets (Streamlit Community Cloud's secrets UI)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        try:
            import streamlit as st

            raw = {str(k).lower(): v for k, v in st.secrets.items() if not hasattr(v, "items")}
        except Exception:  # no secrets file, or Streamlit absent: nothing to read
            return {}
        return {name: raw[name] for name in self.settings_cls.model_fields if name in raw}


class Settings(BaseSettings):
    """Every setting the app reads; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_file=ROOT / ".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = ""
    app_secret: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_models: str = ""
    openai_temperature: float = Field(0.7, ge=0.0, le=2.0)
    openai_timeout_seconds: float = Field(60.0, gt=0, le=600)
    openai_max_retries: int = Field(3, ge=0, le=10)
    llm_max_tokens: int = Field(1200, ge=64, le=32000)
    pinecone_api_key: SecretStr | None = None
    pinecone_index: str | None = None
    session_days: int = Field(7, ge=1, le=365)
    login_max_failures: int = Field(5, ge=1, le=100)
    login_lock_seconds: int = Field(30, ge=1, le=86400)
    llm_calls_per_minute: int = Field(10, ge=1, le=10000)
    llm_calls_per_day: int = Field(200, ge=1, le=1000000)
    max_answer_chars: int = Field(4000, ge=200, le=50000)
    max_upload_mb: float = Field(10.0, gt=0, le=200)
    # What one file may hold once opened (see loaders.Limits). 150,000 characters make about 260 chunks
    # (~580 new characters each), under the chunk limit; 300 chunks take about a minute to embed with the
    # offline model on 2 cores (5 chunks/s, README).
    max_upload_unpacked_mb: float = Field(50.0, gt=0, le=1000)
    max_upload_pages: int = Field(300, ge=1, le=10000)
    max_upload_chars: int = Field(150_000, ge=1000, le=10_000_000)
    max_upload_chunks: int = Field(300, ge=1, le=100_000)
    default_timezone: str = "Asia/Seoul"
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, dotenv_settings, _StreamlitSecrets(settings_cls)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.strip():
            return ""
        url = normalise_database_url(value)
        if not url.startswith(("postgresql+psycopg2://", "sqlite://")):
            raise ValueError("must start with postgres://, postgresql:// or sqlite://")
        return url

    @field_validator("openai_api_key", "pinecone_api_key", "app_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url", "pinecone_index", mode="before")
    @classmethod
    def _blank_str_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("openai_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("app_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value()
        if raw.lower() in _PLACEHOLDERS or len(raw) < 32:
            raise ValueError("must be a random value of at least 32 characters, not a placeholder")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Seoul") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _pinecone_pair(self) -> Settings:
        if bool(self.pinecone_api_key) != bool(self.pinecone_index):
            raise ValueError("PINECONE_API_KEY and PINECONE_INDEX must be set together")
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under .data/."""
        return self.database_url or f"sqlite:///{LOCAL_DIR / 'interview_coach.db'}"

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.effective_database_url.startswith("postgresql") else "sqlite"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def pinecone_enabled(self) -> bool:
        return bool(self.pinecone_api_key and self.pinecone_index)

    @property
    def model_choices(self) -> list[str]:
        """Models offered in the sidebar: OPENAI_MODELS (comma separated), default first."""
        extra = [m.strip() for m in self.openai_models.split(",") if m.strip()]
        return list(dict.fromkeys([self.openai_model, *extra]))

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_upload_unpacked_bytes(self) -> int:
        return int(self.max_upload_unpacked_mb * 1024 * 1024)


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning a validation error into one sentence naming the setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]).upper() or "configuration"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Setting {name} is invalid: {message}.") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    return load_settings()

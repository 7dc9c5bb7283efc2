"""One factory for the chat model (OpenAI, any OpenAI-compatible server, or none = offline), plus limits."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.db import repo
from backend.db.models import User
from backend.errors import AppError

# OpenAI-compatible local servers (Ollama, llama.cpp, …) ignore the key but the client needs one.
_NO_KEY = "not-needed"


@dataclass(frozen=True)
class LlmChoice:
    """Which model the candidate picked in the sidebar, and the interviewer's temperature."""

    model: str
    temperature: float


def mode_label(settings: Settings, choice: LlmChoice | None = None) -> str:
    """'offline' or 'llm:<model>' (stored with each interview)."""
    if not settings.llm_enabled:
        return "offline"
    return f"llm:{(choice.model if choice else settings.openai_model)}"


def make_chat_model(
    settings: Settings, *, model: str | None = None, temperature: float | None = None, streaming: bool = False
) -> BaseChatModel | None:
    """A LangChain chat model for the configured provider, or None when running offline.

    The client's own retry (exponential backoff on 429 and 5xx, `OPENAI_MAX_RETRIES`) and timeout
    (`OPENAI_TIMEOUT_SECONDS`) apply to every call.
    """
    if not settings.llm_enabled:
        return None
    from langchain.chat_models import init_chat_model

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else _NO_KEY
    return init_chat_model(
        model or settings.openai_model,
        model_provider="openai",
        api_key=key,
        base_url=settings.openai_base_url,
        temperature=settings.openai_temperature if temperature is None else temperature,
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        max_tokens=settings.llm_max_tokens,
        streaming=streaming,
    )


def check_rate_limit(db: Session, *, user_id: int, settings: Settings, calls: int = 1) -> None:
    """Count `calls` LLM requests for the user, or raise a clear AppError (and count none) when they would
    pass the per-minute or per-day limit. Atomic: the requests are recorded first, under a per-user lock
    (the user's row on PostgreSQL; SQLite's single writer lock, taken by the first insert), then counted;
    over the limit, the caller's transaction rolls the records back."""
    db.execute(select(User.id).where(User.id == user_id).with_for_update())
    for _ in range(calls):
        repo.record_llm_call(db, user_id=user_id)
    db.flush()
    if repo.count_llm_calls(db, user_id=user_id, seconds=60) > settings.llm_calls_per_minute:
        raise AppError("llm.rate_minute", limit=settings.llm_calls_per_minute)
    if repo.count_llm_calls(db, user_id=user_id, seconds=86400) > settings.llm_calls_per_day:
        raise AppError("llm.rate_day", limit=settings.llm_calls_per_day)


def provider_error(exc: Exception) -> AppError:
    """Map a provider exception to a user-safe message (never the key or the raw response)."""
    name = type(exc).__name__
    if "Timeout" in name:
        return AppError("llm.timeout", name)
    if "RateLimit" in name:
        return AppError("llm.provider_busy", name)
    if "Authentication" in name or "Permission" in name:
        return AppError("llm.auth", name)
    return AppError("llm.failed", name)

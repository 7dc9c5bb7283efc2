"""Structured logging: one JSON object per line, with configured secrets masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line; extra= fields become keys."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return self._mask(json.dumps(payload, ensure_ascii=False, default=str))


def configure(level: str = "INFO", secrets: tuple[str, ...] = ()) -> None:
    """Route the app's loggers to stderr as JSON lines (idempotent)."""
    root = logging.getLogger("interview_coach")
    root.setLevel(level)
    root.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root.handlers = [handler]


def get_logger(name: str) -> logging.Logger:
    """A logger under the app's namespace."""
    return logging.getLogger(f"interview_coach.{name}")

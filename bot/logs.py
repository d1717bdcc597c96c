"""Logging set-up: one line per event (text or JSON), no token, no personal data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import Config


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class _RedactToken(logging.Filter):
    """Last line of defence: no log line may contain the bot token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            msg = record.getMessage()
            if self.token in msg:
                record.msg = msg.replace(self.token, "<token>")
                record.args = ()
        return True


def configure_logging(config: Config) -> None:
    """One line per event; library request logs (which carry the token in URLs) kept quiet."""
    logging.basicConfig(
        level=getattr(logging, config.logging.level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if config.logging.format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    redact = _RedactToken(config.telegram.token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    quiet_libraries()


def quiet_libraries() -> None:
    """Library DEBUG logs print whole updates (user ids, names) and URLs with the token."""
    for name, level in (
        ("telegram", logging.INFO),
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
        ("apscheduler", logging.WARNING),
        ("aiosqlite", logging.INFO),
    ):
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), level))

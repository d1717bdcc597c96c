"""Configuration: typed dataclasses loaded from YAML with strict key and type checks."""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ENV_CONFIG = "NETRALBOT_CONFIG"
ENV_TOKEN = "NETRALBOT_TOKEN"


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the key."""


@dataclass(frozen=True)
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    url_path: str = "telegram"
    public_url: str = ""
    secret_token: str = ""


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""
    api_url: str = "https://api.telegram.org"
    mode: str = "polling"
    poll_timeout: int = 30
    webhook: WebhookConfig = field(default_factory=WebhookConfig)


@dataclass(frozen=True)
class Route:
    chat_id: int
    regions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ModerationConfig:
    chat_id: int | None = None
    routes: list[Route] = field(default_factory=list)
    member_cache_seconds: int = 300

    @property
    def chat_ids(self) -> set[int]:
        """Every moderation chat: the default and each route's."""
        chats = {r.chat_id for r in self.routes}
        if self.chat_id is not None:
            chats.add(self.chat_id)
        return chats


@dataclass(frozen=True)
class StorageConfig:
    path: str = "netral.db"


@dataclass(frozen=True)
class RulebookConfig:
    path: str = ""  # empty: the rulebook bundled with the package


@dataclass(frozen=True)
class MatcherConfig:
    answer_threshold: float = 60.0
    # Prohibited / conditional answers to a question asking for permission ("boleh...?");
    # no effect above answer_threshold.
    permission_threshold: float = 48.0
    allowed_threshold: float = 65.0
    suggest_threshold: float = 40.0
    margin: float = 4.0
    allowed_margin: float = 12.0
    max_suggestions: int = 3


@dataclass(frozen=True)
class TipsConfig:
    max_evidence: int = 10
    max_text_length: int = 2000
    per_hour: int = 3
    per_day: int = 10
    draft_ttl_hours: int = 24
    hmac_secret: str = ""
    notify_key: str = ""
    status_delay_seconds: float = 1.0


@dataclass(frozen=True)
class RetentionConfig:
    days: int = 180


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    format: str = "text"


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    moderation: ModerationConfig = field(default_factory=ModerationConfig)
    admins: list[int] = field(default_factory=list)
    storage: StorageConfig = field(default_factory=StorageConfig)
    rulebook: RulebookConfig = field(default_factory=RulebookConfig)
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    tips: TipsConfig = field(default_factory=TipsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)


_CHOICES: dict[str, tuple[str, ...]] = {
    "telegram.mode": ("polling", "webhook"),
    "logging.level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    "logging.format": ("text", "json"),
}
_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _convert(value: Any, tp: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(value, args[0], key)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {type(value).__name__}")
        (item_tp,) = typing.get_args(tp)
        return [_convert(v, item_tp, f"{key}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        return _build(tp, value, key + ".")
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, bool):
        raise ConfigError(f"{key}: expected an integer, got {value!r}")
    if not isinstance(value, tp):
        raise ConfigError(f"{key}: expected {_TYPE_NAMES.get(tp, tp.__name__)}, got {value!r}")
    return value


def _build(cls: Any, data: dict[str, Any], prefix: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            raise ConfigError(f"{prefix}{key}: unknown key (check the spelling)")
    kwargs = {}
    for name in names:
        if name in data:
            full = prefix + name
            value = _convert(data[name], hints[name], full)
            choices = _CHOICES.get(full)
            if choices and value not in choices:
                raise ConfigError(f"{full}: must be one of {', '.join(choices)}, got {value!r}")
            kwargs[name] = value
    return cls(**kwargs)


def parse_config(data: dict[str, Any] | None) -> Config:
    """Build a Config from a parsed YAML mapping, rejecting unknown keys and wrong types."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("config: the top level must be a mapping of keys")
    config = _build(Config, data)
    _check_values(config)
    return config


def _check_values(config: Config) -> None:
    m = config.matcher
    if m.permission_threshold < m.suggest_threshold:
        raise ConfigError("matcher: need suggest_threshold <= permission_threshold")
    if not 0 <= m.suggest_threshold <= m.answer_threshold <= m.allowed_threshold <= 100:
        raise ConfigError(
            "matcher: need 0 <= suggest_threshold <= answer_threshold <= allowed_threshold <= 100"
        )
    if m.max_suggestions < 1:
        raise ConfigError("matcher.max_suggestions: must be at least 1")
    if config.tips.max_evidence < 0:
        raise ConfigError("tips.max_evidence: must not be negative")
    if config.retention.days < 1:
        raise ConfigError("retention.days: must be at least 1")
    wh = config.telegram.webhook
    if config.telegram.mode == "webhook":
        if not wh.public_url.startswith(("https://", "http://")):
            raise ConfigError("telegram.webhook.public_url: required in webhook mode (https://...)")
        if len(wh.secret_token) < 16:
            raise ConfigError("telegram.webhook.secret_token: required in webhook mode (16+ chars)")


def config_path(explicit: str | None) -> Path | None:
    """Where to read the config: --config, else $NETRALBOT_CONFIG, else ./config.yaml if present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    default = Path("config.yaml")
    return default if default.exists() else None


def load_config(explicit: str | None = None) -> Config:
    """Load the config file (or defaults) and apply the token from the environment."""
    path = config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from exc
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark else ""
            raise ConfigError(f"config: {path}{where} is not valid YAML") from exc
    config = parse_config(data)
    token = os.environ.get(ENV_TOKEN)
    if token:
        config = dataclasses.replace(
            config, telegram=dataclasses.replace(config.telegram, token=token)
        )
    return config


def require_token(config: Config) -> None:
    """Fail with a clear message when the bot is asked to run without a token."""
    token = config.telegram.token
    if not token:
        raise ConfigError(f"telegram.token: missing (set it in the config or in ${ENV_TOKEN})")
    if ":" not in token:
        raise ConfigError("telegram.token: does not look like a bot token (expected 123456:ABC...)")

"""Reporter privacy: keyed tags instead of user ids, encrypted chat ids for opt-in notices."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken

from bot.config import ConfigError, TipsConfig

ENV_HMAC_SECRET = "NETRALBOT_HMAC_SECRET"
ENV_NOTIFY_KEY = "NETRALBOT_NOTIFY_KEY"
MIN_SECRET_LENGTH = 16
# Domain separation: the same secret must never yield the same tag for another purpose.
_TAG_DOMAIN = b"netral:reporter:"
_DRAFT_DOMAIN = b"netral:draft:"


def _as_bytes(value: bytes | str) -> bytes:
    """Secrets may come as text from YAML or as bytes from code."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


class ReporterKey:
    """HMAC-SHA256 over a user id with a secret kept outside the database."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes | str) -> None:
        raw = _as_bytes(secret)
        if not raw:
            raise ValueError("empty HMAC secret")
        self._secret = raw

    def _mac(self, domain: bytes, user_id: int) -> str:
        """Hex HMAC-SHA256 of a domain-separated user id."""
        message = domain + str(int(user_id)).encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def tag(self, user_id: int) -> str:
        """The hex tag of a user id (rate limits, blocking): stable, unlinkable without the key."""
        return self._mac(_TAG_DOMAIN, user_id)

    def draft_key(self, user_id: int) -> str:
        """The key of a user's draft row; differs from tag() so drafts do not link to tips."""
        return self._mac(_DRAFT_DOMAIN, user_id)

    def __repr__(self) -> str:
        return "ReporterKey(<secret>)"


class NotifyCipher:
    """Fernet encryption of the chat id of a reporter who asked for status notices."""

    __slots__ = ("_fernet",)

    def __init__(self, key: bytes | str) -> None:
        self._fernet = Fernet(_as_bytes(key))  # raises ValueError on a malformed key

    def encrypt_chat(self, chat_id: int) -> bytes:
        """Encrypt a chat id (random IV: equal ids give different tokens)."""
        return self._fernet.encrypt(str(int(chat_id)).encode("ascii"))

    def decrypt_chat(self, token: bytes) -> int:
        """Decrypt a chat id; ValueError when the token is corrupt or from another key."""
        try:
            return int(self._fernet.decrypt(bytes(token)).decode("ascii"))
        except (InvalidToken, UnicodeDecodeError) as exc:
            raise ValueError("cannot decrypt the notification chat") from exc

    def __repr__(self) -> str:
        return "NotifyCipher(<key>)"


def load_secrets(tips_config: TipsConfig) -> tuple[ReporterKey, NotifyCipher]:
    """Build the reporter key and notify cipher from the environment (preferred) or config."""
    secret = os.environ.get(ENV_HMAC_SECRET) or tips_config.hmac_secret
    if not secret:
        raise ConfigError(
            f"tips.hmac_secret: missing (set it in the config or in ${ENV_HMAC_SECRET})"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"tips.hmac_secret: must be at least {MIN_SECRET_LENGTH} characters")
    key = os.environ.get(ENV_NOTIFY_KEY) or tips_config.notify_key
    if not key:
        raise ConfigError(
            f"tips.notify_key: missing (set it in the config or in ${ENV_NOTIFY_KEY})"
        )
    try:
        cipher = NotifyCipher(key.strip())
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            "tips.notify_key: not a valid Fernet key (44 url-safe base64 characters; create one"
            " with: python -c 'from cryptography.fernet import Fernet;"
            " print(Fernet.generate_key().decode())')"
        ) from exc
    return ReporterKey(secret), cipher

"""Reporter keys (HMAC tags) and the notify cipher, and how their secrets are loaded."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, TipsConfig
from bot.privacy import NotifyCipher, ReporterKey, load_secrets

SECRET = "test-secret-0123456789"
KEY = Fernet.generate_key().decode()


def test_tag_is_stable_key_dependent_and_hides_the_id():
    key = ReporterKey(SECRET)
    tag = key.tag(987654321987)
    assert tag == ReporterKey(SECRET.encode()).tag(987654321987)
    assert len(tag) == 64 and int(tag, 16) >= 0
    assert tag != key.tag(987654321988)
    assert tag != ReporterKey(SECRET + "x").tag(987654321987)
    assert "987654321987" not in tag
    # the draft key is domain-separated from the rate-limit tag
    assert key.draft_key(987654321987) != tag
    assert SECRET not in repr(key)


def test_fernet_round_trip():
    cipher = NotifyCipher(KEY)
    token = cipher.encrypt_chat(987654321987)
    assert b"987654321987" not in token
    assert token != cipher.encrypt_chat(987654321987)  # random IV
    assert cipher.decrypt_chat(token) == 987654321987
    assert cipher.decrypt_chat(cipher.encrypt_chat(-100123)) == -100123
    with pytest.raises(ValueError):
        NotifyCipher(Fernet.generate_key()).decrypt_chat(token)
    with pytest.raises(ValueError):
        cipher.decrypt_chat(b"garbage")


def test_load_secrets_from_config(monkeypatch):
    monkeypatch.delenv("NETRALBOT_HMAC_SECRET", raising=False)
    monkeypatch.delenv("NETRALBOT_NOTIFY_KEY", raising=False)
    key, cipher = load_secrets(TipsConfig(hmac_secret=SECRET, notify_key=KEY))
    assert key.tag(1) == ReporterKey(SECRET).tag(1)
    assert cipher.decrypt_chat(NotifyCipher(KEY).encrypt_chat(5)) == 5


def test_environment_wins(monkeypatch):
    other = Fernet.generate_key().decode()
    monkeypatch.setenv("NETRALBOT_HMAC_SECRET", "environment-secret-123")
    monkeypatch.setenv("NETRALBOT_NOTIFY_KEY", other)
    key, cipher = load_secrets(TipsConfig(hmac_secret=SECRET, notify_key=KEY))
    assert key.tag(1) == ReporterKey("environment-secret-123").tag(1)
    assert cipher.decrypt_chat(NotifyCipher(other).encrypt_chat(7)) == 7


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        (TipsConfig(hmac_secret="", notify_key=KEY), "tips.hmac_secret"),
        (TipsConfig(hmac_secret="short", notify_key=KEY), "tips.hmac_secret"),
        (TipsConfig(hmac_secret=SECRET, notify_key=""), "tips.notify_key"),
        (TipsConfig(hmac_secret=SECRET, notify_key="not-a-fernet-key"), "tips.notify_key"),
        (TipsConfig(hmac_secret=SECRET, notify_key=KEY[:-4]), "tips.notify_key"),
    ],
)
def test_missing_or_bad_secrets(monkeypatch, config, needle):
    monkeypatch.delenv("NETRALBOT_HMAC_SECRET", raising=False)
    monkeypatch.delenv("NETRALBOT_NOTIFY_KEY", raising=False)
    with pytest.raises(ConfigError) as err:
        load_secrets(config)
    message = str(err.value)
    assert message.startswith(needle) and "\n" not in message
    assert SECRET not in message and KEY not in message

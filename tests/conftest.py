"""Shared fixtures: the fake Bot API server and a running Netral bot wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Config, parse_config
from bot.qa import QA
from bot.storage import Database
from tests.botapi import FakeBotApi
from tests.botapi.fixtures import botapi  # noqa: F401 - re-exported fixture

ADMIN_ID = 900001
MOD_CHAT_ID = -100777


def make_config(api_url: str, db_path: Path, **overrides: object) -> Config:
    data: dict = {
        "telegram": {"token": "123456:TEST", "api_url": api_url, "poll_timeout": 1},
        "storage": {"path": str(db_path)},
        "admins": [ADMIN_ID],
        "moderation": {"chat_id": MOD_CHAT_ID},
        "tips": {"hmac_secret": "test-secret-0123456789",
                 "notify_key": "cIcaOQfk_7DW8MEenIXnFndLnE71Wc5NaQYDHSpKaC4=",
                 "status_delay_seconds": 0.05},
    }
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        if name:
            data.setdefault(section, {})[name] = value
        else:
            data[section] = value
    return parse_config(data)


@dataclass
class Harness:
    api: FakeBotApi
    config: Config
    db: Database
    app: object
    tmp: Path


@pytest.fixture(scope="session")
def shared_qa_rulebook():
    """The bundled rulebook is loaded once per session (it is immutable)."""
    from bot.rulebook import load_rulebook

    return load_rulebook()


@pytest_asyncio.fixture
async def netral(botapi: FakeBotApi, tmp_path: Path, shared_qa_rulebook) -> AsyncIterator[Harness]:  # noqa: F811
    """The real application, polling the fake Bot API server over HTTP on 127.0.0.1."""
    from bot.app import build_application, running
    from bot.matcher import Matcher

    config = make_config(botapi.url, tmp_path / "netral.db")
    db = await Database.open(config.storage.path)
    qa = QA(Matcher(shared_qa_rulebook, config.matcher), db)
    app = build_application(config, qa, db=db)
    try:
        async with running(app):
            yield Harness(botapi, config, db, app, tmp_path)
    finally:
        await db.close()

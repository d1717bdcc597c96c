"""pytest fixture: ``botapi`` — a started FakeBotApi on 127.0.0.1 (random port), stopped afterwards.

Usage in a conftest: ``from tests.botapi.fixtures import botapi  # noqa: F401``
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeBotApi


@pytest_asyncio.fixture
async def botapi() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start(host="127.0.0.1", port=0)
    try:
        yield api
    finally:
        await api.stop()

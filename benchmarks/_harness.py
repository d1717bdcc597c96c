"""Shared plumbing for the benchmarks: import path, a fake Bot API with per-chat inboxes, stats.

Not a benchmark itself. The scripts are run as ``.venv/bin/python benchmarks/<script>.py``, so
``benchmarks/`` is on ``sys.path`` and the project root (for ``tests.botapi``) is added here.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.botapi import FakeBotApi  # noqa: E402
from tests.conftest import MOD_CHAT_ID, make_config  # noqa: E402

__all__ = ["MOD_CHAT_ID", "ROOT", "BenchApi", "machine", "make_config", "percentile"]


class BenchApi(FakeBotApi):
    """The test server plus an O(1) per-chat inbox of the bot's new messages.

    ``wait_messages`` rescans ``api.sent`` on every state change, which is fine for tests but
    quadratic with hundreds of concurrent waiters; the benchmarks wait on these queues instead.
    Each item is ``(time.perf_counter() when the server stored the message, message dict)``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.inbox: defaultdict[int, asyncio.Queue] = defaultdict(asyncio.Queue)

    def _record_sent(self, method, chat, message, p, **extra):  # type: ignore[override]
        super()._record_sent(method, chat, message, p, **extra)
        if not method.lower().startswith("edit"):
            self.inbox[chat.id].put_nowait((time.perf_counter(), message))

    async def next_message(self, chat_id: int, timeout: float = 30.0) -> tuple[float, dict]:
        """The bot's next new message in ``chat_id`` (arrival time, message)."""
        return await asyncio.wait_for(self.inbox[chat_id].get(), timeout)

    def reset(self) -> None:
        """Forget records and queued inbox messages (between rounds)."""
        self.clear_records()
        self.inbox.clear()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """One line: cores, CPU model, Python, python-telegram-bot and SQLite versions."""
    import sqlite3

    import telegram

    return (
        f"machine: {os.cpu_count()} cores ({cpu_model()}), {platform.system()} "
        f"{platform.machine()}; Python {platform.python_version()}, python-telegram-bot "
        f"{telegram.__version__}, SQLite {sqlite3.sqlite_version}"
    )

"""python-telegram-bot persistence that keeps only conversation states, in the SQLite file."""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.storage import Database


class SqlitePersistence(BasePersistence):
    """Conversation states survive restarts; user/chat/bot data are deliberately not stored."""

    def __init__(self, path: str) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=5,
        )
        self.path = path
        self._db: Database | None = None

    async def database(self) -> Database:
        """The shared database, opened (and migrated) on first use inside the running loop."""
        if self._db is None:
            self._db = await Database.open(self.path)
        return self._db

    def adopt(self, db: Database) -> None:
        """Use an already open database (tests share one)."""
        self._db = db

    async def get_conversations(self, name: str) -> dict[tuple[int | str, ...], object]:
        db = await self.database()
        cur = await db.conn.execute("SELECT key, state FROM conversations WHERE name = ?", (name,))
        return {tuple(json.loads(k)): json.loads(s) for k, s in await cur.fetchall()}

    async def update_conversation(
        self, name: str, key: tuple[int | str, ...], new_state: object | None
    ) -> None:
        db = await self.database()
        k = json.dumps(list(key))
        async with db.transaction() as c:
            if new_state is None:
                await c.execute("DELETE FROM conversations WHERE name = ? AND key = ?", (name, k))
            else:
                await c.execute(
                    "INSERT INTO conversations(name, key, state) VALUES (?, ?, ?)"
                    " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                    (name, k, json.dumps(new_state)),
                )

    async def flush(self) -> None:
        """Every state is written when it changes; the database is closed by its owner."""
        return None

    # Nothing else is persisted: user, chat and bot data stay in memory by design.
    async def get_user_data(self) -> dict[int, Any]:
        return {}

    async def get_chat_data(self) -> dict[int, Any]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: Any) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: Any) -> None:
        return None

    async def update_bot_data(self, data: Any) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: Any) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Any) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Any) -> None:
        return None

"""SQLite storage (aiosqlite): one file, WAL, versioned migrations, no reporter identities."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

log = logging.getLogger(__name__)

# Append only: a migration that has shipped is never edited, a change is a new entry.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,          -- UTC ISO time; no user identity is ever stored
            outcome TEXT NOT NULL,           -- answer | suggest | abstain
            rule_id TEXT,
            lang TEXT NOT NULL,
            channel TEXT NOT NULL            -- private | group | inline | cli
        );
        CREATE INDEX questions_asked_at ON questions(asked_at);
        CREATE TABLE unanswered (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,
            text TEXT NOT NULL,              -- the question only, for improving the rulebook
            normalized TEXT NOT NULL
        );
        CREATE INDEX unanswered_asked_at ON unanswered(asked_at);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    (
        3,
        """
        -- Conversation states (e.g. which step of the tip form a chat is at). The key holds the
        -- chat and user id; no tip content is ever stored here (drafts live in `drafts`).
        CREATE TABLE conversations (
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (name, key)
        );
        """,
    ),
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class QuestionLog:
    """One asked question for the statistics: no user identity, text only if unanswered."""

    asked_at: str
    outcome: str
    rule_id: str | None
    lang: str
    channel: str
    text: str | None = None
    normalized: str = ""


@dataclass(frozen=True)
class UnansweredRow:
    normalized: str
    example: str
    count: int
    last_asked: str


@dataclass(frozen=True)
class DayStats:
    day: str
    total: int
    answered: int
    suggested: int
    declined: int


class Database:
    """An open SQLite database; use `await Database.open(path)` and `await db.close()`."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        # One connection is shared by every handler: transactions must not interleave.
        self._tx_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str, migrations: list[tuple[int, str]] | None = None) -> Database:
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=5000")
        # WAL for concurrent readers; FULL sync so a committed tip survives power loss;
        # secure_delete so deleted drafts are overwritten, not left in free pages.
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA secure_delete=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await conn.execute(pragma)
        db = cls(conn, path)
        try:
            await db.migrate(migrations if migrations is not None else all_migrations())
        except BaseException:
            await conn.close()  # else aiosqlite's thread keeps the process alive
            raise
        return db

    async def close(self) -> None:
        await self.conn.close()

    async def migrate(self, migrations: list[tuple[int, str]]) -> None:
        cur = await self.conn.execute("PRAGMA user_version")
        row = await cur.fetchone()
        current = row[0] if row else 0
        for version, sql in sorted(migrations):
            if version <= current:
                continue
            async with self.transaction():
                for statement in _split_sql(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version={int(version)}")
            log.info("database migrated to version %d", version)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; one at a time."""
        async with self._tx_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it (used after a tip is submitted)."""
        await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- questions -----------------------------------------------------------------------------

    async def log_question(
        self,
        outcome: str,
        rule_id: str | None,
        lang: str,
        channel: str,
        text: str | None = None,
        normalized: str = "",
    ) -> None:
        """Count a question; keep the text only when the bot could not answer it."""
        await self.log_questions(
            [QuestionLog(iso(utcnow()), outcome, rule_id, lang, channel, text, normalized)]
        )

    async def log_questions(self, batch: list[QuestionLog]) -> None:
        """Store many question records in one transaction (one disk sync, not one each)."""
        if not batch:
            return
        async with self.transaction() as c:
            await c.executemany(
                "INSERT INTO questions(asked_at, outcome, rule_id, lang, channel)"
                " VALUES (?, ?, ?, ?, ?)",
                [(q.asked_at, q.outcome, q.rule_id, q.lang, q.channel) for q in batch],
            )
            await c.executemany(
                "INSERT INTO unanswered(asked_at, text, normalized) VALUES (?, ?, ?)",
                [
                    (q.asked_at, q.text[:1000], q.normalized[:1000] or q.text[:1000].lower())
                    for q in batch
                    if q.outcome == "abstain" and q.text
                ],
            )

    async def unanswered(self, since: datetime, limit: int = 20) -> list[UnansweredRow]:
        cur = await self.conn.execute(
            "SELECT normalized, MIN(text) AS example, COUNT(*) AS n, MAX(asked_at) AS last"
            " FROM unanswered WHERE asked_at >= ? GROUP BY normalized"
            " ORDER BY n DESC, last DESC LIMIT ?",
            (iso(since), limit),
        )
        return [UnansweredRow(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

    async def day_stats(self, since: datetime) -> list[DayStats]:
        cur = await self.conn.execute(
            "SELECT substr(asked_at, 1, 10) AS day, COUNT(*),"
            " SUM(outcome = 'answer'), SUM(outcome = 'suggest'), SUM(outcome = 'abstain')"
            " FROM questions WHERE asked_at >= ? GROUP BY day ORDER BY day",
            (iso(since),),
        )
        return [DayStats(r[0], r[1], r[2], r[3], r[4]) for r in await cur.fetchall()]

    async def top_rules(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        cur = await self.conn.execute(
            "SELECT rule_id, COUNT(*) AS n FROM questions"
            " WHERE asked_at >= ? AND outcome = 'answer' AND rule_id IS NOT NULL"
            " GROUP BY rule_id ORDER BY n DESC, rule_id LIMIT ?",
            (iso(since), limit),
        )
        return [(r[0], r[1]) for r in await cur.fetchall()]

    async def get_kv(self, key: str) -> str | None:
        cur = await self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,))
        row = await cur.fetchone()
        return row[0] if row else None

    async def set_kv(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO kv(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _split_sql(sql: str) -> list[str]:
    """Split a migration script into complete statements (semicolons in comments are fine)."""
    statements, buf = [], ""
    for piece in sql.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            body = "\n".join(
                line for line in buf.splitlines() if not line.strip().startswith("--")
            ).strip()
            if body.strip("; \n"):
                statements.append(buf.strip())
            buf = ""
    return statements


def all_migrations() -> list[tuple[int, str]]:
    """Every migration of the project, in version order."""
    # imported here: bot.tips_store imports this module, so a top-level import would be circular
    from bot.tips_store import MIGRATIONS as TIPS_MIGRATIONS

    return sorted(MIGRATIONS + TIPS_MIGRATIONS)

"""Tip storage: drafts, atomic submission, delivery outbox, moderation, follow-ups, retention.

Anonymity rules kept here: a reporter's user id is never stored, only keyed HMAC tags of it
(one for rate limits and blocking, another as the key of a draft in progress, which is deleted
on submit or cancel and expires otherwise); an opted-in reporter's chat id is stored only
Fernet-encrypted in `notify`; nothing about reporters is logged.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.config import ModerationConfig, TipsConfig
from bot.privacy import NotifyCipher, ReporterKey
from bot.storage import Database, iso, utcnow
from bot.tips import (
    ALBUM_KINDS,
    CLOSED_STATUSES,
    EVIDENCE_KINDS,
    REJECT_REASONS,
    STATUSES,
    Evidence,
    Tip,
    TipDraft,
    can_transition,
    new_receipt_code,
    normalize_code,
    route_chat,
    validate_draft,
)

log = logging.getLogger(__name__)

_KINDS_SQL = ", ".join(f"'{k}'" for k in EVIDENCE_KINDS)
_PRESET_REASONS_SQL = ", ".join(f"'{r}'" for r in REJECT_REASONS)

# Append only, like bot.storage.MIGRATIONS.
MIGRATIONS: list[tuple[int, str]] = [
    (
        2,
        f"""
        -- One row per submitted tip. reporter_tag is HMAC(secret, user id), never the id itself.
        CREATE TABLE tips (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            category TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            asn_name TEXT NOT NULL DEFAULT '',
            asn_agency TEXT NOT NULL DEFAULT '',
            asn_position TEXT NOT NULL DEFAULT '',
            asn_nip TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            occurred_on TEXT NOT NULL DEFAULT '',
            witnesses TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'baru',
            status_reason TEXT NOT NULL DEFAULT '',
            assignee TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            closed_at TEXT NOT NULL DEFAULT '',
            purged_at TEXT,
            evidence_count INTEGER NOT NULL DEFAULT 0,   -- kept after purge, for statistics
            reporter_tag TEXT                            -- cleared on purge
        );
        CREATE INDEX tips_status ON tips(status, id);
        CREATE INDEX tips_closed ON tips(closed_at);
        CREATE TABLE evidence (
            tip_id INTEGER NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ({_KINDS_SQL})),
            file_id TEXT NOT NULL DEFAULT '',
            file_unique_id TEXT NOT NULL DEFAULT '',
            mime_type TEXT NOT NULL DEFAULT '',
            file_name TEXT NOT NULL DEFAULT '',
            file_size INTEGER NOT NULL DEFAULT 0,
            url TEXT NOT NULL DEFAULT '',
            media_group_id TEXT NOT NULL DEFAULT '',
            sanitized INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (tip_id, seq)
        );
        -- chat_id is a moderation chat, or NULL: the opted-in reporter of tip_id (see notify).
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            tip_id INTEGER REFERENCES tips(id),
            kind TEXT NOT NULL,
            chat_id INTEGER,
            payload TEXT NOT NULL DEFAULT '{{}}',
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT NOT NULL DEFAULT '',
            result_message_ids TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
        CREATE INDEX outbox_tip ON outbox(tip_id, chat_id, kind);
        CREATE TABLE cards (
            tip_id INTEGER NOT NULL REFERENCES tips(id),
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        );
        CREATE INDEX cards_tip ON cards(tip_id, chat_id);
        -- A draft in progress, deleted on submit/cancel. Keyed by HMAC(secret, user id), not
        -- the id: interior b-tree pages keep copies of deleted keys that secure_delete misses.
        CREATE TABLE drafts (
            draft_key TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX drafts_expires ON drafts(expires_at);
        -- Encrypted chat of a reporter who asked for status notices; no tip content here.
        CREATE TABLE notify (
            tip_id INTEGER PRIMARY KEY REFERENCES tips(id) ON DELETE CASCADE,
            chat_cipher BLOB NOT NULL
        );
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            tip_id INTEGER NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
            direction TEXT NOT NULL CHECK (direction IN ('to_reporter', 'from_reporter')),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            seen_at TEXT
        );
        CREATE INDEX followups_tip ON followups(tip_id, id);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            moderator_id INTEGER NOT NULL,
            action TEXT NOT NULL,
            tip_code TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_code ON audit(tip_code, id);
        CREATE TABLE blocked (
            reporter_tag TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            tip_code TEXT NOT NULL DEFAULT ''
        );
        -- Rate limiting: tag and time only; rows older than a day are deleted.
        CREATE TABLE submissions (
            reporter_tag TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX submissions_tag ON submissions(reporter_tag, at);
        """,
    ),
]

_TIP_COLUMNS = (
    "id, code, created_at, category, description, asn_name, asn_agency, asn_position, asn_nip,"
    " region, place, occurred_on, witnesses, status, status_reason, assignee, updated_at,"
    " closed_at, purged_at, evidence_count"
)
_EVIDENCE_COLUMNS = (
    "kind, file_id, file_unique_id, mime_type, file_name, file_size, url, media_group_id, sanitized"
)
# Entries that reply to the card, so they cannot go out before it.
_AFTER_CARD = ("album", "evidence", "reply")
MAX_ALBUM = 10
MAX_ERROR_LENGTH = 200
CSV_FIELDS = (
    "code", "created_at", "category", "region", "status", "status_reason", "assignee",
    "updated_at", "closed_at", "evidence_count",
)  # fmt: skip


class TipNotFound(LookupError):
    """No tip has that receipt code (or id)."""


class BadTransition(ValueError):
    """The requested status change is not allowed from the tip's current status."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__(f"cannot move a tip from {old!r} to {new!r}")
        self.old = old
        self.new = new


class NoModerationChat(RuntimeError):
    """No moderation chat is configured for this tip, so it cannot be delivered."""


class InvalidDraft(ValueError):
    """The draft is not complete or not valid; `problems` lists what (see validate_draft)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid draft: " + ", ".join(problems))
        self.problems = problems


class RateLimited(RuntimeError):
    """The reporter may not submit now; `reason` is "blocked", "hour" or "day"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    tip_id: int | None
    kind: str
    chat_id: int | None  # None: the opted-in reporter of tip_id, decrypted at send time
    payload: dict[str, Any]
    attempts: int
    created_at: str


@dataclass(frozen=True)
class AuditEntry:
    at: str
    moderator_id: int
    action: str
    detail: str


@dataclass(frozen=True)
class FollowUp:
    id: int
    tip_id: int
    direction: str  # to_reporter | from_reporter
    text: str
    created_at: str


def plan_outbox(evidence: list[Evidence]) -> list[tuple[str, list[int]]]:
    """Group evidence (1-based seq) into album/evidence deliveries, keeping the order."""
    plan: list[tuple[str, list[int]]] = []
    run: list[int] = []

    def flush() -> None:
        """Close the current photo/video run (one item cannot be an album)."""
        if run:
            plan.append(("album" if len(run) > 1 else "evidence", list(run)))
            run.clear()

    for seq, item in enumerate(evidence, start=1):
        if item.kind in ALBUM_KINDS:
            if len(run) == MAX_ALBUM:
                flush()
            run.append(seq)
        else:
            flush()
            plan.append(("evidence", [seq]))
    flush()
    return plan


def _csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas in free text (region is typed by the reporter)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _tip(row: aiosqlite.Row) -> Tip:
    """A Tip from a row selected with _TIP_COLUMNS."""
    return Tip(
        id=row["id"],
        code=row["code"],
        created_at=row["created_at"],
        category=row["category"],
        description=row["description"],
        asn_name=row["asn_name"],
        asn_agency=row["asn_agency"],
        asn_position=row["asn_position"],
        asn_nip=row["asn_nip"],
        region=row["region"],
        place=row["place"],
        occurred_on=row["occurred_on"],
        witnesses=row["witnesses"],
        status=row["status"],
        status_reason=row["status_reason"],
        assignee=row["assignee"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
        purged=row["purged_at"] is not None,
        evidence_count=row["evidence_count"],
    )


def _entry(row: aiosqlite.Row) -> OutboxEntry:
    """An OutboxEntry from an outbox row."""
    try:
        payload = json.loads(row["payload"])
    except ValueError:
        payload = {}
    return OutboxEntry(
        id=row["id"],
        tip_id=row["tip_id"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        payload=payload if isinstance(payload, dict) else {},
        attempts=row["attempts"],
        created_at=row["created_at"],
    )


class TipStore:
    """All tip state in SQLite; every method is safe to call again after a restart."""

    def __init__(
        self,
        db: Database,
        key: ReporterKey,
        cipher: NotifyCipher,
        tips_config: TipsConfig,
        moderation: ModerationConfig,
    ) -> None:
        self.db = db
        self.key = key
        self.cipher = cipher
        self.tips = tips_config
        self.moderation = moderation
        # One connection: serialise our transactions so two handlers never nest BEGINs.
        self._lock = asyncio.Lock()
        # aiosqlite logs every statement with its parameters at DEBUG: tip text and reporter
        # tags must not reach the logs even when the bot runs with logging.level DEBUG.
        sql_log = logging.getLogger("aiosqlite")
        if sql_log.level < logging.INFO:  # NOTSET (0) would inherit DEBUG from the root
            sql_log.setLevel(logging.INFO)

    # -- helpers -------------------------------------------------------------------------------

    @property
    def moderation_chats(self) -> set[int]:
        """Every configured moderation chat id."""
        return self.moderation.chat_ids

    async def _checkpoint(self) -> None:
        """Fold the WAL into the db and truncate it, so deleted drafts leave no old frames."""
        cur = await self.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = await cur.fetchone()
        if row is not None and row[0]:
            log.warning("WAL checkpoint incomplete (another reader is active); will retry later")

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        """The first row of a query, or None."""
        cur = await self.db.conn.execute(sql, params)
        return await cur.fetchone()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        """All rows of a query."""
        cur = await self.db.conn.execute(sql, params)
        return list(await cur.fetchall())

    async def _tip_row(self, code: str) -> Tip:
        """The tip with this code, or TipNotFound."""
        canonical = normalize_code(code)
        row = None
        if canonical is not None:
            row = await self._one(f"SELECT {_TIP_COLUMNS} FROM tips WHERE code = ?", (canonical,))
        if row is None:
            raise TipNotFound(code)
        return _tip(row)

    async def _insert_outbox(
        self,
        c: aiosqlite.Connection,
        kind: str,
        chat_id: int | None,
        payload: dict[str, Any],
        tip_id: int | None,
        now: datetime,
        delay: float = 0.0,
    ) -> int:
        """Add a pending outbox entry inside the caller's transaction."""
        cur = await c.execute(
            "INSERT INTO outbox(tip_id, kind, chat_id, payload, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                tip_id,
                kind,
                chat_id,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                iso(now + timedelta(seconds=delay)),
                iso(now),
            ),
        )
        return int(cur.lastrowid or 0)

    async def _audit(
        self,
        c: aiosqlite.Connection,
        moderator_id: int,
        action: str,
        code: str,
        detail: str,
        now: datetime,
    ) -> None:
        """Add an audit row inside the caller's transaction."""
        await c.execute(
            "INSERT INTO audit(at, moderator_id, action, tip_code, detail) VALUES (?, ?, ?, ?, ?)",
            (iso(now), int(moderator_id), action, code, detail),
        )

    async def _reporter_opted_in(self, tip_id: int) -> bool:
        """Whether the reporter of a tip asked for notices."""
        return await self._one("SELECT 1 FROM notify WHERE tip_id = ?", (tip_id,)) is not None

    # -- drafts --------------------------------------------------------------------------------

    async def save_draft(self, user_id: int, draft: TipDraft, now: datetime | None = None) -> None:
        """Store (or replace) a user's draft; it expires after tips.draft_ttl_hours."""
        now = now or utcnow()
        expires = now + timedelta(hours=self.tips.draft_ttl_hours)
        async with self._lock, self.db.transaction() as c:
            await c.execute(
                "INSERT INTO drafts(draft_key, data, updated_at, expires_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(draft_key) DO UPDATE SET data = excluded.data,"
                " updated_at = excluded.updated_at, expires_at = excluded.expires_at",
                (self.key.draft_key(user_id), draft.to_json(), iso(now), iso(expires)),
            )

    async def load_draft(self, user_id: int, now: datetime | None = None) -> TipDraft | None:
        """The user's draft, or None when there is none or it has expired."""
        now = now or utcnow()
        async with self._lock:
            row = await self._one(
                "SELECT data, expires_at FROM drafts WHERE draft_key = ?",
                (self.key.draft_key(user_id),),
            )
        if row is None:
            return None
        if row["expires_at"] <= iso(now):
            await self.delete_draft(user_id)
            return None
        try:
            return TipDraft.from_json(row["data"])
        except (ValueError, TypeError):
            log.warning("dropping an unreadable draft")
            await self.delete_draft(user_id)
            return None

    async def delete_draft(self, user_id: int) -> bool:
        """Delete a user's draft (cancel) and checkpoint so no copy stays in the WAL."""
        async with self._lock:
            async with self.db.transaction() as c:
                cur = await c.execute(
                    "DELETE FROM drafts WHERE draft_key = ?", (self.key.draft_key(user_id),)
                )
                deleted = cur.rowcount > 0
            await self._checkpoint()
        return deleted

    async def purge_expired_drafts(self, now: datetime | None = None) -> int:
        """Delete expired drafts and old rate-limit rows; return how many drafts went."""
        now = now or utcnow()
        async with self._lock:
            async with self.db.transaction() as c:
                cur = await c.execute("DELETE FROM drafts WHERE expires_at <= ?", (iso(now),))
                count = cur.rowcount
                await c.execute(
                    "DELETE FROM submissions WHERE at < ?", (iso(now - timedelta(days=1)),)
                )
            await self._checkpoint()
        return count

    # -- limits --------------------------------------------------------------------------------

    async def _limit_for_tag(self, tag: str, now: datetime) -> str | None:
        """Rate-limit verdict for a reporter tag (see check_limit)."""
        if await self._one("SELECT 1 FROM blocked WHERE reporter_tag = ?", (tag,)):
            return "blocked"
        hour = await self._one(
            "SELECT COUNT(*) FROM submissions WHERE reporter_tag = ? AND at > ?",
            (tag, iso(now - timedelta(hours=1))),
        )
        if hour is not None and hour[0] >= self.tips.per_hour:
            return "hour"
        day = await self._one(
            "SELECT COUNT(*) FROM submissions WHERE reporter_tag = ? AND at > ?",
            (tag, iso(now - timedelta(days=1))),
        )
        if day is not None and day[0] >= self.tips.per_day:
            return "day"
        return None

    async def check_limit(self, user_id: int, now: datetime | None = None) -> str | None:
        """None when the user may submit, else "blocked", "hour" or "day"."""
        async with self._lock:
            return await self._limit_for_tag(self.key.tag(user_id), now or utcnow())

    # -- submission ----------------------------------------------------------------------------

    async def submit(
        self,
        user_id: int,
        draft: TipDraft,
        now: datetime | None = None,
        notify_chat: int | None = None,
    ) -> Tip:
        """Store a tip, its evidence and its deliveries and delete the draft, all atomically."""
        now = now or utcnow()
        problems = validate_draft(draft, self.tips)
        if problems:
            raise InvalidDraft(problems)
        chat = route_chat(
            self.moderation.routes, self.moderation.chat_id, draft.region, draft.category
        )
        if chat is None:
            raise NoModerationChat("no moderation chat is configured")
        tag = self.key.tag(user_id)
        stamp = iso(now)
        async with self._lock:
            async with self.db.transaction() as c:
                verdict = await self._limit_for_tag(tag, now)
                if verdict is not None:
                    raise RateLimited(verdict)
                code = new_receipt_code()
                for _ in range(50):  # 40 random bits: a collision is rare, fifty in a row is not
                    if await self._one("SELECT 1 FROM tips WHERE code = ?", (code,)) is None:
                        break
                    code = new_receipt_code()
                else:
                    raise RuntimeError("could not find a free receipt code")
                cur = await c.execute(
                    "INSERT INTO tips(code, created_at, category, description, asn_name,"
                    " asn_agency, asn_position, asn_nip, region, place, occurred_on, witnesses,"
                    " status, updated_at, evidence_count, reporter_tag)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'baru', ?, ?, ?)",
                    (
                        code, stamp, draft.category, draft.description.strip(),
                        draft.asn_name.strip(), draft.asn_agency.strip(),
                        draft.asn_position.strip(), "".join(draft.asn_nip.split()),
                        draft.region.strip(), draft.place.strip(), draft.occurred_on,
                        draft.witnesses.strip(), stamp, len(draft.evidence), tag,
                    ),
                )  # fmt: skip
                tip_id = int(cur.lastrowid or 0)
                for seq, ev in enumerate(draft.evidence, start=1):
                    await c.execute(
                        f"INSERT INTO evidence(tip_id, seq, {_EVIDENCE_COLUMNS})"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            tip_id, seq, ev.kind, ev.file_id, ev.file_unique_id, ev.mime_type,
                            ev.file_name, int(ev.file_size), ev.url, ev.media_group_id,
                            int(ev.sanitized),
                        ),
                    )  # fmt: skip
                await c.execute(
                    "INSERT INTO submissions(reporter_tag, at) VALUES (?, ?)", (tag, stamp)
                )
                await c.execute(
                    "DELETE FROM submissions WHERE at < ?", (iso(now - timedelta(days=1)),)
                )
                await self._insert_outbox(c, "card", chat, {}, tip_id, now)
                for kind, seqs in plan_outbox(draft.evidence):
                    await self._insert_outbox(c, kind, chat, {"evidence": seqs}, tip_id, now)
                if notify_chat is not None:
                    await c.execute(
                        "INSERT INTO notify(tip_id, chat_cipher) VALUES (?, ?)",
                        (tip_id, self.cipher.encrypt_chat(notify_chat)),
                    )
                await c.execute(
                    "DELETE FROM drafts WHERE draft_key = ?", (self.key.draft_key(user_id),)
                )
            await self._checkpoint()
            row = await self._one(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", (tip_id,))
        assert row is not None
        log.info("tip %s submitted (%s, %d evidence)", code, draft.category, len(draft.evidence))
        return _tip(row)

    async def recent_tip_of(self, user_id: int, now: datetime | None = None) -> Tip | None:
        """The reporter's newest tip submitted within a draft's lifetime, or None.

        `submit` turns the draft into a tip atomically, so a reporter who presses "Kirim" on a
        summary whose draft is gone already has that tip: its receipt was lost to a crash or a
        failed send. They must get the same code again, not "cancelled" and a second tip.
        """
        now = now or utcnow()
        since = iso(now - timedelta(hours=self.tips.draft_ttl_hours))
        async with self._lock:
            row = await self._one(
                f"SELECT {_TIP_COLUMNS} FROM tips WHERE reporter_tag = ? AND created_at > ?"
                " ORDER BY id DESC LIMIT 1",
                (self.key.tag(user_id), since),
            )
        return _tip(row) if row is not None else None

    # -- notifications -------------------------------------------------------------------------

    async def set_notify(self, tip_id: int, chat_id: int) -> None:
        """Remember, encrypted, where to send this tip's status notices."""
        async with self._lock, self.db.transaction() as c:
            await c.execute(
                "INSERT INTO notify(tip_id, chat_cipher) VALUES (?, ?)"
                " ON CONFLICT(tip_id) DO UPDATE SET chat_cipher = excluded.chat_cipher",
                (int(tip_id), self.cipher.encrypt_chat(chat_id)),
            )

    async def notify_chat(self, tip_id: int) -> int | None:
        """The reporter's chat for notices, or None (not opted in, or key changed)."""
        async with self._lock:
            row = await self._one("SELECT chat_cipher FROM notify WHERE tip_id = ?", (tip_id,))
        if row is None:
            return None
        try:
            return self.cipher.decrypt_chat(row[0])
        except ValueError:
            log.warning("notification chat of tip id %d cannot be decrypted", tip_id)
            return None

    async def clear_notify(self, tip_id: int) -> None:
        """Forget the reporter's chat (they opted out or blocked the bot)."""
        async with self._lock:
            async with self.db.transaction() as c:
                await c.execute("DELETE FROM notify WHERE tip_id = ?", (tip_id,))
            await self._checkpoint()

    # -- outbox --------------------------------------------------------------------------------

    async def enqueue(
        self,
        kind: str,
        chat_id: int | None,
        payload: dict[str, Any],
        tip_id: int | None = None,
        *,
        delay: float = 0.0,
        now: datetime | None = None,
    ) -> int:
        """Queue a message for a moderation chat, or (chat_id None) for the tip's reporter."""
        if chat_id is None and tip_id is None:
            raise ValueError("a reporter entry (chat_id None) needs a tip_id")
        if chat_id is not None and chat_id not in self.moderation_chats:
            # the outbox never holds a plain reporter chat id; reporters go through notify
            raise ValueError("outbox chat_id must be a configured moderation chat")
        async with self._lock, self.db.transaction() as c:
            return await self._insert_outbox(
                c, kind, chat_id, payload, tip_id, now or utcnow(), delay
            )

    async def due(self, now: datetime | None = None, limit: int = 50) -> list[OutboxEntry]:
        """Pending entries whose time has come, oldest first; card replies wait for the card."""
        now = now or utcnow()
        kinds = ", ".join(f"'{k}'" for k in _AFTER_CARD)
        async with self._lock:
            rows = await self._all(
                "SELECT * FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?"
                f" AND (o.kind NOT IN ({kinds}) OR o.tip_id IS NULL OR o.chat_id IS NULL"
                "  OR EXISTS (SELECT 1 FROM cards k"
                "             WHERE k.tip_id = o.tip_id AND k.chat_id = o.chat_id)"
                "  OR EXISTS (SELECT 1 FROM outbox c WHERE c.tip_id = o.tip_id"
                "             AND c.chat_id = o.chat_id AND c.kind = 'card' AND c.state = 'sent'))"
                " ORDER BY o.id LIMIT ?",
                (iso(now), limit),
            )
        return [_entry(r) for r in rows]

    async def get_entry(self, entry_id: int) -> OutboxEntry | None:
        """One outbox entry by id (any state)."""
        async with self._lock:
            row = await self._one("SELECT * FROM outbox WHERE id = ?", (entry_id,))
        return _entry(row) if row is not None else None

    async def mark_sent(self, entry_id: int, message_ids: list[int]) -> None:
        """Record a delivery; a card's message ids become `cards` rows for reply lookups."""
        now = iso(utcnow())
        async with self._lock, self.db.transaction() as c:
            cur = await c.execute(
                "SELECT kind, tip_id, chat_id FROM outbox WHERE id = ?", (entry_id,)
            )
            row = await cur.fetchone()
            if row is None:
                return
            await c.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = '',"
                " result_message_ids = ? WHERE id = ?",
                (now, json.dumps([int(m) for m in message_ids]), entry_id),
            )
            if row["kind"] == "card" and row["tip_id"] is not None and row["chat_id"] is not None:
                for message_id in message_ids:
                    await c.execute(
                        "INSERT OR IGNORE INTO cards(tip_id, chat_id, message_id) VALUES (?, ?, ?)",
                        (row["tip_id"], row["chat_id"], int(message_id)),
                    )

    async def mark_retry(
        self, entry_id: int, error: str, delay: float, now: datetime | None = None
    ) -> None:
        """Count a failed attempt and schedule the next one `delay` seconds from now."""
        now = now or utcnow()
        async with self._lock, self.db.transaction() as c:
            await c.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
                " WHERE id = ? AND state = 'pending'",
                (iso(now + timedelta(seconds=max(0.0, delay))), error[:MAX_ERROR_LENGTH], entry_id),
            )

    async def mark_dead(self, entry_id: int, error: str) -> None:
        """Give up on a reporter entry that can never succeed (moderation entries only retry)."""
        async with self._lock, self.db.transaction() as c:
            cur = await c.execute("SELECT chat_id FROM outbox WHERE id = ?", (entry_id,))
            row = await cur.fetchone()
            if row is None:
                return
            if row["chat_id"] is not None:
                raise ValueError("moderation entries are retried, never dead-lettered")
            await c.execute(
                "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (error[:MAX_ERROR_LENGTH], entry_id),
            )

    async def pending_count(self) -> tuple[int, str | None]:
        """How many entries are pending and when the oldest was created."""
        async with self._lock:
            row = await self._one(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'"
            )
        return (row[0], row[1]) if row is not None else (0, None)

    async def card_message(self, tip_id: int, chat_id: int) -> int | None:
        """The message id of the tip's card in a chat (the first, if it was split)."""
        async with self._lock:
            row = await self._one(
                "SELECT MIN(message_id) FROM cards WHERE tip_id = ? AND chat_id = ?",
                (tip_id, chat_id),
            )
        return row[0] if row is not None else None

    async def tip_for_card(self, chat_id: int, message_id: int) -> Tip | None:
        """The tip whose card is this message, or None."""
        async with self._lock:
            row = await self._one(
                f"SELECT {_TIP_COLUMNS} FROM tips WHERE id ="
                " (SELECT tip_id FROM cards WHERE chat_id = ? AND message_id = ?)",
                (chat_id, message_id),
            )
        return _tip(row) if row is not None else None

    # -- moderation ----------------------------------------------------------------------------

    async def get_tip(self, code: str) -> Tip | None:
        """The tip with this receipt code (typed forms accepted), or None."""
        try:
            async with self._lock:
                return await self._tip_row(code)
        except TipNotFound:
            return None

    async def get_tip_by_id(self, tip_id: int) -> Tip | None:
        """The tip with this id, or None."""
        async with self._lock:
            row = await self._one(f"SELECT {_TIP_COLUMNS} FROM tips WHERE id = ?", (tip_id,))
        return _tip(row) if row is not None else None

    async def evidence(self, tip_id: int) -> list[Evidence]:
        """The tip's evidence in the order the reporter sent it (seq 1..n)."""
        async with self._lock:
            rows = await self._all(
                f"SELECT {_EVIDENCE_COLUMNS} FROM evidence WHERE tip_id = ? ORDER BY seq",
                (tip_id,),
            )
        return [
            Evidence(
                kind=r["kind"],
                file_id=r["file_id"],
                file_unique_id=r["file_unique_id"],
                mime_type=r["mime_type"],
                file_name=r["file_name"],
                file_size=r["file_size"],
                url=r["url"],
                media_group_id=r["media_group_id"],
                sanitized=bool(r["sanitized"]),
            )
            for r in rows
        ]

    async def list_tips(self, status: str | None = None, limit: int = 20) -> list[Tip]:
        """Tips, newest first, optionally only one status."""
        async with self._lock:
            if status is None:
                rows = await self._all(
                    f"SELECT {_TIP_COLUMNS} FROM tips ORDER BY id DESC LIMIT ?", (limit,)
                )
            else:
                rows = await self._all(
                    f"SELECT {_TIP_COLUMNS} FROM tips WHERE status = ? ORDER BY id DESC LIMIT ?",
                    (status, limit),
                )
        return [_tip(r) for r in rows]

    async def assign(
        self, code: str, moderator_id: int, label: str, now: datetime | None = None
    ) -> Tip:
        """Make a moderator (shown by label, e.g. "Moderator #3") responsible for a tip."""
        now = now or utcnow()
        async with self._lock:
            tip = await self._tip_row(code)
            async with self.db.transaction() as c:
                await c.execute(
                    "UPDATE tips SET assignee = ?, updated_at = ? WHERE id = ?",
                    (label, iso(now), tip.id),
                )
                await self._audit(c, moderator_id, "assign", tip.code, label, now)
            return await self._tip_row(tip.code)

    async def set_status(
        self,
        code: str,
        status: str,
        moderator_id: int,
        reason: str = "",
        now: datetime | None = None,
    ) -> Tip:
        """Change a tip's status (BadTransition if not allowed) and tell an opted-in reporter."""
        now = now or utcnow()
        async with self._lock:
            tip = await self._tip_row(code)
            if status not in STATUSES or not can_transition(tip.status, status):
                raise BadTransition(tip.status, status)
            closed_at = iso(now) if status in CLOSED_STATUSES else ""
            reason = reason.strip()[: self.tips.max_text_length]
            async with self.db.transaction() as c:
                await c.execute(
                    "UPDATE tips SET status = ?, status_reason = ?, updated_at = ?, closed_at = ?"
                    " WHERE id = ?",
                    (status, reason, iso(now), closed_at, tip.id),
                )
                detail = f"{tip.status}->{status}" + (f" {reason}" if reason else "")
                await self._audit(c, moderator_id, "status", tip.code, detail, now)
                if await self._reporter_opted_in(tip.id):
                    await self._insert_outbox(
                        c, "status_note", None, {"status": status, "reason": reason}, tip.id,
                        now, self.tips.status_delay_seconds,
                    )  # fmt: skip
            return await self._tip_row(tip.code)

    async def audit(
        self,
        moderator_id: int,
        action: str,
        code: str,
        detail: str = "",
        now: datetime | None = None,
    ) -> None:
        """Record a moderator action in the audit log."""
        async with self._lock, self.db.transaction() as c:
            await self._audit(c, moderator_id, action, code, detail, now or utcnow())

    async def add_note(
        self, code: str, moderator_id: int, text: str, now: datetime | None = None
    ) -> None:
        """Add an internal moderator note to a tip (kept in the audit log)."""
        now = now or utcnow()
        async with self._lock:
            tip = await self._tip_row(code)
            async with self.db.transaction() as c:
                await self._audit(
                    c, moderator_id, "note", tip.code, text[: self.tips.max_text_length], now
                )

    async def history(self, code: str) -> list[AuditEntry]:
        """The tip's audit log, oldest first."""
        canonical = normalize_code(code) or code
        async with self._lock:
            rows = await self._all(
                "SELECT at, moderator_id, action, detail FROM audit WHERE tip_code = ? ORDER BY id",
                (canonical,),
            )
        return [AuditEntry(r[0], r[1], r[2], r[3]) for r in rows]

    async def block_reporter(
        self, code: str, moderator_id: int, now: datetime | None = None
    ) -> bool:
        """Block whoever sent this tip from sending more; False if already blocked or unknown."""
        now = now or utcnow()
        async with self._lock:
            tip = await self._tip_row(code)
            row = await self._one("SELECT reporter_tag FROM tips WHERE id = ?", (tip.id,))
            tag = row[0] if row is not None else None
            if not tag:  # purged tips no longer know their reporter
                return False
            async with self.db.transaction() as c:
                cur = await c.execute(
                    "INSERT OR IGNORE INTO blocked(reporter_tag, at, tip_code) VALUES (?, ?, ?)",
                    (tag, iso(now), tip.code),
                )
                added = cur.rowcount > 0
                await self._audit(c, moderator_id, "block", tip.code, "", now)
        return added

    async def export_csv(self) -> str:
        """All tips as CSV for reporting: statuses and dates only, no reporter data or free text."""
        async with self._lock:
            rows = await self._all(f"SELECT {', '.join(CSV_FIELDS)} FROM tips ORDER BY id", ())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for r in rows:
            writer.writerow([_csv_safe(r[f]) for f in CSV_FIELDS])
        return out.getvalue()

    # -- follow-ups ----------------------------------------------------------------------------

    async def ask_reporter(
        self, code: str, moderator_id: int, text: str, now: datetime | None = None
    ) -> FollowUp:
        """Ask the reporter a question; it is delivered only if they opted in to notices."""
        now = now or utcnow()
        text = text.strip()[: self.tips.max_text_length]
        async with self._lock:
            tip = await self._tip_row(code)
            async with self.db.transaction() as c:
                cur = await c.execute(
                    "INSERT INTO followups(tip_id, direction, text, created_at)"
                    " VALUES (?, 'to_reporter', ?, ?)",
                    (tip.id, text, iso(now)),
                )
                followup_id = int(cur.lastrowid or 0)
                await self._audit(c, moderator_id, "ask", tip.code, text, now)
                if await self._reporter_opted_in(tip.id):
                    await self._insert_outbox(
                        c, "question", None, {"text": text}, tip.id, now,
                        self.tips.status_delay_seconds,
                    )  # fmt: skip
        return FollowUp(followup_id, tip.id, "to_reporter", text, iso(now))

    async def reporter_reply(self, code: str, text: str, now: datetime | None = None) -> FollowUp:
        """Store the reporter's answer and queue it as a reply to the tip's card."""
        now = now or utcnow()
        text = text.strip()[: self.tips.max_text_length]
        async with self._lock:
            tip = await self._tip_row(code)
            row = await self._one(
                "SELECT chat_id FROM outbox WHERE tip_id = ? AND kind = 'card' AND chat_id"
                " IS NOT NULL ORDER BY id LIMIT 1",
                (tip.id,),
            ) or await self._one("SELECT chat_id FROM cards WHERE tip_id = ? LIMIT 1", (tip.id,))
            chat = (
                row[0]
                if row is not None
                else route_chat(
                    self.moderation.routes, self.moderation.chat_id, tip.region, tip.category
                )
            )
            if chat is None:
                raise NoModerationChat("no moderation chat is configured")
            async with self.db.transaction() as c:
                cur = await c.execute(
                    "INSERT INTO followups(tip_id, direction, text, created_at)"
                    " VALUES (?, 'from_reporter', ?, ?)",
                    (tip.id, text, iso(now)),
                )
                followup_id = int(cur.lastrowid or 0)
                await self._insert_outbox(c, "reply", chat, {"text": text}, tip.id, now)
        return FollowUp(followup_id, tip.id, "from_reporter", text, iso(now))

    async def followups(self, code: str) -> list[FollowUp]:
        """Questions and answers of a tip, oldest first."""
        async with self._lock:
            tip = await self._tip_row(code)
            rows = await self._all(
                "SELECT id, tip_id, direction, text, created_at FROM followups"
                " WHERE tip_id = ? ORDER BY id",
                (tip.id,),
            )
        return [FollowUp(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # -- statistics and retention --------------------------------------------------------------

    async def stats(self) -> dict[str, Any]:
        """Counts per status and category, total, purged, and the pending outbox."""
        async with self._lock:
            by_status = {s: 0 for s in STATUSES}
            for r in await self._all("SELECT status, COUNT(*) FROM tips GROUP BY status"):
                by_status[r[0]] = r[1]
            by_category = {
                r[0]: r[1]
                for r in await self._all(
                    "SELECT category, COUNT(*) FROM tips GROUP BY category ORDER BY category"
                )
            }
            totals = await self._one("SELECT COUNT(*), COUNT(purged_at) FROM tips")
            pending = await self._one(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'"
            )
            dead = await self._one("SELECT COUNT(*) FROM outbox WHERE state = 'dead'")
        return {
            "total": totals[0] if totals else 0,
            "purged": totals[1] if totals else 0,
            "by_status": by_status,
            "by_category": by_category,
            "outbox_pending": pending[0] if pending else 0,
            "outbox_oldest": pending[1] if pending else None,
            "outbox_dead": dead[0] if dead else 0,
        }

    async def purge_closed(self, days: int, now: datetime | None = None) -> int:
        """Erase the free text of tips closed more than `days` ago, keeping their statistics."""
        now = now or utcnow()
        cutoff = iso(now - timedelta(days=days))
        async with self._lock:
            async with self.db.transaction() as c:
                cur = await c.execute(
                    "SELECT id, code FROM tips WHERE closed_at != '' AND closed_at < ?"
                    " AND purged_at IS NULL",
                    (cutoff,),
                )
                targets = [(r[0], r[1]) for r in await cur.fetchall()]
                for tip_id, code in targets:
                    await c.execute(
                        "UPDATE tips SET description = '', asn_name = '', asn_agency = '',"
                        " asn_position = '', asn_nip = '', place = '', witnesses = '',"
                        " reporter_tag = NULL, purged_at = ?,"
                        f" status_reason = CASE WHEN status_reason IN ({_PRESET_REASONS_SQL})"
                        "  THEN status_reason ELSE '' END"
                        " WHERE id = ?",
                        (iso(now), tip_id),
                    )
                    for table in ("evidence", "followups", "notify", "outbox"):
                        await c.execute(f"DELETE FROM {table} WHERE tip_id = ?", (tip_id,))
                    # audit keeps who did what; free text (notes, questions, reasons) goes
                    await c.execute(
                        "UPDATE audit SET detail = CASE WHEN action = 'status'"
                        " THEN substr(detail, 1, instr(detail || ' ', ' ') - 1)"
                        " WHEN action = 'assign' THEN detail ELSE '' END WHERE tip_code = ?",
                        (code,),
                    )
            if targets:
                await self._checkpoint()
        if targets:
            log.info("retention: purged %d closed tips", len(targets))
        return len(targets)

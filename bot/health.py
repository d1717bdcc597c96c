"""The health report: rulebook version, outbox depth and age, last good Bot API call."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from bot.storage import Database, iso

KV_LAST_API_OK = "health.last_api_ok"
KV_STARTED = "health.started_at"


@dataclass(frozen=True)
class Health:
    rulebook_version: str
    rulebook_rules: int
    outbox_pending: int
    outbox_oldest: str | None
    outbox_oldest_age_s: float | None
    last_api_ok: str | None
    last_api_ok_age_s: float | None
    started_at: str | None

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    def lines(self) -> list[str]:
        """Human-readable lines (no personal data; numbers only)."""

        def age(seconds: float | None) -> str:
            return "-" if seconds is None else f"{seconds:.0f} s ago"

        return [
            f"rulebook: {self.rulebook_version} ({self.rulebook_rules} rules)",
            f"outbox: {self.outbox_pending} pending, oldest {age(self.outbox_oldest_age_s)}",
            f"last successful Bot API call: {self.last_api_ok or '-'} "
            f"({age(self.last_api_ok_age_s)})",
            f"running since: {self.started_at or '-'}",
        ]


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None


async def collect(
    db: Database,
    version: str,
    rules: int,
    last_api_ok: datetime | None = None,
    now: datetime | None = None,
) -> Health:
    """Gather the report; without `last_api_ok` the value the bot last stored is used."""
    now = now or datetime.now(UTC)
    cur = await db.conn.execute(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'"
    )
    pending, oldest = await cur.fetchone()
    if last_api_ok is None:
        last_api_ok = _parse(await db.get_kv(KV_LAST_API_OK))
    oldest_dt = _parse(oldest)
    return Health(
        rulebook_version=version,
        rulebook_rules=rules,
        outbox_pending=int(pending or 0),
        outbox_oldest=oldest,
        outbox_oldest_age_s=(now - oldest_dt).total_seconds() if oldest_dt else None,
        last_api_ok=iso(last_api_ok) if last_api_ok else None,
        last_api_ok_age_s=(now - last_api_ok).total_seconds() if last_api_ok else None,
        started_at=await db.get_kv(KV_STARTED),
    )

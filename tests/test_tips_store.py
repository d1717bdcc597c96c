"""TipStore: drafts, atomic submit, outbox, moderation, follow-ups, retention and anonymity."""

from __future__ import annotations

import csv
import io
import logging
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet

from bot import tips_store
from bot.config import ModerationConfig, Route, TipsConfig
from bot.privacy import NotifyCipher, ReporterKey
from bot.storage import Database
from bot.tips import Evidence, TipDraft
from bot.tips_store import (
    BadTransition,
    InvalidDraft,
    NoModerationChat,
    RateLimited,
    TipNotFound,
    TipStore,
    plan_outbox,
)

USER = 987654321987  # large enough that its 6-byte big-endian form is distinctive
MOD_CHAT = -100777
ROUTED_CHAT = -100888
SECRET = "test-secret-0123456789"
FERNET_KEY = Fernet.generate_key()
T0 = datetime(2024, 11, 20, 8, 0, tzinfo=UTC)
TIPS = TipsConfig(per_hour=3, per_day=5, draft_ttl_hours=24, status_delay_seconds=0.5)
MODERATION = ModerationConfig(
    chat_id=MOD_CHAT, routes=[Route(chat_id=ROUTED_CHAT, regions=["Kota Bandung"])]
)


def make_store(db: Database, moderation: ModerationConfig = MODERATION) -> TipStore:
    return TipStore(db, ReporterKey(SECRET), NotifyCipher(FERNET_KEY), TIPS, moderation)


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(str(tmp_path / "tips.db"))
    yield database
    await database.close()


@pytest_asyncio.fixture
async def store(db: Database) -> TipStore:
    return make_store(db)


def draft(**overrides: object) -> TipDraft:
    values: dict = {
        "category": "medsos",
        "description": "Camat X membagikan poster paslon di grup WA dinas",
        "asn_name": "Budi Santoso",
        "asn_agency": "Kecamatan X",
        "asn_position": "Camat",
        "asn_nip": "198501012010011001",
        "region": "Kab. Bogor",
        "place": "Grup WA",
        "occurred_on": "2024-11-18",
        "witnesses": "dua staf kecamatan",
        "evidence": [
            Evidence("photo", file_id="P1", media_group_id="g1"),
            Evidence("photo", file_id="P2", media_group_id="g1"),
            Evidence("video", file_id="V1", media_group_id="g1"),
            Evidence("document", file_id="D1", file_name="surat.pdf", mime_type="application/pdf"),
            Evidence("photo", file_id="P3"),
            Evidence("link", url="https://instagram.com/p/abc"),
        ],
    }
    values.update(overrides)
    return TipDraft(**values)  # type: ignore[arg-type]


async def count(db: Database, table: str) -> int:
    row = await (await db.conn.execute(f"SELECT COUNT(*) FROM {table}")).fetchone()
    return row[0]


async def all_counts(db: Database) -> dict[str, int]:
    tables = ("tips", "evidence", "outbox", "submissions", "notify", "drafts", "audit")
    return {t: await count(db, t) for t in tables}


# -- pure planning ----------------------------------------------------------------------------


def test_plan_outbox_groups_consecutive_photos_and_videos():
    ev = [Evidence(k) for k in ("photo", "photo", "video", "document", "photo", "link", "voice")]
    assert plan_outbox(ev) == [
        ("album", [1, 2, 3]),
        ("evidence", [4]),
        ("evidence", [5]),  # a lone photo cannot be an album
        ("evidence", [6]),
        ("evidence", [7]),
    ]
    twelve = [Evidence("photo") for _ in range(12)]
    assert plan_outbox(twelve) == [("album", list(range(1, 11))), ("album", [11, 12])]
    eleven = [Evidence("video") for _ in range(11)]
    assert plan_outbox(eleven) == [("album", list(range(1, 11))), ("evidence", [11])]
    assert plan_outbox([]) == []


# -- drafts -----------------------------------------------------------------------------------


async def test_draft_save_load_expire_purge(store: TipStore, db: Database):
    assert await store.load_draft(USER, now=T0) is None
    await store.save_draft(USER, draft(), now=T0)
    assert await store.load_draft(USER, now=T0 + timedelta(hours=1)) == draft()
    await store.save_draft(USER, draft(description="diubah"), now=T0)
    assert (await store.load_draft(USER, now=T0)).description == "diubah"
    assert await count(db, "drafts") == 1
    # expired: gone on load
    assert await store.load_draft(USER, now=T0 + timedelta(hours=25)) is None
    assert await count(db, "drafts") == 0
    # purge removes only expired drafts
    await store.save_draft(1, draft(), now=T0)
    await store.save_draft(2, draft(), now=T0 + timedelta(hours=20))
    assert await store.purge_expired_drafts(now=T0 + timedelta(hours=30)) == 1
    assert await store.load_draft(2, now=T0 + timedelta(hours=30)) is not None
    assert await store.delete_draft(2) is True
    assert await store.delete_draft(2) is False
    # the draft table never holds the user id, only a keyed hash of it
    cols = [r[1] for r in await (await db.conn.execute("PRAGMA table_info(drafts)")).fetchall()]
    assert "user_id" not in cols


# -- submit -----------------------------------------------------------------------------------


async def test_submit_writes_tip_evidence_outbox_and_deletes_draft(store: TipStore, db: Database):
    await store.save_draft(USER, draft(), now=T0)
    tip = await store.submit(USER, draft(), now=T0)
    assert tip.code.startswith("NTR-") and tip.status == "baru" and tip.evidence_count == 6
    assert tip.created_at == tip.updated_at == "2024-11-20T08:00:00.000000Z"
    assert (tip.asn_name, tip.region, tip.occurred_on) == (
        "Budi Santoso",
        "Kab. Bogor",
        "2024-11-18",
    )
    assert await store.get_tip(tip.code.lower().replace("-", " ")) == tip
    assert await store.get_tip_by_id(tip.id) == tip
    assert [e.file_id or e.url for e in await store.evidence(tip.id)] == [
        "P1", "P2", "V1", "D1", "P3", "https://instagram.com/p/abc",
    ]  # fmt: skip
    assert await store.load_draft(USER, now=T0) is None
    rows = await (
        await db.conn.execute("SELECT kind, chat_id, payload FROM outbox ORDER BY id")
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("card", MOD_CHAT, "{}"),
        ("album", MOD_CHAT, '{"evidence":[1,2,3]}'),
        ("evidence", MOD_CHAT, '{"evidence":[4]}'),
        ("evidence", MOD_CHAT, '{"evidence":[5]}'),
        ("evidence", MOD_CHAT, '{"evidence":[6]}'),
    ]
    assert await count(db, "submissions") == 1
    # the WAL was checkpointed and truncated
    wal = Path(db.path + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_submit_routes_by_region(store: TipStore, db: Database):
    tip = await store.submit(USER, draft(region="Bandung", evidence=[]), now=T0)
    (entry,) = await store.due(now=T0)
    assert (entry.kind, entry.chat_id, entry.tip_id) == ("card", ROUTED_CHAT, tip.id)


async def test_submit_is_one_transaction(store: TipStore, db: Database):
    await store.save_draft(USER, draft(), now=T0)
    before = await all_counts(db)
    # fail the third evidence insert, after the tip row and two evidence rows were written
    await db.conn.execute(
        "CREATE TEMP TRIGGER fail_evidence BEFORE INSERT ON evidence WHEN NEW.seq = 3"
        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    with pytest.raises(Exception, match="disk on fire"):
        await store.submit(USER, draft(), now=T0)
    assert await all_counts(db) == before
    assert await store.load_draft(USER, now=T0) == draft()
    # the connection is usable afterwards and a retry succeeds
    await db.conn.execute("DROP TRIGGER fail_evidence")
    tip = await store.submit(USER, draft(), now=T0)
    assert tip.evidence_count == 6 and await count(db, "drafts") == 0


async def test_submit_without_moderation_chat_writes_nothing(db: Database):
    store = make_store(
        db, ModerationConfig(chat_id=None, routes=[Route(chat_id=-5, regions=["Aceh"])])
    )
    await store.save_draft(USER, draft(), now=T0)
    before = await all_counts(db)
    with pytest.raises(NoModerationChat):
        await store.submit(USER, draft(region="Medan"), now=T0)
    assert await all_counts(db) == before
    assert await store.load_draft(USER, now=T0) is not None
    # a routed region still works without a default chat
    tip = await store.submit(USER, draft(region="Aceh"), now=T0)
    assert (await store.due(now=T0))[0].chat_id == -5 and tip.status == "baru"


async def test_submit_rejects_invalid_drafts(store: TipStore, db: Database):
    with pytest.raises(InvalidDraft) as err:
        await store.submit(USER, TipDraft(category="nope"), now=T0)
    assert err.value.problems == ["category", "description"]
    assert await count(db, "tips") == 0


async def test_receipt_code_collision_is_retried(store: TipStore, monkeypatch):
    first = await store.submit(USER, draft(evidence=[]), now=T0)
    codes = iter([first.code, first.code, "NTR-0000-0001"])
    monkeypatch.setattr(tips_store, "new_receipt_code", lambda: next(codes))
    second = await store.submit(USER + 1, draft(evidence=[]), now=T0)
    assert second.code == "NTR-0000-0001"


# -- limits and blocking ----------------------------------------------------------------------


async def test_rate_limits_per_hour_and_day(store: TipStore):
    small = draft(evidence=[])
    for i in range(3):
        assert await store.check_limit(USER, now=T0 + timedelta(minutes=i)) is None
        await store.submit(USER, small, now=T0 + timedelta(minutes=i))
    assert await store.check_limit(USER, now=T0 + timedelta(minutes=5)) == "hour"
    with pytest.raises(RateLimited) as err:
        await store.submit(USER, small, now=T0 + timedelta(minutes=5))
    assert err.value.reason == "hour"
    assert await store.check_limit(USER + 1, now=T0 + timedelta(minutes=5)) is None  # others fine
    later = T0 + timedelta(hours=2)
    for i in range(2):
        await store.submit(USER, small, now=later + timedelta(minutes=i))
    assert await store.check_limit(USER, now=later + timedelta(hours=2)) == "day"
    assert await store.check_limit(USER, now=T0 + timedelta(days=1, minutes=30)) is None


async def test_block_reporter_then_check_limit(store: TipStore, db: Database):
    tip = await store.submit(USER, draft(evidence=[]), now=T0)
    assert await store.block_reporter(tip.code, moderator_id=42) is True
    assert await store.block_reporter(tip.code, moderator_id=42) is False
    assert await store.check_limit(USER) == "blocked"
    assert await store.check_limit(USER + 1) is None
    with pytest.raises(RateLimited):
        await store.submit(USER, draft(evidence=[]))
    assert [h.action for h in await store.history(tip.code)] == ["block", "block"]
    with pytest.raises(TipNotFound):
        await store.block_reporter("NTR-ZZZZ-ZZZZ", 42)


# -- outbox -----------------------------------------------------------------------------------


async def test_outbox_waits_for_card_and_retries(tmp_path: Path):
    db = await Database.open(str(tmp_path / "restart.db"))
    store = make_store(db)
    tip = await store.submit(USER, draft(), now=T0)
    due = await store.due(now=T0)
    assert [e.kind for e in due] == ["card"]  # the rest must reply to the card
    assert await store.pending_count() == (5, "2024-11-20T08:00:00.000000Z")
    card = due[0]
    # a failed card: backoff, not due until the delay passes
    await store.mark_retry(card.id, "NetworkError", delay=30, now=T0)
    assert await store.due(now=T0 + timedelta(seconds=29)) == []
    (again,) = await store.due(now=T0 + timedelta(seconds=31))
    assert again.id == card.id and again.attempts == 1
    with pytest.raises(ValueError):
        await store.mark_dead(card.id, "BadRequest")  # moderation entries only retry

    # restart: reopen the database, the pending entries are still there
    await db.close()
    db2 = await Database.open(db.path)
    try:
        store2 = make_store(db2)
        (card2,) = await store2.due(now=T0 + timedelta(minutes=1))
        assert card2.id == card.id
        await store2.mark_sent(card2.id, [501])
        assert await store2.card_message(tip.id, MOD_CHAT) == 501
        assert await store2.tip_for_card(MOD_CHAT, 501) == tip
        assert await store2.tip_for_card(MOD_CHAT, 999) is None
        rest = await store2.due(now=T0 + timedelta(minutes=1))
        assert [(e.kind, e.payload) for e in rest] == [
            ("album", {"evidence": [1, 2, 3]}),
            ("evidence", {"evidence": [4]}),
            ("evidence", {"evidence": [5]}),
            ("evidence", {"evidence": [6]}),
        ]
        assert await store2.due(now=T0 + timedelta(minutes=1), limit=2) == rest[:2]
        for entry in rest:
            await store2.mark_sent(entry.id, [600 + entry.id])
        assert await store2.pending_count() == (0, None)
        assert await store2.due(now=T0 + timedelta(days=1)) == []
        assert await store2.card_message(tip.id, MOD_CHAT) == 501  # evidence is not a card
    finally:
        await db2.close()


async def test_enqueue_only_accepts_moderation_chats(store: TipStore):
    tip = await store.submit(USER, draft(evidence=[]), now=T0)
    entry_id = await store.enqueue("digest", MOD_CHAT, {"n": 1}, now=T0)
    assert (await store.get_entry(entry_id)).payload == {"n": 1}
    with pytest.raises(ValueError):
        await store.enqueue("status_note", USER, {}, tip.id)  # a reporter chat in clear: never
    with pytest.raises(ValueError):
        await store.enqueue("status_note", None, {})
    reporter_entry = await store.enqueue("status_note", None, {"status": "x"}, tip.id, now=T0)
    await store.mark_dead(reporter_entry, "Forbidden: bot was blocked by the user")
    assert reporter_entry not in [e.id for e in await store.due(now=T0 + timedelta(days=1))]
    assert (await store.stats())["outbox_dead"] == 1


# -- notifications, moderation ----------------------------------------------------------------


async def test_notify_is_encrypted_and_clearable(store: TipStore, db: Database):
    tip = await store.submit(USER, draft(evidence=[]), now=T0, notify_chat=USER)
    assert await store.notify_chat(tip.id) == USER
    row = await (await db.conn.execute("SELECT * FROM notify")).fetchone()
    assert set(row.keys()) == {"tip_id", "chat_cipher"}
    assert str(USER).encode() not in bytes(row["chat_cipher"])
    await store.set_notify(tip.id, 12345)
    assert await store.notify_chat(tip.id) == 12345
    await store.clear_notify(tip.id)
    assert await store.notify_chat(tip.id) is None
    # a different key (rotated) cannot decrypt: treated as not opted in
    await store.set_notify(tip.id, 777)
    other = TipStore(db, ReporterKey(SECRET), NotifyCipher(Fernet.generate_key()), TIPS, MODERATION)
    assert await other.notify_chat(tip.id) is None


async def test_status_transitions_audit_and_reporter_notes(store: TipStore, db: Database):
    quiet = await store.submit(USER, draft(evidence=[]), now=T0)
    tip = await store.submit(USER + 1, draft(evidence=[]), now=T0, notify_chat=USER + 1)
    for t in (quiet, tip):
        (card,) = [e for e in await store.due(now=T0) if e.tip_id == t.id]
        await store.mark_sent(card.id, [t.id * 10])

    with pytest.raises(BadTransition):
        await store.set_status(tip.code, "selesai", 7)
    with pytest.raises(BadTransition):
        await store.set_status(tip.code, "baru", 7)
    with pytest.raises(BadTransition):
        await store.set_status(tip.code, "nope", 7)
    with pytest.raises(TipNotFound):
        await store.set_status("NTR-ZZZZ-ZZZZ", "diverifikasi", 7)

    t1 = T0 + timedelta(hours=1)
    assigned = await store.assign(tip.code, 7, "Moderator #3", now=t1)
    assert (
        assigned.assignee == "Moderator #3" and assigned.updated_at == "2024-11-20T09:00:00.000000Z"
    )
    verified = await store.set_status(tip.code, "diverifikasi", 7, now=t1)
    assert verified.status == "diverifikasi" and verified.closed_at == ""
    await store.add_note(tip.code, 8, "cek akun IG terlapor", now=t1)
    closed = await store.set_status(tip.code, "ditolak", 8, reason="bukti-kurang", now=t1)
    assert (closed.status, closed.status_reason) == ("ditolak", "bukti-kurang")
    assert closed.closed_at == "2024-11-20T09:00:00.000000Z" and closed.closed
    with pytest.raises(BadTransition):
        await store.set_status(tip.code, "baru", 7)  # closed is final
    await store.set_status(quiet.code, "diverifikasi", 7, now=t1)

    history = await store.history(tip.code.lower())
    assert [(h.moderator_id, h.action, h.detail) for h in history] == [
        (7, "assign", "Moderator #3"),
        (7, "status", "baru->diverifikasi"),
        (8, "note", "cek akun IG terlapor"),
        (8, "status", "diverifikasi->ditolak bukti-kurang"),
    ]
    await store.audit(9, "export", "", "csv")
    # status notes only for the opted-in reporter, after the configured delay
    assert [e for e in await store.due(now=t1) if e.chat_id is None] == []
    notes = [e for e in await store.due(now=t1 + timedelta(seconds=1)) if e.chat_id is None]
    assert [(n.tip_id, n.kind, n.payload) for n in notes] == [
        (tip.id, "status_note", {"status": "diverifikasi", "reason": ""}),
        (tip.id, "status_note", {"status": "ditolak", "reason": "bukti-kurang"}),
    ]
    listed = await store.list_tips()
    assert [t.code for t in listed] == [tip.code, quiet.code]
    assert [t.code for t in await store.list_tips(status="ditolak")] == [tip.code]
    assert await store.list_tips(status="selesai") == []
    stats = await store.stats()
    assert stats["by_status"] == {
        "baru": 0, "diverifikasi": 1, "diteruskan": 0, "selesai": 0, "ditolak": 1,
    }  # fmt: skip
    assert stats["by_category"] == {"medsos": 2} and stats["total"] == 2
    assert stats["outbox_pending"] == 2


async def test_follow_up_both_ways(store: TipStore):
    tip = await store.submit(USER, draft(evidence=[]), now=T0, notify_chat=USER)
    (card,) = await store.due(now=T0)
    q = await store.ask_reporter(tip.code, 7, "Kapan tepatnya poster dibagikan?", now=T0)
    assert (q.direction, q.tip_id) == ("to_reporter", tip.id)
    due = await store.due(now=T0 + timedelta(seconds=1))
    assert [(e.kind, e.chat_id, e.payload) for e in due] == [
        ("card", MOD_CHAT, {}),
        ("question", None, {"text": "Kapan tepatnya poster dibagikan?"}),
    ]
    a = await store.reporter_reply(tip.code, "Sekitar jam 9 pagi", now=T0)
    assert a.direction == "from_reporter"
    # the reply goes to the card's chat, but only once the card is out
    assert "reply" not in [e.kind for e in await store.due(now=T0 + timedelta(seconds=1))]
    await store.mark_sent(card.id, [321])
    (reply,) = [e for e in await store.due(now=T0 + timedelta(seconds=1)) if e.kind == "reply"]
    assert (reply.chat_id, reply.payload, reply.tip_id) == (
        MOD_CHAT,
        {"text": "Sekitar jam 9 pagi"},
        tip.id,
    )
    assert [(f.direction, f.text) for f in await store.followups(tip.code)] == [
        ("to_reporter", "Kapan tepatnya poster dibagikan?"),
        ("from_reporter", "Sekitar jam 9 pagi"),
    ]
    # no opt-in: the question is recorded but nothing is queued for the reporter
    other = await store.submit(USER + 1, draft(evidence=[]), now=T0)
    await store.ask_reporter(other.code, 7, "Ada saksi?", now=T0)
    assert not [
        e
        for e in await store.due(now=T0 + timedelta(hours=1))
        if e.tip_id == other.id and e.kind == "question"
    ]


async def test_export_csv_has_no_reporter_data_or_free_text(store: TipStore):
    tip = await store.submit(
        USER,
        draft(region='=HYPERLINK("x")', evidence=[Evidence("photo")]),
        now=T0,
        notify_chat=USER,
    )
    await store.assign(tip.code, 7, "Moderator #3")
    text = await store.export_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "code", "created_at", "category", "region", "status", "status_reason", "assignee",
        "updated_at", "closed_at", "evidence_count",
    ]  # fmt: skip
    assert rows[1][0] == tip.code and rows[1][2] == "medsos" and rows[1][-1] == "1"
    assert rows[1][3].startswith("'=")  # no spreadsheet formula injection
    tag = ReporterKey(SECRET).tag(USER)
    for needle in (
        str(USER),
        tag,
        "Budi",
        "Camat",
        "poster",
        "Grup WA",
        "staf",
        "198501012010011001",
    ):
        assert needle not in text


async def test_purge_closed_keeps_statistics_and_removes_free_text(store: TipStore, db: Database):
    old = await store.submit(USER, draft(), now=T0, notify_chat=USER)
    keep = await store.submit(USER + 1, draft(), now=T0)
    await store.set_status(old.code, "ditolak", 7, reason="catatan bebas tentang pelapor", now=T0)
    await store.ask_reporter(old.code, 7, "Pertanyaan rahasia?", now=T0)
    await store.reporter_reply(old.code, "Jawaban rahasia", now=T0)
    await store.add_note(old.code, 7, "catatan internal", now=T0)
    await store.set_status(keep.code, "diverifikasi", 7, now=T0)

    assert await store.purge_closed(180, now=T0 + timedelta(days=179)) == 0
    assert await store.purge_closed(180, now=T0 + timedelta(days=181)) == 1
    assert await store.purge_closed(180, now=T0 + timedelta(days=182)) == 0  # only once

    purged = await store.get_tip(old.code)
    assert purged.purged and not (await store.get_tip(keep.code)).purged
    assert (purged.code, purged.category, purged.region, purged.status) == (
        old.code, "medsos", "Kab. Bogor", "ditolak",
    )  # fmt: skip
    assert (purged.created_at, purged.closed_at, purged.occurred_on) == (
        old.created_at, "2024-11-20T08:00:00.000000Z", "2024-11-18",
    )  # fmt: skip
    assert purged.evidence_count == 6 and purged.status_reason == ""  # free-text reason gone
    for field in (
        "description",
        "asn_name",
        "asn_agency",
        "asn_position",
        "asn_nip",
        "place",
        "witnesses",
    ):
        assert getattr(purged, field) == "", field
    assert await store.evidence(old.id) == []
    assert await store.followups(old.code) == []
    assert await store.notify_chat(old.id) is None
    assert [h.detail for h in await store.history(old.code)] == ["baru->ditolak", "", ""]
    row = await (
        await db.conn.execute("SELECT reporter_tag FROM tips WHERE id = ?", (old.id,))
    ).fetchone()
    assert row[0] is None
    assert await store.block_reporter(old.code, 7) is False  # purged tips forget their reporter
    outbox_tips = {
        r[0] for r in await (await db.conn.execute("SELECT tip_id FROM outbox")).fetchall()
    }
    assert old.id not in outbox_tips
    # the other tip is untouched and statistics still count both
    assert len(await store.evidence(keep.id)) == 6
    stats = await store.stats()
    assert stats["total"] == 2 and stats["purged"] == 1 and stats["by_status"]["ditolak"] == 1
    raw = Path(db.path).read_bytes() + _read(db.path + "-wal")
    for secret in (
        b"Jawaban rahasia",
        b"Pertanyaan rahasia",
        b"catatan internal",
        b"catatan bebas",
    ):
        assert secret not in raw


# -- anonymity --------------------------------------------------------------------------------


def _read(path: str) -> bytes:
    p = Path(path)
    return p.read_bytes() if p.exists() else b""


def _db_bytes(db: Database) -> bytes:
    return b"".join(_read(db.path + suffix) for suffix in ("", "-wal", "-shm"))


def _varint(value: int) -> bytes:
    """SQLite's varint (rowids and b-tree keys): big-endian groups of 7 bits."""
    groups = []
    while True:
        groups.append(value & 0x7F)
        value >>= 7
        if not value:
            break
    groups.reverse()
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def _id_forms(user_id: int) -> list[bytes]:
    be8 = struct.pack(">q", user_id)
    return [
        str(user_id).encode(),  # decimal text, also its JSON form
        f'"{user_id}"'.encode(),
        be8,  # SQLite integer record formats: 8, 6 and 4 bytes big-endian
        be8[2:],
        be8[4:],
        struct.pack("<q", user_id),
        _varint(user_id),
    ]


async def test_no_user_id_in_db_files_after_submit(store: TipStore, db: Database, caplog):
    caplog.set_level(logging.DEBUG)
    assert all(form not in _db_bytes(db) for form in _id_forms(USER))  # baseline
    await store.save_draft(USER, draft(description="draf pertama"), now=T0)
    await store.save_draft(USER, draft(), now=T0 + timedelta(minutes=1))
    assert await store.check_limit(USER, now=T0) is None
    tip = await store.submit(USER, draft(), now=T0 + timedelta(minutes=2), notify_chat=USER)
    await store.ask_reporter(tip.code, 7, "Ada saksi lain?", now=T0)
    await store.reporter_reply(tip.code, "Ada", now=T0)
    await store.set_status(tip.code, "diverifikasi", 7, now=T0)
    data = _db_bytes(db)
    assert b"Camat X membagikan poster" in data  # the scan really reads the tip
    for form in _id_forms(USER):
        assert form not in data, form
    # and no table that holds tip content has a user/chat id column besides moderation chats
    for table in ("tips", "evidence", "followups", "submissions", "blocked", "audit", "drafts"):
        cols = {
            r[1] for r in await (await db.conn.execute(f"PRAGMA table_info({table})")).fetchall()
        }
        assert not cols & {"user_id", "chat_id", "username", "first_name", "phone"}, table
    # nothing about the reporter reached the logs
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert str(USER) not in logged and ReporterKey(SECRET).tag(USER) not in logged
    assert "Budi" not in logged and "poster" not in logged


async def test_cancelled_draft_leaves_no_trace(store: TipStore, db: Database):
    marker = "BATAL-RAHASIA-7Q"
    big = draft(description=(marker + " ") * 600, witnesses=marker)  # overflows into extra pages
    await store.save_draft(USER, big, now=T0)
    await store.save_draft(USER, draft(description=marker + " versi dua"), now=T0)
    await store.save_draft(USER, big, now=T0)
    assert marker.encode() in _db_bytes(db)  # it is there while the draft exists
    assert await store.delete_draft(USER)
    data = _db_bytes(db)
    assert marker.encode() not in data
    for form in _id_forms(USER):
        assert form not in data, form


async def test_many_deleted_drafts_leave_no_user_ids(store: TipStore, db: Database):
    # Interior b-tree pages keep copies of deleted keys; drafts are keyed by HMAC, so even
    # then no user id remains. Enough large drafts to need interior pages.
    ids = [USER + 1000 + i for i in range(400)]
    payload = TipDraft(category="medsos", description="x" * 40)
    for uid in ids:
        await store.save_draft(uid, payload, now=T0)
    gone = ids[::3]
    for uid in gone:
        await store.delete_draft(uid)
    data = _db_bytes(db)
    for uid in gone:
        for form in _id_forms(uid):
            assert form not in data, (uid, form)

from datetime import UTC, datetime, timedelta

from bot.storage import Database


async def test_migrations_wal_and_secure_delete(tmp_path):
    db = await Database.open(str(tmp_path / "t.db"))
    try:
        mode = await (await db.conn.execute("PRAGMA journal_mode")).fetchone()
        assert mode[0] == "wal"
        sd = await (await db.conn.execute("PRAGMA secure_delete")).fetchone()
        assert sd[0] == 1
        version = await (await db.conn.execute("PRAGMA user_version")).fetchone()
        assert version[0] >= 1
    finally:
        await db.close()
    # re-opening applies nothing twice
    db = await Database.open(str(tmp_path / "t.db"))
    await db.close()


async def test_unanswered_log_keeps_text_only_for_abstentions(tmp_path):
    db = await Database.open(str(tmp_path / "t.db"))
    try:
        await db.log_question("answer", "r1", "id", "private", "boleh like?", "like")
        await db.log_question("abstain", None, "id", "private", "Gaji PPPK?", "gaji pppk")
        await db.log_question("abstain", None, "id", "group", "gaji pppk??", "gaji pppk")
        rows = await db.unanswered(datetime.now(UTC) - timedelta(days=1))
        assert [(r.normalized, r.count) for r in rows] == [("gaji pppk", 2)]
        cur = await db.conn.execute("SELECT text FROM unanswered")
        texts = [r[0] for r in await cur.fetchall()]
        assert "boleh like?" not in texts
        (day,) = await db.day_stats(datetime.now(UTC) - timedelta(days=1))
        assert (day.total, day.answered, day.suggested, day.declined) == (3, 1, 0, 2)
        assert await db.top_rules(datetime.now(UTC) - timedelta(days=1)) == [("r1", 1)]
        cur = await db.conn.execute("PRAGMA table_info(questions)")
        cols = [r[1] for r in await cur.fetchall()]
        assert not {"user_id", "chat_id", "username"} & set(cols)
    finally:
        await db.close()


async def test_transaction_rolls_back(tmp_path):
    db = await Database.open(str(tmp_path / "t.db"))
    try:
        try:
            async with db.transaction() as c:
                await c.execute("INSERT INTO kv(key, value) VALUES ('a', '1')")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert await db.get_kv("a") is None
    finally:
        await db.close()

"""End to end over HTTP: the real bot against the Bot API test server on 127.0.0.1."""

from __future__ import annotations

from tests.conftest import ADMIN_ID, Harness


def buttons(message: dict) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


async def test_start_and_question_in_private(netral: Harness):
    api = netral.api
    user = api.user(1001, "Siti", username="siti_asn", language_code="id")
    chat = api.private_chat(user)
    api.send_text(user, chat, "/start")
    (welcome,) = await api.wait_messages(chat, 1)
    labels = [b[0] for b in buttons(welcome)]
    assert any("Tanya aturan" in b for b in labels)
    assert any("Lapor pelanggaran" in b for b in labels)
    assert any("Daftar topik" in b for b in labels)

    api.send_text(user, chat, "min boleh gak sih saya ngelike postingan cabup di IG?")
    (answer,) = await api.wait_messages(chat, 1)
    text = answer["text"]
    assert text.startswith("⛔ DILARANG")
    assert "Dasar hukum" in text and "SKB" in text
    assert "Sanksi" in text
    assert "BKPSDM" in text and "Bawaslu" in text
    assert any(data.startswith("s:") for _, data in buttons(answer))
    # the server parsed the HTML: the bot sent valid, escaped markup
    assert any(e["type"] == "bold" for e in answer.get("entities", []))


async def test_english_user_gets_english(netral: Harness):
    api = netral.api
    user = api.user(1002, "John", language_code="en")
    chat = api.private_chat(user)
    api.send_text(user, chat, "Can a civil servant share a candidate's post on Facebook?")
    (answer,) = await api.wait_messages(chat, 1)
    assert answer["text"].startswith("⛔ PROHIBITED")
    assert "Legal basis" in answer["text"]


async def test_unsure_question_offers_suggestions_and_a_button_answers(netral: Harness):
    api = netral.api
    user = api.user(1003, "Budi")
    chat = api.private_chat(user)
    api.send_text(user, chat, "foto")
    (reply,) = await api.wait_messages(chat, 1)
    if reply["text"].startswith("Saya belum yakin"):
        options = buttons(reply)
        assert 1 <= len(options) <= 3
        api.press_button(user, reply, options[0][1])
        (answer,) = await api.wait_messages(chat, 1)
        assert any(label in answer["text"] for label in ("DILARANG", "BOLEH", "INFO"))
    else:  # a one-word question may also be answered outright; it must still be cited
        assert "Dasar hukum" in reply["text"]


async def test_unknown_question_is_declined_and_logged_without_identity(netral: Harness):
    api = netral.api
    user = api.user(1004, "Rahmat", username="rahmat_x")
    chat = api.private_chat(user)
    api.send_text(user, chat, "resep rendang padang yang enak gimana ya")
    (reply,) = await api.wait_messages(chat, 1)
    assert "belum punya jawaban" in reply["text"]
    assert "/topik" in reply["text"]
    await netral.app.bot_data["qa"].flush()  # statistics are written in batches
    rows = await (await netral.db.conn.execute("SELECT * FROM unanswered")).fetchall()
    assert len(rows) == 1
    stored = " ".join(str(v) for v in tuple(rows[0]))
    assert "rendang" in stored
    assert "1004" not in stored and "rahmat" not in stored.lower()


async def test_topics_browse_to_an_answer(netral: Harness):
    api = netral.api
    user = api.user(1005, "Ani")
    chat = api.private_chat(user)
    api.send_text(user, chat, "/topik")
    (cats,) = await api.wait_messages(chat, 1)
    first_cat = buttons(cats)[0][1]
    assert first_cat.startswith("c:")
    api.press_button(user, cats, first_cat)
    (rules,) = await api.wait_messages(chat, 1)
    rule_buttons = [b for b in buttons(rules) if b[1].startswith("a:")]
    assert rule_buttons
    api.press_button(user, rules, rule_buttons[0][1])
    (answer,) = await api.wait_messages(chat, 1)
    assert "Dasar hukum" in answer["text"]
    api.press_button(user, answer, next(d for _, d in buttons(answer) if d.startswith("s:")))
    (sources,) = await api.wait_messages(chat, 1)
    assert "Sumber untuk" in sources["text"]


async def test_group_silence_unless_addressed(netral: Harness):
    api = netral.api
    group = api.group(-100500, "Grup Dinas")
    api.set_bot_membership(group, "administrator")  # admins see every message: silence is ours
    user = api.user(1006, "Dewi")
    api.add_member(group, user)
    await api.wait_for(lambda: True)
    mark = api.mark()
    api.send_text(user, group, "boleh like postingan paslon?")
    api.send_text(user, group, "/tanya boleh like postingan paslon?")
    (answer,) = await api.wait_messages(group, 1, since=mark)
    assert "DILARANG" in answer["text"]
    # exactly one message: the un-addressed question got no answer (a greeting may precede)
    replies = [r for r in api.sent_to(group)[0:] if "DILARANG" in (r["message"].get("text") or "")]
    assert len(replies) == 1
    api.send_text(user, group, "@netral_test_bot boleh share story capres?")
    (answer2,) = await api.wait_messages(group, 1)
    assert "DILARANG" in answer2["text"]


async def test_forged_callback_and_unsupported_message(netral: Harness):
    api = netral.api
    user = api.user(1007, "Eko")
    chat = api.private_chat(user)
    api.send_text(user, chat, "/start")
    (welcome,) = await api.wait_messages(chat, 1)
    query = api.press_button(user, welcome, "a:no-such-rule", check=False)
    await api.wait_for(lambda: query["id"] in api.callback_answers)
    assert api.callback_answers[query["id"]].get("show_alert") in (True, "true")
    api.send_sticker(user, chat)
    (reply,) = await api.wait_messages(chat, 1)
    assert "teks" in reply["text"]


async def test_admin_stats_and_unanswered(netral: Harness):
    api = netral.api
    admin = api.user(ADMIN_ID, "Admin")
    chat = api.private_chat(admin)
    api.send_text(admin, chat, "jadwal kereta ke surabaya")
    await api.wait_messages(chat, 1)
    api.send_text(admin, chat, "/belumterjawab")
    (rep,) = await api.wait_messages(chat, 1)
    assert "kereta" in rep["text"]
    api.send_text(admin, chat, "/stats")
    (stats,) = await api.wait_messages(chat, 1)
    assert "Statistik" in stats["text"]
    other = api.user(1008, "Bukan Admin")
    other_chat = api.private_chat(other)
    api.send_text(other, other_chat, "/stats")
    (refusal,) = await api.wait_messages(other_chat, 1)
    assert "hanya untuk admin" in refusal["text"]

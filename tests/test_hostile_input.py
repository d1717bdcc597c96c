"""Hostile and unusual input, end to end over HTTP against the Bot API test server.

Every test feeds the real bot input it should survive, then checks three things: the bot answered
politely (or stayed silent where silence is right), none of its own API calls was refused by the
server (which parses HTML and checks limits like Telegram), and its error handler never fired.
Each test ends with a normal question from another user that must still get its answer.

The bot handles updates one at a time, in order, so once the control question is answered every
earlier update has been handled: that is how silence is asserted without sleeping.
"""

from __future__ import annotations

import itertools
import logging
import time

import pytest

from tests.conftest import MOD_CHAT_ID, Harness

CONTROL_Q = "boleh like postingan paslon?"
PROHIBITED = "⛔ DILARANG"
UNSUPPORTED = "hanya bisa membaca pertanyaan dalam bentuk teks"
TOO_LONG = "terlalu panjang"
DONT_KNOW = "belum punya jawaban"
BAD_TEXT = "Mohon kirim jawaban berupa teks"
MOD_ONLY = "hanya untuk moderator"
BOT = "@netral_test_bot"

_ids = itertools.count(810_001)

HTML_AND_MARKDOWN = [
    "<b>boleh</b> like postingan paslon?",
    '<a href="x">boleh</a> share postingan capres?',
    "boleh & like postingan paslon?",
    "&amp; boleh like postingan paslon &lt;3",
    "</i> boleh like postingan paslon?",
    "<script>alert(1)</script> boleh like postingan paslon?",
    "&#0; &#x110000; &bogus; <tg-spoiler> boleh like postingan paslon",
    "*_[]()~`>#+-=|{}.!",
    "**boleh** __like__ [postingan](http://x) `paslon` ~~ok~~ ||spoiler||",
    "\\*\\_ boleh like postingan paslon\\! >quote #tag +1 -1 = |x| {y}",
]
WEIRD_UNICODE = [
    "bo\u200bleh li\u200bke pos\u200ctingan pas\u200dlon\ufeff?",  # zero-width characters
    "\u202eboleh like postingan paslon?\u202c",  # right-to-left override
    "\u2067boleh\u2069 \u200flike\u200e postingan paslon",  # bidi isolates and marks
    "bo\u0301leh li\u0300ke po\u0302stingan pas\u0308lon?",  # combining accents
    "Z\u0351\u0352\u0353\u0354\u0355a\u0356\u0357\u0358l\u0359\u035ag\u035b\u035co",  # zalgo
    "\U0001d41b\U0001d428\U0001d425\U0001d41e\U0001d421 like postingan paslon",  # math bold
]
EMOJI_ONLY = ["👍", "🙏🙏🙏🔥🔥🗳️🇮🇩", "👨‍👩‍👧‍👦" * 20, "\u200b\u200b\u200b"]


# -- helpers -------------------------------------------------------------------------------------


def person(api, name: str = "Pengguna", lang: str = "id"):
    """A fresh user and their private chat with the bot."""
    user = api.user(next(_ids), name, language_code=lang)
    return user, api.private_chat(user)


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


def failed_calls(api) -> list[tuple]:
    """The bot's API calls the server refused (bad HTML, too long, unknown chat, ...)."""
    return [
        (c["method"], c["status"], c.get("description"))
        for c in api.calls
        if (c.get("status") or 0) >= 400
    ]


def error_records(caplog) -> list[str]:
    """ERROR records: the bot's error handler (handlers.common) and anything else that broke."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def texts_since(api, chat, mark: int) -> list[str]:
    """Texts (or captions) of the messages the bot sent to ``chat`` since ``mark``."""
    return [
        r["message"].get("text") or r["message"].get("caption") or ""
        for r in api.sent[mark:]
        if r["chat_id"] == chat.id and not r["method"].lower().startswith("edit")
    ]


async def settle(api) -> None:
    """A normal question from a new user is answered: the bot still serves others, and every
    update sent before it has been handled."""
    user, chat = person(api, "Kontrol")
    api.send_text(user, chat, CONTROL_Q)
    (answer,) = await api.wait_messages(chat, 1, timeout=15)
    assert answer["text"].startswith(PROHIBITED)


async def assert_healthy(api, caplog) -> None:
    await settle(api)
    assert failed_calls(api) == []
    assert error_records(caplog) == []


async def ask(api, user, chat, text: str, **kwargs) -> list[str]:
    """Send a message; return every reply it got (waits for the control question)."""
    mark = api.mark()
    api.send_text(user, chat, text, **kwargs)
    await settle(api)
    return texts_since(api, chat, mark)


async def next_message(api, chat) -> dict:
    (message,) = await api.wait_messages(chat, 1, timeout=15)
    return message


async def open_tip_form(api, user, chat) -> dict:
    """/lapor, Lanjut, category: returns the description prompt."""
    api.send_text(user, chat, "/lapor")
    intro = await next_message(api, chat)
    api.press_button(user, intro, "lp:next")
    categories = await next_message(api, chat)
    api.press_button(user, categories, "lp:cat:medsos")
    return await next_message(api, chat)


async def step(api, user, chat, text: str) -> dict:
    api.send_text(user, chat, text)
    return await next_message(api, chat)


async def press(api, user, chat, message: dict, data: str) -> dict:
    api.press_button(user, message, data)
    return await next_message(api, chat)


async def form_to_evidence(
    api, user, chat, description: str = "Kepala dinas membagikan poster paslon di grup kantor"
) -> dict:
    """Walk the form with plain answers up to the evidence prompt."""
    prompt = await open_tip_form(api, user, chat)
    prompt = await step(api, user, chat, description)
    for _ in range(4):  # name, agency, position, NIP
        prompt = await press(api, user, chat, prompt, "lp:skip")
    prompt = await step(api, user, chat, "Kabupaten Sukamaju")
    prompt = await press(api, user, chat, prompt, "lp:skip")  # place
    prompt = await step(api, user, chat, "kemarin")
    assert "Bukti" in prompt["text"]
    return prompt


def jpeg(seed: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (seed % 256, (seed * 7) % 256, 90)).save(buf, "JPEG")
    return buf.getvalue()


def send_every_non_text(api, user, chat) -> int:
    """Stickers, voice, video notes, locations, contacts, polls, dice, captionless photos."""
    api.send_sticker(user, chat)
    api.send_voice(user, chat)
    api.send_video_note(user, chat)
    api.send_location(user, chat)
    api.send_contact(user, chat, first_name="<b>Kontak</b> & co")
    api.send_poll(user, chat, "<i>Pilih</i> & ?", ["<b>Ya</b>", "&amp;"])
    api.send_dice(user, chat)
    api.send_photo(user, chat, jpeg(1))
    api.send_photo(user, chat, jpeg(2), caption="")
    api.send_photo(user, chat, jpeg(3), caption="   \n\t ")
    return 10


@pytest.fixture
def caplog_errors(caplog):
    caplog.set_level(logging.INFO)
    return caplog


# -- long, marked-up and strange text ----------------------------------------------------------


async def test_very_long_texts_get_a_polite_limit(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    for text in ("boleh " * 683)[:4096], "x" * 10_000:
        replies = await ask(api, user, chat, text)
        assert len(replies) == 1 and TOO_LONG in replies[0].lower()
    replies = await ask(api, user, chat, "/tanya " + "boleh like " * 1000)
    assert len(replies) == 1 and TOO_LONG in replies[0].lower()

    group = api.group(-100610, "Grup Panjang", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    mark = api.mark()
    api.send_text(member, group, f"{BOT} " + "a" * 9000)
    await settle(api)
    (reply,) = texts_since(api, group, mark)
    assert TOO_LONG in reply.lower()

    # inside the tip form a long description is refused with its length, and the step is kept
    prompt = await open_tip_form(api, user, chat)
    assert "Ceritakan kejadiannya" in prompt["text"]
    reply = await step(api, user, chat, "k" * 10_000)
    assert "10000" in reply["text"] and "2000" in reply["text"]
    reply = await step(api, user, chat, "Kepala dinas mengajak memilih paslon saat apel pagi")
    assert "Nama ASN" in reply["text"]
    await assert_healthy(api, caplog_errors)


async def test_markup_characters_in_questions_and_tanya(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    for text in HTML_AND_MARKDOWN:
        for message in (text, f"/tanya {text}"):
            replies = await ask(api, user, chat, message)
            assert len(replies) == 1, (message, replies)
            if "paslon" in text or "capres" in text:
                assert replies[0].startswith(PROHIBITED), (message, replies)
            else:
                assert DONT_KNOW in replies[0] or "Maksud Anda" in replies[0]

    group = api.group(-100611, "Grup Markup", bot_status="administrator")
    member = api.user(next(_ids), "Anggota <b>Grup</b> & co")
    for text in HTML_AND_MARKDOWN[:7]:
        for message in (f"/tanya {text}", f"{BOT} {text}"):
            mark = api.mark()
            api.send_text(member, group, message)
            await settle(api)
            replies = texts_since(api, group, mark)
            assert len(replies) == 1 and replies[0].startswith(PROHIBITED), (message, replies)

    # commands that echo nothing back still cope with markup in their arguments
    for message in (
        "/status <b>NTR</b> & </i>",
        "/balas NTR-ZZZZ-ZZZZ <b>halo</b> & </i>",
        "/tanya",
        "/tanya    ",
        "/status",
        "/balas <a href='x'>",
    ):
        replies = await ask(api, user, chat, message)
        assert len(replies) == 1 and replies[0], (message, replies)
    await assert_healthy(api, caplog_errors)


async def test_fake_entities_are_harmless(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    fake = [
        {"type": "bold", "offset": 0, "length": 9999},
        {"type": "text_link", "offset": 0, "length": 5, "url": "javascript:alert(1)"},
        {"type": "mention", "offset": 40, "length": 16},
        {"type": "bot_command", "offset": 6, "length": 4},
        {
            "type": "text_mention",
            "offset": 0,
            "length": 3,
            "user": {"id": 1, "is_bot": False, "first_name": "<b>x</b>"},
        },
    ]
    replies = await ask(api, user, chat, CONTROL_Q, entities=fake)
    assert len(replies) == 1 and replies[0].startswith(PROHIBITED)

    group = api.group(-100612, "Grup Entitas", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    # a mention entity that cuts an emoji in half, one past the end, one on the wrong word
    for text, entity in [
        ("🙏 halo semua 🙏", {"type": "mention", "offset": 1, "length": 3}),
        ("halo semua", {"type": "mention", "offset": 50, "length": 16}),
        ("boleh like postingan paslon?", {"type": "mention", "offset": 0, "length": 5}),
    ]:
        mark = api.mark()
        api.send_text(member, group, text, entities=[entity])
        await settle(api)
        assert texts_since(api, group, mark) == [], text
    await assert_healthy(api, caplog_errors)


async def test_invisible_bidi_combining_and_emoji_only(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    for text in WEIRD_UNICODE:
        replies = await ask(api, user, chat, text)
        assert len(replies) == 1, (text, replies)
        if "postingan" in text:
            assert replies[0].startswith(PROHIBITED), (text, replies)
    for text in EMOJI_ONLY:
        replies = await ask(api, user, chat, text)
        assert len(replies) == 1 and DONT_KNOW in replies[0], (text, replies)
    replies = await ask(api, user, chat, "/tanya 🙏🙏🙏")
    assert len(replies) == 1 and DONT_KNOW in replies[0]
    await assert_healthy(api, caplog_errors)


async def test_emoji_before_a_mention_does_not_garble_the_question(netral: Harness, caplog_errors):
    """Entity offsets count UTF-16 units; an emoji before the @mention must not shift the cut."""
    api = netral.api
    group = api.group(-100613, "Grup Emoji", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    mark = api.mark()
    api.send_text(member, group, f"🙏🙏🙏🙏🙏🙏🙏🙏 {BOT} resep rendang padang")
    await settle(api)
    (reply,) = texts_since(api, group, mark)
    assert DONT_KNOW in reply
    await netral.app.bot_data["qa"].flush()  # statistics are written in batches
    rows = await (await netral.db.conn.execute("SELECT text FROM unanswered")).fetchall()
    (stored,) = [row[0] for row in rows]
    assert "resep rendang padang" in stored and "netral" not in stored and "@" not in stored
    mark = api.mark()
    api.send_text(member, group, f"🇮🇩🇮🇩 {BOT} {CONTROL_Q}")
    await settle(api)
    (reply,) = texts_since(api, group, mark)
    assert reply.startswith(PROHIBITED)
    await assert_healthy(api, caplog_errors)


# -- non-text messages -----------------------------------------------------------------------


async def test_non_text_messages_in_private(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    mark = api.mark()
    count = send_every_non_text(api, user, chat)
    await settle(api)
    replies = texts_since(api, chat, mark)
    assert len(replies) == count
    assert all(UNSUPPORTED in r for r in replies)
    await assert_healthy(api, caplog_errors)


async def test_non_text_messages_inside_the_tip_form(netral: Harness, caplog_errors):
    api = netral.api
    api.group(MOD_CHAT_ID, "Moderator")
    user, chat = person(api)
    await open_tip_form(api, user, chat)
    mark = api.mark()
    count = send_every_non_text(api, user, chat)
    await settle(api)
    replies = texts_since(api, chat, mark)
    assert len(replies) == count and all(BAD_TEXT in r for r in replies), replies
    # the step is kept: a proper description moves on
    reply = await step(api, user, chat, "Kepala dinas mengajak memilih paslon saat apel pagi")
    assert "lp:skip" in buttons(reply)

    # at the evidence step: voice and video notes are evidence, the rest is explained
    user2, chat2 = person(api)
    await form_to_evidence(api, user2, chat2)
    mark = api.mark()
    api.send_sticker(user2, chat2)
    api.send_location(user2, chat2)
    api.send_contact(user2, chat2)
    api.send_poll(user2, chat2)
    api.send_dice(user2, chat2)
    api.send_voice(user2, chat2)
    api.send_video_note(user2, chat2)
    await settle(api)
    replies = texts_since(api, chat2, mark)
    assert len(replies) == 7
    assert all("tidak bisa dipakai sebagai bukti" in r for r in replies[:5]), replies
    assert "Bukti ke-1" in replies[5] and "Bukti ke-2" in replies[6]
    await assert_healthy(api, caplog_errors)


async def test_hostile_text_in_every_tip_field_reaches_moderators_literally(
    netral: Harness, caplog_errors
):
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    user, chat = person(api)
    await open_tip_form(api, user, chat)
    description = "<b>Kadis</b> & </i> *bagikan* _poster_ [paslon](http://x) `&amp;` ~|{}.!#"
    prompt = await step(api, user, chat, description)
    prompt = await step(api, user, chat, '<a href="x">Budi</a> \u202eosnatnaS\u202c')
    prompt = await step(api, user, chat, "Dinas <i>Pendidikan</i> & Kebudayaan")
    prompt = await step(api, user, chat, "Ka\u200bbid \u0301 🙏🙏")
    reply = await step(api, user, chat, "<b>19800101</b> 200501 1 001")
    assert "18 angka" in reply["text"]
    prompt = await press(api, user, chat, prompt, "lp:skip")
    prompt = await step(api, user, chat, "Kab. <Sukamaju> & sekitarnya")
    prompt = await step(api, user, chat, "Kantor </b> lantai 2")
    reply = await step(api, user, chat, "<b>kemarin</b>")
    assert "tidak dikenali" in reply["text"]
    for hostile_date in ("\u202ekemarin", "31/02/2024", "9999-99-99", "99999 hari lalu", "🙏"):
        reply = await step(api, user, chat, hostile_date)
        assert "tidak dikenali" in reply["text"] or "masa depan" in reply["text"], hostile_date
    evidence = await step(api, user, chat, "kemarin")
    reply = await step(api, user, chat, "lihat <b>https://example.com/a?b=<c>&d=1</b> juga")
    assert "tautan" in reply["text"]
    reply = await press(api, user, chat, evidence, "lp:done")
    summary = await step(api, user, chat, "👀👀👀")
    text = summary["text"]
    assert "<b>Kadis</b> & </i> *bagikan*" in text
    assert '<a href="x">Budi</a>' in text
    assert "Kab. <Sukamaju> & sekitarnya" in text

    # the summary's edit menu refuses a forged step number and keeps the menu
    menu = await press(api, user, chat, summary, "lp:edit")
    query = api.press_button(user, menu, "lp:goto:999", check=False)
    await api.wait_for(lambda: query["id"] in api.callback_answers)
    assert api.callback_answers[query["id"]]["show_alert"] in (True, "true")
    query = api.press_button(user, menu, "lp:goto:-1x", check=False)
    await api.wait_for(lambda: query["id"] in api.callback_answers)
    summary = await press(api, user, chat, menu, "lp:goto:" + buttons(menu)[-1].split(":")[-1])
    summary = await step(api, user, chat, "Rekan <b>kerja</b>")
    assert "Rekan <b>kerja</b>" in summary["text"]

    mark = api.mark()
    api.press_button(user, summary, "lp:send")
    thanks, _notify = await api.wait_messages(chat, 2, since=mark, timeout=15)
    code = next(w for w in thanks["text"].split() if w.startswith("NTR-"))
    card = await api.wait_for_text(mods, code, timeout=20)
    assert "<b>Kadis</b> & </i>" in card["text"] and "Rekan <b>kerja</b>" in card["text"]
    await api.wait_for_text(mods, "🔗", timeout=20)
    await assert_healthy(api, caplog_errors)


async def test_album_of_ten_and_beyond_the_limit(netral: Harness, caplog_errors):
    api = netral.api
    api.group(MOD_CHAT_ID, "Moderator")
    limit = netral.config.tips.max_evidence
    assert limit == 10

    user, chat = person(api)
    await form_to_evidence(api, user, chat)
    mark = api.mark()
    api.send_album(user, chat, [jpeg(i) for i in range(10)])
    ack = await api.wait_for(
        lambda: next((t for t in texts_since(api, chat, mark) if "album" in t), None), timeout=15
    )
    assert ack.startswith("10 bukti") and "total 10" in ack
    mark = api.mark()
    api.send_photo(user, chat, jpeg(99), caption="<b>satu lagi</b>")
    api.send_text(user, chat, "https://example.com/lagi")
    await settle(api)
    replies = texts_since(api, chat, mark)
    assert len(replies) == 2 and all("Batas 10 bukti" in r for r in replies), replies
    draft = await netral.app.bot_data["tips"].load_draft(user.id)
    assert len(draft.evidence) == limit

    # more items than the limit in one album: the first ten are kept, the rest politely refused
    user2, chat2 = person(api)
    await form_to_evidence(api, user2, chat2)
    mark = api.mark()
    api.send_album(user2, chat2, [jpeg(50 + i) for i in range(13)])
    ack = await api.wait_for(
        lambda: next((t for t in texts_since(api, chat2, mark) if "album" in t), None), timeout=15
    )
    assert "total 10" in ack
    replies = texts_since(api, chat2, mark)
    assert [r for r in replies if "album" not in r] == [
        "Batas 10 bukti sudah tercapai. Tekan Selesai untuk lanjut."
    ] * 3
    draft = await netral.app.bot_data["tips"].load_draft(user2.id)
    assert len(draft.evidence) == limit
    await assert_healthy(api, caplog_errors)


async def test_edited_start_in_a_group_gets_silence(netral: Harness, caplog_errors):
    api = netral.api
    group = api.group(-100621, "Grup Edit Start", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    chatter = api.send_text(member, group, "selamat pagi")
    mark = api.mark()
    api.edit_text(member, chatter, "/start")
    await settle(api)
    assert texts_since(api, group, mark) == []


async def test_longest_hostile_tip_fits_every_message(netral: Harness, caplog_errors):
    """Fields at their length limits, made of characters that grow when escaped, must still fit
    the summary, the card, /tip, and /status after long moderator questions."""
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    moderator = api.user(next(_ids), "Mod")
    api.add_member(mods, moderator)
    limit = netral.config.tips.max_text_length
    user, chat = person(api)
    evidence = await form_to_evidence(api, user, chat, "<&>" * (limit // 3))
    witnesses = await press(api, user, chat, evidence, "lp:done")
    assert "lp:skip" in buttons(witnesses)
    summary = await step(api, user, chat, "&" * limit)
    assert "Kirim sekarang?" in summary["text"]
    mark = api.mark()
    api.press_button(user, summary, "lp:send")
    thanks, _notify = await api.wait_messages(chat, 2, since=mark, timeout=15)
    code = next(w for w in thanks["text"].split() if w.startswith("NTR-"))
    card = await api.wait_for_text(mods, code, timeout=20)
    for _ in range(3):
        api.send_text(moderator, mods, "<" * 1500 + " jam berapa?", reply_to=card)
        assert code in (await next_message(api, mods))["text"]
    api.send_text(moderator, mods, f"/tip {code}")
    full, history = await api.wait_messages(mods, 2, timeout=15)
    assert code in full["text"] and "<&><&>" in full["text"]
    assert "<<<<" in history["text"]
    api.send_text(user, chat, f"/status {code}")
    status = await next_message(api, chat)
    assert "<<<<" in status["text"] and code in status["text"]
    await assert_healthy(api, caplog_errors)


async def test_full_tip_card_is_never_cut_inside_markup(netral: Harness, caplog_errors):
    """/tip shows the whole tip; when that is too long for one message, the cut must not leave
    a tag open or split one (Telegram refuses the whole message)."""
    from bot.tips import TipDraft
    from handlers.cards import render_card

    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    moderator = api.user(next(_ids), "Mod")
    api.add_member(mods, moderator)
    store = netral.app.bot_data["tips"]
    limit = netral.config.tips.max_text_length

    def draft(length: int) -> TipDraft:
        return TipDraft(
            category="medsos",
            description="d" * length,
            region="Kab. <A> & B",
            witnesses="w" * limit,
            place="p" * 500,
            asn_name="n" * 200,
        )

    probe = await store.submit(next(_ids), draft(1000))
    base = len(render_card(probe, full=True)) - 1000
    last_line = render_card(probe, full=True).rsplit("\n", 1)[1]
    assert last_line.startswith("<i>")
    # the whole card is 4030 characters: a cut at 4000 falls inside its closing <i> line
    for target in (4000 + len(last_line) // 2, 4000 + len(last_line) - 2):
        tip = await store.submit(next(_ids), draft(target - base))
        assert len(render_card(tip, full=True)) == target
        mark = api.mark()
        api.send_text(moderator, mods, f"/tip {tip.code}")
        await settle(api)
        replies = texts_since(api, mods, mark)
        assert any(tip.code in r and "ddd" in r for r in replies), replies
    await assert_healthy(api, caplog_errors)


# -- edits, channels, forwards -----------------------------------------------------------------


async def test_edited_messages(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    original = api.send_text(user, chat, "resep rendang padang yang enak")
    assert DONT_KNOW in (await next_message(api, chat))["text"]
    mark = api.mark()
    api.edit_text(user, original, CONTROL_Q)
    await settle(api)
    (reply,) = texts_since(api, chat, mark)
    assert reply.startswith(PROHIBITED)
    mark = api.mark()
    api.edit_text(user, original, "<b>" + "x" * 5000)
    await settle(api)
    (reply,) = texts_since(api, chat, mark)
    assert TOO_LONG in reply.lower()

    group = api.group(-100620, "Grup Edit", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    asked = api.send_text(member, group, f"{BOT} {CONTROL_Q}")
    assert (await next_message(api, group))["text"].startswith(PROHIBITED)
    command = api.send_text(member, group, f"/tanya {CONTROL_Q}")
    assert (await next_message(api, group))["text"].startswith(PROHIBITED)
    chatter = api.send_text(member, group, "selamat pagi semua")
    mark = api.mark()
    api.edit_text(member, asked, f"{BOT} boleh share story capres?")
    api.edit_text(member, command, "/tanya boleh share story capres?")
    api.edit_text(member, chatter, f"{BOT} boleh share story capres?")
    api.edit_text(member, chatter, "/lapor")
    api.edit_text(member, chatter, "/help")
    api.edit_text(member, chatter, "/topik")
    api.edit_text(member, chatter, "/tips")
    await settle(api)
    assert texts_since(api, group, mark) == []
    await assert_healthy(api, caplog_errors)


async def test_channel_posts_get_silence(netral: Harness, caplog_errors):
    api = netral.api
    channel = api.channel(-100630, "Kanal Berita")
    mark = api.mark()
    for text in (
        CONTROL_Q,
        f"/tanya {CONTROL_Q}",
        "/start",
        "/help",
        "/lapor",
        "/topik",
        "/tips",
        "/export",
        "/antrian",
        "/status NTR-ZZZZ-ZZZZ",
        f"{BOT} {CONTROL_Q}",
        "<b>&</b>",
    ):
        api.channel_post(channel, text)
    await settle(api)
    assert [r for r in api.sent[mark:] if r["chat_id"] == channel.id] == []
    await assert_healthy(api, caplog_errors)


async def test_forwarded_messages(netral: Harness, caplog_errors):
    api = netral.api
    user, chat = person(api)
    origin = api.user(next(_ids), "Asal")
    news = api.channel(-100631, "Kanal Asal")
    for source in (origin, news, "Nama Tersembunyi <b>&</b>"):
        mark = api.mark()
        api.forward_from(user, chat, CONTROL_Q, source)
        await settle(api)
        (reply,) = texts_since(api, chat, mark)
        assert reply.startswith(PROHIBITED)
    mark = api.mark()
    api.forward_from(user, chat, "/lapor", origin)  # a forwarded command is not a command
    api.forward_from(user, chat, "🙏" * 50, news)
    await settle(api)
    replies = texts_since(api, chat, mark)
    assert len(replies) == 2
    await assert_healthy(api, caplog_errors)


# -- forged and stale buttons ------------------------------------------------------------------


async def test_forged_and_stale_callback_data(netral: Harness, caplog_errors):
    api = netral.api
    api.group(MOD_CHAT_ID, "Moderator")
    user, chat = person(api)
    api.send_text(user, chat, "/start")
    welcome = await next_message(api, chat)
    forged = [
        "x",
        "💥" * 16,  # 64 bytes
        "a:" + "z" * 62,  # 64 bytes
        "a:no-such-rule",
        "a:",
        "s:no-such-rule",
        "s:../../etc/passwd",
        "c:no-such-category",
        "m:ask2",
        "lp:goto:999",
        "lp:cat:evil",
        "lp:send",
        "lp:cancel",
        "lp:done",
        "nt:y:NTR-ZZZZ-ZZZZ",
        "nt:q:garbage",
        "nt:",
        "rb:garbage",
        "mc:st:selesai:NTR-0000-0000",
        "mc:take:NTR-0000-0000",
        "mc:blk!:NTR-0000-0000",
        "mc",
        "<b>&</b>",
    ]
    mark = api.mark()
    queries = [api.press_button(user, welcome, data, check=False) for data in forged]
    await api.wait_for(lambda: all(q["id"] in api.callback_answers for q in queries), timeout=15)
    for data, query in zip(forged, queries, strict=True):
        answer = api.callback_answers[query["id"]]
        assert answer["show_alert"] in (True, "true"), data
        assert "tidak berlaku" in answer["text"] or "hanya untuk moderator" in answer["text"]
    assert api.callback_answers[queries[forged.index("mc:take:NTR-0000-0000")]["id"]][
        "text"
    ].startswith("Tombol ini hanya untuk moderator")
    await settle(api)
    assert texts_since(api, chat, mark) == []

    # a card button pressed in a random group, and buttons on a message the bot cannot see
    random_group = api.group(-100640, "Grup Acak", bot_status="administrator")
    member = api.user(next(_ids), "Anggota")
    api.send_text(member, random_group, "/tanya boleh like?")
    card_like = await next_message(api, random_group)
    query = api.press_button(member, card_like, "mc:st:selesai:NTR-0000-0000", check=False)
    await api.wait_for(lambda: query["id"] in api.callback_answers)
    assert "hanya untuk moderator" in api.callback_answers[query["id"]]["text"]
    # a query from an inline message (no message at all: no reply can go below it, so the
    # alert must do), and one whose message Telegram reports as inaccessible (date 0: PTB still
    # gives a Message, and the replies go to the chat)
    rule_id = netral.app.bot_data["qa"].rulebook.rules[0].id
    inaccessible = {"chat": chat.to_dict(), "message_id": welcome["message_id"], "date": 0}
    for where in ({"inline_message_id": "AAAA"}, {"message": inaccessible}):
        for data in (
            "m:ask",
            "m:report",
            "c:",
            f"a:{rule_id}",
            f"s:{rule_id}",
            "lp:next",
            "lp:cancel",
            "nt:y:NTR-ZZZZ-ZZZZ",
            "rb:NTR-ZZZZ-ZZZZ",
            "x",
        ):
            query_id = f"{next(_ids)}77"
            api._pending_callbacks[query_id] = time.monotonic() + 30  # a real, answerable query
            api.raw_update(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": user.to_dict(),
                        "chat_instance": "1",
                        "data": data,
                        **where,
                    }
                }
            )
            await api.wait_for(lambda qid=query_id: qid in api.callback_answers, timeout=10)
            if "inline_message_id" in where:
                alert = api.callback_answers[query_id]["show_alert"]
                assert alert in (True, "true"), (where, data)
    await assert_healthy(api, caplog_errors)


# -- moderator commands and groups -------------------------------------------------------------


async def test_moderator_commands_from_outsiders(netral: Harness, caplog_errors):
    api = netral.api
    api.group(MOD_CHAT_ID, "Moderator")
    user, chat = person(api)
    commands = [
        "/tips",
        "/tips baru",
        "/tip NTR-0000-0000",
        "/tip <b>&</b>",
        "/export",
        "/antrian",
        "/tips@netral_test_bot",
    ]
    for command in commands:
        replies = await ask(api, user, chat, command)
        assert len(replies) == 1 and MOD_ONLY in replies[0], (command, replies)
    group = api.group(-100650, "Grup Acak")  # privacy mode on: commands still arrive
    member = api.user(next(_ids), "Anggota")
    mark = api.mark()
    for command in commands:
        api.send_text(member, group, command)
    await settle(api)
    replies = texts_since(api, group, mark)
    assert len(replies) == len(commands) and all(MOD_ONLY in r for r in replies), replies
    assert not [r for r in api.sent if r["method"] == "sendDocument"]
    await assert_healthy(api, caplog_errors)


async def test_bot_added_to_a_random_group(netral: Harness, caplog_errors):
    api = netral.api
    group = api.group(-100660, "Grup Keluarga", bot_status="left")
    member = api.user(next(_ids), "Anggota")
    api.add_member(group, member)
    mark = api.mark()
    api.set_bot_membership(group, "administrator", by=member)
    await settle(api)
    (greeting,) = texts_since(api, group, mark)
    assert "/tanya" in greeting and BOT in greeting
    mark = api.mark()
    api.set_bot_membership(group, "member", by=member)  # demoted: still in, no second greeting
    api.set_bot_membership(group, "administrator", by=member)
    for text in ("selamat pagi semua", CONTROL_Q, "<b>&</b> </i>", "🙏🙏🙏", "@someone_else hi"):
        api.send_text(member, group, text)
    api.send_sticker(member, group)
    api.send_photo(member, group, jpeg(7), caption=CONTROL_Q)
    api.send_poll(member, group)
    await settle(api)
    assert texts_since(api, group, mark) == []
    api.send_text(member, group, f"/tanya {CONTROL_Q}")
    assert (await next_message(api, group))["text"].startswith(PROHIBITED)
    api.send_text(member, group, "/start")
    assert "/tanya" in (await next_message(api, group))["text"]
    api.send_text(member, group, "/lapor")
    reply = await next_message(api, group)
    assert "chat pribadi" in reply["text"]
    api.send_text(member, group, BOT)
    assert "/tanya" in (await next_message(api, group))["text"]
    await assert_healthy(api, caplog_errors)


# -- inline mode -----------------------------------------------------------------------------


async def test_inline_queries_with_hostile_text(netral: Harness, caplog_errors):
    api = netral.api
    user = api.user(next(_ids), "Inline")
    cases = {
        "": 0,
        "   ": 0,
        ("boleh like postingan paslon " * 11)[:300]: None,
        '<b>boleh</b> like <a href="x">postingan</a> paslon & </i>': None,
        "*_[]()~`>#+-=|{}.!": 0,
        "\u202e\u200b🙏": 0,
        "x" * 2000: 0,
    }
    for text, expected in cases.items():
        query_id = api.inline_query(user, text)
        await api.wait_for(lambda qid=query_id: qid in api.inline_answers, timeout=10)
        results = api.inline_answers[query_id]
        if expected is None:
            assert results and "DILARANG" in results[0]["input_message_content"]["message_text"]
        else:
            assert len(results) == expected, text
    await assert_healthy(api, caplog_errors)

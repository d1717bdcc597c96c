"""End to end over HTTP: anonymous tips from a citizen to the moderators and back."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from PIL import Image

from tests.conftest import ADMIN_ID, MOD_CHAT_ID, Harness

REPORTER_ID = 731234567891
REPORTER_USERNAME = "pelapor_rahasia_xyz"
REPORTER_FIRST = "Kusumawardhani"
REPORTER_LAST = "Tjokrosuwarno"


def buttons(message: dict) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def data_of(message: dict, prefix: str) -> str:
    return next(d for _, d in buttons(message) if d.startswith(prefix))


def gps_jpeg() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    gps = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 12.0)}
    exif[0x8825] = gps
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def jpeg(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buf, "JPEG")
    return buf.getvalue()


async def reply(api, chat, n: int = 1) -> list[dict]:
    return await api.wait_messages(chat, n, timeout=15)


async def submit_tip(api, user, chat, *, photos: bool = True) -> str:
    """Walk the whole form; return the receipt code."""
    api.send_text(user, chat, "/lapor")
    (intro,) = await reply(api, chat)
    assert "tanpa identitas" in intro["text"]
    api.press_button(user, intro, data_of(intro, "lp:next"))
    (cat,) = await reply(api, chat)
    api.press_button(user, cat, "lp:cat:medsos")
    await reply(api, chat)
    api.send_text(user, chat, "Kepala seksi <b>membagikan</b> poster paslon & ajakan memilih di IG")
    await reply(api, chat)
    api.send_text(user, chat, "Budi Santoso")
    await reply(api, chat)
    api.send_text(user, chat, "Dinas Pendidikan Kab. Sukamaju")
    (pos_prompt,) = await reply(api, chat)
    api.press_button(user, pos_prompt, "lp:skip")
    await reply(api, chat)
    api.send_text(user, chat, "12345")  # bad NIP: explained, step kept
    (bad,) = await reply(api, chat)
    assert "18 angka" in bad["text"]
    api.send_text(user, chat, "19800101 200501 1 001")
    await reply(api, chat)
    api.send_text(user, chat, "Kabupaten Sukamaju")
    await reply(api, chat)
    api.send_text(user, chat, "https://instagram.com/p/xyz")
    await reply(api, chat)
    api.send_text(user, chat, "besok lusa")  # not a date
    (bad_date,) = await reply(api, chat)
    assert "tidak dikenali" in bad_date["text"]
    api.send_text(user, chat, "kemarin")
    (ev_prompt,) = await reply(api, chat)
    assert "Bukti" in ev_prompt["text"]
    if photos:
        api.send_photo(user, chat, jpeg((10, 200, 10)))
        await reply(api, chat)
        api.send_album(user, chat, [jpeg((1, 2, 3)), jpeg((4, 5, 6)), jpeg((7, 8, 9))])
        await api.wait_for_text(chat, "album", timeout=15)
        mark = api.mark()
        api.send_document(user, chat, gps_jpeg(), "foto.jpg", "image/jpeg")
        await api.wait_messages(chat, 2, since=mark, timeout=15)  # cleaned copy + ack
    api.send_text(user, chat, "lihat juga https://tiktok.com/@akun/video/1")
    (links,) = await reply(api, chat)
    assert "tautan" in links["text"]
    api.press_button(user, ev_prompt, "lp:done")
    (witnesses,) = await reply(api, chat)
    assert "Saksi" in witnesses["text"]
    api.send_text(user, chat, "Rekan satu ruangan")
    (summary,) = await reply(api, chat)
    assert "Periksa laporan" in summary["text"]
    assert "Budi Santoso" in summary["text"]
    api.press_button(user, summary, "lp:send")
    thanks, notify = await reply(api, chat, 2)
    code = next(w for w in thanks["text"].split() if w.startswith("NTR-"))
    assert len(code) == len("NTR-XXXX-XXXX")
    api.press_button(user, notify, f"nt:y:{code}")
    await api.wait_for(lambda: "dikabari" in (api.get_message(chat, notify["message_id"]) or {})
                       .get("text", ""), timeout=10)
    return code


async def test_tip_reaches_moderators_anonymously(netral: Harness, caplog):
    caplog.set_level(logging.DEBUG)
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator Bawaslu")
    moderator = api.user(555001, "Mod", username="mod_bawaslu")
    api.add_member(mods, moderator)
    user = api.user(REPORTER_ID, REPORTER_FIRST, last_name=REPORTER_LAST,
                    username=REPORTER_USERNAME, language_code="id")
    chat = api.private_chat(user)
    code = await submit_tip(api, user, chat)

    # card, one album (the photo and the 3-photo album are consecutive), cleaned image, link
    await api.wait_for_text(mods, "🔗", timeout=20)
    sent = api.sent_to(mods)
    card = sent[0]["message"]
    assert code in card["text"]
    assert "Budi Santoso" in card["text"]
    assert "<b>membagikan</b>" in card["text"]  # user text shown literally, escaped
    evidence = [r for r in sent[1:] if r["method"] != "editMessageText"]
    methods = [r["method"] for r in evidence]
    assert "sendMediaGroup" in methods
    assert all(r["params"].get("reply_parameters") or r["params"].get("reply_to_message_id")
               for r in evidence)
    assert api.forwarded == []  # content copied, never forwarded

    # the image sent as a document reached moderators without its GPS and camera tags
    docs = [r for r in evidence if r["method"] == "sendDocument"]
    assert docs
    data = api.file_bytes(docs[0]["message"]["document"]["file_id"])
    exif = Image.open(io.BytesIO(data)).getexif()
    assert 0x8825 not in exif and b"KameraRahasia" not in data

    # anonymity scan: every message sent to the moderators, every byte stored, every log line
    secrets = [str(REPORTER_ID), REPORTER_USERNAME, REPORTER_FIRST, REPORTER_LAST]
    to_mods = repr([r["params"] for r in sent]) + repr([r["message"] for r in sent])
    for s in secrets:
        assert s not in to_mods
    logs = caplog.text
    for s in secrets:
        assert s not in logs
    await netral.db.checkpoint()
    files = [Path(netral.db.path + suffix) for suffix in ("", "-wal", "-shm")]
    db_bytes = b"".join(f.read_bytes() for f in files if f.exists())
    for s in [REPORTER_USERNAME, REPORTER_FIRST, REPORTER_LAST]:
        assert s.encode() not in db_bytes
    cur = await netral.db.conn.execute("SELECT * FROM tips")
    for row in await cur.fetchall():
        assert str(REPORTER_ID) not in repr(tuple(row))


async def test_moderator_workflow_and_follow_up(netral: Harness):
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    moderator = api.user(555002, "Mod")
    api.add_member(mods, moderator)
    outsider = api.user(666003, "Orang Luar")
    user = api.user(REPORTER_ID + 1, "Pelapor")
    chat = api.private_chat(user)
    code = await submit_tip(api, user, chat, photos=False)
    await api.wait_for(lambda: api.sent_to(mods), timeout=20)
    card = api.sent_to(mods)[0]["message"]

    # a non-member pressing a card button is refused
    q = api.press_button(outsider, card, f"mc:take:{code}", check=False)
    await api.wait_for(lambda: q["id"] in api.callback_answers)
    assert "hanya untuk moderator" in api.callback_answers[q["id"]].get("text", "")
    assert "Orang Luar" not in (api.get_message(mods, card["message_id"]) or {}).get("text", "")

    # forged data from a member is refused too
    q = api.press_button(moderator, card, "mc:st:selesai:NTR-0000-0000", check=False)
    await api.wait_for(lambda: q["id"] in api.callback_answers)
    assert api.callback_answers[q["id"]].get("show_alert") in (True, "true")

    # take, verify: the card is edited and the opted-in reporter is told
    api.press_button(moderator, card, f"mc:take:{code}")
    await api.wait_for(lambda: "Mod" in api.get_message(mods, card["message_id"])["text"])
    mark = api.mark()
    api.press_button(moderator, card, f"mc:st:diverifikasi:{code}")
    (note,) = await api.wait_messages(chat, 1, since=mark, timeout=15)
    assert "diverifikasi" in note["text"] and code in note["text"]
    assert "Mod" not in note["text"]  # moderators stay anonymous to reporters

    # moderator asks by replying to the card; the reporter answers with /balas
    mark = api.mark()
    api.send_text(moderator, mods, "Jam berapa kejadiannya?", reply_to=card)
    (question,) = await api.wait_messages(chat, 1, since=mark, timeout=15)
    assert "Jam berapa" in question["text"]
    mark = api.mark()
    api.send_text(user, chat, f"/balas {code} Sekitar jam 9 pagi")
    await api.wait_for(lambda: any("Sekitar jam 9" in (r["message"].get("text") or "")
                                   for r in api.sent[mark:] if r["chat_id"] == MOD_CHAT_ID),
                       timeout=15)
    answer = next(r for r in api.sent[mark:] if "Sekitar jam 9" in (r["message"].get("text") or ""))
    assert str(REPORTER_ID + 1) not in repr(answer)

    # /status shows the status and the question
    api.send_text(user, chat, f"/status {code.lower().replace('-', ' ')}")
    (status,) = await reply(api, chat)
    assert "Diverifikasi" in status["text"] and "Jam berapa" in status["text"]
    api.send_text(user, chat, "/status NTR-ZZZZ-ZZZZ")
    (unknown,) = await reply(api, chat)
    assert "tidak ditemukan" in unknown["text"]

    # reject with a reason; the reporter hears the reason
    mark = api.mark()
    api.press_button(moderator, card, f"mc:rj:{code}")
    await api.wait_for(lambda: "mc:rr:" in repr(api.get_message(mods, card["message_id"])))
    api.press_button(moderator, api.get_message(mods, card["message_id"]),
                     f"mc:rr:bukti-kurang:{code}")
    (rej,) = await api.wait_messages(chat, 1, since=mark, timeout=15)
    assert "Bukti kurang" in rej["text"]

    # moderator commands
    api.send_text(moderator, mods, "/tips")
    (listing,) = await api.wait_messages(mods, 1)
    assert code in listing["text"]
    api.send_text(moderator, mods, f"/tip {code}")
    full, history = await api.wait_messages(mods, 2)
    assert code in full["text"]
    assert "status" in history["text"]
    api.send_text(moderator, mods, "/export")
    (export,) = await api.wait_messages(mods, 1)
    csv_bytes = api.file_bytes(export["document"]["file_id"])
    assert code.encode() in csv_bytes and str(REPORTER_ID + 1).encode() not in csv_bytes
    api.send_text(moderator, mods, "/antrian")
    (queue,) = await api.wait_messages(mods, 1)
    assert "Antrian" in queue["text"]
    api.send_text(outsider, api.private_chat(outsider), "/tips")
    (refused,) = await reply(api, api.private_chat(outsider))
    assert "hanya untuk moderator" in refused["text"]


async def test_flood_limits_delay_but_never_lose(netral: Harness):
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    api.fail_next(method="sendMessage", chat_id=MOD_CHAT_ID, status=429, retry_after=1, count=3)
    user = api.user(REPORTER_ID + 2, "Pelapor Tiga")
    chat = api.private_chat(user)
    code = await submit_tip(api, user, chat, photos=False)
    await api.wait_for_text(mods, code, timeout=30)
    assert api.violations == []


async def test_bot_removed_from_group_keeps_tips_and_alerts_admins(netral: Harness):
    api = netral.api
    mods = api.group(MOD_CHAT_ID, "Moderator")
    api.set_bot_membership(mods, "kicked")
    admin_chat = api.private_chat(api.user(ADMIN_ID, "Admin"))
    user = api.user(REPORTER_ID + 3, "Pelapor Empat")
    chat = api.private_chat(user)
    code = await submit_tip(api, user, chat, photos=False)
    (alert,) = await api.wait_messages(admin_chat, 1, timeout=20)
    assert "tidak bisa mengirim" in alert["text"]
    pending, _ = await netral.app.bot_data["tips"].pending_count()
    assert pending >= 1
    api.set_bot_membership(mods, "administrator")
    await api.wait_for_text(mods, code, timeout=90)

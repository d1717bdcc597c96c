"""Tests of the fake Bot API server, driven through python-telegram-bot's real HTTP stack."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import io
import json

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.botapi import FakeBotApi
from tests.botapi import fixtures as _fixtures
from tests.botapi.validate import format_text

botapi = _fixtures.botapi  # the same fixture the project's conftest exposes

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


def make_bot(api: FakeBotApi) -> Bot:
    return Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)


def png_bytes(width: int = 400, height: int = 300, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@contextlib.asynccontextmanager
async def running_app(api: FakeBotApi, *handlers):
    app = (
        Application.builder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


# ---------------------------------------------------------------------------- wire format


async def test_get_me_fields(botapi: FakeBotApi) -> None:
    async with make_bot(botapi) as bot:
        me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == 123456
    assert me.username == "netral_test_bot"
    assert me.first_name
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is True
    assert botapi.calls[-1]["method"] == "getMe" and botapi.calls[-1]["status"] == 200


async def test_raw_wire_errors_and_body_formats(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari")
    botapi.private_chat(user)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{botapi.url}/bot999:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{botapi.base_url}{botapi.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # JSON body, lower-case method name, integer chat_id
        async with http.post(
            f"{botapi.base_url}{botapi.token}/sendmessage", json={"chat_id": 1001, "text": "halo"}
        ) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["ok"] is True
            assert body["result"]["text"] == "halo" and isinstance(body["result"]["date"], int)
        # query string on GET, chat_id as a string
        async with http.get(
            f"{botapi.base_url}{botapi.token}/sendMessage",
            params={"chat_id": "1001", "text": "   "},
        ) as resp:
            assert resp.status == 400
            assert (await resp.json())["description"] == "Bad Request: message text is empty"
        async with http.post(
            f"{botapi.base_url}{botapi.token}/sendMessage", data={"chat_id": "424242", "text": "x"}
        ) as resp:
            assert (await resp.json())["description"] == "Bad Request: chat not found"
    assert [m["message_id"] for m in botapi.messages_in(user)] == [1]


async def test_send_message_html_ok_and_invalid(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari", username="sari")
    chat = botapi.private_chat(user)
    async with make_bot(botapi) as bot:
        message = await bot.send_message(
            chat.id,
            '<b>Tebal</b> &amp; <i>miring</i> <a href="https://example.org">tautan</a> '
            "<code>x&lt;y</code>",
            parse_mode=ParseMode.HTML,
        )
        assert message.text == "Tebal & miring tautan x<y"
        kinds = {e.type: (e.offset, e.length) for e in message.entities}
        assert kinds["bold"] == (0, 5) and kinds["italic"] == (8, 6)
        assert kinds["text_link"] == (15, 6) and kinds["code"] == (22, 3)
        for bad in ("<b>tidak ditutup", "<p>paragraf</p>", "a < b", "AT&T", "<b><i>x</b></i>"):
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(chat.id, bad, parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)must be escaped"):
            await bot.send_message(chat.id, "Selesai.", parse_mode=ParseMode.MARKDOWN_V2)
    record = botapi.sent_to(chat)[0]
    assert record["raw_text"].startswith("<b>Tebal</b>") and record["parse_mode"] == "HTML"
    assert len(botapi.sent) == 1


async def test_text_length_limits_and_utf16(botapi: FakeBotApi) -> None:
    chat = botapi.private_chat(botapi.user(1001, "Sari"))
    async with make_bot(botapi) as bot:
        await bot.send_message(chat.id, "a" * 4096)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(chat.id, "a" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(chat.id, "😀" * 2049)  # 4098 UTF-16 units
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_photo(chat.id, png_bytes(20, 20), caption="c" * 1025)
    text, entities = format_text("😀 <b>x</b>", "HTML")
    assert text == "😀 x" and entities == [{"type": "bold", "offset": 3, "length": 1}]


async def test_chat_errors_forbidden_and_not_found(botapi: FakeBotApi) -> None:
    blocker = botapi.user(1002, "Budi")
    botapi.private_chat(blocker)
    botapi.block_bot(blocker)
    kicked = botapi.group(-1001, "Ditendang")
    botapi.set_bot_membership(kicked, "kicked")
    never = botapi.group(-1002, "Belum", type="group", bot_status="left")
    async with make_bot(botapi) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(blocker.id, "hai")
        with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the supergroup chat"):
            await bot.send_message(kicked.id, "hai")
        with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
            await bot.send_message(never.id, "hai")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(555, "hai")
    kinds = [next(k for k in u if k != "update_id") for u in botapi.pending_updates]
    assert kinds.count("my_chat_member") == 2


async def test_inline_keyboard_validation_and_edits(botapi: FakeBotApi) -> None:
    chat = botapi.private_chat(botapi.user(1001, "Sari"))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes")]])
    async with make_bot(botapi) as bot:
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(
                chat.id,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("Panjang", callback_data="x" * 65)]]
                ),
            )
        with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
            await bot.send_message(
                chat.id,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(101)]]
                ),
            )
        message = await bot.send_message(chat.id, "Pilih", reply_markup=keyboard)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Pilih", chat.id, message.message_id, reply_markup=keyboard)
        edited = await bot.edit_message_text("Dipilih", chat.id, message.message_id)
        assert (
            edited.text == "Dipilih"
            and edited.edit_date is not None
            and edited.reply_markup is None
        )
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("123")
        assert await bot.delete_message(chat.id, message.message_id) is True
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(chat.id, message.message_id)


# ---------------------------------------------------------------------------- polling & callbacks


async def test_long_polling_command_reply(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari", username="sari")
    chat = botapi.private_chat(user)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Halo {update.effective_user.first_name}!", do_quote=True)

    async with running_app(botapi, CommandHandler("start", start)):
        incoming = botapi.send_text(user, chat, "/start")
        assert incoming["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        [reply] = await botapi.wait_messages(chat, 1, timeout=5)
        assert reply["text"] == "Halo Sari!"
        assert reply["reply_to_message"]["message_id"] == incoming["message_id"]
        assert reply["message_id"] == incoming["message_id"] + 1
        await botapi.wait_for(lambda: not botapi.pending_updates, timeout=5)
    assert all(c["status"] == 200 for c in botapi.calls if not c.get("cancelled"))


async def test_callback_query_round_trip(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari")
    chat = botapi.private_chat(user)

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            "Pilih:",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Ya", callback_data="ans:yes"),
                        InlineKeyboardButton("Tidak", callback_data="ans:no"),
                    ]
                ]
            ),
        )

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Oke")
        await query.edit_message_text(f"Jawaban: {query.data.split(':')[1]}")

    async with running_app(botapi, CommandHandler("menu", menu), CallbackQueryHandler(answer)):
        botapi.send_text(user, chat, "/menu")
        [menu_message] = await botapi.wait_messages(chat, 1, timeout=5)
        assert menu_message["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "ans:no"
        query = botapi.press_button(user, menu_message, "ans:no")
        assert (
            query["chat_instance"] and query["message"]["message_id"] == menu_message["message_id"]
        )
        await botapi.wait_for(
            lambda: any(r["method"] == "editMessageText" for r in botapi.sent), timeout=5
        )
    assert botapi.callback_answers[query["id"]]["text"] == "Oke"
    current = botapi.get_message(chat, menu_message["message_id"])
    assert current["text"] == "Jawaban: no" and "reply_markup" not in current
    with pytest.raises(ValueError):
        botapi.press_button(user, current, "ans:yes")  # the keyboard is gone


# ---------------------------------------------------------------------------- files


async def test_photo_upload_get_file_and_download(botapi: FakeBotApi) -> None:
    chat = botapi.private_chat(botapi.user(1001, "Sari"))
    data = png_bytes(1000, 500)
    async with make_bot(botapi) as bot:
        message = await bot.send_photo(
            chat.id, data, caption="<b>Foto</b>", parse_mode=ParseMode.HTML
        )
        largest = message.photo[-1]
        assert (largest.width, largest.height) == (1000, 500)
        assert [p.width for p in message.photo] == [90, 320, 800, 1000]
        assert message.caption == "Foto" and message.caption_entities[0].type == "bold"
        file = await bot.get_file(largest.file_id)
        assert file.file_path.startswith(botapi.base_file_url)
        downloaded = await file.download_as_bytearray()
        assert bytes(downloaded) == data == botapi.file_bytes(largest.file_id)
        again = await bot.send_photo(chat.id, largest.file_id)  # resend by file_id
        assert again.photo[-1].file_id == largest.file_id
        with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
            await bot.send_photo(chat.id, b"not an image")
        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.send_document(chat.id, "no-such-file-id")


async def test_send_media_group(botapi: FakeBotApi) -> None:
    chat = botapi.private_chat(botapi.user(1001, "Sari"))
    async with make_bot(botapi) as bot:
        messages = await bot.send_media_group(
            chat.id,
            [
                InputMediaPhoto(png_bytes(color="blue"), caption="satu"),
                InputMediaPhoto(png_bytes(color="green")),
            ],
        )
        assert len(messages) == 2
        assert (
            messages[0].media_group_id and messages[0].media_group_id == messages[1].media_group_id
        )
        assert messages[0].caption == "satu" and messages[1].caption is None
        assert messages[1].message_id == messages[0].message_id + 1
        with pytest.raises(BadRequest, match=r"(?i)document can't be mixed"):
            await bot.send_media_group(
                chat.id,
                [
                    InputMediaPhoto(png_bytes()),
                    InputMediaDocument(b"doc", filename="a.txt"),
                ],
            )
        with pytest.raises(BadRequest, match=r"(?i)too many messages"):
            await bot.send_media_group(
                chat.id, [InputMediaPhoto(messages[0].photo[-1].file_id)] * 11
            )
    assert [r["method"] for r in botapi.sent] == ["sendMediaGroup", "sendMediaGroup"]


async def test_copy_message_is_not_a_forward(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari")
    chat = botapi.private_chat(user)
    admins = botapi.group(-1009, "Admin")
    original = botapi.send_text(user, chat, "laporan rahasia")
    async with make_bot(botapi) as bot:
        copied = await bot.copy_message(admins.id, chat.id, original["message_id"])
        forwarded = await bot.forward_message(admins.id, chat.id, original["message_id"])
    stored = botapi.get_message(admins, copied.message_id)
    assert stored["text"] == "laporan rahasia" and "forward_origin" not in stored
    assert stored["from"]["id"] == botapi.bot.id
    assert forwarded.forward_origin.sender_user.id == user.id
    assert [f["method"] for f in botapi.forwarded] == ["forwardMessage"]
    assert [r["method"] for r in botapi.sent_to(admins)] == ["copyMessage", "forwardMessage"]


# ---------------------------------------------------------------------------- faults


async def test_retry_after_and_injected_errors(botapi: FakeBotApi) -> None:
    chat = botapi.private_chat(botapi.user(1001, "Sari"))
    async with make_bot(botapi) as bot:
        botapi.fail_next("sendMessage", chat_id=chat, status=429, retry_after=3)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat.id, "a")
        assert seconds(caught.value.retry_after) == 3
        with pytest.raises(RetryAfter):  # immediate retry: recorded as a violation, 429 again
            await bot.send_message(chat.id, "b")
    assert botapi.violations and botapi.violations[0]["method"] == "sendMessage"
    async with make_bot(botapi) as bot:
        botapi.fail_next("getMe", status=502)
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.get_me()
        assert (await bot.get_me()).username == "netral_test_bot"


async def test_outage_5xx_and_timeout(botapi: FakeBotApi) -> None:
    from telegram.request import HTTPXRequest

    bot = Bot(botapi.token, base_url=botapi.base_url, request=HTTPXRequest(read_timeout=0.3))
    async with bot:
        await botapi.set_outage("5xx")
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.get_me()
        await botapi.set_outage("timeout")
        with pytest.raises(TimedOut):
            await bot.get_me()
        await botapi.set_outage(None)
        assert (await bot.get_me()).is_bot


async def test_outage_refuse_then_same_port(botapi: FakeBotApi) -> None:
    port = botapi.port
    async with make_bot(botapi) as bot:
        await bot.get_me()
        await botapi.set_outage("refuse")
        with pytest.raises(NetworkError):
            await bot.get_me()
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectorError):
                await http.get(f"{botapi.url}/bot{botapi.token}/getMe")
        await botapi.set_outage(None)
        assert botapi.port == port
        assert (await bot.get_me()).id == 123456


async def test_flood_limiter_rejects_21st_group_message(botapi: FakeBotApi) -> None:
    group = botapi.group(-100123, "Diskusi ASN")
    botapi.set_flood_limits(
        per_chat_per_second=None, per_group_per_minute=20, global_per_second=None, time_scale=0.05
    )  # a "minute" lasts 3 seconds
    async with make_bot(botapi) as bot:
        for i in range(20):
            await bot.send_message(group.id, f"pesan {i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(group.id, "pesan 21")
        assert 1 <= seconds(caught.value.retry_after) <= 3
        assert botapi.flood_rejections == 1 and not botapi.violations
        with pytest.raises(RetryAfter):
            await bot.send_message(group.id, "terlalu cepat")  # ignored retry_after
    assert len(botapi.violations) == 1 and botapi.flood_rejections == 2
    assert len(botapi.sent_to(group)) == 20


# ---------------------------------------------------------------------------- members & webhook


async def test_get_chat_member_statuses(botapi: FakeBotApi) -> None:
    owner, admin, member, banned, stranger = (
        botapi.user(2000 + i, name)
        for i, name in enumerate(["Owner", "Admin", "Member", "Banned", "Stranger"])
    )
    group = botapi.group(-100777, "Grup", creator=owner)
    botapi.add_member(group, admin, "administrator")
    botapi.add_member(group, member)
    botapi.add_member(group, banned, "kicked")
    async with make_bot(botapi) as bot:
        statuses = [
            (await bot.get_chat_member(group.id, u.id)).status
            for u in (owner, admin, member, banned, stranger)
        ]
        assert statuses == ["creator", "administrator", "member", "kicked", "left"]
        assert (await bot.get_chat_member(group.id, botapi.bot.id)).status == "member"
        botapi.set_bot_membership(group, "administrator")
        assert (await bot.get_chat_member(group.id, botapi.bot.id)).status == "administrator"
        admins = await bot.get_chat_administrators(group.id)
        assert {a.user.id for a in admins} == {owner.id, admin.id, botapi.bot.id}
        assert await bot.get_chat_member_count(group.id) == 4
        chat = await bot.get_chat(group.id)
        assert chat.title == "Grup" and chat.type == "supergroup"
    update = botapi.pending_updates[-1]["my_chat_member"]
    assert update["old_chat_member"]["status"] == "member"
    assert update["new_chat_member"]["status"] == "administrator"


async def test_privacy_mode_drops_plain_group_messages(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari")
    group = botapi.group(-100555, "Grup")
    botapi.send_text(user, group, "obrolan biasa")
    botapi.send_text(user, group, "/tanya@netral_test_bot boleh?")
    assert len(botapi.pending_updates) == 1 and len(botapi.dropped_updates) == 1
    assert botapi.dropped_updates[0]["reason"].startswith("privacy mode")


async def test_get_updates_offset_limit_and_allowed_updates(botapi: FakeBotApi) -> None:
    user = botapi.user(1001, "Sari")
    for text in ("satu", "dua", "tiga"):
        botapi.send_text(user, user, text)  # a TgUser as chat: their private chat
    member = {
        "chat": {"id": -1, "type": "group", "title": "G"},
        "from": user.to_dict(),
        "date": 1,
        "old_chat_member": {"status": "left", "user": user.to_dict()},
        "new_chat_member": {"status": "member", "user": user.to_dict()},
    }
    assert botapi.raw_update({"chat_member": member}) is None  # not in the default allowed_updates
    async with make_bot(botapi) as bot:
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first] == ["satu", "dua"]
        rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
        assert [u.message.text for u in rest] == ["tiga"]
        waiter = asyncio.create_task(
            bot.get_updates(
                offset=rest[-1].update_id + 1, timeout=5, allowed_updates=["chat_member"]
            )
        )
        await botapi.wait_for(
            lambda: (
                botapi.calls[-1]["method"] == "getUpdates" and botapi.calls[-1]["status"] is None
            )
        )
        assert botapi.raw_update({"chat_member": member}) is not None
        [update] = await asyncio.wait_for(waiter, 5)  # the long poll returns at once
        assert update.chat_member.new_chat_member.status == "member"


async def test_webhook_delivery_with_secret_token(botapi: FakeBotApi) -> None:
    received: list[tuple[str | None, dict]] = []
    calls = {"n": 0}

    async def receive(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=500)  # the first attempt fails: the server must retry
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        user = botapi.user(1001, "Sari")
        chat = botapi.private_chat(user)
        async with make_bot(botapi) as bot:
            assert await bot.set_webhook(
                f"http://127.0.0.1:{port}/hook", secret_token="rahasia_123"
            )
            with pytest.raises(Conflict):
                await bot.get_updates()
            botapi.send_text(user, chat, "halo webhook")
            await botapi.wait_for(lambda: received, timeout=5)
            info = await bot.get_webhook_info()
            assert info.url.endswith("/hook") and info.pending_update_count == 0
            assert "500" in info.last_error_message
            await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
        secret, update = received[0]
        assert secret == "rahasia_123"
        assert update["message"]["text"] == "halo webhook" and isinstance(update["update_id"], int)
        assert calls["n"] == 2
    finally:
        await runner.cleanup()


async def test_async_with_and_json_wait_helpers() -> None:
    async with FakeBotApi(token="42:ABC", bot_username="lain_bot") as api:
        user = api.user(7, "Ani")
        chat = api.private_chat(user)
        async with make_bot(api) as bot:
            assert (await bot.get_me()).id == 42
            mark = api.mark()
            sender = asyncio.create_task(bot.send_message(chat.id, "satu"))
            [message] = await api.wait_messages(chat, 1, since=mark, timeout=5)
            await sender
        assert message["text"] == "satu"
        with pytest.raises(TimeoutError):
            await api.wait_messages(chat, 1, timeout=0.2, since=api.mark())
        api.clear_records()
        assert api.sent == [] and api.calls == []
    assert json.loads(json.dumps(message)) == message

"""The outbox worker: delivers stored tips to moderators and notices to reporters, retrying."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputMediaVideo,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.texts import t
from bot.tips import REJECT_REASONS, Evidence, label
from bot.tips_store import OutboxEntry, TipStore
from handlers.cards import card_keyboard, render_card

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
SEND = {
    "photo": "send_photo",
    "video": "send_video",
    "document": "send_document",
    "animation": "send_animation",
    "audio": "send_audio",
    "voice": "send_voice",
}


def backoff(attempts: int) -> float:
    """Exponential back-off for network and server errors: 2, 4, 8 … 300 seconds."""
    return min(MAX_BACKOFF, 2.0 ** max(1, attempts + 1))


def _ids(result: Message | tuple[Message, ...] | list[Message]) -> list[int]:
    if isinstance(result, Message):
        return [result.message_id]
    return [m.message_id for m in result]


async def _send_evidence(
    bot: Bot, store: TipStore, entry: OutboxEntry, card_id: int | None
) -> list[int]:
    tip = await store.get_tip_by_id(entry.tip_id)
    items: list[Evidence] = await store.evidence(entry.tip_id)
    seqs: list[int] = list(entry.payload.get("evidence", []))
    chosen = [(s, items[s - 1]) for s in seqs if 0 < s <= len(items)]
    if not chosen:
        return []  # purged by retention before delivery: nothing left to send
    reply = ReplyParameters(card_id, allow_sending_without_reply=True) if card_id else None
    first = chosen[0][0]
    span = f"{first}" if len(chosen) == 1 else f"{first}–{chosen[-1][0]}"
    caption = t("id", "card_evidence_caption", n=span, total=str(len(items)), code=tip.code)
    if len(chosen) > 1:
        media = [
            (InputMediaVideo if ev.kind == "video" else InputMediaPhoto)(
                ev.file_id, caption=caption if i == 0 else None, parse_mode=ParseMode.HTML
            )
            for i, (_, ev) in enumerate(chosen)
        ]
        return _ids(await bot.send_media_group(entry.chat_id, media, reply_parameters=reply))
    _, ev = chosen[0]
    if ev.kind == "link":
        text = f"{caption}\n🔗 {html.escape(ev.url)}"
        return _ids(
            await bot.send_message(
                entry.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
    method = getattr(bot, SEND[ev.kind])
    return _ids(
        await method(
            entry.chat_id,
            ev.file_id,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_parameters=reply,
        )
    )


async def send_entry(bot: Bot, store: TipStore, entry: OutboxEntry) -> list[int] | None:
    """Send one outbox entry; the Telegram message ids, or None if it can never be sent."""
    if entry.chat_id is None:  # a notice to an opted-in reporter
        chat = await store.notify_chat(entry.tip_id)
        tip = await store.get_tip_by_id(entry.tip_id)
        if chat is None or tip is None:
            return None
        if entry.kind == "question":
            text = t(
                "id",
                "notify_question",
                code=tip.code,
                text=html.escape(entry.payload.get("text", "")),
            )
        else:
            st = entry.payload.get("status", tip.status)
            reason = html.escape(
                label(REJECT_REASONS, entry.payload.get("reason", ""), "id") or "-"
            )
            text = t(
                "id",
                "notify_status",
                code=tip.code,
                message=t("id", f"status_msg_{st}", reason=reason),
            )
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(t("id", "btn_reply"), callback_data=f"rb:{tip.code}")]]
            )
            if not tip.closed
            else None
        )
        return _ids(
            await bot.send_message(chat, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        )
    card_id = await store.card_message(entry.tip_id, entry.chat_id) if entry.tip_id else None
    if entry.kind == "card":
        tip = await store.get_tip_by_id(entry.tip_id)
        return _ids(
            await bot.send_message(
                entry.chat_id,
                render_card(tip),
                parse_mode=ParseMode.HTML,
                reply_markup=card_keyboard(tip),
            )
        )
    if entry.kind in ("album", "evidence"):
        return await _send_evidence(bot, store, entry, card_id)
    if entry.kind == "reply":
        tip = await store.get_tip_by_id(entry.tip_id)
        text = t(
            "id",
            "card_reporter_reply",
            code=tip.code,
            text=html.escape(entry.payload.get("text", "")),
        )
        reply = ReplyParameters(card_id, allow_sending_without_reply=True) if card_id else None
        return _ids(
            await bot.send_message(
                entry.chat_id, text, parse_mode=ParseMode.HTML, reply_parameters=reply
            )
        )
    if entry.kind == "alert":
        return _ids(await bot.send_message(entry.chat_id, html.escape(entry.payload["text"])))
    log.error("unknown outbox kind %r (entry %d)", entry.kind, entry.id)
    return None


async def _alert_admins(app: Application, chat_id: int, lost: bool) -> None:
    """Tell admins in private that the moderation group is unreachable (once) or back."""
    store: TipStore = app.bot_data["tips"]
    alerted: set[int] = app.bot_data.setdefault("alerted_chats", set())
    if lost == (chat_id in alerted):
        return
    pending, oldest = await store.pending_count()
    key = "alert_lost" if lost else "alert_back"
    text = t("id", key, chat=str(chat_id), pending=str(pending), oldest=(oldest or "-")[:16])
    for admin in app.bot_data["config"].admins:
        try:
            await app.bot.send_message(admin, text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("could not alert an admin: %s", type(exc).__name__)
    if lost:
        alerted.add(chat_id)
    else:
        alerted.discard(chat_id)


async def drain_outbox(app: Application) -> int:
    """Deliver every due entry once, in order; a failing chat is skipped until its retry."""
    store: TipStore = app.bot_data["tips"]
    lock: asyncio.Lock = app.bot_data.setdefault("outbox_lock", asyncio.Lock())
    if lock.locked():
        return 0
    sent = 0
    async with lock:
        held: set[int | None] = set()  # chats whose order must wait for a failed entry
        for entry in await store.due(limit=100):
            key = entry.chat_id if entry.chat_id is not None else -entry.tip_id
            if key in held:
                continue
            try:
                ids = await send_entry(app.bot, store, entry)
            except RetryAfter as exc:
                delay = exc.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
                await store.mark_retry(entry.id, "RetryAfter", seconds)
                held.add(key)
                continue
            except Forbidden as exc:
                if entry.chat_id is None:
                    await store.mark_dead(entry.id, "Forbidden")
                    await store.clear_notify(entry.tip_id)
                else:
                    await store.mark_retry(
                        entry.id,
                        f"Forbidden: {exc.message[:80]}",
                        min(60.0, backoff(entry.attempts)),
                    )
                    held.add(key)
                    await _alert_admins(app, entry.chat_id, lost=True)
                continue
            except BadRequest as exc:
                if entry.chat_id is None:
                    await store.mark_dead(entry.id, f"BadRequest: {exc.message[:80]}")
                else:  # never drop a tip: keep retrying slowly and say so in the log
                    log.error("outbox entry %d refused: %s", entry.id, exc.message[:120])
                    await store.mark_retry(
                        entry.id, f"BadRequest: {exc.message[:80]}", backoff(entry.attempts + 3)
                    )
                    held.add(key)
                continue
            except (NetworkError, TelegramError) as exc:
                await store.mark_retry(entry.id, type(exc).__name__, backoff(entry.attempts))
                held.add(key)
                log.warning("outbox delivery failed (%s); will retry", type(exc).__name__)
                break  # the network is likely down: stop this round
            if ids is None:
                if entry.chat_id is None:  # the reporter opted out or blocked the bot
                    await store.mark_dead(entry.id, "undeliverable")
                else:  # moderation entries are never dropped; a newer version may send it
                    await store.mark_retry(entry.id, "unknown kind", MAX_BACKOFF)
                    held.add(key)
                continue
            await store.mark_sent(entry.id, ids)
            sent += 1
            if entry.chat_id is not None:
                await _alert_admins(app, entry.chat_id, lost=False)
    return sent


def kick_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deliver new outbox entries now instead of at the next periodic run."""
    context.application.job_queue.run_once(outbox_job, 0)


async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: drain the outbox."""
    await drain_outbox(context.application)


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily: purge closed tips past retention and expired drafts."""
    store: TipStore = context.application.bot_data["tips"]
    days = context.application.bot_data["config"].retention.days
    purged = await store.purge_closed(days)
    drafts = await store.purge_expired_drafts()
    log.info("retention: %d closed tips purged, %d expired drafts deleted", purged, drafts)

"""Handlers for moderators in their group: card buttons, questions, notes, commands."""

from __future__ import annotations

import html
import logging
import re
import time

from telegram import ForceReply, InputFile, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.texts import t
from bot.tips import REJECT_REASONS, STATUS_LABELS, STATUSES, find_code, label, normalize_code
from bot.tips_store import BadTransition, TipStore
from handlers.cards import block_keyboard, card_keyboard, reject_keyboard, render_card
from handlers.delivery import kick_outbox

log = logging.getLogger(__name__)

MEMBER_STATUSES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.RESTRICTED,
}
# Prompt markers: a reply to a message that starts with one of these is a question or a note.
ASK_MARK = "❓"
NOTE_MARK = "📝"


def store_of(context: ContextTypes.DEFAULT_TYPE) -> TipStore:
    return context.application.bot_data["tips"]


async def is_moderator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a moderation chat, a member of it (cached) or a configured admin."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.id not in store_of(context).moderation_chats:
        return False
    config = context.application.bot_data["config"]
    if user.id in config.admins:
        return True
    cache: dict = context.application.bot_data.setdefault("member_cache", {})
    key = (chat.id, user.id)
    hit = cache.get(key)
    if hit and hit[1] > time.monotonic():
        return hit[0]
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
        ok = member.status in MEMBER_STATUSES
    except TelegramError as exc:
        log.warning("membership check failed: %s", type(exc).__name__)
        return False
    cache[key] = (ok, time.monotonic() + config.moderation.member_cache_seconds)
    return ok


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")
MAX_HTML = 4000  # below Telegram's 4096 characters, counted on the HTML itself


def clip_html(text: str, limit: int = MAX_HTML) -> str:
    """Shorten HTML we built (escaped values, simple tags) to at most `limit` characters with
    an ellipsis, never cutting a tag or an entity in half, and closing the tags left open."""
    if len(text) <= limit:
        return text
    head = text[: limit - 40]  # room for the ellipsis and closing tags
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    if head.rfind("&") > head.rfind(";"):
        head = head[: head.rfind("&")]
    still_open: list[str] = []
    for m in _TAG.finditer(head):
        if not m.group(1):
            still_open.append(m.group(2))
        elif still_open:
            still_open.pop()
    return head + "…" + "".join(f"</{tag}>" for tag in reversed(still_open))


def _moderator_label(update: Update) -> str:
    user = update.effective_user
    return user.full_name or f"Moderator {user.id}"


async def _refuse_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.warning(
        "refused a moderator action from outside the moderators (chat type %s)",
        update.effective_chat.type if update.effective_chat else "?",
    )
    await update.callback_query.answer(t("id", "mod_refused"), show_alert=True)


async def _refresh_card(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, code: str
) -> None:
    tip = await store_of(context).get_tip(code)
    if tip is None:
        return
    try:
        await context.bot.edit_message_text(
            render_card(tip),
            chat_id,
            message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=card_keyboard(tip),
        )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every card button (mc:<action>:…:<code>); checked against forged data and outsiders."""
    query = update.callback_query
    if not await is_moderator(update, context):
        await _refuse_callback(update, context)
        return
    parts = query.data.split(":")
    code = normalize_code(parts[-1]) if len(parts) >= 3 else None
    store = store_of(context)
    tip = await store.get_tip(code) if code else None
    if tip is None or len(parts) > 4:
        log.warning("refused forged or stale card data")
        await query.answer(t("id", "stale_button"), show_alert=True)
        return
    action, chat_id, mid = parts[1], query.message.chat.id, query.message.message_id
    mod = update.effective_user.id
    if action == "take":
        await store.assign(code, mod, _moderator_label(update))
        await query.answer(t("id", "mod_taken"))
    elif action == "st" and len(parts) == 4 and parts[2] in STATUSES:
        try:
            await store.set_status(code, parts[2], mod)
        except BadTransition:
            await query.answer(t("id", "mod_bad_transition"), show_alert=True)
            return
        await query.answer(label(STATUS_LABELS, parts[2], "id"))
        kick_outbox(context)
    elif action == "rj":
        await query.answer()
        await query.edit_message_reply_markup(reject_keyboard(code))
        return
    elif action == "rr" and len(parts) == 4 and parts[2] in REJECT_REASONS:
        try:
            await store.set_status(code, "ditolak", mod, parts[2])
        except BadTransition:
            await query.answer(t("id", "mod_bad_transition"), show_alert=True)
            return
        await query.answer(label(STATUS_LABELS, "ditolak", "id"))
        kick_outbox(context)
    elif action == "blk":
        await query.answer()
        await query.edit_message_reply_markup(block_keyboard(code))
        return
    elif action == "blk!":
        await store.block_reporter(code, mod)
        await query.answer(t("id", "mod_blocked"), show_alert=True)
    elif action in ("ask", "note"):
        await query.answer()
        key, mark = (
            ("mod_ask_prompt", ASK_MARK) if action == "ask" else ("mod_note_prompt", NOTE_MARK)
        )
        await query.message.reply_html(
            f"{mark} " + t("id", key, code=code), reply_markup=ForceReply(selective=True)
        )
        return
    elif action == "back":
        await query.answer()
    else:
        log.warning("refused unknown card action")
        await query.answer(t("id", "stale_button"), show_alert=True)
        return
    await _refresh_card(context, chat_id, mid, code)


async def group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A moderator's reply to a card or to a question/note prompt."""
    message = update.effective_message
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != context.bot.id:
        return
    if not await is_moderator(update, context):
        return
    store = store_of(context)
    text = (message.text or "").strip()
    if not text:
        return
    prompt = target.text or ""
    code = find_code(prompt)
    tip = await store.tip_for_card(message.chat.id, target.message_id)
    if tip is None and code:
        tip = await store.get_tip(code)
    if tip is None:
        return
    mod = update.effective_user.id
    if prompt.startswith(NOTE_MARK):
        await store.add_note(tip.code, mod, text)
        await message.reply_html(t("id", "mod_note_saved", code=tip.code))
        return
    await store.ask_reporter(tip.code, mod, text)
    opted = await store.notify_chat(tip.id) is not None
    await message.reply_html(
        t("id", "mod_question_saved" if opted else "mod_question_stored", code=tip.code)
    )
    kick_outbox(context)


async def _command_allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    config = context.application.bot_data["config"]
    user = update.effective_user
    if update.effective_chat.type == "private" and user and user.id in config.admins:
        return True
    if await is_moderator(update, context):
        return True
    await update.effective_message.reply_html(t("id", "mod_only"))
    return False


async def tips_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tips [status]: recent tips with codes and status."""
    if not await _command_allowed(update, context):
        return
    status = (context.args or [None])[0]
    if status and status not in STATUSES:
        await update.effective_message.reply_html(
            t("id", "mod_tips_usage", statuses=", ".join(STATUSES))
        )
        return
    tips = await store_of(context).list_tips(status, limit=20)
    if not tips:
        await update.effective_message.reply_html(t("id", "mod_tips_none"))
        return
    lines = [t("id", "mod_tips_title")]
    lines += [
        f"<code>{tip.code}</code> · {html.escape(label(STATUS_LABELS, tip.status, 'id'))}"
        f" · {html.escape(tip.region or '–')} · {tip.created_at[:10]}"
        for tip in tips
    ]
    await update.effective_message.reply_html("\n".join(lines))


async def tip_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tip KODE: the whole tip with its history."""
    if not await _command_allowed(update, context):
        return
    code = normalize_code(" ".join(context.args or []))
    store = store_of(context)
    tip = await store.get_tip(code) if code else None
    if tip is None:
        await update.effective_message.reply_html(t("id", "status_unknown"))
        return
    history = await store.history(tip.code)
    lines = [
        f"{h.at[:16].replace('T', ' ')} · {html.escape(h.action)}"
        + (f" · {html.escape(h.detail[:200])}" if h.detail else "")
        for h in history[-15:]
    ]
    followups = await store.followups(tip.code)
    lines += [
        f"{f.created_at[:16].replace('T', ' ')} · "
        f"{'❓' if f.direction == 'to_reporter' else '💬'} {html.escape(f.text[:300])}"
        for f in followups[-10:]
    ]
    await update.effective_message.reply_html(
        clip_html(render_card(tip, full=True)), reply_markup=card_keyboard(tip)
    )
    if lines:
        text = "<b>" + t("id", "mod_history") + "</b>\n" + "\n".join(lines)
        await update.effective_message.reply_html(clip_html(text))


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: CSV of tips and statuses (no reporter data, no free text)."""
    if not await _command_allowed(update, context):
        return
    csv_text = await store_of(context).export_csv()
    await update.effective_message.reply_document(
        InputFile(csv_text.encode("utf-8"), filename="netral-laporan.csv"),
        caption=t("id", "mod_export_caption"),
    )


async def queue_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/antrian: pending deliveries and the age of the oldest."""
    if not await _command_allowed(update, context):
        return
    pending, oldest = await store_of(context).pending_count()
    await update.effective_message.reply_html(
        t("id", "mod_queue", pending=str(pending), oldest=(oldest or "–")[:19].replace("T", " "))
    )


async def tip_stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats in a moderation group: tips per status and category."""
    if not await _command_allowed(update, context):
        return
    stats = await store_of(context).stats()
    lines = [t("id", "mod_stats_title")]
    for key, values in stats.items():
        if isinstance(values, dict):
            inner = ", ".join(f"{html.escape(str(k))}: {v}" for k, v in values.items()) or "–"
            lines.append(f"<b>{html.escape(str(key))}</b>: {inner}")
        else:
            lines.append(f"<b>{html.escape(str(key))}</b>: {html.escape(str(values))}")
    await update.effective_message.reply_html("\n".join(lines))

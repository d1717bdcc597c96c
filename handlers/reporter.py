"""Handlers for citizens reporting a violation: the guided, anonymous tip conversation."""

from __future__ import annotations

import asyncio
import html
import logging
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.exif import UnsupportedImage, strip_metadata
from bot.texts import t
from bot.tips import (
    CATEGORIES,
    CATEGORY_LABELS,
    STATUS_LABELS,
    DateError,
    Evidence,
    TipDraft,
    extract_links,
    find_code,
    label,
    normalize_code,
    parse_date,
    valid_nip,
)
from bot.tips_store import NoModerationChat, RateLimited, TipStore
from handlers.asker import private_question
from handlers.cards import CARD_LIMITS, field_line
from handlers.common import lang_of
from handlers.delivery import kick_outbox

log = logging.getLogger(__name__)

(
    INTRO,
    CATEGORY,
    DESCRIPTION,
    ASN_NAME,
    ASN_AGENCY,
    ASN_POSITION,
    ASN_NIP,
    REGION,
    PLACE,
    WHEN,
    EVIDENCE,
    WITNESSES,
    SUMMARY,
    EDIT,
) = range(14)

SANITIZE_MIMES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit


@dataclass(frozen=True)
class TextStep:
    field: str
    prompt: str
    optional: bool
    limit: int  # 0: tips.max_text_length
    min_len: int = 1


TEXT_STEPS: dict[int, TextStep] = {
    DESCRIPTION: TextStep("description", "tip_ask_description", False, 0, 10),
    ASN_NAME: TextStep("asn_name", "tip_ask_asn_name", True, 200),
    ASN_AGENCY: TextStep("asn_agency", "tip_ask_asn_agency", True, 200),
    ASN_POSITION: TextStep("asn_position", "tip_ask_asn_position", True, 200),
    ASN_NIP: TextStep("asn_nip", "tip_ask_asn_nip", True, 40),
    REGION: TextStep("region", "tip_ask_region", False, 100, 3),
    PLACE: TextStep("place", "tip_ask_place", True, 500),
    WHEN: TextStep("occurred_on", "tip_ask_when", False, 100),
    WITNESSES: TextStep("witnesses", "tip_ask_witnesses", True, 0),
}
ORDER = list(range(INTRO, SUMMARY + 1))  # the form's steps in order; EDIT is a side state
# Steps a reporter can jump back to from the summary, with the label of each.
EDITABLE = [
    (CATEGORY, "tip_field_category"),
    (DESCRIPTION, "tip_field_description"),
    (ASN_NAME, "tip_field_asn_name"),
    (ASN_AGENCY, "tip_field_asn_agency"),
    (ASN_POSITION, "tip_field_asn_position"),
    (ASN_NIP, "tip_field_asn_nip"),
    (REGION, "tip_field_region"),
    (PLACE, "tip_field_place"),
    (WHEN, "tip_field_when"),
    (EVIDENCE, "tip_field_evidence"),
    (WITNESSES, "tip_field_witnesses"),
]


def store_of(context: ContextTypes.DEFAULT_TYPE) -> TipStore:
    return context.application.bot_data["tips"]


def _cancel_row(lang: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t(lang, "btn_cancel"), callback_data="lp:cancel")]


def prompt_for(
    state: int, lang: str, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons that ask for one step."""
    cfg = context.application.bot_data["config"].tips
    if state == INTRO:
        rows = [[InlineKeyboardButton(t(lang, "btn_continue"), callback_data="lp:next")]]
        return t(lang, "tip_intro"), InlineKeyboardMarkup([*rows, _cancel_row(lang)])
    if state == CATEGORY:
        rows = [
            [InlineKeyboardButton(label(CATEGORY_LABELS, c, lang), callback_data=f"lp:cat:{c}")]
            for c in CATEGORIES
        ]
        return t(lang, "tip_ask_category"), InlineKeyboardMarkup([*rows, _cancel_row(lang)])
    if state == EVIDENCE:
        rows = [
            [InlineKeyboardButton(t(lang, "btn_done"), callback_data="lp:done")],
            [InlineKeyboardButton(t(lang, "btn_remove_last"), callback_data="lp:undo")],
        ]
        return (
            t(lang, "tip_ask_evidence", limit=str(cfg.max_evidence)),
            InlineKeyboardMarkup([*rows, _cancel_row(lang)]),
        )
    step = TEXT_STEPS[state]
    rows = (
        [[InlineKeyboardButton(t(lang, "btn_skip"), callback_data="lp:skip")]]
        if step.optional
        else []
    )
    text = t(lang, step.prompt, limit=str(step.limit or cfg.max_text_length))
    return text, InlineKeyboardMarkup([*rows, _cancel_row(lang)])


def _excerpt(text: str, limit: int) -> str:
    """The text, cut to `limit` characters with an ellipsis (before escaping, never inside it)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_text(draft: TipDraft, lang: str) -> str:
    """The draft as the reporter will check it (all values escaped). Long fields are cut like
    on the moderators' card, so that the summary always fits one message."""
    dash = "–"
    values = [
        ("tip_field_category", label(CATEGORY_LABELS, draft.category, lang)),
        ("tip_field_description", _excerpt(draft.description, CARD_LIMITS["description"])),
        ("tip_field_asn_name", draft.asn_name or dash),
        ("tip_field_asn_agency", draft.asn_agency or dash),
        ("tip_field_asn_position", draft.asn_position or dash),
        ("tip_field_asn_nip", draft.asn_nip or dash),
        ("tip_field_region", draft.region or dash),
        ("tip_field_place", _excerpt(draft.place, CARD_LIMITS["place"]) or dash),
        ("tip_field_when", draft.occurred_on or dash),
        ("tip_field_evidence", str(len(draft.evidence))),
        ("tip_field_witnesses", _excerpt(draft.witnesses, CARD_LIMITS["witnesses"]) or dash),
    ]
    lines = [field_line(key, value, lang) for key, value in values]
    return "\n".join(lines)


def summary_markup(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "btn_send"), callback_data="lp:send")],
            [InlineKeyboardButton(t(lang, "btn_edit"), callback_data="lp:edit")],
            _cancel_row(lang),
        ]
    )


async def _load(update: Update, context: ContextTypes.DEFAULT_TYPE) -> TipDraft:
    draft = await store_of(context).load_draft(update.effective_user.id)
    return draft or TipDraft()


async def _save(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: TipDraft) -> None:
    await store_of(context).save_draft(update.effective_user.id, draft)


async def ask(
    message: Message, state: int, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> int:
    """Send the prompt of a step (or the summary) and return that state."""
    lang = lang_of(update)
    if state == SUMMARY:
        draft = await _load(update, context)
        await message.reply_html(
            t(lang, "tip_summary", summary=summary_text(draft, lang)),
            reply_markup=summary_markup(lang),
        )
        return SUMMARY
    text, markup = prompt_for(state, lang, context)
    await message.reply_html(text, reply_markup=markup)
    return state


async def advance(state: int, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Go to the step after `state`, or back to the summary when editing."""
    nxt = SUMMARY if context.user_data.get("tip_editing") else ORDER[ORDER.index(state) + 1]
    return await ask(update.effective_message, nxt, update, context)


# -- entry, exit -----------------------------------------------------------------------------


async def start_tip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/lapor or the menu button: explain anonymity, then start the form."""
    lang = lang_of(update)
    if update.callback_query:
        await update.callback_query.answer()
    if update.effective_chat.type != "private":
        await update.effective_message.reply_html(t(lang, "tip_private_only"))
        return ConversationHandler.END
    store = store_of(context)
    if not store.moderation_chats:
        await update.effective_message.reply_html(t(lang, "tip_no_moderation"))
        return ConversationHandler.END
    context.user_data.pop("tip_editing", None)
    return await ask(update.effective_message, INTRO, update, context)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/batal or the Batal button: delete the draft and end."""
    if update.callback_query:
        await update.callback_query.answer()
    await store_of(context).delete_draft(update.effective_user.id)
    context.user_data.pop("tip_editing", None)
    await update.effective_message.reply_html(t(lang_of(update), "tip_cancelled"))
    return ConversationHandler.END


async def intro_next(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """'Lanjut' after the explanation."""
    await update.callback_query.answer()
    return await ask(update.effective_message, CATEGORY, update, context)


async def choose_category(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A category button."""
    query = update.callback_query
    category = query.data.removeprefix("lp:cat:")
    if category not in CATEGORIES:
        await query.answer(t(lang_of(update), "stale_button"), show_alert=True)
        return CATEGORY
    await query.answer()
    draft = await _load(update, context)
    draft.category = category
    await _save(update, context, draft)
    return await advance(CATEGORY, update, context)


# -- text steps --------------------------------------------------------------------------------


def _validate(
    state: int, text: str, lang: str, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str | None, str]:
    """(error message or None, value to store) for one text step."""
    step = TEXT_STEPS[state]
    limit = step.limit or context.application.bot_data["config"].tips.max_text_length
    value = text.strip()
    if len(value) > limit:
        return t(lang, "tip_too_long", length=str(len(value)), limit=str(limit)), ""
    if len(value) < step.min_len:
        return t(lang, "tip_too_short"), ""
    if state == ASN_NIP:
        digits = "".join(value.split())
        return (None, digits) if valid_nip(digits) else (t(lang, "tip_bad_nip"), "")
    if state == WHEN:
        try:
            return None, parse_date(value, datetime.now(UTC).date()).isoformat()
        except DateError as exc:
            return t(lang, "tip_future_date" if exc.reason == "future" else "tip_bad_date"), ""
    return None, value


def text_step(state: int):
    """Build the handler that stores the answer to one text step."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Validate and store a text answer, then move on."""
        lang = lang_of(update)
        error, value = _validate(state, update.effective_message.text or "", lang, context)
        if error:
            await update.effective_message.reply_html(error)
            return state
        draft = await _load(update, context)
        setattr(draft, TEXT_STEPS[state].field, value)
        await _save(update, context, draft)
        return await advance(state, update, context)

    return handler


def skip_step(state: int):
    """Build the handler of a step's 'Lewati' button."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Skip an optional step (clearing what was there)."""
        await update.callback_query.answer()
        if state in TEXT_STEPS and TEXT_STEPS[state].optional:
            draft = await _load(update, context)
            setattr(draft, TEXT_STEPS[state].field, "")
            await _save(update, context, draft)
        return await advance(state, update, context)

    return handler


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo or other non-text where text was asked."""
    await update.effective_message.reply_html(t(lang_of(update), "tip_bad_text"))


# -- evidence ----------------------------------------------------------------------------------


def _evidence_from(message: Message) -> Evidence | None:
    group = message.media_group_id or ""
    if message.photo:
        p = message.photo[-1]
        return Evidence(
            "photo",
            p.file_id,
            p.file_unique_id,
            "image/jpeg",
            "",
            p.file_size or 0,
            media_group_id=group,
        )
    for kind in ("video", "animation", "audio", "voice", "video_note"):
        media = getattr(message, kind)
        if media:
            return Evidence(
                "video" if kind == "video_note" else kind,
                media.file_id,
                media.file_unique_id,
                getattr(media, "mime_type", "") or "",
                getattr(media, "file_name", "") or "",
                media.file_size or 0,
                media_group_id=group,
            )
    if message.document:
        d = message.document
        return Evidence(
            "document",
            d.file_id,
            d.file_unique_id,
            d.mime_type or "",
            d.file_name or "",
            d.file_size or 0,
            media_group_id=group,
        )
    return None


async def _sanitize_image(
    item: Evidence, update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Evidence | None:
    """Download an image sent as a file, strip its metadata, re-upload it; None if impossible."""
    if item.file_size > MAX_IMAGE_BYTES:
        return None
    try:
        tg_file = await context.bot.get_file(item.file_id)
        data = bytes(await tg_file.download_as_bytearray())
        clean, mime = strip_metadata(data)
    except (UnsupportedImage, TelegramError, OSError) as exc:
        log.info("image could not be sanitised: %s", type(exc).__name__)
        return None
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(mime, "img")
    sent = await update.effective_message.reply_document(
        InputFile(clean, filename=f"bukti.{ext}"),
        caption=t(lang_of(update), "tip_evidence_sanitized"),
    )
    doc = sent.document
    return Evidence(
        "document",
        doc.file_id,
        doc.file_unique_id,
        mime,
        f"bukti.{ext}",
        doc.file_size or len(clean),
        media_group_id=item.media_group_id,
        sanitized=True,
    )


async def evidence_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A photo, video, document or other media as evidence (albums arrive item by item)."""
    lang = lang_of(update)
    limit = context.application.bot_data["config"].tips.max_evidence
    message = update.effective_message
    draft = await _load(update, context)
    if len(draft.evidence) >= limit:
        await message.reply_html(t(lang, "tip_evidence_full", limit=str(limit)))
        return EVIDENCE
    item = _evidence_from(message)
    if item is None:
        await message.reply_html(t(lang, "tip_evidence_unsupported"))
        return EVIDENCE
    warning = None
    if item.kind == "document":
        if item.mime_type.lower() in SANITIZE_MIMES:
            item = await _sanitize_image(item, update, context)
            if item is None:
                await message.reply_html(t(lang, "tip_evidence_bad_image"))
                return EVIDENCE
        else:
            warning = t(lang, "tip_evidence_doc_warning")
    draft = await _load(update, context)  # reload: another album item may have landed meanwhile
    draft.evidence.append(item)
    await _save(update, context, draft)
    if warning:
        await message.reply_html(warning)
    if item.media_group_id:
        _ack_album_later(update, context, item.media_group_id)
    else:
        await message.reply_html(t(lang, "tip_evidence_ok", n=str(len(draft.evidence))))
    return EVIDENCE


def _ack_album_later(update: Update, context: ContextTypes.DEFAULT_TYPE, group: str) -> None:
    """One acknowledgement per album, after its items stopped arriving."""
    name = f"album-ack:{update.effective_chat.id}:{group}"
    for job in context.job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    counts = context.chat_data.setdefault("album_counts", {})
    counts[group] = counts.get(group, 0) + 1
    context.job_queue.run_once(
        _album_ack,
        1.5,
        chat_id=update.effective_chat.id,
        user_id=update.effective_user.id,
        name=name,
        data={"group": group, "lang": lang_of(update)},
    )


async def _album_ack(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the reporter how many album items arrived."""
    job = context.job
    counts = context.chat_data.get("album_counts", {})
    count = counts.pop(job.data["group"], 0)
    draft = await store_of(context).load_draft(job.user_id)
    total = len(draft.evidence) if draft else count
    await context.bot.send_message(
        job.chat_id,
        t(job.data["lang"], "tip_evidence_album", count=str(count), n=str(total)),
        parse_mode="HTML",
    )


async def evidence_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Text during the evidence step: links become evidence, anything else gets a hint."""
    lang = lang_of(update)
    limit = context.application.bot_data["config"].tips.max_evidence
    links = extract_links(update.effective_message.text or "")
    if not links:
        await update.effective_message.reply_html(t(lang, "tip_evidence_text"))
        return EVIDENCE
    draft = await _load(update, context)
    room = max(0, limit - len(draft.evidence))
    draft.evidence.extend(Evidence("link", url=u) for u in links[:room])
    await _save(update, context, draft)
    if len(links) > room:
        await update.effective_message.reply_html(t(lang, "tip_evidence_full", limit=str(limit)))
    else:
        await update.effective_message.reply_html(
            t(lang, "tip_evidence_links", count=str(len(links)), n=str(len(draft.evidence)))
        )
    return EVIDENCE


async def evidence_undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """'Hapus bukti terakhir'."""
    await update.callback_query.answer()
    draft = await _load(update, context)
    if draft.evidence:
        draft.evidence.pop()
        await _save(update, context, draft)
    await update.effective_message.reply_html(
        t(lang_of(update), "tip_evidence_removed", n=str(len(draft.evidence)))
    )
    return EVIDENCE


# -- summary, edit, submit ---------------------------------------------------------------------


async def edit_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """'Ubah': choose which step to redo."""
    await update.callback_query.answer()
    lang = lang_of(update)
    rows = [
        [InlineKeyboardButton(t(lang, key), callback_data=f"lp:goto:{state}")]
        for state, key in EDITABLE
    ]
    await update.effective_message.reply_html(
        t(lang, "tip_edit_pick"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return EDIT


async def edit_goto(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A step chosen from the edit menu; afterwards the summary comes back."""
    query = update.callback_query
    try:
        state = int(query.data.removeprefix("lp:goto:"))
    except ValueError:
        state = -1
    if state not in dict(EDITABLE):
        await query.answer(t(lang_of(update), "stale_button"), show_alert=True)
        return EDIT
    await query.answer()
    context.user_data["tip_editing"] = True
    return await ask(update.effective_message, state, update, context)


async def submit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """'Kirim': store durably, then thank the reporter with the receipt code."""
    query = update.callback_query
    await query.answer()
    lang = lang_of(update)
    store = store_of(context)
    draft = await store.load_draft(update.effective_user.id)
    if draft is None:
        # Stored already (the draft became the tip) but the receipt was lost to a crash or a
        # failed send: the same code again, never "cancelled" for a tip moderators will get.
        tip = await store.recent_tip_of(update.effective_user.id)
        if tip is None:
            await update.effective_message.reply_html(t(lang, "tip_cancelled"))
            return ConversationHandler.END
        log.info("receipt sent again: %s", tip.code)
    else:
        try:
            tip = await store.submit(update.effective_user.id, draft)
        except RateLimited:
            await update.effective_message.reply_html(t(lang, "tip_limit"))
            return SUMMARY
        except NoModerationChat:
            await update.effective_message.reply_html(t(lang, "tip_no_moderation"))
            return SUMMARY
        log.info("tip stored: %s", tip.code)
    context.user_data.pop("tip_editing", None)
    await update.effective_message.reply_html(t(lang, "tip_thanks", code=tip.code))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_notify_yes"), callback_data=f"nt:y:{tip.code}"),
                InlineKeyboardButton(t(lang, "btn_notify_no"), callback_data=f"nt:n:{tip.code}"),
            ]
        ]
    )
    await update.effective_message.reply_html(t(lang, "tip_ask_notify"), reply_markup=buttons)
    kick_outbox(context)
    return ConversationHandler.END


async def summary_fallback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Anything typed at the summary: show it again."""
    return await ask(update.effective_message, SUMMARY, update, context)


def resume(state: int):
    """Build the handler that repeats the question of `state`: for /lapor while the form is
    open, and for a button of another step. A crash between sending a question and storing the
    new step leaves the reporter looking at a step the bot did not store; without this its
    buttons would only ever be refused as stale."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Say the form goes on, then ask the current step again (the summary, when editing)."""
        lang = lang_of(update)
        if update.callback_query:
            await update.callback_query.answer(t(lang, "tip_draft_resumed"))
        else:
            await update.effective_message.reply_html(t(lang, "tip_draft_resumed"))
        return await ask(
            update.effective_message, SUMMARY if state == EDIT else state, update, context
        )

    return handler


# -- after submitting: notifications, status, replies ----------------------------------------


async def notify_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Ya / Tidak' to follow-up notifications; only the chat that got the code has the button."""
    query = update.callback_query
    lang = lang_of(update)
    _, choice, raw = [*query.data.split(":", 2), "", ""][:3]
    code = normalize_code(raw)
    store = store_of(context)
    tip = await store.get_tip(code) if code else None
    if tip is None or choice not in ("y", "n") or update.effective_chat.type != "private":
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    if choice == "y":
        await store.set_notify(tip.id, update.effective_chat.id)
        text = t(lang, "tip_notify_on")
    else:
        await store.clear_notify(tip.id)
        text = t(lang, "tip_notify_off", code=tip.code)
    await query.edit_message_text(text, parse_mode="HTML")


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status KODE: the tip's status and moderators' messages, after a fixed delay."""
    lang = lang_of(update)
    cfg = context.application.bot_data["config"].tips
    if not context.args:
        await update.effective_message.reply_html(t(lang, "status_usage"))
        return
    code = normalize_code(" ".join(context.args))
    store = store_of(context)
    tip = await store.get_tip(code) if code else None
    await asyncio.sleep(cfg.status_delay_seconds)  # same delay for hits and misses: no probing
    if tip is None:
        await update.effective_message.reply_html(t(lang, "status_unknown"))
        return
    followups = [f for f in await store.followups(tip.code) if f.direction == "to_reporter"]
    # the last five, cut so that together they always fit one message (4096 characters)
    shown = followups[-5:]
    each = 3000 // max(len(shown), 1)
    items = "\n".join(f"• {html.escape(_excerpt(f.text, each))}" for f in shown)
    messages = t(lang, "status_messages", items=items) if followups else ""
    state = label(STATUS_LABELS, tip.status, lang)
    if tip.status == "ditolak" and tip.status_reason:
        state += f" ({tip.status_reason})"
    text = t(
        lang,
        "status_report",
        code=tip.code,
        status=html.escape(state),
        created=tip.created_at[:10],
        messages=messages,
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "btn_reply"), callback_data=f"rb:{tip.code}")]]
    )
    await update.effective_message.reply_html(text, reply_markup=None if tip.closed else markup)


async def reply_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/balas KODE teks: answer the moderators anonymously."""
    lang = lang_of(update)
    args = context.args or []
    code = normalize_code(args[0]) if args else None
    text = " ".join(args[1:]).strip()
    if not code or not text:
        await update.effective_message.reply_html(t(lang, "reply_usage"))
        return
    await _store_reply(update, context, code, text)


async def _store_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, code: str, text: str
) -> None:
    lang = lang_of(update)
    cfg = context.application.bot_data["config"].tips
    store = store_of(context)
    tip = await store.get_tip(code)
    await asyncio.sleep(cfg.status_delay_seconds)
    if tip is None or tip.closed:
        await update.effective_message.reply_html(t(lang, "status_unknown"))
        return
    if len(text) > cfg.max_text_length:
        await update.effective_message.reply_html(
            t(lang, "tip_too_long", length=str(len(text)), limit=str(cfg.max_text_length))
        )
        return
    await store.reporter_reply(tip.code, text)
    kick_outbox(context)
    await update.effective_message.reply_html(t(lang, "reply_sent"))


async def reply_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'Balas moderator': ask for the answer text (a reply to the prompt carries the code)."""
    query = update.callback_query
    code = normalize_code(query.data.removeprefix("rb:"))
    if not code or update.effective_chat.type != "private":
        await query.answer(t(lang_of(update), "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.reply_html(
        t(lang_of(update), "reply_prompt", code=code), reply_markup=ForceReply(selective=True)
    )


async def reply_to_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private reply to the bot's 'write your answer' prompt."""
    message = update.effective_message
    prompt = message.reply_to_message
    from_bot = prompt is not None and prompt.from_user and prompt.from_user.id == context.bot.id
    code = find_code(prompt.text or "") if from_bot else None
    if code is None:
        await private_question(update, context)
        return
    await _store_reply(update, context, code, message.text or "")


def conversation(config_ttl_seconds: float | None = None) -> ConversationHandler:
    """The tip form: every step, with /batal and Batal everywhere; state survives restarts."""
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    other = ~filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    media = (
        filters.PHOTO
        | filters.VIDEO
        | filters.Document.ALL
        | filters.ANIMATION
        | filters.AUDIO
        | filters.VOICE
        | filters.VIDEO_NOTE
    ) & filters.UpdateType.MESSAGE
    states: dict[object, list] = {
        INTRO: [CallbackQueryHandler(intro_next, pattern=r"^lp:next$")],
        CATEGORY: [CallbackQueryHandler(choose_category, pattern=r"^lp:cat:")],
        EVIDENCE: [
            MessageHandler(media, evidence_media),
            MessageHandler(text, evidence_text),
            CallbackQueryHandler(skip_step(EVIDENCE), pattern=r"^lp:(done|skip)$"),
            CallbackQueryHandler(evidence_undo, pattern=r"^lp:undo$"),
            MessageHandler(other, evidence_media),
        ],
        SUMMARY: [
            CallbackQueryHandler(submit, pattern=r"^lp:send$"),
            CallbackQueryHandler(edit_menu, pattern=r"^lp:edit$"),
            MessageHandler(text | other, summary_fallback),
        ],
        EDIT: [CallbackQueryHandler(edit_goto, pattern=r"^lp:goto:")],
    }
    for state in TEXT_STEPS:
        states[state] = [
            MessageHandler(text, text_step(state)),
            CallbackQueryHandler(skip_step(state), pattern=r"^lp:skip$"),
            MessageHandler(other, not_text),
        ]
    for state, handlers in states.items():  # last in each step: /lapor, other steps' buttons
        handlers.append(CommandHandler("lapor", resume(state)))
        handlers.append(CallbackQueryHandler(resume(state), pattern=r"^lp:(?!cancel$)"))
    # Callback buttons are tracked per chat and user, not per message, on purpose: a reporter
    # may press a button of an earlier prompt; the state decides what it means.
    warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        entry_points=[
            CommandHandler("lapor", start_tip, filters.ChatType.PRIVATE),
            CallbackQueryHandler(start_tip, pattern=r"^m:report$"),
        ],
        states=states,
        fallbacks=[
            CommandHandler("batal", cancel),
            CallbackQueryHandler(cancel, pattern=r"^lp:cancel$"),
        ],
        name="tip",
        persistent=True,
        per_chat=True,
        per_user=True,
        allow_reentry=False,
    )

"""Handlers every audience shares: /start, /help, errors, unsupported input, group joins."""

from __future__ import annotations

import contextlib
import html
import logging

from telegram import (
    Chat,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.qa import QA
from bot.texts import pick_lang, t

log = logging.getLogger(__name__)


def lang_of(update: Update) -> str:
    """Interface language from the user's Telegram setting."""
    user = update.effective_user
    return pick_lang(user.language_code if user else None)


def qa_of(context: ContextTypes.DEFAULT_TYPE) -> QA:
    return context.application.bot_data["qa"]


def main_menu(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "btn_ask"), callback_data="m:ask")],
            [InlineKeyboardButton(t(lang, "btn_report"), callback_data="m:report")],
            [InlineKeyboardButton(t(lang, "btn_topics"), callback_data="c:")],
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and show the main menu (private chats)."""
    lang = lang_of(update)
    await update.effective_message.reply_html(t(lang, "start"), reply_markup=main_menu(lang))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain the commands and show the rulebook version."""
    lang = lang_of(update)
    rb = qa_of(context).rulebook
    text = t(lang, "help", version=html.escape(rb.version), date=html.escape(rb.date))
    await update.effective_message.reply_html(text)


async def menu_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 'Tanya aturan' button: invite a question."""
    query = update.callback_query
    await query.answer()
    await query.message.reply_html(t(lang_of(update), "ask_prompt"))


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any non-text message in a private chat gets a polite explanation."""
    await update.effective_message.reply_html(t(lang_of(update), "unsupported"))


async def bot_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """When added to a group, say once what the bot is for; then stay quiet."""
    change: ChatMemberUpdated = update.my_chat_member
    if change.chat.type == Chat.PRIVATE:
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    joined = now in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR) and was in (
        ChatMemberStatus.LEFT,
        ChatMemberStatus.BANNED,
    )
    log.info("bot membership changed in a %s chat: %s -> %s", change.chat.type, was, now)
    if joined and change.chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        username = html.escape(context.bot.username or "")
        lang = pick_lang(change.from_user.language_code if change.from_user else None)
        try:
            await context.bot.send_message(
                change.chat.id,
                t(lang, "added_to_group", username=username),
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:
            log.warning("could not greet a new group: %s", exc.__class__.__name__)


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: drop what no handler should see twice or cannot answer."""
    query = update.callback_query
    if query is not None and not isinstance(query.message, Message):
        # From an inline message or an inaccessible one: nothing to answer below.
        await query.answer(t(lang_of(update), "stale_button"), show_alert=True)
        raise ApplicationHandlerStop
    edited = update.edited_message
    if edited is not None and (edited.text or "").startswith("/"):
        raise ApplicationHandlerStop  # an edited command is not run a second time


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error without personal data and tell the user politely, if there is one."""
    err = context.error
    log.error("handler error: %s: %s", type(err).__name__, err, exc_info=err)
    if isinstance(update, Update) and update.effective_chat and update.effective_message:
        if update.effective_chat.type != Chat.PRIVATE:
            return
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_html(t(lang_of(update), "error"))

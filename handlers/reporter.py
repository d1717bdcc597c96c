"""Handlers for citizens reporting a violation."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.texts import t
from handlers.common import lang_of


async def coming_soon(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Until the tip flow ships, point reporters to the official channels."""
    await update.effective_message.reply_html(t(lang_of(update), "report_soon"))


async def coming_soon_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 'Lapor pelanggaran' menu button, same answer as /lapor."""
    await update.callback_query.answer()
    await update.callback_query.message.reply_html(t(lang_of(update), "report_soon"))

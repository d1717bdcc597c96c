"""Handlers for civil servants asking about the rules: questions, suggestions, topics, inline."""

from __future__ import annotations

import logging
from html import escape
from uuid import uuid4

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.answers import Renderer
from bot.matcher import Decision
from bot.qa import MAX_QUESTION_CHARS
from bot.rulebook import Rule
from bot.texts import t
from handlers.common import lang_of, qa_of

log = logging.getLogger(__name__)

# Callback data: "a:<rule id>" answer, "s:<rule id>" sources, "c:<category id>" topics.


def answer_markup(rule: Rule, also: tuple[Rule, ...], lang: str) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t(lang, "btn_sources"), callback_data=f"s:{rule.id}")]]
    rows += [[InlineKeyboardButton(r.title.get(lang), callback_data=f"a:{r.id}")] for r in also]
    return InlineKeyboardMarkup(rows)


def reply_for(decision: Decision) -> tuple[str, InlineKeyboardMarkup | None]:
    """HTML text and buttons for a decision."""
    lang = decision.lang
    r = Renderer(lang)
    if decision.kind == "answer" and decision.rule:
        return r.answer(decision.rule, decision.also), answer_markup(
            decision.rule, decision.also, lang
        )
    if decision.kind == "suggest":
        buttons = [
            [InlineKeyboardButton(c.rule.title.get(lang), callback_data=f"a:{c.rule.id}")]
            for c in decision.suggestions
        ]
        return t(lang, "did_you_mean"), InlineKeyboardMarkup(buttons)
    return t(lang, "dont_know"), None


async def _answer(
    message: Message,
    question: str,
    lang_hint: str,
    channel: str,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    if len(question) > MAX_QUESTION_CHARS:
        await message.reply_html(t(lang_hint, "too_long", limit=str(MAX_QUESTION_CHARS)))
        return
    decision = await qa_of(context).ask(question, lang_hint, channel)
    text, markup = reply_for(decision)
    await message.reply_html(text, reply_markup=markup, do_quote=channel == "group")


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text in a private chat is a question."""
    message = update.effective_message
    await _answer(message, message.text or "", lang_of(update), "private", context)


def _mentions_bot(message: Message, username: str) -> str | None:
    """The text without the @mention when the bot is mentioned, else None.

    Entity offsets count UTF-16 code units, so the cut is made on the UTF-16 form (slicing the
    str would shift after every emoji); an entity that splits a character never matches.
    """
    units = (message.text or "").encode("utf-16-le")
    target = f"@{username}".lower()
    for entity in message.entities:
        if entity.type != MessageEntity.MENTION:
            continue
        start, end = entity.offset * 2, (entity.offset + entity.length) * 2
        if units[start:end].decode("utf-16-le", errors="replace").lower() == target:
            rest = units[:start] + units[end:]
            return rest.decode("utf-16-le", errors="replace").strip()
    return None


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only when mentioned or replied to; otherwise stay silent."""
    message = update.effective_message
    question = _mentions_bot(message, context.bot.username or "")
    replied = message.reply_to_message
    from_bot = bool(replied and replied.from_user and replied.from_user.id == context.bot.id)
    if question is None and from_bot:
        question = message.text or ""
    if question is None:
        return
    if not question.strip():
        await message.reply_html(t(lang_of(update), "tanya_usage"))
        return
    await _answer(message, question, lang_of(update), "group", context)


async def tanya(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tanya <question> works everywhere, and is the way to ask in groups."""
    message = update.effective_message
    question = " ".join(context.args or []).strip()
    if not question:
        await message.reply_html(t(lang_of(update), "tanya_usage"))
        return
    channel = "private" if message.chat.type == "private" else "group"
    await _answer(message, question, lang_of(update), channel, context)


async def show_rule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A 'Maksud Anda' or topic button: show that rule's answer."""
    query = update.callback_query
    lang = lang_of(update)
    rule = qa_of(context).rulebook.rule(query.data[2:])
    if rule is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.reply_html(
        Renderer(lang).answer(rule), reply_markup=answer_markup(rule, (), lang)
    )


async def show_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 'Dasar hukum & sumber' button: expand citations and sheet rows."""
    query = update.callback_query
    lang = lang_of(update)
    rule = qa_of(context).rulebook.rule(query.data[2:])
    if rule is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    await query.message.reply_html(Renderer(lang).sources(rule))


def categories_markup(context: ContextTypes.DEFAULT_TYPE, lang: str) -> InlineKeyboardMarkup:
    rb = qa_of(context).rulebook
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.title.get(lang), callback_data=f"c:{c.id}")]
            for c in rb.categories
            if rb.in_category(c.id)
        ]
    )


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topik: the categories as buttons."""
    lang = lang_of(update)
    await update.effective_message.reply_html(
        t(lang, "topics_title"), reply_markup=categories_markup(context, lang)
    )


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A category button lists its rules; 'c:' alone goes back to the categories."""
    query = update.callback_query
    lang = lang_of(update)
    rb = qa_of(context).rulebook
    cat_id = query.data[2:]
    if not cat_id:
        await query.answer()
        await query.message.reply_html(
            t(lang, "topics_title"), reply_markup=categories_markup(context, lang)
        )
        return
    category = rb.category(cat_id)
    if category is None:
        await query.answer(t(lang, "stale_button"), show_alert=True)
        return
    await query.answer()
    rows = [
        [InlineKeyboardButton(r.title.get(lang), callback_data=f"a:{r.id}")]
        for r in rb.in_category(cat_id)
    ]
    rows.append([InlineKeyboardButton(t(lang, "btn_back"), callback_data="c:")])
    await query.message.reply_html(
        t(lang, "topic_rules", category=escape(category.title.get(lang))),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline mode: offer the answer (or the suggested topics), never a doubtful verdict."""
    query = update.inline_query
    text = (query.query or "").strip()
    if not text or len(text) > MAX_QUESTION_CHARS:
        await query.answer([], cache_time=0)
        return
    decision = await qa_of(context).ask(text, lang_of(update), "inline")
    rules: list[Rule] = []
    if decision.kind == "answer" and decision.rule:
        rules = [decision.rule, *decision.also]
    elif decision.kind == "suggest":
        rules = [c.rule for c in decision.suggestions]
    lang = decision.lang
    results = [
        InlineQueryResultArticle(
            id=uuid4().hex,
            title=rule.title.get(lang),
            description=Renderer(lang, html_mode=False).verdict_line(rule),
            input_message_content=InputTextMessageContent(
                Renderer(lang).answer(
                    rule, decision.also if i == 0 and rule is decision.rule else ()
                ),
                parse_mode=ParseMode.HTML,
            ),
        )
        for i, rule in enumerate(rules)
    ]
    await query.answer(results, cache_time=0, is_personal=True)

"""Admin commands (private chat only): /reload, /belumterjawab, /stats."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot.health import collect
from bot.rulebook import RulebookError
from bot.texts import t
from handlers.common import lang_of, qa_of

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 30


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    admins = context.application.bot_data["config"].admins
    return bool(user and user.id in admins and update.effective_chat.type == "private")


async def _refuse(update: Update) -> None:
    await update.effective_message.reply_html(t(lang_of(update), "admin_only"))


def reload_rulebook(context: ContextTypes.DEFAULT_TYPE) -> str:
    """Reload from disk; on failure keep the old rulebook and return the problems as HTML."""
    qa = qa_of(context)
    path = context.application.bot_data["config"].rulebook.path or None
    lang = "id"
    try:
        rb = qa.reload(path)
    except RulebookError as exc:
        errors = [p for p in exc.problems if p.level == "error"]
        shown = "\n".join(html.escape(str(p)) for p in errors[:MAX_PROBLEMS_SHOWN])
        more = len(errors) - MAX_PROBLEMS_SHOWN
        old = qa.rulebook
        return t(
            lang,
            "reload_failed",
            count=str(len(errors)),
            problems=shown,
            more=str(more) if more > 0 else "0",
            version=html.escape(old.version),
        )
    return t(
        lang,
        "reload_ok",
        version=html.escape(rb.version),
        date=html.escape(rb.date),
        rules=str(len(rb.rules)),
        warnings=str(len(rb.warnings)),
    )


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: validate and swap in the rulebook from disk."""
    if not is_admin(update, context):
        await _refuse(update)
        return
    await update.effective_message.reply_html(reload_rulebook(context))


def _since(args: list[str] | None, default_days: int) -> datetime | None:
    if not args:
        return datetime.now(UTC) - timedelta(days=default_days)
    try:
        return datetime.strptime(args[0], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/belumterjawab [YYYY-MM-DD]: most frequent unanswered questions."""
    if not is_admin(update, context):
        await _refuse(update)
        return
    lang = lang_of(update)
    since = _since(context.args, 7)
    if since is None:
        await update.effective_message.reply_html(t(lang, "bad_date"))
        return
    await qa_of(context).flush()
    rows = await qa_of(context).db.unanswered(since, limit=20)
    day = since.strftime("%Y-%m-%d")
    if not rows:
        await update.effective_message.reply_html(t(lang, "unanswered_none", since=day))
        return
    lines = [t(lang, "unanswered_title", since=day)]
    lines += [f"{r.count}× {html.escape(r.example[:200])}" for r in rows]
    await update.effective_message.reply_html("\n".join(lines))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [YYYY-MM-DD]: questions per day, answered/suggested/declined, top rules."""
    if not is_admin(update, context):
        await _refuse(update)
        return
    lang = lang_of(update)
    since = _since(context.args, 14)
    if since is None:
        await update.effective_message.reply_html(t(lang, "bad_date"))
        return
    await qa_of(context).flush()
    db = qa_of(context).db
    days = await db.day_stats(since)
    top = await db.top_rules(since, limit=5)
    total = sum(d.total for d in days)
    lines = [t(lang, "stats_title", since=since.strftime("%Y-%m-%d"), total=str(total))]
    for d in days:
        lines.append(
            t(
                lang,
                "stats_day",
                day=d.day,
                total=str(d.total),
                answered=str(d.answered),
                suggested=str(d.suggested),
                declined=str(d.declined),
            )
        )
    if total:
        answered = sum(d.answered for d in days)
        suggested = sum(d.suggested for d in days)
        declined = sum(d.declined for d in days)
        lines.append(
            t(
                lang,
                "stats_share",
                answered=f"{100 * answered / total:.0f}",
                suggested=f"{100 * suggested / total:.0f}",
                declined=f"{100 * declined / total:.0f}",
            )
        )
    if top:
        lines.append(t(lang, "stats_top"))
        rb = qa_of(context).rulebook
        for rule_id, n in top:
            rule = rb.rule(rule_id)
            title = rule.title.get(lang) if rule else rule_id
            lines.append(f"{n}× {html.escape(title)}")
    await update.effective_message.reply_html("\n".join(lines))


async def health_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/health: rulebook version, outbox depth and age, last good Bot API call."""
    if not is_admin(update, context):
        await _refuse(update)
        return
    qa = qa_of(context)
    last = context.application.bot_data["api_clock"].get("last_ok")
    report = await collect(qa.db, qa.rulebook.version, len(qa.rulebook.rules), last)
    lines = "\n".join(html.escape(line) for line in report.lines())
    await update.effective_message.reply_html(f"<b>Netral health</b>\n<pre>{lines}</pre>")


async def chatid_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/chatid: the id of this chat (and in private, your user id) for the config file."""
    chat = update.effective_chat
    text = t(lang_of(update), "chat_id", chat_id=str(chat.id))
    await update.effective_message.reply_html(text)

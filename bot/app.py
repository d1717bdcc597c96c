"""The application builder: all handlers, storage, rate limiter and jobs are wired here."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import secrets
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from telegram import BotCommand, Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import Config, ConfigError, TipsConfig, require_token
from bot.health import KV_LAST_API_OK, KV_STARTED
from bot.logs import configure_logging, quiet_libraries
from bot.privacy import load_secrets
from bot.qa import QA
from bot.rulebook import RulebookError
from bot.storage import Database, iso
from bot.texts import t
from bot.tips_store import TipStore
from handlers import admin, asker, common, delivery, moderator, reporter
from handlers.persistence import SqlitePersistence

log = logging.getLogger(__name__)

COMMANDS_ID = [
    ("start", "Mulai"),
    ("topik", "Daftar topik aturan"),
    ("tanya", "Tanya aturan (juga di grup)"),
    ("lapor", "Laporkan pelanggaran secara anonim"),
    ("status", "Cek laporan dengan kode"),
    ("help", "Bantuan"),
]


def tip_secrets(config: Config) -> TipsConfig:
    """The tips config with usable secrets; random ones only when tips cannot be submitted."""
    try:
        load_secrets(config.tips)
        return config.tips
    except ConfigError:
        if config.moderation.chat_id is not None or config.moderation.routes:
            raise
    # No moderation chat: no tip can be stored, so throw-away keys protect nothing real.
    return dataclasses.replace(
        config.tips, hmac_secret=secrets.token_hex(32), notify_key=Fernet.generate_key().decode()
    )


class TrackedRequest(HTTPXRequest):
    """HTTPXRequest that remembers when the Bot API last answered (for the health report)."""

    def __init__(self, clock: dict[str, datetime | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code < 500:  # the server answered; 4xx are our requests' problems, not an outage
            self.clock["last_ok"] = datetime.now(UTC)
        return code, payload


class NetralBot(ExtBot):
    """The bot; answering a button press is best effort. Telegram refuses answers to presses
    older than about 15 s (the bot was busy, held back by flood limits, or restarting), and
    that must not cancel what the press asked for, e.g. storing a tip."""

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if "query is too old" not in exc.message.lower():
                raise
            log.info("a button press was answered too late; its action goes ahead")
            return False


async def _flush_questions(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write the queued question statistics."""
    await context.application.bot_data["qa"].flush()


async def _health_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the last good API call so `netralbot health` can read it from another process."""
    last = context.application.bot_data["api_clock"].get("last_ok")
    if last is not None:
        db = context.application.bot_data["qa"].db
        async with db.transaction():
            await db.set_kv(KV_LAST_API_OK, iso(last))


async def _post_init(app: Application) -> None:
    config: Config = app.bot_data["config"]
    qa: QA = app.bot_data["qa"]
    persistence: SqlitePersistence = app.persistence
    if qa.db is None:
        qa.db = await persistence.database()
    key, cipher = load_secrets(tip_secrets(config))
    app.bot_data["tips"] = TipStore(qa.db, key, cipher, config.tips, config.moderation)
    # A drain can outlast the interval (flood waits, outages); a tick meanwhile returns at once
    # (drain_outbox holds a lock), so allow it instead of logging a "skipped" warning each time.
    app.job_queue.run_repeating(
        delivery.outbox_job, interval=2, first=0.5, name="outbox", job_kwargs={"max_instances": 2}
    )
    app.job_queue.run_repeating(_health_job, interval=30, first=1, name="health")
    app.job_queue.run_repeating(_flush_questions, interval=5, first=5, name="question-log")
    async with qa.db.transaction():
        await qa.db.set_kv(KV_STARTED, iso(datetime.now(UTC)))
    app.job_queue.run_daily(
        delivery.retention_job, time=dt.time(3, 0, tzinfo=dt.UTC), name="retention"
    )
    try:
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS_ID])
    except TelegramError as exc:
        log.warning("could not set the command list: %s", exc.__class__.__name__)
    try:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, _sighup, app)
    except (NotImplementedError, RuntimeError, ValueError):
        log.info("SIGHUP reload not available on this platform")


def _sighup(app: Application) -> None:
    """Reload the rulebook on SIGHUP; an invalid one is logged and the old one kept."""
    config: Config = app.bot_data["config"]
    qa: QA = app.bot_data["qa"]
    try:
        rb = qa.reload(config.rulebook.path or None)
    except RulebookError as exc:
        log.error("SIGHUP reload failed, old rulebook kept: %s", exc)
        return
    log.info("SIGHUP: rulebook %s loaded", rb.version)


async def _post_shutdown(app: Application) -> None:
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    qa: QA = app.bot_data["qa"]
    await qa.flush()
    if qa.db is not None and app.bot_data.get("owns_db", True):
        await qa.db.close()
        qa.db = None


async def _stale_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any callback data we did not issue (forged or from an old version) is refused."""
    log.info("refused unknown callback data")
    await update.callback_query.answer(t(common.lang_of(update), "stale_button"), show_alert=True)


async def _persist_now(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write conversation states right after each update, so a crash loses no step."""
    await context.application.update_persistence()


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Polling while Telegram or the network is down fails on every try until it is back, and
    the library retries by itself: one calm line each time, no traceback. Errors of handlers
    and jobs go to the common handler."""
    if update is None and isinstance(context.error, NetworkError):
        log.warning("Bot API unreachable (%s); polling retries", type(context.error).__name__)
        return
    await common.error_handler(update, context)


async def _group_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start in a group: a one-line hint instead of the private welcome."""
    import html

    username = html.escape(context.bot.username or "")
    await update.effective_message.reply_html(
        t(common.lang_of(update), "group_hint", username=username)
    )


def build_application(config: Config, qa: QA, *, db: Database | None = None) -> Application:
    """Create the Application with every handler; the caller runs it (polling or webhook)."""
    quiet_libraries()
    api = config.telegram.api_url.rstrip("/")
    clock: dict[str, datetime | None] = {"last_ok": None}
    bot = NetralBot(
        config.telegram.token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=TrackedRequest(clock, connection_pool_size=16, read_timeout=15, connect_timeout=10),
        get_updates_request=TrackedRequest(clock, read_timeout=config.telegram.poll_timeout + 15),
        rate_limiter=AIORateLimiter(max_retries=5),
    )
    builder = (
        Application.builder()
        .bot(bot)
        .persistence(SqlitePersistence(config.storage.path))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app = builder.build()
    if db is not None:
        qa.db = db
        app.persistence.adopt(db)
        app.bot_data["owns_db"] = False
    app.bot_data["config"] = config
    app.bot_data["qa"] = qa
    app.bot_data["api_clock"] = clock

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_or_edited = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    mod_chats = filters.Chat(chat_id=list(config.moderation.chat_ids))
    text_msg = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE

    app.add_handler(TypeHandler(Update, common.guard), group=-1)
    # The tip form first: while a reporter is in it, their messages belong to it.
    app.add_handler(reporter.conversation())
    app.add_handler(CommandHandler("start", common.start, private))
    app.add_handler(CommandHandler("start", _group_start, groups))
    app.add_handler(CommandHandler(["help", "bantuan"], common.help_command))
    app.add_handler(CommandHandler(["topik", "topics"], asker.topics))
    app.add_handler(CommandHandler(["tanya", "ask"], asker.tanya))
    app.add_handler(CommandHandler("reload", admin.reload_command))
    app.add_handler(CommandHandler("belumterjawab", admin.unanswered_command))
    app.add_handler(CommandHandler("health", admin.health_command))
    app.add_handler(CommandHandler("chatid", admin.chatid_command))
    app.add_handler(CommandHandler("stats", moderator.tip_stats_command, mod_chats))
    app.add_handler(CommandHandler("stats", admin.stats_command))
    app.add_handler(CommandHandler("lapor", reporter.start_tip, groups))
    app.add_handler(CommandHandler("status", reporter.status, private))
    app.add_handler(CommandHandler("balas", reporter.reply_command, private))
    app.add_handler(CommandHandler("tips", moderator.tips_command))
    app.add_handler(CommandHandler("tip", moderator.tip_command))
    app.add_handler(CommandHandler("export", moderator.export_command))
    app.add_handler(CommandHandler("antrian", moderator.queue_command))

    app.add_handler(CallbackQueryHandler(asker.show_rule, pattern=r"^a:"))
    app.add_handler(CallbackQueryHandler(asker.show_sources, pattern=r"^s:"))
    app.add_handler(CallbackQueryHandler(asker.topic_button, pattern=r"^c:"))
    app.add_handler(CallbackQueryHandler(common.menu_ask, pattern=r"^m:ask$"))
    app.add_handler(CallbackQueryHandler(reporter.notify_choice, pattern=r"^nt:"))
    app.add_handler(CallbackQueryHandler(reporter.reply_button, pattern=r"^rb:"))
    app.add_handler(CallbackQueryHandler(moderator.card_button, pattern=r"^mc:"))
    app.add_handler(CallbackQueryHandler(_stale_callback))

    app.add_handler(MessageHandler(private & filters.REPLY & text_msg, reporter.reply_to_prompt))
    app.add_handler(
        MessageHandler(
            private & new_or_edited & filters.TEXT & ~filters.COMMAND, asker.private_question
        )
    )
    app.add_handler(MessageHandler(mod_chats & filters.REPLY & text_msg, moderator.group_reply))
    app.add_handler(MessageHandler(groups & text_msg, asker.group_message))
    app.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            common.unsupported,
        )
    )
    app.add_handler(ChatMemberHandler(common.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(InlineQueryHandler(asker.inline_query))
    app.add_handler(TypeHandler(Update, _persist_now), group=99)
    app.add_error_handler(_on_error)
    return app


def webhook_args(config: Config) -> dict:
    """Arguments for start_webhook / run_webhook from the config."""
    wh = config.telegram.webhook
    return {
        "listen": wh.listen,
        "port": wh.port,
        "url_path": wh.url_path,
        "webhook_url": f"{wh.public_url.rstrip('/')}/{wh.url_path}",
        "secret_token": wh.secret_token or None,
        "allowed_updates": Update.ALL_TYPES,
    }


@contextlib.asynccontextmanager
async def running(app: Application, *, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Run an application inside an existing event loop (tests, benchmarks), as configured."""
    config: Config = app.bot_data["config"]
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        if config.telegram.mode == "webhook":
            await app.updater.start_webhook(**webhook_args(config))
        else:
            await app.updater.start_polling(
                poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
            )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_shutdown:
                await app.post_shutdown(app)


def run_bot(config: Config) -> int:
    """`netralbot run`: validate everything, then poll (or serve the webhook) until stopped."""
    require_token(config)
    tip_secrets(config)  # fail before start-up when tips are on and secrets are missing
    configure_logging(config)
    qa = QA.from_path(config.rulebook.path or None, config.matcher)
    app = build_application(config, qa)
    log.info(
        "starting Netral: rulebook %s, %d rules, mode %s",
        qa.rulebook.version,
        len(qa.rulebook.rules),
        config.telegram.mode,
    )
    if config.telegram.mode == "webhook":
        app.run_webhook(**webhook_args(config))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=config.telegram.poll_timeout)
    return 0

"""The application builder: all handlers, storage, rate limiter and jobs are wired here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import Config, require_token
from bot.qa import QA
from bot.storage import Database
from bot.texts import t
from handlers import admin, asker, common, reporter

log = logging.getLogger(__name__)

COMMANDS_ID = [
    ("start", "Mulai"),
    ("topik", "Daftar topik aturan"),
    ("tanya", "Tanya aturan (juga di grup)"),
    ("lapor", "Laporkan pelanggaran secara anonim"),
    ("status", "Cek laporan dengan kode"),
    ("help", "Bantuan"),
]


class _RedactToken(logging.Filter):
    """Last line of defence: no log line may contain the bot token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            msg = record.getMessage()
            if self.token in msg:
                record.msg = msg.replace(self.token, "<token>")
                record.args = ()
        return True


def configure_logging(config: Config) -> None:
    """One line per event; library request logs (which carry the token in URLs) kept quiet."""
    logging.basicConfig(
        level=getattr(logging, config.logging.level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    redact = _RedactToken(config.telegram.token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _post_init(app: Application) -> None:
    config: Config = app.bot_data["config"]
    qa: QA = app.bot_data["qa"]
    if qa.db is None:
        qa.db = await Database.open(config.storage.path)
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
    from bot.rulebook import RulebookError

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
    if qa.db is not None and app.bot_data.get("owns_db", True):
        await qa.db.close()
        qa.db = None


async def _stale_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any callback data we did not issue (forged or from an old version) is refused."""
    log.info("refused unknown callback data")
    await update.callback_query.answer(t(common.lang_of(update), "stale_button"), show_alert=True)


async def _group_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start in a group: a one-line hint instead of the private welcome."""
    import html

    username = html.escape(context.bot.username or "")
    await update.effective_message.reply_html(
        t(common.lang_of(update), "group_hint", username=username)
    )


def build_application(config: Config, qa: QA, *, db: Database | None = None) -> Application:
    """Create the Application with every handler; the caller runs it (polling or webhook)."""
    api = config.telegram.api_url.rstrip("/")
    builder = (
        Application.builder()
        .token(config.telegram.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=5))
        .request(HTTPXRequest(connection_pool_size=16, read_timeout=15, connect_timeout=10))
        .get_updates_request(HTTPXRequest(read_timeout=config.telegram.poll_timeout + 15))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app = builder.build()
    if db is not None:
        qa.db = db
        app.bot_data["owns_db"] = False
    app.bot_data["config"] = config
    app.bot_data["qa"] = qa

    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_or_edited = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE

    app.add_handler(CommandHandler("start", common.start, private))
    app.add_handler(CommandHandler("start", _group_start, groups))
    app.add_handler(CommandHandler(["help", "bantuan"], common.help_command))
    app.add_handler(CommandHandler(["topik", "topics"], asker.topics))
    app.add_handler(CommandHandler(["tanya", "ask"], asker.tanya))
    app.add_handler(CommandHandler("reload", admin.reload_command))
    app.add_handler(CommandHandler("belumterjawab", admin.unanswered_command))
    app.add_handler(CommandHandler("stats", admin.stats_command))
    app.add_handler(CommandHandler(["lapor", "status"], reporter.coming_soon, private))

    app.add_handler(CallbackQueryHandler(asker.show_rule, pattern=r"^a:"))
    app.add_handler(CallbackQueryHandler(asker.show_sources, pattern=r"^s:"))
    app.add_handler(CallbackQueryHandler(asker.topic_button, pattern=r"^c:"))
    app.add_handler(CallbackQueryHandler(common.menu_ask, pattern=r"^m:ask$"))
    app.add_handler(CallbackQueryHandler(reporter.coming_soon_button, pattern=r"^m:report$"))
    app.add_handler(CallbackQueryHandler(_stale_callback))

    app.add_handler(
        MessageHandler(private & new_or_edited & filters.TEXT & ~filters.COMMAND,
                       asker.private_question)
    )
    app.add_handler(
        MessageHandler(groups & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                       asker.group_message)
    )
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT
                       & ~filters.StatusUpdate.ALL, common.unsupported)
    )
    app.add_handler(ChatMemberHandler(common.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(InlineQueryHandler(asker.inline_query))
    app.add_error_handler(common.error_handler)
    return app


@contextlib.asynccontextmanager
async def running(app: Application, *, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Run an application's polling loop inside an existing event loop (tests, benchmarks)."""
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
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
    configure_logging(config)
    qa = QA.from_path(config.rulebook.path or None, config.matcher)
    app = build_application(config, qa)
    log.info("starting Netral: rulebook %s, %d rules, mode %s", qa.rulebook.version,
             len(qa.rulebook.rules), config.telegram.mode)
    if config.telegram.mode == "webhook":
        wh = config.telegram.webhook
        app.run_webhook(
            listen=wh.listen, port=wh.port, url_path=wh.url_path,
            webhook_url=f"{wh.public_url.rstrip('/')}/{wh.url_path}",
            secret_token=wh.secret_token or None, allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=config.telegram.poll_timeout)
    return 0

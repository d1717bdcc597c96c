"""A fake Telegram Bot API server for end-to-end tests of the Netral bot.

The bot under test talks to it through python-telegram-bot's real HTTP stack::

    api = FakeBotApi()             # token "123456:TEST", bot @netral_test_bot
    await api.start()              # 127.0.0.1, random port
    bot = telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)

Modules: ``server`` (HTTP, call pipeline, records, waiting, fault API), ``updates`` (update
queue, long polling, webhooks), ``methods`` (sendMessage, edit*, delete*, copy*, forward*,
queries), ``media`` (uploads, file ids, send<Media>, sendMediaGroup, getFile), ``chatmethods``
(bot settings, chats, members), ``actors`` (test-side world and incoming updates),
``validate``/``textparse`` (parse_mode HTML/MarkdownV2/Markdown, limits, markup), ``params``
(request parameters), ``faults`` (one-shot errors, flood limiter), ``state`` (data classes),
``fixtures`` (the pytest ``botapi`` fixture).

Deliberate differences from real Telegram (each documented where implemented):

* HTML with a bare ``&`` is rejected (``strict_html=True``); Telegram keeps it as text.
* Photos are not re-encoded: the largest PhotoSize holds the uploaded bytes (90/320/800 px
  thumbnails are made with Pillow). HTTP URLs given as media are never fetched (a placeholder
  file is stored).
* Webhooks: plain http is accepted, but only to 127.0.0.1/localhost; one delivery at a time
  (max_connections is stored, not used); retries back off from 0.1 s to 2 s.
* Privacy mode (on by default): in groups where the bot is a plain member only messages
  starting with "/", replies to the bot, mentions of the bot and service messages are
  delivered; the rest go to ``api.dropped_updates`` (so do messages in groups without the bot).
* The flood limiter uses strict sliding windows (no bursts) and is off until set_flood_limits().
* Methods that exist in Telegram but are not implemented answer 501 and are listed in
  ``api.unimplemented``; unknown names answer 404 like Telegram.
"""

from .server import FakeBotApi
from .state import ApiError, TgChat, TgUser

__all__ = ["ApiError", "FakeBotApi", "TgChat", "TgUser"]

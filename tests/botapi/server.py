"""FakeBotApi: a Telegram Bot API server on 127.0.0.1 for end-to-end tests.

It speaks the real wire format (form, multipart and JSON requests; ``{"ok": ...}`` answers), keeps
chats, members, messages and files in memory, and lets tests inject updates and faults. See
``tests/botapi/__init__.py`` for the overview and the deviations from real Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from .actors import ActorsMixin
from .chatmethods import ChatMethodsMixin
from .faults import FaultRule, Faults, FloodLimiter, error_for, is_flood_method
from .methods import MessageMethodsMixin
from .params import Params, Upload
from .state import ApiError, FileRecord, TgChat, TgUser, bad_request, strip_none
from .updates import UpdatesMixin

log = logging.getLogger("tests.botapi")

_OUTAGE_MODES = (None, "5xx", "refuse", "timeout")


def _known_telegram_methods() -> set[str]:
    try:
        from telegram import Bot
    except ImportError:  # pragma: no cover
        return set()
    return {n.lower() for n in dir(Bot) if n[:1].islower() and any(c.isupper() for c in n)}


class FakeBotApi(UpdatesMixin, ActorsMixin, MessageMethodsMixin, ChatMethodsMixin):
    """An in-memory Telegram Bot API server. Use ``await api.start()`` / ``await api.stop()``
    or ``async with FakeBotApi() as api``."""

    #: seconds a callback query stays answerable
    callback_query_ttl = 15.0
    #: first/next delay between webhook delivery retries (doubles up to ``webhook_max_retry_delay``)
    webhook_retry_delay = 0.1
    webhook_max_retry_delay = 2.0
    webhook_timeout = 10.0

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "netral_test_bot",
        *,
        bot_first_name: str = "Netral Test Bot",
        privacy_mode: bool = True,
        strict_html: bool = True,
    ) -> None:
        self.token = token
        self.bot = TgUser(
            id=int(token.split(":", 1)[0]),
            first_name=bot_first_name,
            username=bot_username,
            language_code=None,
            is_bot=True,
        )
        self.privacy_mode = privacy_mode
        self.strict_html = strict_html
        # world state
        self.users: dict[int, TgUser] = {self.bot.id: self.bot}
        self.chats: dict[int, TgChat] = {}
        self.members: dict[int, dict[int, dict]] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.messages: dict[int, dict[int, dict]] = {}
        self._message_counter: dict[int, int] = {}
        self.files: dict[str, FileRecord] = {}
        self._file_by_path: dict[str, str] = {}
        self.commands: dict[str, list] = {}
        self.menu_buttons: dict[str, dict] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.pinned: dict[int, list[int]] = {}
        self.webhook: dict | None = None
        self.allowed_updates: list[str] | None = None
        self._chat_instances: dict[int, str] = {}
        self._pending_callbacks: dict[str, float] = {}
        self._pending_inline: dict[str, float] = {}
        # update queue
        self._updates: list[dict] = []
        self._next_update_id = 10_000
        self.update_log: list[dict] = []
        self.dropped_updates: list[dict] = []
        self._poll_generation = 0
        # records
        self.sent: list[dict] = []
        self.calls: list[dict] = []
        self.callback_answers: dict[str, dict] = {}
        self.inline_answers: dict[str, list] = {}
        self.inline_answer_params: dict[str, dict] = {}
        self.forwarded: list[dict] = []
        self.deleted: list[dict] = []
        self.chat_actions: list[dict] = []
        self.reactions: list[dict] = []
        self.unimplemented: list[str] = []
        self.webhook_deliveries: list[dict] = []
        self._baseline = 0
        # faults
        self.faults = Faults()
        self._outage: str | None = None
        # plumbing
        self._methods: dict[str, tuple[str, Callable]] = {}
        for klass in reversed(type(self).__mro__):
            for attr in vars(klass).values():
                for name in getattr(attr, "_api_names", ()):
                    self._methods[name.lower()] = (name, attr)
        self._telegram_methods = _known_telegram_methods()
        self._signals: dict[str, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.AbstractServer | None = None
        self._webhook_task: asyncio.Task | None = None
        self._background: set[asyncio.Task] = set()
        self._stopping = False
        self.host = "127.0.0.1"
        self.port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotApi:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake Bot API only listens on the loopback interface")
        self.host = host
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            self._runner.server, host, port, reuse_address=True
        )
        self.port = self._listener.sockets[0].getsockname()[1]
        self._stopping = False
        log.debug("fake Bot API listening on %s", self.url)
        return self

    async def stop(self) -> None:
        self._stopping = True
        for name in list(self._signals):
            self._signal(name)
        tasks = [t for t in (self._webhook_task, *self._background) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._webhook_task = None
        self._background.clear()
        self._close_listener()
        self._abort_connections()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        log.debug("fake Bot API stopped")

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _abort_connections(self) -> None:
        server = self._runner.server if self._runner else None
        for handler in list(server.connections if server else []):
            transport = handler.transport
            if transport is not None:
                transport.abort()

    async def _reopen_listener(self) -> None:
        loop = asyncio.get_running_loop()
        for attempt in range(50):
            try:
                self._listener = await loop.create_server(
                    self._runner.server, self.host, self.port, reuse_address=True
                )
                return
            except OSError:
                if attempt == 49:
                    raise
                await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ signals

    def _signal(self, name: str) -> None:
        event = self._signals.pop(name, None)
        if event is not None:
            event.set()

    def _event(self, name: str) -> asyncio.Event:
        event = self._signals.get(name)
        if event is None:
            event = self._signals[name] = asyncio.Event()
        return event

    def _notify(self) -> None:
        self._signal("changed")

    async def _wait_signal(self, name: str, timeout: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event(name).wait(), timeout)

    # ------------------------------------------------------------------ HTTP

    def _json(self, status: int, body: dict) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._outage == "refuse":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        if self._outage == "timeout":
            entry = {
                "method": request.path.rsplit("/", 1)[-1],
                "params": {},
                "time": time.time(),
                "status": None,
                "outage": "timeout",
            }
            self.calls.append(entry)
            while self._outage == "timeout" and not self._stopping:
                await self._wait_signal("outage", None)
            entry["status"] = 502
            return self._json(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
        if self._outage == "5xx":
            self.calls.append(
                {
                    "method": request.path.rsplit("/", 1)[-1],
                    "params": {},
                    "time": time.time(),
                    "status": 502,
                    "outage": "5xx",
                }
            )
            self._notify()
            return self._json(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})

        path = request.path
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot") :].partition("/")
            if token != self.token:
                return self._json(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            return self._serve_file(file_path)
        if not path.startswith("/bot"):
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, _, method = path[len("/bot") :].partition("/")
        if token != self.token:
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        entry = self._methods.get(method.lower())
        if entry is None:
            if method.lower() in self._telegram_methods:
                self.unimplemented.append(method)
                log.warning("fake Bot API does not implement %s", method)
                return self._json(
                    501,
                    {
                        "ok": False,
                        "error_code": 501,
                        "description": f"Not Implemented: the test server lacks {method}",
                    },
                )
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return self._json(exc.code, exc.payload())
        status, body = await self._call(entry[0], params)
        return self._json(status, body)

    async def _read_params(self, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if part.filename is not None:
                        files[part.name] = Upload(
                            part.filename,
                            part.headers.get(aiohttp.hdrs.CONTENT_TYPE),
                            bytes(await part.read()),
                        )
                    else:
                        values[part.name] = await part.text()
            elif ctype == "application/json":
                raw = await request.read()
                if raw.strip():
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        raise bad_request("can't parse JSON encoded request parameters") from None
                    if not isinstance(body, dict):
                        raise bad_request("JSON object expected")
                    values.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename, value.content_type, value.file.read())
                    else:
                        values[key] = value
        return Params(values, files)

    def _serve_file(self, file_path: str) -> web.Response:
        file_id = self._file_by_path.get(file_path)
        record = self.files.get(file_id) if file_id else None
        if record is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )

    def _chat_key(self, p: Params) -> str | None:
        raw = p.values.get("chat_id")
        if raw is None or raw == "":
            return None
        text = str(raw).strip()
        if text.startswith("@"):
            chat = self._lookup_chat(text)
            return str(chat.id) if chat else text
        try:
            return str(int(text))
        except ValueError:
            return text

    async def _call(self, method: str, p: Params, *, via: str = "http") -> tuple[int, dict]:
        """Run one API call through faults, limiter and the implementation."""
        entry: dict[str, Any] = {
            "method": method,
            "params": p.for_record(),
            "time": time.time(),
            "status": None,
        }
        if via != "http":
            entry["via"] = via
        self.calls.append(entry)
        chat_key = self._chat_key(p)
        try:
            rule = self.faults.take_rule(method, chat_key)
            if rule is not None:
                error = error_for(rule.status, rule.description, rule.retry_after)
                self.faults.injected.append(
                    {"method": method, "chat_id": chat_key, "status": rule.status}
                )
                if error.code == 429:
                    scope = self.faults.scope_for(method, chat_key)
                    self.faults.block(scope, error.parameters["retry_after"], from_limiter=False)
                raise error
            now = time.monotonic()
            error = self.faults.check_violation(method, chat_key, now)
            if error is not None:
                raise error
            limiter = self.faults.limiter if is_flood_method(method) else None
            if limiter is not None:
                chat = (
                    self.chats.get(int(chat_key))
                    if chat_key and chat_key.lstrip("-").isdigit()
                    else None
                )
                hit = limiter.check(chat_key, bool(chat and chat.type != "private"), now)
                if hit is not None:
                    scope, wait = hit
                    retry_after = FloodLimiter.retry_after(wait)
                    self.faults.flood_rejections += 1
                    self.faults.block(scope, retry_after, from_limiter=True)
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after},
                    )
            result = self._methods[method.lower()][1](self, p)
            if inspect.isawaitable(result):
                result = await result
            if limiter is not None:
                limiter.record(
                    chat_key, time.monotonic(), len(result) if isinstance(result, list) else 1
                )
            status, body = 200, {"ok": True, "result": strip_none(copy.deepcopy(result))}
        except ApiError as exc:
            status, body = exc.code, exc.payload()
            entry["description"] = exc.description
        except asyncio.CancelledError:  # the client went away (e.g. a long poll at shutdown)
            entry["cancelled"] = True
            self._notify()
            raise
        entry["status"] = status
        log.debug("%s -> %s", method, status)
        self._notify()
        return status, body

    # ------------------------------------------------------------------ records & waiting

    def _record_sent(
        self, method: str, chat: TgChat, message: dict, p: Params, **extra: Any
    ) -> None:
        self.sent.append(
            {
                "method": method,
                "chat_id": chat.id,
                "message_id": message["message_id"],
                "message": copy.deepcopy(message),
                "params": p.for_record(),
                "time": time.time(),
                **extra,
            }
        )

    @staticmethod
    def _chat_id_of(chat: TgChat | TgUser | int | dict) -> int:
        if isinstance(chat, (TgChat, TgUser)):
            return chat.id
        if isinstance(chat, dict):
            return int(chat["id"])
        return int(chat)

    def sent_to(self, chat: TgChat | TgUser | int) -> list[dict]:
        """Records of ``api.sent`` (sends, copies, forwards and edits) for one chat, in order."""
        chat_id = self._chat_id_of(chat)
        return [r for r in self.sent if r["chat_id"] == chat_id]

    def first_with(self, chat: TgChat | TgUser | int, needle: str) -> dict | None:
        """The first message sent to ``chat`` whose text contains ``needle``, else None."""
        for record in self.sent_to(chat):
            if needle in (record["message"].get("text") or ""):
                return record["message"]
        return None

    async def wait_for_text(
        self, chat: TgChat | TgUser | int, needle: str, timeout: float = 10.0
    ) -> dict:
        """Wait until a message containing ``needle`` is sent to ``chat``; return it."""
        return await self.wait_for(lambda: self.first_with(chat, needle), timeout=timeout)

    def mark(self) -> int:
        """A baseline for ``wait_messages(since=...)``: the current length of ``api.sent``."""
        return len(self.sent)

    def get_message(self, chat: TgChat | int, message_id: int) -> dict | None:
        """The current stored version of a message (after edits), or None if deleted/unknown."""
        message = self.messages.get(self._chat_id_of(chat), {}).get(message_id)
        return copy.deepcopy(message) if message else None

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Re-evaluate ``predicate()`` after every state change until it is truthy; return it.
        Raises ``TimeoutError`` listing the last calls when ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [(c["method"], c["status"], c.get("description")) for c in self.calls[-8:]]
                raise TimeoutError(f"condition not met within {timeout}s; last calls: {recent}")
            await self._wait_signal("changed", remaining)

    async def wait_messages(
        self,
        chat: TgChat | TgUser | int,
        count: int = 1,
        timeout: float = 10.0,
        *,
        since: int | None = None,
    ) -> list[dict]:
        """Wait until ``count`` new messages (send*/copy*/forward*, not edits) reach ``chat`` and
        return the first ``count`` Message dicts.

        Baseline: ``since`` (from ``api.mark()``) or, by default, the moment the test injected its
        latest update (send_text, press_button, ...), so replies that arrive before this call is
        awaited are not missed.
        """
        start = self._baseline if since is None else since
        chat_id = self._chat_id_of(chat)

        def new_messages() -> list[dict]:
            found = [
                r["message"]
                for r in self.sent[start:]
                if r["chat_id"] == chat_id and not r["method"].lower().startswith("edit")
            ]
            return found[:count] if len(found) >= count else []

        return await self.wait_for(new_messages, timeout)

    def clear_records(self) -> None:
        for record in (
            self.sent,
            self.calls,
            self.forwarded,
            self.deleted,
            self.chat_actions,
            self.reactions,
            self.unimplemented,
            self.webhook_deliveries,
            self.dropped_updates,
            self.update_log,
        ):
            record.clear()
        self.callback_answers.clear()
        self.inline_answers.clear()
        self.inline_answer_params.clear()
        self.faults.reset_records()
        self._baseline = 0

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str | None = None,
        chat_id: TgChat | int | str | None = None,
        status: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls matching method (case-insensitive) and chat get this error
        instead of being executed. 429 carries ``parameters.retry_after`` (default 1)."""
        if isinstance(chat_id, (TgChat, TgUser)):
            chat_id = chat_id.id
        self.faults.add_rule(
            FaultRule(
                method,
                None if chat_id is None else str(chat_id),
                status,
                description,
                retry_after,
                count,
            )
        )

    def set_outage(self, mode: str | None) -> asyncio.Future:
        """None | "5xx" | "refuse" | "timeout". Returns an awaitable: awaiting it guarantees the
        listener is closed ("refuse") or listening again on the same port (clearing "refuse")."""
        if mode not in _OUTAGE_MODES:
            raise ValueError(f"outage mode must be one of {_OUTAGE_MODES}")
        loop = asyncio.get_running_loop()
        previous, self._outage = self._outage, mode
        self._signal("outage")
        if mode == "refuse" and previous != "refuse":
            self._close_listener()
            self._abort_connections()
        elif previous == "refuse" and mode != "refuse" and self._runner is not None:
            task = loop.create_task(self._reopen_listener())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return task
        done = loop.create_future()
        done.set_result(None)
        return done

    @property
    def outage(self) -> str | None:
        return self._outage

    def set_flood_limits(
        self,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
        global_per_second: int | None = 30,
        time_scale: float = 1.0,
    ) -> FloodLimiter:
        self.faults.limiter = FloodLimiter(
            per_chat_per_second, per_group_per_minute, global_per_second, time_scale
        )
        return self.faults.limiter

    def disable_flood_limits(self) -> None:
        self.faults.limiter = None

    @property
    def flood_rejections(self) -> int:
        return self.faults.flood_rejections

    @property
    def violations(self) -> list[dict]:
        return self.faults.violations

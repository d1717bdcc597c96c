"""The update queue: injection, getUpdates long polling, allowed_updates, and webhook delivery
(setWebhook/deleteWebhook/getWebhookInfo)."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .params import Params
from .state import ApiError, api_method, bad_request, strip_none

log = logging.getLogger("tests.botapi")

_DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class UpdatesMixin:
    def _update_allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _enqueue(
        self, kind: str, payload: dict, *, reason_dropped: str | None = None, force: bool = False
    ) -> dict | None:
        if reason_dropped is None and not force and not self._update_allowed(kind):
            reason_dropped = "not in allowed_updates"
        if reason_dropped is not None:
            self.dropped_updates.append(
                {"type": kind, "payload": copy.deepcopy(payload), "reason": reason_dropped}
            )
            log.debug("update %s not delivered: %s", kind, reason_dropped)
            self._notify()
            return None
        update = {"update_id": self._next_update_id, kind: strip_none(copy.deepcopy(payload))}
        self._next_update_id += 1
        self._updates.append(update)
        self.update_log.append(update)
        self._baseline = len(self.sent)
        self._signal("updates")
        self._notify()
        return update

    def raw_update(self, update: dict, *, force: bool = False) -> dict | None:
        """Inject any update dict (``update_id`` is replaced). Returns the queued update, or None
        when allowed_updates filters it out (``force=True`` bypasses that filter)."""
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        return self._enqueue(kinds[0], update[kinds[0]], force=force)

    @property
    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by the bot (getUpdates offset or webhook 2xx)."""
        return list(self._updates)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._notify()

    @api_method("getUpdates")
    async def _m_get_updates(self, p: Params) -> list:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(p.int("limit", 100), 1), 100)
        timeout = max(p.float("timeout", 0.0), 0.0)
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad_request("can't parse allowed_updates JSON object")
            self.allowed_updates = [str(a) for a in allowed] or None
        offset = p.int("offset")
        if offset is not None:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal("updates")  # terminate an older long poll
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if self._updates or self._stopping:
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self._wait_signal("updates", remaining)

    # ------------------------------------------------------------------ webhook

    @api_method("setWebhook")
    def _m_set_webhook(self, p: Params) -> bool:
        url = p.str("url", "")
        if not url:
            return self._m_delete_webhook(p)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise bad_request(
                "bad webhook: the test server only delivers webhooks to 127.0.0.1/localhost"
            )
        secret = p.str("secret_token")
        if secret is not None and (
            not 1 <= len(secret) <= 256
            or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self.allowed_updates = [str(a) for a in allowed] or None
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.int("max_connections", 40),
            "ip_address": p.str("ip_address"),
            "last_error_date": None,
            "last_error_message": None,
        }
        self._signal("updates")
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())
        return True

    @api_method("deleteWebhook")
    def _m_delete_webhook(self, p: Params) -> bool:
        self.webhook = None
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    @api_method("getWebhookInfo")
    def _m_get_webhook_info(self, p: Params) -> dict:
        hook = self.webhook or {}
        info = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook:
            info.update(
                max_connections=hook["max_connections"],
                ip_address=hook.get("ip_address"),
                last_error_date=hook.get("last_error_date"),
                last_error_message=hook.get("last_error_message"),
                allowed_updates=self.allowed_updates,
            )
        return info

    async def _webhook_loop(self) -> None:
        delay = self.webhook_retry_delay
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self.webhook and not self._stopping:
                if not self._updates:
                    await self._wait_signal("updates", 1.0)
                    continue
                hook = self.webhook
                update = self._updates[0]
                headers = {"Content-Type": "application/json"}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                error: str | None = None
                reply: Any = None
                try:
                    async with session.post(
                        hook["url"], data=json.dumps(update), headers=headers
                    ) as resp:
                        raw = await resp.read()
                        self.webhook_deliveries.append(
                            {
                                "update_id": update["update_id"],
                                "status": resp.status,
                                "time": time.time(),
                            }
                        )
                        if 200 <= resp.status < 300:
                            try:
                                reply = json.loads(raw) if raw.strip() else None
                            except ValueError:
                                reply = None
                        else:
                            error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # connection refused, timeout, ...
                    error = f"Connection failed: {type(exc).__name__}"
                    self.webhook_deliveries.append(
                        {
                            "update_id": update["update_id"],
                            "status": None,
                            "time": time.time(),
                            "error": error,
                        }
                    )
                if error is None:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    delay = self.webhook_retry_delay
                    self._notify()
                    if isinstance(reply, dict) and isinstance(reply.get("method"), str):
                        entry = self._methods.get(reply["method"].lower())
                        if entry is not None:
                            body = {k: v for k, v in reply.items() if k != "method"}
                            await self._call(entry[0], Params(body), via="webhook-reply")
                    continue
                if self.webhook is hook:
                    hook["last_error_date"] = int(time.time())
                    hook["last_error_message"] = error
                self._notify()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.webhook_max_retry_delay)

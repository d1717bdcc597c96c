"""Fault injection for the fake Bot API: one-shot errors, a Telegram-like flood limiter and
detection of clients that ignore ``retry_after``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

from .state import ApiError

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

#: Tolerance (seconds) before a request that arrives early counts as a retry_after violation.
VIOLATION_TOLERANCE = 0.05


def is_flood_method(method: str) -> bool:
    """Message-sending methods the flood limiter watches (Telegram counts these per chat)."""
    m = method.lower()
    if m == "sendchataction":
        return False
    return m.startswith(("send", "copy", "forward", "edit"))


def error_for(status: int, description: str | None, retry_after: int | None) -> ApiError:
    if status == 429:
        wait = max(1, int(retry_after if retry_after is not None else 1))
        return ApiError(
            429, description or f"Too Many Requests: retry after {wait}", {"retry_after": wait}
        )
    return ApiError(status, description or _DEFAULT_DESCRIPTIONS.get(status, "Error"))


@dataclass
class FaultRule:
    method: str | None
    chat_id: str | None
    status: int
    description: str | None
    retry_after: int | None
    remaining: int

    def matches(self, method: str, chat_id: object) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        actual = None if chat_id is None else str(chat_id)
        return self.chat_id is None or self.chat_id == actual


@dataclass
class Block:
    """The client was told (by a 429) not to send in ``scope`` before ``until`` (monotonic)."""

    until: float
    from_limiter: bool


@dataclass
class FloodLimiter:
    """Sliding-window limits like Telegram's documented ones.

    * ``per_chat_per_second``: messages in one chat within ``1 * time_scale`` seconds.
    * ``per_group_per_minute``: messages in one group/supergroup/channel within
      ``60 * time_scale`` seconds.
    * ``global_per_second``: messages across all chats within ``1 * time_scale`` seconds.

    ``None`` disables a limit. Windows are strict (no burst allowance). ``retry_after`` is the time
    until the window frees a slot, rounded up to whole seconds and at least 1, like Telegram.
    """

    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20
    global_per_second: int | None = 30
    time_scale: float = 1.0
    chat_sends: dict[str, deque] = field(default_factory=dict)
    global_sends: deque = field(default_factory=deque)

    @staticmethod
    def _wait(stamps: deque, limit: int, window: float, now: float) -> float | None:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) < limit:
            return None
        # the slot frees when the (len - limit + 1)-th newest stamp leaves the window
        return stamps[len(stamps) - limit] + window - now

    def check(self, chat_key: str | None, is_group: bool, now: float) -> tuple[str, float] | None:
        """Returns (scope, seconds to wait) when the message must be rejected."""
        if self.global_per_second is not None:
            wait = self._wait(self.global_sends, self.global_per_second, self.time_scale, now)
            if wait is not None:
                return "global", wait
        if chat_key is None:
            return None
        stamps = self.chat_sends.setdefault(chat_key, deque())
        if is_group and self.per_group_per_minute is not None:
            long_window = 60.0 * self.time_scale
            wait = self._wait(stamps, self.per_group_per_minute, long_window, now)
            if wait is not None:
                return f"chat:{chat_key}", wait
        if self.per_chat_per_second is not None:
            # only the last second matters here; count without dropping older stamps
            window = 1.0 * self.time_scale
            recent = deque(s for s in stamps if s > now - window)
            wait = self._wait(recent, self.per_chat_per_second, window, now)
            if wait is not None:
                return f"chat:{chat_key}", wait
        return None

    def record(self, chat_key: str | None, now: float, count: int = 1) -> None:
        horizon = now - 60.0 * self.time_scale
        for _ in range(count):
            self.global_sends.append(now)
            if chat_key is not None:
                self.chat_sends.setdefault(chat_key, deque()).append(now)
        while self.global_sends and self.global_sends[0] <= now - self.time_scale:
            self.global_sends.popleft()
        stamps = self.chat_sends.get(chat_key) if chat_key is not None else None
        while stamps and stamps[0] <= horizon:
            stamps.popleft()

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait - 1e-9))


class Faults:
    """State for fault injection; the server consults it before executing each call."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.limiter: FloodLimiter | None = None
        self.blocks: dict[str, Block] = {}
        self.flood_rejections = 0
        self.violations: list[dict] = []
        self.injected: list[dict] = []

    # -- one-shot errors
    def add_rule(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def take_rule(self, method: str, chat_id: object) -> FaultRule | None:
        for rule in self.rules:
            if rule.remaining > 0 and rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self.rules.remove(rule)
                return rule
        return None

    # -- retry_after bookkeeping
    @staticmethod
    def scope_for(method: str, chat_id: object) -> str:
        if is_flood_method(method) and chat_id is not None:
            return f"chat:{chat_id}"
        return f"method:{method.lower()}"

    def block(self, scope: str, seconds: int, *, from_limiter: bool) -> None:
        until = time.monotonic() + seconds
        current = self.blocks.get(scope)
        if current is None or current.until < until:
            self.blocks[scope] = Block(until, from_limiter)

    def check_violation(self, method: str, chat_id: object, now: float) -> ApiError | None:
        """A request made while the client was told to wait: record it and answer 429 again."""
        scopes = [self.scope_for(method, chat_id)]
        if is_flood_method(method):
            scopes.append("global")
        for scope in scopes:
            block = self.blocks.get(scope)
            if block is None:
                continue
            if now >= block.until - VIOLATION_TOLERANCE:
                if now >= block.until:
                    del self.blocks[scope]
                continue
            early = block.until - now
            self.violations.append(
                {
                    "method": method,
                    "chat_id": chat_id,
                    "scope": scope,
                    "time": time.time(),
                    "early_by": round(early, 3),
                }
            )
            if block.from_limiter:
                self.flood_rejections += 1
            wait = FloodLimiter.retry_after(early)
            return ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        return None

    def reset_records(self) -> None:
        self.flood_rejections = 0
        self.violations.clear()
        self.injected.clear()

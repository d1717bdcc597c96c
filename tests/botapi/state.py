"""Plain data used by the fake Bot API: actors, errors, ids, JSON helpers, entity detection.

Everything in here is synchronous and independent of aiohttp so it can be unit-tested alone.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answered to the bot exactly like Telegram: ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, parameters: dict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def api_method(*names: str) -> Callable:
    """Mark a method as the implementation of the Bot API method(s) ``names``."""

    def mark(func: Callable) -> Callable:
        func._api_names = (*getattr(func, "_api_names", ()), *names)
        return func

    return mark


# --------------------------------------------------------------------------- actors


@dataclass(frozen=True)
class TgUser:
    """A Telegram user (or the bot itself when ``is_bot``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "id"
    is_bot: bool = False

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(frozen=True)
class TgChat:
    """A chat: ``private``, ``group``, ``supergroup`` or ``channel``."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def kind_name(self) -> str:
        """How Telegram names the chat kind in 403 descriptions."""
        return {
            "group": "group chat",
            "supergroup": "supergroup chat",
            "channel": "channel chat",
        }.get(self.type, "chat")


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # photo, document, video, animation, audio, voice, sticker, video_note
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    url: str | None = None  # set when the bot sent an HTTP URL instead of bytes
    photo_sizes: list[str] = field(default_factory=list)  # for photos: ids of all sizes

    @property
    def file_size(self) -> int:
        return len(self.data)


# --------------------------------------------------------------------------- helpers


def strip_none(value: Any) -> Any:
    """Remove ``None`` members recursively: Telegram omits absent fields instead of sending null."""
    if isinstance(value, dict):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_none(v) for v in value]
    return value


def u16len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for lengths and entity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def u16_offsets(text: str) -> list[int]:
    """``result[i]`` = UTF-16 offset of ``text[i]``; ``result[len(text)]`` = total length."""
    out = [0] * (len(text) + 1)
    acc = 0
    for i, ch in enumerate(text):
        out[i] = acc
        acc += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = acc
    return out


def new_file_ids(kind: str) -> tuple[str, str]:
    prefix = {
        "photo": "AgAC",
        "document": "BQAC",
        "video": "BAAC",
        "voice": "AwAC",
        "audio": "CQAC",
    }.get(kind, "CAAC")
    alphabet = string.ascii_letters + string.digits + "-_"
    file_id = prefix + "".join(secrets.choice(alphabet) for _ in range(40))
    unique = "AQAD" + "".join(secrets.choice(alphabet) for _ in range(12))
    return file_id, unique


def random_numeric_id(digits: int = 19) -> str:
    return str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))


# --------------------------------------------------------------------------- chat members

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_OPTIONAL_ADMIN_RIGHTS = (
    "can_post_messages",
    "can_edit_messages",
    "can_pin_messages",
    "can_manage_topics",
)
_RESTRICTED_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
)
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def chat_member_dict(
    user: TgUser, status: str, extra: dict | None = None, *, chat_type: str = "supergroup"
) -> dict:
    """A ChatMember object as Telegram serialises it for ``status``."""
    extra = dict(extra or {})
    data: dict[str, Any] = {"user": user.to_dict(), "status": status}
    if status == "creator":
        data["is_anonymous"] = bool(extra.get("is_anonymous", False))
    elif status == "administrator":
        data["can_be_edited"] = bool(extra.get("can_be_edited", False))
        data["is_anonymous"] = bool(extra.get("is_anonymous", False))
        for right in _ADMIN_RIGHTS:
            data[right] = bool(extra.get(right, True))
        for right in _OPTIONAL_ADMIN_RIGHTS:
            channel_right = right in ("can_post_messages", "can_edit_messages")
            if (chat_type == "channel") == channel_right:
                data[right] = bool(extra.get(right, True))
    elif status == "restricted":
        data["is_member"] = bool(extra.get("is_member", True))
        for right in _RESTRICTED_RIGHTS:
            data[right] = bool(extra.get(right, False))
        data["until_date"] = int(extra.get("until_date", 0))
    elif status == "kicked":
        data["until_date"] = int(extra.get("until_date", 0))
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    return data


def is_present(status: str, extra: dict | None = None) -> bool:
    """Whether a member with this status counts as being in the chat."""
    if status == "restricted":
        return bool((extra or {}).get("is_member", True))
    return status in ("creator", "administrator", "member")


# --------------------------------------------------------------------------- entity detection

_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_URL_RE = re.compile(
    r"(?<![\w@/.-])(?:(?:https?|tg|ton)://[^\s<>\"']+|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?::\d{1,5})?(?:/[^\s<>\"']*)?)"
)
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")
_KNOWN_TLDS_HINT = re.compile(
    r"\.(?:[a-z]{2}|com|org|net|info|io|app|dev|gov|edu|xyz|me|id|co|tv|ai)(?::\d+)?(?:/|$)", re.I
)


def detect_entities(text: str, skip: list[tuple[int, int]] | None = None) -> list[dict]:
    """Entities Telegram's server adds by itself: bot_command, email, url, mention, hashtag.

    ``skip`` holds (utf16_offset, utf16_length) ranges (code, pre, links) that must not get
    auto-detected entities. Offsets and lengths are exact UTF-16 values.
    """
    offsets = u16_offsets(text)
    taken: list[tuple[int, int]] = list(skip or [])
    found: list[dict] = []

    def add(kind: str, start: int, end: int) -> None:
        u_start, u_end = offsets[start], offsets[end]
        for s_off, s_len in taken:
            if u_start < s_off + s_len and s_off < u_end:
                return
        taken.append((u_start, u_end - u_start))
        found.append({"type": kind, "offset": u_start, "length": u_end - u_start})

    for m in _COMMAND_RE.finditer(text):
        add("bot_command", m.start(), m.end())
    for m in _EMAIL_RE.finditer(text):
        add("email", m.start(), m.end())
    for m in _URL_RE.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in ".,;:!?)]}'\"":
            end -= 1
        candidate = text[start:end]
        if "://" not in candidate and not _KNOWN_TLDS_HINT.search(candidate):
            continue
        add("url", start, end)
    for m in _MENTION_RE.finditer(text):
        add("mention", m.start(), m.end())
    for m in _HASHTAG_RE.finditer(text):
        add("hashtag", m.start(), m.end())
    return found


def sort_entities(entities: list[dict]) -> list[dict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))

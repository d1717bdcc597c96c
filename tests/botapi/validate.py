"""Validation of outgoing text and markup the way Telegram's server does it: parse_mode handling
(see ``textparse``), length limits, entity lists and reply markup."""

from __future__ import annotations

import json
from typing import Any

from .state import ApiError, bad_request, detect_entities, sort_entities, u16len
from .textparse import (
    ParseError,
    check_link,
    parse_html,
    parse_markdown_v1,
    parse_markdown_v2,
    tg_user_id,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_BUTTONS = 100


# --------------------------------------------------------------------------- public helpers

_ENTITY_TYPES = {
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
}


def _clean_entities(entities: Any, text: str) -> list[dict]:
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = u16len(text)
    result = []
    for raw in entities:
        if not isinstance(raw, dict) or raw.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse entities JSON object")
        try:
            offset, length = int(raw["offset"]), int(raw["length"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("can't parse entities JSON object") from None
        if offset < 0 or length <= 0 or offset >= total:
            continue
        entity = {"type": raw["type"], "offset": offset, "length": min(length, total - offset)}
        if raw["type"] == "text_link":
            url = check_link(str(raw.get("url") or ""))
            if not url:
                raise bad_request("can't parse entities: Entity URL is invalid")
            entity["url"] = url
        elif raw["type"] == "text_mention":
            user = raw.get("user")
            if not isinstance(user, dict) or "id" not in user:
                raise bad_request("can't parse entities JSON object")
            entity["user"] = {"id": int(user["id"])}
        elif raw["type"] == "pre" and raw.get("language"):
            entity["language"] = str(raw["language"])
        elif raw["type"] == "custom_emoji":
            entity["custom_emoji_id"] = str(raw.get("custom_emoji_id", ""))
        result.append(entity)
    return result


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = u16len(text) - u16len(text.lstrip())
    total = u16len(stripped)
    fixed = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


_NO_AUTODETECT = {
    "code",
    "pre",
    "text_link",
    "text_mention",
    "url",
    "email",
    "custom_emoji",
    "bot_command",
    "mention",
    "hashtag",
    "cashtag",
    "phone_number",
}


def format_text(
    text: str | None,
    parse_mode: str | None = None,
    entities: Any = None,
    *,
    strict_amp: bool = True,
) -> tuple[str, list[dict]]:
    """Apply parse_mode/entities like Telegram; returns (plain text, entities). Raises ApiError."""
    text = text or ""
    if entities is not None:
        found = _clean_entities(entities, text)
    elif parse_mode:
        mode = str(parse_mode).lower()
        parsers = {
            "html": lambda s: parse_html(s, strict_amp=strict_amp),
            "markdownv2": parse_markdown_v2,
            "markdown": parse_markdown_v1,
        }
        if mode not in parsers:
            raise bad_request(f"unsupported parse_mode {parse_mode}")
        try:
            text, found = parsers[mode](text)
        except ParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        found = []
    text, found = _trim(text, found)
    skip = [(e["offset"], e["length"]) for e in found if e["type"] in _NO_AUTODETECT]
    found = found + detect_entities(text, skip)
    return text, sort_entities(found)


def parse_json_value(value: Any, name: str) -> Any:
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict | None:
    """Validate reply_markup; returns the inline keyboard to store in the Message (else None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return {"inline_keyboard": [[dict(button) for button in row] for row in rows if row]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if isinstance(button, str):
                    continue
                if not isinstance(button, dict) or not str(button.get("text", "")):
                    raise bad_request("keyboard button text must be non-empty")
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        if tg_user_id(url) is None and check_link(url) is None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_text_length(text: str, *, caption: bool = False) -> None:
    if caption:
        if u16len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return
    if not text:
        raise bad_request("message text is empty")
    if u16len(text) > MAX_TEXT:
        raise bad_request("message is too long")


__all__ = [
    "ApiError",
    "ParseError",
    "check_link",
    "check_text_length",
    "format_text",
    "parse_html",
    "parse_json_value",
    "parse_markdown_v1",
    "parse_markdown_v2",
    "validate_reply_markup",
]

"""Bot API methods about the bot itself, chats and members."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .params import Params
from .state import (
    ApiError,
    TgChat,
    api_method,
    bad_request,
    chat_member_dict,
    forbidden,
    is_present,
)

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _scope_key(scope: Any, language_code: str | None) -> str:
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (language_code or "")


class ChatMethodsMixin:
    # ------------------------------------------------------------------ the bot

    @api_method("getMe")
    def _m_get_me(self, p: Params) -> dict:
        return {
            **self.bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api_method("logOut", "close")
    def _m_log_out(self, p: Params) -> bool:
        return True

    @api_method("setMyCommands")
    def _m_set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).lstrip("/")
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request(
                    "command description must be non-empty"
                    if not description
                    else "command description is too long"
                )
            cleaned.append({"command": command, "description": description})
        self.commands[_scope_key(p.json("scope"), p.str("language_code"))] = cleaned
        return True

    @api_method("getMyCommands")
    def _m_get_my_commands(self, p: Params) -> list:
        return list(self.commands.get(_scope_key(p.json("scope"), p.str("language_code")), []))

    @api_method("deleteMyCommands")
    def _m_delete_my_commands(self, p: Params) -> bool:
        self.commands.pop(_scope_key(p.json("scope"), p.str("language_code")), None)
        return True

    def my_commands(
        self, scope: dict | None = None, language_code: str | None = None
    ) -> list[dict]:
        """Test helper: the commands stored for a scope/language (like getMyCommands)."""
        return list(self.commands.get(_scope_key(scope, language_code), []))

    @api_method("setChatMenuButton")
    def _m_set_chat_menu_button(self, p: Params) -> bool:
        button = p.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        key = str(p.chat_id(required=False) or "")
        self.menu_buttons[key] = button
        return True

    @api_method("getChatMenuButton")
    def _m_get_chat_menu_button(self, p: Params) -> dict:
        key = str(p.chat_id(required=False) or "")
        return self.menu_buttons.get(key) or self.menu_buttons.get("") or {"type": "commands"}

    def _text_setting(self, store: dict, p: Params, field: str, limit: int) -> bool:
        value = p.str(field, "")
        if len(value) > limit:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        store[p.str("language_code", "")] = value
        return True

    @api_method("setMyDescription")
    def _m_set_my_description(self, p: Params) -> bool:
        return self._text_setting(self.descriptions, p, "description", 512)

    @api_method("getMyDescription")
    def _m_get_my_description(self, p: Params) -> dict:
        return {"description": self.descriptions.get(p.str("language_code", ""), "")}

    @api_method("setMyShortDescription")
    def _m_set_my_short_description(self, p: Params) -> bool:
        return self._text_setting(self.short_descriptions, p, "short_description", 120)

    @api_method("getMyShortDescription")
    def _m_get_my_short_description(self, p: Params) -> dict:
        return {"short_description": self.short_descriptions.get(p.str("language_code", ""), "")}

    @api_method("setMyName")
    def _m_set_my_name(self, p: Params) -> bool:
        return self._text_setting(self.names, p, "name", 64)

    @api_method("getMyName")
    def _m_get_my_name(self, p: Params) -> dict:
        return {"name": self.names.get(p.str("language_code", "")) or self.bot.first_name}

    @api_method("getUserProfilePhotos")
    def _m_get_user_profile_photos(self, p: Params) -> dict:
        if p.int("user_id", required=True) not in self.users:
            raise bad_request("user not found")
        return {"total_count": 0, "photos": []}

    # ------------------------------------------------------------------ chats

    def _chat_for_info(self, p: Params) -> TgChat:
        chat = self._resolve_chat(p, for_send=False)
        if chat.type != "private":
            status, _ = self._status_of(chat, self.bot.id)
            if status == "kicked":
                raise forbidden(f"bot was kicked from the {chat.kind_name}")
        return chat

    @api_method("getChat")
    def _m_get_chat(self, p: Params) -> dict:
        chat = self._chat_for_info(p)
        info = {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.is_group:
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_polls": True,
                "can_invite_users": True,
            }
        pinned = self.pinned.get(chat.id)
        if pinned and pinned[-1] in self.messages.get(chat.id, {}):
            info["pinned_message"] = self.messages[chat.id][pinned[-1]]
        return info

    def _member_user(self, p: Params):
        user_id = p.int("user_id", required=True)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    @api_method("getChatMember")
    def _m_get_chat_member(self, p: Params) -> dict:
        chat = self._chat_for_info(p)
        user = self._member_user(p)
        if chat.type == "channel" and user.id != self.bot.id:
            status, _ = self._status_of(chat, self.bot.id)
            if status not in ("administrator", "creator"):
                raise bad_request("member list is inaccessible")
        status, extra = self._status_of(chat, user.id)
        return chat_member_dict(user, status, extra, chat_type=chat.type)

    @api_method("getChatAdministrators")
    def _m_get_chat_administrators(self, p: Params) -> list:
        chat = self._chat_for_info(p)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        result = []
        for user_id, info in self.members.get(chat.id, {}).items():
            if info["status"] in ("creator", "administrator"):
                result.append(
                    chat_member_dict(self.users[user_id], info["status"], info, chat_type=chat.type)
                )
        return sorted(result, key=lambda m: m["status"] != "creator")

    @api_method("getChatMemberCount", "getChatMembersCount")
    def _m_get_chat_member_count(self, p: Params) -> int:
        chat = self._chat_for_info(p)
        if chat.type == "private":
            return 2
        return sum(
            1 for info in self.members.get(chat.id, {}).values() if is_present(info["status"], info)
        )

    @api_method("leaveChat")
    def _m_leave_chat(self, p: Params) -> bool:
        chat = self._resolve_chat(p, for_send=False)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        status, _ = self._status_of(chat, self.bot.id)
        if status in ("left", "kicked"):
            raise forbidden(f"bot is not a member of the {chat.kind_name}")
        self._change_bot_status(chat, "left", actor=self.bot, service_message=False)
        return True

    def _require_admin_right(self, chat: TgChat, right: str, error: str) -> None:
        if chat.type == "private":
            raise bad_request("method is available only for supergroups and channel")
        if chat.type != "channel":
            self._check_can_send(chat)
        status, extra = self._status_of(chat, self.bot.id)
        if status != "creator" and (status != "administrator" or not extra.get(right, True)):
            raise bad_request(error)

    @api_method("banChatMember", "kickChatMember")
    def _m_ban_chat_member(self, p: Params) -> bool:
        chat = self._resolve_chat(p, for_send=False)
        user = self._member_user(p)
        self._require_admin_right(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        status, _ = self._status_of(chat, user.id)
        if status == "creator":
            raise bad_request("can't remove chat owner")
        if status == "administrator":
            raise bad_request("user is an administrator of the chat")
        self._set_status(chat, user, "kicked", {"until_date": p.int("until_date", 0)})
        return True

    @api_method("unbanChatMember")
    def _m_unban_chat_member(self, p: Params) -> bool:
        chat = self._resolve_chat(p, for_send=False)
        user = self._member_user(p)
        self._require_admin_right(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        status, _ = self._status_of(chat, user.id)
        if status == "kicked" or (
            not p.bool("only_if_banned") and status in ("member", "restricted")
        ):
            self._set_status(chat, user, "left")
        return True

    @api_method("restrictChatMember")
    def _m_restrict_chat_member(self, p: Params) -> bool:
        chat = self._resolve_chat(p, for_send=False)
        user = self._member_user(p)
        self._require_admin_right(
            chat, "can_restrict_members", "not enough rights to restrict/unrestrict chat member"
        )
        permissions = p.json("permissions")
        if not isinstance(permissions, dict):
            raise bad_request('parameter "permissions" is required')
        status, _ = self._status_of(chat, user.id)
        if status in ("creator", "administrator"):
            raise bad_request("user is an administrator of the chat")
        extra = {k: bool(v) for k, v in permissions.items()}
        extra.update(until_date=p.int("until_date", 0), is_member=status not in ("left", "kicked"))
        self._set_status(chat, user, "restricted", extra)
        return True

    @api_method("pinChatMessage")
    def _m_pin_chat_message(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        message_id = p.int("message_id", required=True)
        if chat.type != "private":
            self._require_admin_right(
                chat, "can_pin_messages", "not enough rights to manage pinned messages in the chat"
            )
        if message_id not in self.messages.get(chat.id, {}):
            raise bad_request("message to pin not found")
        self.pinned.setdefault(chat.id, []).append(message_id)
        return True

    @api_method("unpinChatMessage")
    def _m_unpin_chat_message(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        pins = self.pinned.get(chat.id, [])
        message_id = p.int("message_id")
        if message_id is None and pins:
            pins.pop()
        elif message_id in pins:
            pins.remove(message_id)
        return True

    @api_method("unpinAllChatMessages")
    def _m_unpin_all(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        self.pinned.pop(chat.id, None)
        return True

    @api_method("sendChatAction")
    def _m_send_chat_action(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        action = p.str("action", required=True)
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append({"chat_id": chat.id, "action": action, "time": time.time()})
        return True

    @api_method("setMessageReaction")
    def _m_set_message_reaction(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        message_id = p.int("message_id", required=True)
        if message_id not in self.messages.get(chat.id, {}):
            raise bad_request("message to react not found")
        reaction = p.json("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        for item in reaction:
            if not isinstance(item, dict) or item.get("type") not in (
                "emoji",
                "custom_emoji",
                "paid",
            ):
                raise bad_request("REACTION_INVALID")
        self.reactions.append(
            {
                "chat_id": chat.id,
                "message_id": message_id,
                "reaction": reaction,
                "is_big": p.bool("is_big"),
                "time": time.time(),
            }
        )
        return True


__all__ = ["ApiError", "ChatMethodsMixin"]

"""Test-side API of FakeBotApi: the world (users, chats, members) and incoming updates."""

from __future__ import annotations

import copy
import time
from typing import Any

from .state import (
    TgChat,
    TgUser,
    chat_member_dict,
    detect_entities,
    is_present,
    random_numeric_id,
    strip_none,
    u16len,
)

_SERVICE_KEYS = (
    "new_chat_members",
    "left_chat_member",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "group_chat_created",
    "supergroup_chat_created",
    "pinned_message",
    "new_chat_title",
)


class ActorsMixin:
    # ------------------------------------------------------------------ world state helpers

    def _lookup_chat(self, ref: Any) -> TgChat | None:
        if isinstance(ref, TgChat):
            return self.chats.get(ref.id)
        if isinstance(ref, str) and ref.startswith("@"):
            name = ref[1:].lower()
            return next(
                (c for c in self.chats.values() if c.username and c.username.lower() == name), None
            )
        try:
            return self.chats.get(int(ref))
        except (TypeError, ValueError):
            return None

    def _chat(self, chat: TgChat | TgUser | int) -> TgChat:
        found = self.chats.get(chat.id) if isinstance(chat, TgUser) else self._lookup_chat(chat)
        if found is None:
            raise ValueError(
                f"unknown chat {chat!r}: create it with private_chat()/group()/channel() first"
            )
        return found

    def _status_of(self, chat: TgChat, user_id: int) -> tuple[str, dict]:
        if chat.type == "private":
            if user_id == chat.id:
                return "member", {}
            if user_id == self.bot.id:
                return ("kicked", {}) if chat.id in self.blocked else ("member", {})
            return "left", {}
        info = self.members.get(chat.id, {}).get(user_id)
        if info is None:
            return "left", {}
        return info["status"], info

    def _set_status(
        self, chat: TgChat, user: TgUser, status: str, extra: dict | None = None
    ) -> tuple[dict, dict]:
        old_status, old_extra = self._status_of(chat, user.id)
        old = chat_member_dict(user, old_status, old_extra, chat_type=chat.type)
        self.users.setdefault(user.id, user)
        info = {"status": status, **(extra or {})}
        new = chat_member_dict(user, status, info, chat_type=chat.type)  # validates status
        self.members.setdefault(chat.id, {})[user.id] = info
        return old, new

    def _store_message(
        self,
        chat: TgChat,
        content: dict,
        *,
        sender: TgUser | None,
        sender_chat: TgChat | None = None,
        date: int | None = None,
    ) -> dict:
        message_id = self._message_counter.get(chat.id, 0) + 1
        self._message_counter[chat.id] = message_id
        message = strip_none(
            {
                "message_id": message_id,
                "from": sender.to_dict() if sender else None,
                "sender_chat": sender_chat.to_dict() if sender_chat else None,
                "date": date or int(time.time()),
                "chat": chat.to_dict(),
                **copy.deepcopy(content),
            }
        )
        self.messages.setdefault(chat.id, {})[message_id] = message
        return copy.deepcopy(message)

    def _bot_message(self, chat: TgChat, content: dict) -> dict:
        if chat.type == "channel":
            return self._store_message(chat, content, sender=None, sender_chat=chat)
        return self._store_message(chat, content, sender=self.bot)

    def _admin_of(self, chat: TgChat) -> TgUser:
        for user_id, info in self.members.get(chat.id, {}).items():
            if info["status"] == "creator":
                return self.users[user_id]
        for user_id, info in self.members.get(chat.id, {}).items():
            if info["status"] == "administrator" and user_id != self.bot.id:
                return self.users[user_id]
        return self.users.get(900_000_001) or self.user(
            900_000_001, "Group", "Admin", "group_admin_test"
        )

    def _change_bot_status(
        self,
        chat: TgChat,
        status: str,
        *,
        actor: TgUser | None = None,
        service_message: bool = True,
        extra: dict | None = None,
    ) -> None:
        actor = actor or (self._admin_of(chat) if chat.type != "private" else None)
        old_status, old_extra = self._status_of(chat, self.bot.id)
        old, new = self._set_status(chat, self.bot, status, extra)
        if old == new:
            return
        was_in, now_in = is_present(old_status, old_extra), is_present(status, extra)
        if service_message and chat.is_group and was_in != now_in:
            content = (
                {"new_chat_members": [self.bot.to_dict()]}
                if now_in
                else {"left_chat_member": self.bot.to_dict()}
            )
            message = self._store_message(chat, content, sender=actor)
            self._enqueue("message", message)
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": actor.to_dict(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    # ------------------------------------------------------------------ actors

    def user(
        self,
        id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        *,
        is_bot: bool = False,
    ) -> TgUser:
        """Create (or replace) a user. Replacing keeps memberships."""
        user = TgUser(
            id=id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
        )
        self.users[id] = user
        return user

    def private_chat(self, user: TgUser) -> TgChat:
        """The private chat between ``user`` and the bot (the user has started the bot)."""
        self.users.setdefault(user.id, user)
        chat = TgChat(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        self.chats[chat.id] = chat
        return chat

    def group(
        self,
        chat_id: int,
        title: str,
        type: str = "supergroup",
        *,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: str = "member",
        creator: TgUser | None = None,
    ) -> TgChat:
        """A group or supergroup (negative id) that already contains the bot with ``bot_status``."""
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        if chat_id >= 0:
            raise ValueError("group chat ids are negative (supergroups look like -100xxxxxxxxxx)")
        chat = TgChat(id=chat_id, type=type, title=title, username=username, is_forum=is_forum)
        self.chats[chat_id] = chat
        self.members.setdefault(chat_id, {})
        if creator is not None:
            self._set_status(chat, creator, "creator")
        self._set_status(chat, self.bot, bot_status)
        return chat

    def channel(
        self,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        bot_status: str = "administrator",
    ) -> TgChat:
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        chat = TgChat(id=chat_id, type="channel", title=title, username=username)
        self.chats[chat_id] = chat
        self.members.setdefault(chat_id, {})
        self._set_status(chat, self.bot, bot_status)
        return chat

    def add_member(
        self,
        chat: TgChat | int,
        user: TgUser,
        status: str = "member",
        *,
        announce: bool = False,
        **extra: Any,
    ) -> None:
        """Set ``user``'s status in ``chat`` (creator/administrator/member/restricted/left/kicked).
        Extra keyword arguments are rights (``can_delete_messages=False``, ...) or ``until_date``.
        With ``announce=True`` a join/leave service message and a chat_member update are
        enqueued."""
        chat = self._chat(chat)
        if user.id == self.bot.id:
            return self.set_bot_membership(chat, status, **extra)
        old_status, old_extra = self._status_of(chat, user.id)
        old, new = self._set_status(chat, user, status, extra)
        if announce and old != new:
            was_in, now_in = is_present(old_status, old_extra), is_present(status, extra)
            if was_in != now_in and chat.is_group:
                content = (
                    {"new_chat_members": [user.to_dict()]}
                    if now_in
                    else {"left_chat_member": user.to_dict()}
                )
                message = self._store_message(chat, content, sender=user)
                self._deliver(chat, message)
            self._enqueue(
                "chat_member",
                {
                    "chat": chat.to_dict(),
                    "from": user.to_dict(),
                    "date": int(time.time()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                },
            )

    def set_bot_membership(
        self, chat: TgChat | int, status: str, *, by: TgUser | None = None, **extra: Any
    ) -> None:
        """Change the bot's status; enqueues my_chat_member (+ a join/leave service message in
        groups)."""
        chat = self._chat(chat)
        if chat.type == "private":
            raise ValueError("use block_bot()/unblock_bot() for private chats")
        self._change_bot_status(chat, status, actor=by, extra=extra)

    def block_bot(self, user: TgUser) -> None:
        """The user blocks the bot: sends to their private chat now fail with 403."""
        chat = self.chats.get(user.id) or self.private_chat(user)
        if user.id in self.blocked:
            return
        old = chat_member_dict(self.bot, "member")
        self.blocked.add(user.id)
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": user.to_dict(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": chat_member_dict(self.bot, "kicked"),
            },
        )

    def unblock_bot(self, user: TgUser) -> None:
        if user.id not in self.blocked:
            return
        self.blocked.discard(user.id)
        chat = self.chats[user.id]
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": user.to_dict(),
                "date": int(time.time()),
                "old_chat_member": chat_member_dict(self.bot, "kicked"),
                "new_chat_member": chat_member_dict(self.bot, "member"),
            },
        )

    def migrate_group(self, group: TgChat | int, new_chat_id: int) -> TgChat:
        """Upgrade a basic group to a supergroup: the old id answers 400 with migrate_to_chat_id."""
        old = self._chat(group)
        new = TgChat(id=new_chat_id, type="supergroup", title=old.title, username=old.username)
        self.chats[new_chat_id] = new
        self.members[new_chat_id] = copy.deepcopy(self.members.get(old.id, {}))
        self.migrated[old.id] = new_chat_id
        actor = self._admin_of(old)
        self._deliver(
            old, self._store_message(old, {"migrate_to_chat_id": new_chat_id}, sender=actor)
        )
        self._deliver(new, self._store_message(new, {"migrate_from_chat_id": old.id}, sender=actor))
        return new

    # ------------------------------------------------------------------ incoming messages

    def _delivery_block(self, chat: TgChat, message: dict) -> str | None:
        """Why the bot would not receive this message (None = delivered)."""
        if chat.type == "private":
            return None
        status, extra = self._status_of(chat, self.bot.id)
        if chat.type == "channel":
            return (
                None
                if status in ("administrator", "creator")
                else "bot is not an administrator of the channel"
            )
        if not is_present(status, extra):
            return f"bot is not a member of the chat (status {status})"
        if not self.privacy_mode or status in ("administrator", "creator"):
            return None
        if any(k in message for k in _SERVICE_KEYS):
            return None
        text = message.get("text") or message.get("caption") or ""
        if text.startswith("/"):
            return None
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot.id:
            return None
        if self.bot.username and f"@{self.bot.username.lower()}" in text.lower():
            return None
        return "privacy mode: the bot only gets commands, replies to it and mentions in groups"

    def _deliver(self, chat: TgChat, message: dict, kind: str = "message") -> None:
        self._enqueue(kind, message, reason_dropped=self._delivery_block(chat, message))

    def _incoming(
        self,
        user: TgUser,
        chat: TgChat | TgUser | int,
        content: dict,
        *,
        reply_to: dict | int | None = None,
        kind: str = "message",
    ) -> dict:
        if isinstance(chat, TgUser) and chat.id not in self.chats:
            self.private_chat(chat)  # a user writing to the bot has started it
        chat = self._chat(chat)
        self.users.setdefault(user.id, user)
        if chat.type == "private":
            if chat.id != user.id:
                raise ValueError("only the chat's own user writes in a private chat")
            if user.id in self.blocked:  # writing to a blocked bot means unblocking it first
                self.unblock_bot(user)
        elif chat.is_group:
            status, _ = self._status_of(chat, user.id)
            if status == "kicked":
                raise ValueError(f"user {user.id} is banned from chat {chat.id}")
            if status == "left":
                self._set_status(chat, user, "member")
        content = dict(content)
        if reply_to is not None:
            reply_id = reply_to["message_id"] if isinstance(reply_to, dict) else int(reply_to)
            original = self.messages.get(chat.id, {}).get(reply_id)
            if original is None:
                raise ValueError(f"message {reply_id} does not exist in chat {chat.id}")
            view = copy.deepcopy(original)
            view.pop("reply_to_message", None)
            content["reply_to_message"] = view
        if chat.type == "channel":
            message = self._store_message(chat, content, sender=None, sender_chat=chat)
        else:
            message = self._store_message(chat, content, sender=user)
        self._deliver(chat, message, kind)
        self._baseline = len(self.sent)
        return message

    def send_text(
        self,
        user: TgUser,
        chat: TgChat | TgUser | int,
        text: str,
        *,
        reply_to: dict | int | None = None,
        entities: list[dict] | None = None,
    ) -> dict:
        """A user writes ``text``; bot_command/mention/url/hashtag/email entities are added like
        Telegram does."""
        found = list(entities) if entities is not None else detect_entities(text)
        return self._incoming(
            user, chat, {"text": text, "entities": found or None}, reply_to=reply_to
        )

    def _media_message(
        self,
        user: TgUser,
        chat: Any,
        kind: str,
        data: bytes,
        caption: str | None,
        media_group_id: str | None,
        reply_to: Any = None,
        **file_args: Any,
    ) -> dict:
        stored_args = {
            k: v
            for k, v in file_args.items()
            if k in ("file_name", "mime_type", "width", "height", "duration")
        }
        record = self.store_file(kind, data, **stored_args)
        content = self._media_content(kind, record, None, **file_args)
        if caption:
            content["caption"] = caption
            content["caption_entities"] = detect_entities(caption) or None
        content["media_group_id"] = media_group_id
        return self._incoming(user, chat, content, reply_to=reply_to)

    def send_photo(
        self,
        user: TgUser,
        chat: Any,
        data: bytes,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(user, chat, "photo", data, caption, media_group_id, reply_to)

    def send_document(
        self,
        user: TgUser,
        chat: Any,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(
            user,
            chat,
            "document",
            data,
            caption,
            media_group_id,
            reply_to,
            file_name=file_name,
            mime_type=mime_type,
        )

    def send_video(
        self,
        user: TgUser,
        chat: Any,
        data: bytes = b"\x00video",
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        width: int = 640,
        height: int = 360,
        duration: int = 5,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(
            user,
            chat,
            "video",
            data,
            caption,
            media_group_id,
            reply_to,
            file_name="video.mp4",
            mime_type="video/mp4",
            width=width,
            height=height,
            duration=duration,
        )

    def send_voice(
        self,
        user: TgUser,
        chat: Any,
        data: bytes = b"OggS\x00voice",
        duration: int = 3,
        *,
        caption: str | None = None,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(
            user,
            chat,
            "voice",
            data,
            caption,
            None,
            reply_to,
            mime_type="audio/ogg",
            duration=duration,
        )

    def send_video_note(
        self,
        user: TgUser,
        chat: Any,
        data: bytes = b"\x00note",
        duration: int = 4,
        *,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(
            user, chat, "video_note", data, None, None, reply_to, duration=duration, width=240
        )

    def send_sticker(
        self,
        user: TgUser,
        chat: Any,
        data: bytes = b"RIFF\x00WEBP",
        emoji: str = "👍",
        *,
        reply_to: Any = None,
    ) -> dict:
        return self._media_message(user, chat, "sticker", data, None, None, reply_to, emoji=emoji)

    def send_location(
        self,
        user: TgUser,
        chat: Any,
        latitude: float = -6.2,
        longitude: float = 106.8,
        *,
        reply_to: Any = None,
    ) -> dict:
        return self._incoming(
            user,
            chat,
            {"location": {"latitude": latitude, "longitude": longitude}},
            reply_to=reply_to,
        )

    def send_contact(
        self,
        user: TgUser,
        chat: Any,
        phone_number: str = "+6281234567890",
        first_name: str = "Kontak",
        *,
        user_id: int | None = None,
        reply_to: Any = None,
    ) -> dict:
        contact = {"phone_number": phone_number, "first_name": first_name, "user_id": user_id}
        return self._incoming(user, chat, {"contact": contact}, reply_to=reply_to)

    def send_poll(
        self, user: TgUser, chat: Any, question: str = "Pilih?", options: list[str] | None = None
    ) -> dict:
        options = options or ["Ya", "Tidak"]
        poll = {
            "id": random_numeric_id(18),
            "question": question,
            "options": [
                {"text": o, "voter_count": 0, "persistent_id": str(i)}
                for i, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._incoming(user, chat, {"poll": poll})

    def send_dice(self, user: TgUser, chat: Any, emoji: str = "🎲", value: int = 4) -> dict:
        return self._incoming(user, chat, {"dice": {"emoji": emoji, "value": value}})

    def send_album(self, user: TgUser, chat: Any, items: list[Any]) -> list[dict]:
        """Several photos/videos sharing one media_group_id, each its own update (like Telegram).
        ``items``: bytes (a photo) or dicts
        ``{"type": "photo"|"video", "data": b"...", "caption": ...}``."""
        group_id = random_numeric_id(18)
        messages = []
        for item in items:
            if isinstance(item, (bytes, bytearray)):
                item = {"type": "photo", "data": bytes(item)}
            if item.get("type", "photo") == "video":
                messages.append(
                    self.send_video(
                        user, chat, item.get("data", b"\x00video"), item.get("caption"), group_id
                    )
                )
            else:
                messages.append(
                    self.send_photo(user, chat, item["data"], item.get("caption"), group_id)
                )
        return messages

    def edit_text(self, user: TgUser, message: dict, new_text: str) -> dict:
        """The user edits their text message: an edited_message update."""
        chat = self._chat(message["chat"]["id"])
        stored = self.messages.get(chat.id, {}).get(message["message_id"])
        if stored is None or stored.get("from", {}).get("id") != user.id:
            raise ValueError("users can only edit their own existing messages")
        stored["text"] = new_text
        entities = detect_entities(new_text)
        if entities:
            stored["entities"] = entities
        else:
            stored.pop("entities", None)
        stored["edit_date"] = int(time.time())
        self._deliver(chat, stored, "edited_message")
        self._baseline = len(self.sent)
        return copy.deepcopy(stored)

    def channel_post(self, chat: TgChat | int, text: str) -> dict:
        chat = self._chat(chat)
        if chat.type != "channel":
            raise ValueError("channel_post needs a channel")
        message = self._store_message(
            chat,
            {"text": text, "entities": detect_entities(text) or None},
            sender=None,
            sender_chat=chat,
        )
        self._deliver(chat, message, "channel_post")
        self._baseline = len(self.sent)
        return message

    def forward_from(
        self, user: TgUser, chat: Any, text: str, origin_user: TgUser | TgChat | str
    ) -> dict:
        """A user forwards a text message originally written by ``origin_user`` (a TgUser, a channel
        TgChat, or a plain name for a user who hides their account)."""
        date = int(time.time()) - 3600
        if isinstance(origin_user, TgUser):
            origin = {"type": "user", "sender_user": origin_user.to_dict(), "date": date}
        elif isinstance(origin_user, TgChat):
            origin = {
                "type": "channel",
                "chat": origin_user.to_dict(),
                "message_id": 1,
                "date": date,
            }
        else:
            origin = {"type": "hidden_user", "sender_user_name": str(origin_user), "date": date}
        content = {
            "text": text,
            "entities": detect_entities(text) or None,
            "forward_origin": origin,
        }
        return self._incoming(user, chat, content)

    def press_button(self, user: TgUser, message: dict, data: str, *, check: bool = True) -> dict:
        """The user taps an inline button with ``callback_data == data`` on a bot message.
        Returns the CallbackQuery dict. With ``check`` the button must exist in the current
        markup."""
        chat = self._chat(message["chat"]["id"])
        stored = self.messages.get(chat.id, {}).get(message["message_id"])
        if stored is None:
            raise ValueError("the message no longer exists")
        if check:
            rows = stored.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(b.get("callback_data") == data for row in rows for b in row):
                raise ValueError(f"no button with callback_data {data!r} on the current message")
        query = {
            "id": random_numeric_id(19),
            "from": user.to_dict(),
            "message": copy.deepcopy(stored),
            "chat_instance": self._chat_instances.setdefault(chat.id, random_numeric_id(19)),
            "data": data,
        }
        self._pending_callbacks[query["id"]] = time.monotonic() + self.callback_query_ttl
        self._enqueue("callback_query", query)
        return strip_none(query)

    def inline_query(
        self, user: TgUser, query: str, offset: str = "", *, chat_type: str | None = "sender"
    ) -> str:
        """The user types ``@bot query``; returns the inline query id."""
        self.users.setdefault(user.id, user)
        query_id = random_numeric_id(19)
        self._pending_inline[query_id] = time.monotonic() + self.callback_query_ttl
        self._enqueue(
            "inline_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            },
        )
        self._baseline = len(self.sent)
        return query_id

    def messages_in(self, chat: TgChat | int) -> list[dict]:
        """All current (not deleted) messages of a chat, oldest first."""
        chat_id = self._chat_id_of(chat)
        return [copy.deepcopy(m) for _, m in sorted(self.messages.get(chat_id, {}).items())]


__all__ = ["ActorsMixin", "u16len"]

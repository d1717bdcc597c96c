"""Bot API methods about messages: sendMessage and other content, edit*, delete*, copy*,
forward*, answerCallbackQuery, answerInlineQuery (media uploads live in ``media``)."""

from __future__ import annotations

import copy
import time
from typing import Any

from .media import _MEDIA_KEYS, MediaMethodsMixin
from .params import Params
from .state import (
    TgChat,
    api_method,
    bad_request,
    forbidden,
    random_numeric_id,
)
from .validate import check_text_length, format_text, parse_json_value, validate_reply_markup

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_CONTENT_KEYS = (
    "text",
    "entities",
    *_MEDIA_KEYS,
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "link_preview_options",
)
_PRIMARY_KEYS = ("text", *_MEDIA_KEYS, "location", "venue", "contact", "poll", "dice")


class MessageMethodsMixin(MediaMethodsMixin):
    # ------------------------------------------------------------------ chat access

    def _resolve_chat(self, p: Params, name: str = "chat_id", *, for_send: bool = True) -> TgChat:
        chat = self._lookup_chat(p.chat_id(name))
        if chat is None:
            raise bad_request("chat not found")
        if chat.id in self.migrated:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat.id]},
            )
        if for_send:
            self._check_can_send(chat)
        return chat

    def _check_can_send(self, chat: TgChat) -> None:
        if chat.type == "private":
            if chat.id in self.blocked:
                raise forbidden("bot was blocked by the user")
            return
        status, extra = self._status_of(chat, self.bot.id)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.kind_name}")
        if status == "left" or (status == "restricted" and not extra.get("is_member", True)):
            raise forbidden(f"bot is not a member of the {chat.kind_name}")
        if chat.type == "channel" and status not in ("administrator", "creator"):
            raise bad_request("need administrator rights in the channel chat")
        if status == "restricted" and not extra.get("can_send_messages", False):
            raise bad_request("not enough rights to send text messages to the chat")

    def _reply_to(self, p: Params, chat: TgChat) -> dict | None:
        params = p.json("reply_parameters")
        allow = p.bool("allow_sending_without_reply")
        message_id = None
        target = chat
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply", allow))
            if params.get("chat_id") not in (None, ""):
                target = self._lookup_chat(Params({"c": params["chat_id"]}).chat_id("c")) or chat
        elif p.has("reply_to_message_id"):
            message_id = p.int("reply_to_message_id")
        if message_id in (None, ""):
            return None
        original = self.messages.get(target.id, {}).get(int(message_id))
        if original is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        view = copy.deepcopy(original)
        view.pop("reply_to_message", None)
        return view

    def _send(self, method: str, p: Params, chat: TgChat, content: dict, **record: Any) -> dict:
        """Finish a send*: reply, markup, thread, store, record."""
        reply = self._reply_to(p, chat)
        markup = validate_reply_markup(p.json("reply_markup"))
        extra: dict[str, Any] = {}
        if reply:
            extra["reply_to_message"] = reply
        if markup:
            extra["reply_markup"] = markup
        thread = p.int("message_thread_id")
        if thread and chat.is_forum:
            extra.update(message_thread_id=thread, is_topic_message=True)
        if p.bool("protect_content"):
            extra["has_protected_content"] = True
        message = self._bot_message(chat, {**content, **extra})
        self._record_sent(method, chat, message, p, **record)
        return message

    def _resolve_mentions(self, entities: list[dict]) -> list[dict]:
        result = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user = self.users.get(int(entity["user"]["id"]))
                if user is None:
                    continue
                entity = {**entity, "user": user.to_dict()}
            result.append(entity)
        return result

    def _formatted(
        self, p: Params, text_key: str, entities_key: str, *, caption: bool
    ) -> tuple[str, list]:
        text, entities = format_text(
            p.str(text_key), p.str("parse_mode"), p.json(entities_key), strict_amp=self.strict_html
        )
        check_text_length(text, caption=caption)
        return text, self._resolve_mentions(entities)

    # ------------------------------------------------------------------ text

    @api_method("sendMessage")
    def _m_send_message(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        text, entities = self._formatted(p, "text", "entities", caption=False)
        preview = p.json("link_preview_options")
        if preview is None and p.bool("disable_web_page_preview"):
            preview = {"is_disabled": True}
        content = {
            "text": text,
            "entities": entities or None,
            "link_preview_options": preview or None,
        }
        return self._send(
            "sendMessage", p, chat, content, raw_text=p.str("text"), parse_mode=p.str("parse_mode")
        )

    # ------------------------------------------------------------------ other content

    @api_method("sendLocation")
    def _m_send_location(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        location = {
            "latitude": p.float("latitude", required=True),
            "longitude": p.float("longitude", required=True),
        }
        return self._send("sendLocation", p, chat, {"location": location})

    @api_method("sendVenue")
    def _m_send_venue(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        location = {
            "latitude": p.float("latitude", required=True),
            "longitude": p.float("longitude", required=True),
        }
        venue = {
            "location": location,
            "title": p.str("title", required=True),
            "address": p.str("address", required=True),
        }
        return self._send("sendVenue", p, chat, {"venue": venue, "location": location})

    @api_method("sendContact")
    def _m_send_contact(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        contact = {
            "phone_number": p.str("phone_number", required=True),
            "first_name": p.str("first_name", required=True),
            "last_name": p.str("last_name"),
        }
        return self._send("sendContact", p, chat, {"contact": contact})

    @api_method("sendDice")
    def _m_send_dice(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        emoji = p.str("emoji", "🎲")
        top = {"🎯": 6, "🎲": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}.get(emoji, 6)
        return self._send(
            "sendDice",
            p,
            chat,
            {"dice": {"emoji": emoji, "value": int(time.time() * 1000) % top + 1}},
        )

    @api_method("sendPoll")
    def _m_send_poll(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        question = p.str("question", required=True)
        options = p.json("options") or []
        if not 2 <= len(options) <= 12:
            raise bad_request(
                "poll must have at least 2 option"
                if len(options) < 2
                else "poll can't have more than 12 options"
            )
        texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
        poll = {
            "id": random_numeric_id(18),
            "question": question,
            "options": [
                {"text": t, "voter_count": 0, "persistent_id": str(i)} for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": p.bool("is_closed"),
            "is_anonymous": p.bool("is_anonymous", True),
            "type": p.str("type", "regular"),
            "allows_multiple_answers": p.bool("allows_multiple_answers"),
            "allows_revoting": True,
            "members_only": False,
        }
        return self._send("sendPoll", p, chat, {"poll": poll})

    # ------------------------------------------------------------------ edits

    def _message_for_edit(self, p: Params) -> tuple[TgChat, dict]:
        chat = self._resolve_chat(p)
        if not p.has("message_id"):
            raise bad_request("message identifier is not specified")
        message = self.messages.get(chat.id, {}).get(p.int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot.id and not (
            chat.type == "channel" and message.get("sender_chat", {}).get("id") == chat.id
        ):
            raise bad_request("message can't be edited")
        return chat, message

    def _apply_edit(
        self,
        method: str,
        chat: TgChat,
        old: dict,
        changes: dict,
        markup: dict | None,
        p: Params,
        **record: Any,
    ) -> dict:
        new = copy.deepcopy(old)
        for key, value in changes.items():
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
        if markup:
            new["reply_markup"] = markup
        else:
            new.pop("reply_markup", None)
        compare = [k for k in (*changes, "reply_markup") if k != "edit_date"]
        if all(old.get(k) == new.get(k) for k in compare):
            raise bad_request(_NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self.messages[chat.id][new["message_id"]] = new
        self._record_sent(method, chat, new, p, **record)
        return new

    def _inline_edit(self, method: str, p: Params) -> bool:
        self.sent.append(
            {
                "method": method,
                "chat_id": None,
                "message_id": None,
                "inline_message_id": p.str("inline_message_id"),
                "message": None,
                "params": p.for_record(),
                "time": time.time(),
            }
        )
        return True

    @api_method("editMessageText")
    def _m_edit_message_text(self, p: Params) -> Any:
        markup = validate_reply_markup(p.json("reply_markup"), inline_only=True)
        if p.has("inline_message_id"):
            self._formatted(p, "text", "entities", caption=False)
            return self._inline_edit("editMessageText", p)
        chat, old = self._message_for_edit(p)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(p, "text", "entities", caption=False)
        changes = {"text": text, "entities": entities or None}
        if p.has("link_preview_options"):
            changes["link_preview_options"] = p.json("link_preview_options")
        return self._apply_edit(
            "editMessageText",
            chat,
            old,
            changes,
            markup,
            p,
            raw_text=p.str("text"),
            parse_mode=p.str("parse_mode"),
        )

    @api_method("editMessageCaption")
    def _m_edit_message_caption(self, p: Params) -> Any:
        markup = validate_reply_markup(p.json("reply_markup"), inline_only=True)
        caption, entities = self._formatted(p, "caption", "caption_entities", caption=True)
        if p.has("inline_message_id"):
            return self._inline_edit("editMessageCaption", p)
        chat, old = self._message_for_edit(p)
        if not any(k in old for k in ("photo", "video", "document", "animation", "audio", "voice")):
            raise bad_request("there is no caption in the message to edit")
        changes = {"caption": caption or None, "caption_entities": entities or None}
        return self._apply_edit(
            "editMessageCaption",
            chat,
            old,
            changes,
            markup,
            p,
            raw_text=p.str("caption"),
            parse_mode=p.str("parse_mode"),
        )

    @api_method("editMessageReplyMarkup")
    def _m_edit_message_reply_markup(self, p: Params) -> Any:
        markup = validate_reply_markup(p.json("reply_markup"), inline_only=True)
        if p.has("inline_message_id"):
            return self._inline_edit("editMessageReplyMarkup", p)
        chat, old = self._message_for_edit(p)
        return self._apply_edit("editMessageReplyMarkup", chat, old, {}, markup, p)

    @api_method("editMessageMedia")
    def _m_edit_message_media(self, p: Params) -> Any:
        markup = validate_reply_markup(p.json("reply_markup"), inline_only=True)
        item = p.json("media")
        if not isinstance(item, dict) or item.get("type") not in (
            "photo",
            "video",
            "document",
            "audio",
            "animation",
        ):
            raise bad_request("can't parse InputMedia JSON object")
        sub = Params({k: v for k, v in item.items() if k != "media"}, p.files)
        caption, entities = self._formatted(sub, "caption", "caption_entities", caption=True)
        if p.has("inline_message_id"):
            self._input_file(p, None, item["type"], item.get("media"))
            return self._inline_edit("editMessageMedia", p)
        chat, old = self._message_for_edit(p)
        if not any(k in old for k in _MEDIA_KEYS):
            raise bad_request("there is no media in the message to edit")
        record = self._input_file(p, None, item["type"], item.get("media"))
        changes: dict[str, Any] = {k: None for k in _MEDIA_KEYS}
        changes.update(self._media_content(item["type"], record, sub))
        changes.update(caption=caption or None, caption_entities=entities or None)
        return self._apply_edit("editMessageMedia", chat, old, changes, markup, p)

    # ------------------------------------------------------------------ delete

    def _delete_one(self, chat: TgChat, message_id: int) -> bool:
        message = self.messages.get(chat.id, {}).get(message_id)
        if message is None:
            return False
        own = message.get("from", {}).get("id") == self.bot.id or (
            chat.type == "channel" and message.get("sender_chat", {}).get("id") == chat.id
        )
        if chat.type != "private" and not own:
            status, extra = self._status_of(chat, self.bot.id)
            if status not in ("creator", "administrator") or not extra.get(
                "can_delete_messages", True
            ):
                raise bad_request("message can't be deleted")
        del self.messages[chat.id][message_id]
        self.deleted.append({"chat_id": chat.id, "message_id": message_id, "time": time.time()})
        return True

    @api_method("deleteMessage")
    def _m_delete_message(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        if not self._delete_one(chat, p.int("message_id", required=True)):
            raise bad_request("message to delete not found")
        return True

    @api_method("deleteMessages")
    def _m_delete_messages(self, p: Params) -> bool:
        chat = self._resolve_chat(p)
        ids = p.json("message_ids") or []
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            try:
                self._delete_one(chat, int(message_id))
            except Exception:
                continue
        return True

    # ------------------------------------------------------------------ copy / forward

    def _source(self, p: Params, message_id: int, what: str) -> tuple[TgChat, dict]:
        source_chat = self._lookup_chat(p.chat_id("from_chat_id"))
        if source_chat is None:
            raise bad_request("chat not found")
        message = self.messages.get(source_chat.id, {}).get(message_id)
        if message is None:
            raise bad_request(f"message to {what} not found")
        if message.get("has_protected_content"):
            raise bad_request(f"message can't be {'copied' if what == 'copy' else 'forwarded'}")
        if not any(k in message for k in _PRIMARY_KEYS):
            raise bad_request(f"message can't be {'copied' if what == 'copy' else 'forwarded'}")
        return source_chat, message

    @staticmethod
    def _content_of(message: dict) -> dict:
        return {k: copy.deepcopy(message[k]) for k in _CONTENT_KEYS if k in message}

    def _copy(self, p: Params, chat: TgChat, message_id: int, *, single: bool) -> dict:
        _, source = self._source(p, message_id, "copy")
        content = self._content_of(source)
        if single and p.has("caption") and "text" not in content:
            caption, entities = self._formatted(p, "caption", "caption_entities", caption=True)
            content.update(caption=caption or None, caption_entities=entities or None)
        if single:
            return self._send("copyMessage", p, chat, content)
        message = self._bot_message(chat, content)
        self._record_sent("copyMessages", chat, message, p)
        return message

    def _forward(self, method: str, p: Params, chat: TgChat, message_id: int) -> dict:
        source_chat, source = self._source(p, message_id, "forward")
        content = self._content_of(source)
        if "forward_origin" in source:
            origin = copy.deepcopy(source["forward_origin"])
        elif source_chat.type == "channel":
            origin = {
                "type": "channel",
                "chat": source_chat.to_dict(),
                "message_id": source["message_id"],
                "date": source["date"],
            }
        elif "sender_chat" in source:
            origin = {"type": "chat", "sender_chat": source["sender_chat"], "date": source["date"]}
        else:
            origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        content["forward_origin"] = origin
        if p.bool("protect_content"):
            content["has_protected_content"] = True
        message = self._bot_message(chat, content)
        self._record_sent(method, chat, message, p)
        self.forwarded.append(
            {
                "method": method,
                "chat_id": chat.id,
                "from_chat_id": source_chat.id,
                "source_message_id": message_id,
                "message": copy.deepcopy(message),
                "time": time.time(),
            }
        )
        return message

    @staticmethod
    def _id_list(p: Params, what: str) -> list[int]:
        ids = p.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        return sorted({int(i) for i in ids})

    @api_method("copyMessage")
    def _m_copy_message(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        message = self._copy(p, chat, p.int("message_id", required=True), single=True)
        return {"message_id": message["message_id"]}

    @api_method("copyMessages")
    def _m_copy_messages(self, p: Params) -> list:
        chat = self._resolve_chat(p)
        result = []
        for message_id in self._id_list(p, "copy"):
            try:
                result.append(
                    {"message_id": self._copy(p, chat, message_id, single=False)["message_id"]}
                )
            except Exception:
                continue
        if not result:
            raise bad_request("there are no messages to copy")
        return result

    @api_method("forwardMessage")
    def _m_forward_message(self, p: Params) -> dict:
        chat = self._resolve_chat(p)
        return self._forward("forwardMessage", p, chat, p.int("message_id", required=True))

    @api_method("forwardMessages")
    def _m_forward_messages(self, p: Params) -> list:
        chat = self._resolve_chat(p)
        result = []
        for message_id in self._id_list(p, "forward"):
            try:
                result.append(
                    {
                        "message_id": self._forward("forwardMessages", p, chat, message_id)[
                            "message_id"
                        ]
                    }
                )
            except Exception:
                continue
        if not result:
            raise bad_request("there are no messages to forward")
        return result

    # ------------------------------------------------------------------ queries

    @api_method("answerCallbackQuery")
    def _m_answer_callback_query(self, p: Params) -> bool:
        query_id = p.str("callback_query_id", required=True)
        expires = self._pending_callbacks.get(query_id)
        if expires is None or expires < time.monotonic():
            self._pending_callbacks.pop(query_id, None)
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        del self._pending_callbacks[query_id]
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": p.bool("show_alert"),
            "url": p.str("url"),
            "cache_time": p.int("cache_time", 0),
        }
        return True

    @api_method("answerInlineQuery")
    def _m_answer_inline_query(self, p: Params) -> bool:
        query_id = p.str("inline_query_id", required=True)
        results = parse_json_value(p.get("results", "[]"), "results")
        if not isinstance(results, list):
            raise bad_request("can't parse results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen = set()
        for result in results:
            if not isinstance(result, dict) or "type" not in result:
                raise bad_request("can't parse InlineQueryResult JSON object")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if result.get("reply_markup") is not None:
                validate_reply_markup(result["reply_markup"], inline_only=True)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                text, _ = format_text(
                    content["message_text"],
                    content.get("parse_mode"),
                    content.get("entities"),
                    strict_amp=self.strict_html,
                )
                check_text_length(text)
        expires = self._pending_inline.get(query_id)
        if expires is None or expires < time.monotonic():
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._pending_inline.pop(query_id, None)
        self.inline_answers[query_id] = results
        self.inline_answer_params[query_id] = {
            "cache_time": p.int("cache_time", 300),
            "is_personal": p.bool("is_personal"),
            "next_offset": p.str("next_offset"),
            "button": p.json("button"),
        }
        return True

"""Files and media: uploads (multipart, ``attach://``), file_id reuse, photo sizes, send<Media>,
sendMediaGroup and getFile."""

from __future__ import annotations

import io
import mimetypes
from typing import Any

from .params import Params
from .state import FileRecord, api_method, bad_request, new_file_ids, random_numeric_id

try:  # Pillow decodes photo dimensions and makes thumbnails when available
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None

MAX_DOWNLOAD = 20 * 1024 * 1024
_MEDIA_KEYS = ("photo", "document", "video", "animation", "audio", "voice", "video_note", "sticker")
_DEFAULT_MIME = {
    "document": "application/octet-stream",
    "video": "video/mp4",
    "animation": "video/mp4",
    "audio": "audio/mpeg",
    "voice": "audio/ogg",
    "video_note": "video/mp4",
    "sticker": "image/webp",
    "photo": "image/jpeg",
}
_EXTENSIONS = {
    "photo": "jpg",
    "video": "mp4",
    "animation": "mp4",
    "voice": "oga",
    "audio": "mp3",
    "video_note": "mp4",
    "sticker": "webp",
}


class MediaMethodsMixin:
    def _register_file(self, record: FileRecord) -> FileRecord:
        self.files[record.file_id] = record
        self._file_by_path[record.file_path] = record.file_id
        return record

    def _new_file(self, kind: str, data: bytes, **fields: Any) -> FileRecord:
        file_id, unique = new_file_ids(kind)
        folder = {"photo": "photos", "sticker": "stickers", "voice": "voice"}.get(kind, f"{kind}s")
        ext = _EXTENSIONS.get(kind)
        name = fields.get("file_name")
        if not ext and name and "." in name:
            ext = name.rsplit(".", 1)[-1]
        path = f"{folder}/file_{len(self.files)}.{ext or 'bin'}"
        return self._register_file(FileRecord(file_id, unique, data, kind, path, **fields))

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
        strict: bool = False,
    ) -> FileRecord:
        """Store bytes as a Telegram file (used for uploads and for test-side media)."""
        if kind == "photo":
            return self._store_photo(data, strict=strict)
        mime = (
            mime_type
            or (mimetypes.guess_type(file_name)[0] if file_name else None)
            or _DEFAULT_MIME.get(kind)
        )
        return self._new_file(
            kind,
            data,
            mime_type=mime,
            file_name=file_name,
            width=width,
            height=height,
            duration=duration,
        )

    def _store_photo(self, data: bytes, *, strict: bool) -> FileRecord:
        width = height = None
        image = None
        if Image is not None:
            try:
                image = Image.open(io.BytesIO(data))
                width, height = image.size
            except Exception:
                image = None
        if image is None:
            if strict:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = 320, 240
        if strict and (
            width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1)
        ):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        sizes: list[FileRecord] = []
        if image is not None:
            for side in (90, 320, 800):
                if max(width, height) <= side:
                    break
                try:
                    thumb = image.convert("RGB")
                    thumb.thumbnail((side, side))
                    buffer = io.BytesIO()
                    thumb.save(buffer, format="JPEG", quality=80)
                except Exception:
                    break
                sizes.append(
                    self._new_file(
                        "photo",
                        buffer.getvalue(),
                        mime_type="image/jpeg",
                        width=thumb.size[0],
                        height=thumb.size[1],
                    )
                )
        original = self._new_file("photo", data, mime_type="image/jpeg", width=width, height=height)
        sizes.append(original)
        ids = [s.file_id for s in sizes]
        for size in sizes:
            size.photo_sizes = ids
        return original

    def _input_file(self, p: Params, field: str | None, kind: str, value: Any = None) -> FileRecord:
        """The file for ``field``: an upload, ``attach://name``, a known file_id or an HTTP URL."""
        if field is not None:
            value = p.get(field) if value is None else value
            upload = p.file(field)
        else:
            upload = None
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = p.file(value[len("attach://") :])
            if upload is None:
                raise bad_request("can't parse InputMedia: media not found")
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            mime = (
                upload.content_type
                if upload.content_type not in (None, "application/octet-stream")
                else None
            )
            return self.store_file(
                kind,
                upload.data,
                file_name=upload.filename,
                mime_type=mime,
                width=p.int("width"),
                height=p.int("height"),
                duration=p.int("duration"),
                strict=True,
            )
        if not isinstance(value, str) or not value:
            raise bad_request(f'parameter "{field or "media"}" is required')
        if value.startswith(("http://", "https://")):
            record = self._new_file(
                kind,
                b"",
                url=value,
                mime_type=_DEFAULT_MIME.get(kind),
                width=640 if kind in ("photo", "video", "animation") else None,
                height=480 if kind in ("photo", "video", "animation") else None,
            )
            if kind == "photo":
                record.photo_sizes = [record.file_id]
            return record
        record = self.files.get(value)
        if record is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if (kind == "photo") != (record.kind == "photo"):
            raise bad_request(f"can't use file of type {record.kind.title()} as {kind.title()}")
        return record

    def _media_content(
        self, kind: str, record: FileRecord, p: Params | None = None, **overrides: Any
    ) -> dict:
        def pick(name: str, default: Any = None) -> Any:
            if name in overrides and overrides[name] is not None:
                return overrides[name]
            if p is not None and p.has(name) and name not in ("caption",):
                return (
                    p.int(name)
                    if name in ("width", "height", "duration", "length")
                    else p.str(name)
                )
            return default

        base = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
        }
        if kind == "photo":
            sizes = [
                self.files[i] for i in (record.photo_sizes or [record.file_id]) if i in self.files
            ]
            return {
                "photo": [
                    {
                        "file_id": s.file_id,
                        "file_unique_id": s.file_unique_id,
                        "file_size": s.file_size,
                        "width": s.width or 0,
                        "height": s.height or 0,
                    }
                    for s in sizes
                ]
            }
        if kind == "document":
            return {
                "document": {**base, "file_name": record.file_name, "mime_type": record.mime_type}
            }
        if kind in ("video", "animation"):
            media = {
                **base,
                "width": pick("width", record.width or 0),
                "height": pick("height", record.height or 0),
                "duration": pick("duration", record.duration or 0),
                "file_name": record.file_name,
                "mime_type": record.mime_type,
            }
            if kind == "animation":
                return {
                    "animation": media,
                    "document": {
                        **base,
                        "file_name": record.file_name,
                        "mime_type": record.mime_type,
                    },
                }
            return {"video": media}
        if kind == "audio":
            return {
                "audio": {
                    **base,
                    "duration": pick("duration", record.duration or 0),
                    "performer": pick("performer"),
                    "title": pick("title"),
                    "file_name": record.file_name,
                    "mime_type": record.mime_type,
                }
            }
        if kind == "voice":
            return {
                "voice": {
                    **base,
                    "duration": pick("duration", record.duration or 0),
                    "mime_type": record.mime_type or "audio/ogg",
                }
            }
        if kind == "video_note":
            return {
                "video_note": {
                    **base,
                    "length": pick("length", record.width or 240),
                    "duration": pick("duration", record.duration or 0),
                }
            }
        if kind == "sticker":
            return {
                "sticker": {
                    **base,
                    "type": "regular",
                    "width": record.width or 512,
                    "height": record.height or 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": pick("emoji"),
                }
            }
        raise ValueError(kind)

    def _send_media(self, method: str, p: Params, kind: str, field: str) -> dict:
        chat = self._resolve_chat(p)
        caption, entities = ("", [])
        if kind not in ("sticker", "video_note"):
            caption, entities = self._formatted(p, "caption", "caption_entities", caption=True)
        record = self._input_file(p, field, kind)
        content = self._media_content(kind, record, p)
        content.update(caption=caption or None, caption_entities=entities or None)
        if p.bool("show_caption_above_media"):
            content["show_caption_above_media"] = True
        if p.bool("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._send(
            method, p, chat, content, raw_text=p.str("caption"), parse_mode=p.str("parse_mode")
        )

    @api_method("sendPhoto")
    def _m_send_photo(self, p: Params) -> dict:
        return self._send_media("sendPhoto", p, "photo", "photo")

    @api_method("sendDocument")
    def _m_send_document(self, p: Params) -> dict:
        return self._send_media("sendDocument", p, "document", "document")

    @api_method("sendVideo")
    def _m_send_video(self, p: Params) -> dict:
        return self._send_media("sendVideo", p, "video", "video")

    @api_method("sendAnimation")
    def _m_send_animation(self, p: Params) -> dict:
        return self._send_media("sendAnimation", p, "animation", "animation")

    @api_method("sendAudio")
    def _m_send_audio(self, p: Params) -> dict:
        return self._send_media("sendAudio", p, "audio", "audio")

    @api_method("sendVoice")
    def _m_send_voice(self, p: Params) -> dict:
        return self._send_media("sendVoice", p, "voice", "voice")

    @api_method("sendVideoNote")
    def _m_send_video_note(self, p: Params) -> dict:
        return self._send_media("sendVideoNote", p, "video_note", "video_note")

    @api_method("sendSticker")
    def _m_send_sticker(self, p: Params) -> dict:
        return self._send_media("sendSticker", p, "sticker", "sticker")

    @api_method("sendMediaGroup")
    def _m_send_media_group(self, p: Params) -> list:
        chat = self._resolve_chat(p)
        if not p.has("media"):
            raise bad_request('parameter "media" is required')
        media = p.json("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if not media:
            raise bad_request("there are no messages to send")
        if len(media) > 10:
            raise bad_request("too many messages to send as an album")
        kinds = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind == "animation":
                raise bad_request(
                    "can't parse InputMedia: type \"animation\" can't be used in sendMediaGroup"
                )
            if kind not in ("photo", "video", "document", "audio"):
                raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
            kinds.append(kind)
        for special in ("document", "audio"):
            if special in kinds and set(kinds) != {special}:
                raise bad_request(f"{special} can't be mixed with other media types")
        prepared = []
        for item, kind in zip(media, kinds, strict=True):
            sub = Params({k: v for k, v in item.items() if k != "media"}, p.files)
            caption, entities = self._formatted(sub, "caption", "caption_entities", caption=True)
            record = self._input_file(p, None, kind, item.get("media"))
            content = self._media_content(kind, record, sub)
            content.update(caption=caption or None, caption_entities=entities or None)
            prepared.append((content, item))
        group_id = random_numeric_id(18)
        reply = self._reply_to(p, chat)
        messages = []
        for content, item in prepared:
            content["media_group_id"] = group_id
            if reply:
                content["reply_to_message"] = reply
            message = self._bot_message(chat, content)
            self._record_sent(
                "sendMediaGroup",
                chat,
                message,
                p,
                raw_text=item.get("caption"),
                parse_mode=item.get("parse_mode"),
                media_group_id=group_id,
            )
            messages.append(message)
        return messages

    @api_method("getFile")
    def _m_get_file(self, p: Params) -> dict:
        record = self.files.get(p.str("file_id", required=True))
        if record is None:
            raise bad_request("invalid file_id")
        if record.file_size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }

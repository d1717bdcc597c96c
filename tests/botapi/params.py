"""Request parameters of a Bot API call, with Telegram-like coercion."""

from __future__ import annotations

import json
from typing import Any

from .state import bad_request
from .validate import parse_json_value


class Upload:
    """A file part of a multipart request."""

    __slots__ = ("content_type", "data", "filename")

    def __init__(self, filename: str | None, content_type: str | None, data: bytes) -> None:
        self.filename = filename
        self.content_type = content_type
        self.data = data


class Params:
    """Request parameters with Telegram-like coercion.

    Form and multipart values arrive as strings (complex values as JSON strings); JSON bodies give
    native values. The accessors accept both.
    """

    def __init__(
        self, values: dict[str, Any] | None = None, files: dict[str, Upload] | None = None
    ) -> None:
        self.values = dict(values or {})
        self.files = dict(files or {})

    def has(self, name: str) -> bool:
        return (name in self.values and self.values[name] not in (None, "")) or name in self.files

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def file(self, name: str) -> Upload | None:
        return self.files.get(name)

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return default
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            try:
                return int(float(value))
            except (TypeError, ValueError):
                raise bad_request(f'field "{name}" must be a valid Number') from None

    def float(
        self, name: str, default: float | None = None, *, required: bool = False
    ) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f'parameter "{name}" is required')
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return bool(value)
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def json(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        return parse_json_value(value, name)

    def chat_id(self, name: str = "chat_id", *, required: bool = True) -> int | str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            if text.startswith("@"):
                return text
            raise bad_request("chat not found") from None

    def for_record(self) -> dict:
        record = dict(self.values)
        for name, upload in self.files.items():
            record[name] = {
                "filename": upload.filename,
                "size": len(upload.data),
                "content_type": upload.content_type,
            }
        return record

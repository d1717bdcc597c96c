"""Parsers for parse_mode HTML, MarkdownV2 and Markdown, the way Telegram's server does it.

* ``parse_html`` follows TDLib's HTML parser: same supported tags, same error texts
  ("Unsupported start tag "p" at byte offset 0", "Can't find end tag corresponding to start tag b",
  "Unmatched end tag at byte offset N, expected "</b>", found "</i>"", ...). One deliberate
  difference: a bare ``&`` that does not start a valid entity (``&lt;`` ``&gt;`` ``&amp;``
  ``&quot;`` or numeric) is an error here when ``strict_amp`` is on (the default), while real
  Telegram silently keeps it. Unescaped user text is almost always a bot bug, so tests should
  see it.
* ``parse_markdown_v2`` follows TDLib's MarkdownV2 rules (reserved characters must be escaped).
* ``parse_markdown_v1`` is the legacy "Markdown" mode.

Entity offsets/lengths are computed in UTF-16 code units and are exact for the constructs above;
entities Telegram would re-split or merge in corner cases (overlapping identical formatting) are
kept as parsed, so treat offsets as very close to, not guaranteed identical with, Telegram's.
"""

from __future__ import annotations

import re
from typing import Any

from .state import sort_entities


class ParseError(Exception):
    pass


def _width(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _bo(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8", "surrogatepass"))


_TG_USER_RE = re.compile(r"^tg://user\?id=(\d{1,20})$", re.I)
_HTTP_RE = re.compile(r"^https?://[^\s/?#.][^\s]*$", re.I)
_BARE_DOMAIN_RE = re.compile(
    r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d{1,5})?([/?#]\S*)?$"
)


def tg_user_id(url: str) -> int | None:
    m = _TG_USER_RE.match(url.strip())
    return int(m.group(1)) if m else None


def check_link(url: str) -> str | None:
    """Normalised URL if Telegram would accept it for a link, else None."""
    url = url.strip()
    if not url:
        return None
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme:
        name = scheme.group(1).lower()
        if name in ("http", "https"):
            return url if _HTTP_RE.match(url) else None
        if name in ("tg", "ton"):
            return url
        return None
    if _BARE_DOMAIN_RE.match(url):
        return "http://" + url
    return None


# --------------------------------------------------------------------------- HTML

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_SUPPORTED_TAGS = set(_SIMPLE_TAGS) | {"a", "span", "tg-emoji", "pre", "code", "blockquote"}


def _decode_entity(src: str, pos: int) -> tuple[str | None, int]:
    """Decode an HTML entity at ``src[pos] == '&'``. Returns (char or None, position after it)."""
    n = len(src)
    end = pos + 1
    if end < n and src[end] == "#":
        end += 1
        value = 0
        if end < n and src[end] == "x":
            end += 1
            start = end
            while end < n and src[end] in "0123456789abcdefABCDEF":
                end += 1
            value = int(src[start:end], 16) if end > start else 0
        else:
            start = end
            while end < n and src[end].isdigit() and src[end].isascii():
                end += 1
            value = int(src[start:end]) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None, pos
        char = chr(value)
    else:
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        name = src[pos + 1 : end]
        char = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(name)
        if char is None:
            return None, pos
    if end < n and src[end] == ";":
        end += 1
    return char, end


def parse_html(src: str, *, strict_amp: bool = True) -> tuple[str, list[dict]]:
    out: list[str] = []
    u16 = 0
    stack: list[dict] = []
    entities: list[dict] = []
    n = len(src)
    i = 0
    while i < n:
        c = src[i]
        if c == "&":
            char, end = _decode_entity(src, i)
            if char is not None:
                out.append(char)
                u16 += _width(char)
                i = end
                continue
            if strict_amp:
                raise ParseError(
                    f'Unescaped "&" at byte offset {_bo(src, i)}; write it as "&amp;" '
                    "(real Telegram tolerates this, the test server is strict)"
                )
        if c != "<":
            out.append(c)
            u16 += _width(c)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and src[i] == "/":
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_bo(src, begin)}")
            j = i + 1
            while j < n and not src[j].isspace() and src[j] != ">":
                j += 1
            name = src[i + 1 : j].lower()
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != ">":
                raise ParseError(f"Unclosed end tag at byte offset {_bo(src, begin)}")
            top = stack[-1]
            if name and name != top["tag"]:
                raise ParseError(
                    f"Unmatched end tag at byte offset {_bo(src, begin)}, "
                    f'expected "</{top["tag"]}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            i = j + 1
            if u16 > top["offset"]:
                _close_html_entity(
                    top, u16 - top["offset"], "".join(out[top["out_pos"] :]), entities
                )
            continue
        j = i
        while j < n and not src[j].isspace() and src[j] != ">":
            j += 1
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {_bo(src, begin)}")
        name = src[i:j].lower()
        if name not in _SUPPORTED_TAGS:
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {_bo(src, begin)}')
        argument: str | None = None
        expandable = False
        while True:
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise ParseError(f"Unclosed start tag at byte offset {_bo(src, begin)}")
            if src[j] == ">":
                break
            attr_start = j
            while j < n and not src[j].isspace() and src[j] not in "=>":
                j += 1
            attr = src[attr_start:j].lower()
            if not attr:
                raise ParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {_bo(src, begin)}'
                )
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != "=":
                if name == "blockquote" and attr == "expandable" and j < n:
                    expandable = True
                    continue
                raise ParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset '
                    f"{_bo(src, begin)}"
                )
            j += 1
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise ParseError(f'Unclosed start tag "{name}" at byte offset {_bo(src, begin)}')
            if src[j] in "\"'":
                quote = src[j]
                j += 1
                chars: list[str] = []
                while j < n and src[j] != quote:
                    if src[j] == "&":
                        char, end = _decode_entity(src, j)
                        if char is not None:
                            chars.append(char)
                            j = end
                            continue
                    chars.append(src[j])
                    j += 1
                if j < n:
                    j += 1
                value = "".join(chars)
            else:
                token_start = j
                while j < n and (src[j].isalnum() or src[j] in ".-"):
                    j += 1
                value = src[token_start:j].lower()
                if j < n and not src[j].isspace() and src[j] != ">":
                    raise ParseError(
                        f"Unexpected end of name token at byte offset {_bo(src, token_start)}"
                    )
            if j >= n:
                raise ParseError(f"Unclosed start tag at byte offset {_bo(src, begin)}")
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
        if name == "span" and argument != "spoiler":
            raise ParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_bo(src, begin)}'
            )
        stack.append(
            {
                "tag": name,
                "arg": argument,
                "offset": u16,
                "out_pos": len(out),
                "expandable": expandable,
            }
        )
        i = j + 1
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1]['tag']}")
    return "".join(out), _finish_entities(entities)


def _close_html_entity(top: dict, length: int, inner_text: str, entities: list[dict]) -> None:
    tag, arg, offset = top["tag"], top["arg"], top["offset"]
    if tag in _SIMPLE_TAGS:
        entities.append({"type": _SIMPLE_TAGS[tag], "offset": offset, "length": length})
    elif tag == "span":
        entities.append({"type": "spoiler", "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not arg or not arg.isdigit() or int(arg) == 0:
            raise ParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": arg}
        )
    elif tag == "a":
        url = arg or inner_text
        user_id = tg_user_id(url)
        if user_id is not None:
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": user_id},
                }
            )
        else:
            checked = check_link(url)
            if checked:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": checked}
                )
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_lang")
        ):
            last["type"] = "pre"
            last["language"] = last.pop("_lang")
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and arg
        ):
            last["language"] = arg
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if arg:
                entity["_lang"] = arg
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.get("expandable") else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _finish_entities(entities: list[dict]) -> list[dict]:
    for entity in entities:
        entity.pop("_lang", None)
    # Telegram drops formatting nested inside code/pre entities.
    blocks = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in ("code", "pre")
    ]
    kept = []
    for entity in entities:
        if entity["type"] not in ("code", "pre", "blockquote", "expandable_blockquote"):
            start, end = entity["offset"], entity["offset"] + entity["length"]
            if any(b_start <= start and end <= b_end for b_start, b_end in blocks):
                continue
        kept.append(entity)
    return sort_entities(kept)


# --------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!\n")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}


def _reserved_error(c: str) -> ParseError:
    return ParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")


def _read_paren_url(src: str, i: int) -> tuple[str, int]:
    """``src[i]`` is the first char after '('; returns (url, index of ')')."""
    n = len(src)
    chars: list[str] = []
    start = i
    while i < n and src[i] != ")":
        if src[i] == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            chars.append(src[i + 1])
            i += 2
            continue
        chars.append(src[i])
        i += 1
    if i >= n:
        raise ParseError(f"Can't find end of a URL at byte offset {_bo(src, start)}")
    return "".join(chars), i


def parse_markdown_v2(src: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    u16 = 0
    stack: list[dict] = []
    entities: list[dict] = []
    have_quote = False
    n = len(src)
    i = 0
    while i < n:
        c = src[i]
        nxt = src[i + 1] if i + 1 < n else ""
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.append(nxt)
            u16 += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1]["type"] in ("code", "pre")
        if (c != "`") if in_code else (c not in _MDV2_RESERVED):
            out.append(c)
            u16 += _width(c)
            i += 1
            continue
        is_end = False
        if stack:
            top = stack[-1]["type"]
            if have_quote and c == "\n" and nxt != ">":
                is_end = True
            elif top == "bold":
                is_end = c == "*"
            elif top == "italic":
                is_end = c == "_" and nxt != "_"
            elif top == "underline":
                is_end = c == "_" and nxt == "_"
            elif top == "code":
                is_end = c == "`"
            elif top == "pre":
                is_end = src[i : i + 3] == "```"
            elif top in ("text_link", "custom_emoji"):
                is_end = c == "]"
            elif top == "strikethrough":
                is_end = c == "~"
            elif top == "spoiler":
                is_end = c == "|" and nxt == "|"
        if not is_end:
            start = i
            argument = None
            if c == "_":
                kind = "underline" if nxt == "_" else "italic"
                if nxt == "_":
                    i += 1
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|":
                if nxt != "|":
                    raise _reserved_error(c)
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if src[i : i + 3] == "```":
                    kind = "pre"
                    i += 3
                    lang_end = i
                    while lang_end < n and not src[lang_end].isspace() and src[lang_end] != "`":
                        lang_end += 1
                    if i != lang_end and lang_end < n and src[lang_end] != "`":
                        argument = src[i:lang_end]
                        i = lang_end
                    if i < n and src[i] in "\r\n":
                        i += (
                            2
                            if (i + 1 < n and src[i + 1] in "\r\n" and src[i] != src[i + 1])
                            else 1
                        )
                    i -= 1
                else:
                    kind = "code"
            elif c == "!":
                if nxt != "[":
                    raise _reserved_error(c)
                kind = "custom_emoji"
                i += 1
            elif c == "\n":
                out.append("\n")
                u16 += 1
                if nxt == ">":
                    i += 1
                    if not have_quote:
                        have_quote = True
                        stack.append(
                            {
                                "type": "blockquote",
                                "arg": None,
                                "offset": u16,
                                "byte": _bo(src, start),
                                "out_pos": len(out),
                            }
                        )
                i += 1
                continue
            elif c == ">" and i == 0:
                kind = "blockquote"
                have_quote = True
            else:
                raise _reserved_error(c)
            stack.append(
                {
                    "type": kind,
                    "arg": argument,
                    "offset": u16,
                    "byte": _bo(src, start),
                    "out_pos": len(out),
                }
            )
            i += 1
            continue
        top = stack[-1]
        kind = top["type"]
        if c == "\n" and kind != "blockquote":
            raise ParseError(
                f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {top['byte']}"
            )
        skip = u16 == top["offset"]
        entity: dict[str, Any] = {"type": kind}
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
            if top["arg"]:
                entity["language"] = top["arg"]
        elif kind == "text_link":
            if nxt == "(":
                url, i = _read_paren_url(src, i + 2)
            else:
                url = "".join(out[top["out_pos"] :])
            user_id = tg_user_id(url)
            if user_id is not None:
                entity = {"type": "text_mention", "user": {"id": user_id}}
            else:
                checked = check_link(url)
                if checked is None:
                    skip = True
                entity["url"] = checked
        elif kind == "custom_emoji":
            if nxt != "(":
                raise ParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = _read_paren_url(src, i + 2)
            m = re.match(r"^tg://emoji\?id=(\d+)$", url)
            if not m or int(m.group(1)) == 0:
                raise ParseError("Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = m.group(1)
        elif kind == "blockquote":
            have_quote = False
            out.append(c)
            u16 += 1
        if not skip:
            entity["offset"] = top["offset"]
            entity["length"] = u16 - top["offset"]
            entities.append(entity)
        stack.pop()
        i += 1
    if have_quote and stack and stack[-1]["type"] == "blockquote":
        top = stack.pop()
        if u16 > top["offset"]:
            entities.append(
                {"type": "blockquote", "offset": top["offset"], "length": u16 - top["offset"]}
            )
    if stack:
        top = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[top['type']]} entity at byte offset {top['byte']}"
        )
    return "".join(out), _finish_entities(entities)


# --------------------------------------------------------------------------- legacy Markdown


def parse_markdown_v1(src: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    u16 = 0
    entities: list[dict] = []
    n = len(src)
    i = 0
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.append(src[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += _width(c)
            i += 1
            continue
        begin = i
        is_pre = src[i : i + 3] == "```"
        end_char = "]" if c == "[" else c
        language = ""
        if is_pre:
            i += 3
            lang_end = i
            while lang_end < n and not src[lang_end].isspace() and src[lang_end] != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and src[lang_end] != "`":
                language = src[i:lang_end]
                i = lang_end
            if i < n and src[i] == "\n":
                i += 1
        else:
            i += 1
        start_u16, start_out = u16, len(out)
        while i < n and not (src[i] == end_char and (not is_pre or src[i : i + 3] == "```")):
            out.append(src[i])
            u16 += _width(src[i])
            i += 1
        if i >= n:
            raise ParseError(
                f"Can't find end of the entity starting at byte offset {_bo(src, begin)}"
            )
        length = u16 - start_u16
        entity: dict[str, Any] | None = None
        if c == "[":
            url = "".join(out[start_out:])
            if i + 1 < n and src[i + 1] == "(":
                close = src.find(")", i + 2)
                if close >= 0:
                    url = src[i + 2 : close]
                    i = close
            checked = check_link(url)
            entity = {"type": "text_link", "url": checked} if checked else None
        elif c == "*":
            entity = {"type": "bold"}
        elif c == "_":
            entity = {"type": "italic"}
        elif is_pre:
            entity = {"type": "pre", "language": language} if language else {"type": "pre"}
        else:
            entity = {"type": "code"}
        if entity and length > 0:
            entity.update(offset=start_u16, length=length)
            entities.append(entity)
        i += 3 if is_pre else 1
    return "".join(out), _finish_entities(entities)

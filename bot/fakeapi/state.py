"""Pure helpers for the fake Bot API: call records, param coercion, text checks, limits."""

from __future__ import annotations

import json
import math
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

# Keys whose values are free text and must never be JSON/bool/int-decoded.
_STRING_KEYS = frozenset(
    {
        "text",
        "caption",
        "description",
        "short_description",
        "name",
        "title",
        "data",
        "callback_data",
        "query",
        "url",
        "first_name",
        "last_name",
        "username",
        "emoji",
        "question",
        "explanation",
        "address",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "file_name",
        "parse_mode",
        "language_code",
        "secret_token",
        "action",
        "photo",
        "document",
    }
)
# Keys that Telegram documents as Integer (chat_id may also be "@username").
_INT_KEYS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "until_date",
        "max_connections",
    }
)
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+(?:\.\d*)?")


class ApiError(Exception):
    """A Telegram-style error answer ({"ok": false, ...}) raised by a method handler."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        """Keep code/description so the server can serialise them like Telegram does."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        """Build the JSON body Telegram would answer with."""
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(what: str) -> ApiError:
    """Shorthand for a 400 answer, the most common Telegram error."""
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class ApiCall:
    """One request the bot made, recorded so tests can assert on it."""

    method: str
    params: dict[str, Any]
    at: float
    result: Any
    status: int = 200
    error: JSONDict | None = None


@dataclass
class Fault:
    """An injected failure for the next `times` calls of a method (or "*")."""

    method: str  # lower-case, or "*"
    status: int
    retry_after: int | None
    times: int
    description: str

    def payload(self) -> JSONDict:
        """Telegram-shaped error body for this fault."""
        return ApiError(self.status, self.description, self.retry_after).payload()


def default_fault_description(status: int, retry_after: int | None) -> str:
    """Mimic Telegram's wording so code matching on descriptions behaves the same."""
    if status == 429:
        return f"Too Many Requests: retry after {retry_after}" if retry_after else "Too Many Requests"
    if status >= 500:
        return "Internal Server Error"
    return {
        400: "Bad Request: injected fault",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: injected fault",
    }.get(status, f"Error {status}")


@dataclass
class StoredFile:
    """Bytes behind a file_id, so getFile + download return what was uploaded."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    mime_type: str | None = None
    file_name: str | None = None

    def as_file(self) -> JSONDict:
        """The File object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


def coerce_value(key: str, value: Any) -> Any:
    """Turn form strings into the JSON types Telegram would parse them as."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return value
    if key in _INT_KEYS and _INT_RE.fullmatch(value):
        return int(value)
    if key == "timeout" and _FLOAT_RE.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() else number
    if key in _STRING_KEYS:
        return value
    if value in ("true", "false"):
        return value == "true"
    stripped = value.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Coerce every parameter of a request (see coerce_value)."""
    return {key: coerce_value(key, value) for key, value in raw.items()}


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")


def auto_entities(text: str) -> list[JSONDict]:
    """Entities Telegram detects by itself in user text: bot commands and @mentions."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


# --------------------------------------------------------------------------- formatting checks

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_HTML_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")
_HTML_ENTITY_CHAR = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ParseError(Exception):
    """Text could not be parsed for its parse_mode (Telegram: can't parse entities)."""


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _plain_html(text: str) -> str:
    """Validate Telegram HTML and return the visible text (tags removed, entities decoded)."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            match = _HTML_TAG_RE.match(text, i)
            if match is None:
                raise ParseError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise ParseError(f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(text, i)}')
            if closing:
                if not stack:
                    raise ParseError(f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}')
                if stack[-1] != name:
                    raise ParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{stack[-1]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise ParseError('Tag "span" must have class "tg-spoiler"')
                stack.append(name)
            i = match.end()
            continue
        if ch == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match is not None:
                ref = match.group(1)
                if ref.startswith("#x"):
                    out.append(chr(min(int(ref[2:], 16), 0x10FFFF)))
                elif ref.startswith("#"):
                    out.append(chr(min(int(ref[1:]), 0x10FFFF)))
                else:
                    out.append(_HTML_ENTITY_CHAR[ref])
                i = match.end()
                continue
        out.append(ch)
        i += 1
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MDV2_ALWAYS_ESCAPE = frozenset("#+-={}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


def _reserved(ch: str) -> ParseError:
    """The classic MarkdownV2 complaint about an unescaped character."""
    return ParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _plain_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 (conservatively) and return the approximate visible text."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                name = "Pre" if fence == "```" else "Code"
                raise ParseError(f"Can't find end of {name} entity at byte offset {_byte_offset(text, i)}")
            out.append(text[i + len(fence) : j])
            i = j + len(fence)
            continue
        if ch in _MDV2_ALWAYS_ESCAPE:
            raise _reserved(ch)
        if ch == ">":
            at_line_start = i == 0 or text[i - 1] == "\n"
            if not at_line_start:
                raise _reserved(ch)
            i += 1
            continue
        if ch == "|":
            if not text.startswith("||", i):
                raise _reserved(ch)
            ch = "||"
        elif ch == "_" and text.startswith("__", i):
            ch = "__"
        if ch in ("*", "_", "__", "~", "||"):
            open_markers = [marker for marker, _ in stack]
            if ch in open_markers:
                while stack and stack[-1][0] != ch:
                    stack.pop()
                stack.pop()
            else:
                stack.append((ch, i))
            i += len(ch)
            continue
        if ch == "[":
            stack.append(("[", i))
            i += 1
            continue
        if ch == "]":
            if not stack or stack[-1][0] != "[":
                raise _reserved(ch)
            stack.pop()
            i += 1
            if i < n and text[i] == "(":
                j = i + 1
                while j < n and text[j] != ")":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
                i = j + 1
            continue
        if ch in "()":
            raise _reserved(ch)
        out.append(ch)
        i += 1
    if stack:
        marker, where = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset {_byte_offset(text, where)}"
        )
    return "".join(out)


def _plain_markdown(text: str) -> str:
    """Validate legacy Markdown (unclosed *, _, `, [) and return the visible text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            marker = "```" if text.startswith("```", i) else ("]" if ch == "[" else ch)
            end = text.find(marker, i + (3 if marker == "```" else 1))
            if end < 0:
                raise ParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + (3 if marker == "```" else 1) : end])
            i = end + len(marker)
            if ch == "[" and i < n and text[i] == "(":
                close = text.find(")", i)
                i = n if close < 0 else close + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """Return what Telegram would display, raising ParseError where Telegram would refuse."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _plain_html(text)
    if mode == "markdownv2":
        return _plain_markdown_v2(text)
    if mode == "markdown":
        return _plain_markdown(text)
    return text


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
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
ACTIVE_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


def chat_member(user: JSONDict, status: str) -> JSONDict:
    """A ChatMember dict with every field PTB 22.8 requires for that status."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "restricted":
        member.update(is_member=True, until_date=0)
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = 0
    return member


# --------------------------------------------------------------------------- rate limits


@dataclass
class RateLimiter:
    """Telegram's send limits: N per rolling minute per group chat, M per rolling second."""

    per_chat_per_minute: int | None
    overall_per_second: int | None
    per_chat: dict[int, deque[float]] = field(default_factory=dict)
    overall: deque[float] = field(default_factory=deque)

    @staticmethod
    def _wait(stamps: deque[float], limit: int, window: float, now: float) -> int | None:
        """Seconds until `stamps` drops below `limit` within `window`, or None if already ok."""
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) < limit:
            return None
        oldest_needed = stamps[len(stamps) - limit]
        return max(1, math.ceil(oldest_needed + window - now))

    def check(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """Return a retry_after if sending now would exceed a limit, else None."""
        waits: list[int] = []
        if self.overall_per_second is not None:
            wait = self._wait(self.overall, self.overall_per_second, 1.0, now)
            if wait is not None:
                waits.append(wait)
        if is_group and self.per_chat_per_minute is not None:
            stamps = self.per_chat.setdefault(chat_id, deque())
            wait = self._wait(stamps, self.per_chat_per_minute, 60.0, now)
            if wait is not None:
                waits.append(wait)
        return max(waits) if waits else None

    def record(self, chat_id: int, is_group: bool, now: float) -> None:
        """Count one accepted send."""
        self.overall.append(now)
        if is_group:
            self.per_chat.setdefault(chat_id, deque()).append(now)

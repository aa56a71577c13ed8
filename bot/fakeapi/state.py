"""Shared records of the fake Bot API: errors, call log, faults, files, chat members, flood limits."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


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


# --------------------------------------------------------------------------- chat members

ADMIN_RIGHTS = (
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


def chat_member(user: JSONDict, status: str, rights: Mapping[str, bool] | None = None) -> JSONDict:
    """A ChatMember dict with every field PTB 22.8 requires; administrators get `rights` (default: all)."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(ADMIN_RIGHTS, True) if rights is None else rights)
    elif status == "restricted":
        member.update(is_member=True, until_date=0)
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = 0
    return member


def reply_copy(message: JSONDict) -> JSONDict:
    """A message as embedded in reply_to_message or pinned_message (Telegram does not nest further)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


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

"""Deep-link URLs (`https://t.me/<bot>?start=<kind>-<token>`) and reading them back from `/start <payload>`.

The payload names its kind in the clear (`form`, `export`, `record` …) so the handler that owns a kind can
claim its `/start` by a filter; everything else it stands for is kept behind the random token
(bot/services/deeplinks.py), for the one person it was made for, until it expires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton

from bot.services import deeplinks

PAYLOAD = re.compile(r"^([a-z]{1,16})-([A-Za-z0-9_-]{8,40})$")
"""Telegram allows 64 characters of A–Z, a–z, 0–9, _ and - after `start=`."""


@dataclass(frozen=True, slots=True)
class Payload:
    """What a `/start` argument says: the kind of link and its token."""

    kind: str
    token: str


async def make(
    bot: Bot,
    kind: str,
    ref: str | int,
    user_id: int,
    *,
    now: datetime,
    ttl: timedelta = deeplinks.DEFAULT_TTL,
) -> str:
    """A link that opens the private chat with the bot on `kind`/`ref`, for `user_id` only."""
    token = await deeplinks.create(kind, str(ref), user_id, now=now, ttl=ttl)
    return f"https://t.me/{bot.username}?start={kind}-{token}"


def parse(argument: str) -> Payload | None:
    """The kind and token of a `/start` argument, or None when it is not one of our links."""
    found = PAYLOAD.match(argument.strip())
    return Payload(found[1], found[2]) if found else None


def starts(kind: str) -> str:
    """A regular expression matching `/start` with a link of this kind (for a handler's filter)."""
    return rf"^/start(@\w+)?\s+{re.escape(kind)}-"


def button(label: str, url: str) -> InlineKeyboardButton:
    """A button that opens a deep link (a URL button: nothing goes through the callback codec)."""
    return InlineKeyboardButton(label, url=url)

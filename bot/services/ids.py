"""Numbers people type to name a stored thing (an alarm, a broadcast, a person): bounded, explained.

A database id is a 32-bit column (64-bit for Telegram's person ids): a longer number would not even reach the
database ("Python int too large to convert to SQLite INTEGER"), so it is refused here with a clear error.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.services.errors import UserError

MAX_ID = 2**31 - 1
"""The largest row id: integer primary keys are 32-bit on PostgreSQL."""
MAX_PERSON_ID = 2**53
"""Telegram user ids fit in 52 bits."""
NOT_AN_ID = N_("“{value}” is not an id: give the number shown, e.g. 3.")


def is_id(text: str, limit: int = MAX_ID) -> bool:
    """Whether text is an id as people type it: digits (a leading # is fine), from 1 to `limit`."""
    digits = text.strip().removeprefix("#")
    short = digits.isascii() and digits.isdigit() and len(digits) <= len(str(limit))
    return short and 0 < int(digits) <= limit


def parse_id(text: str, limit: int = MAX_ID) -> int:
    """The id a person typed (3 or #3), or a UserError saying what an id looks like."""
    if not is_id(text, limit):
        raise UserError(NOT_AN_ID, value=text)
    return int(text.strip().removeprefix("#"))

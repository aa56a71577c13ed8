"""Columns of an uploaded table found by their header names, in Chinese or English, wherever they stand."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from bot.i18n import N_
from bot.services.errors import UserError

UNITS = re.compile(r"[(（\[【].*?[)）\]】]")
"""A unit or note in brackets after a header name: 平均响应时间(秒), sales (CNY)."""
SPACES = re.compile(r"[\s_\-:：]+")


def normalise(header: str) -> str:
    """A header as compared: width-folded, lower case, without units in brackets, spaces or dashes."""
    return SPACES.sub("", UNITS.sub("", unicodedata.normalize("NFKC", header)).lower())


def find_columns(
    header: Sequence[str], names: Mapping[str, Sequence[str]], required: Sequence[str]
) -> dict[str, int]:
    """Column key → position for every key whose name appears in the header row; a missing required key is an
    error naming the names it may have."""
    wanted = {normalise(name): key for key, aliases in names.items() for name in aliases}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = wanted.get(normalise(cell))
        if key is not None and key not in found:
            found[key] = position
    missing = [key for key in required if key not in found]
    if missing:
        raise UserError(
            N_("The first row needs a column named {names}."), names=" / ".join(names[missing[0]])
        )
    return found

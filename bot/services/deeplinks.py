"""Deep links (`t.me/<bot>?start=…`): a short random token stands for what a link opens, for one person.

A link carries no data of its own, only the token: what it opens (a form, an export, a record) is kept here,
for the person it was made for, until it expires. Each person holds a bounded number of live links, so a
button pressed a thousand times cannot fill the table.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import DeepLink
from bot.services.errors import UserError

DEFAULT_TTL = timedelta(hours=1)
MAX_PER_PERSON = 20
"""Live links one person may hold; making another drops their oldest."""
TOKEN_BYTES = 12
"""16 URL-safe characters: 96 random bits, beyond guessing, well within Telegram's 64-character payload."""
KIND_MAX = DeepLink._meta.fields_map["kind"].max_length  # type: ignore[attr-defined]
REF_MAX = DeepLink._meta.fields_map["ref"].max_length  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Link:
    """What a deep link opens: its kind (`form`, `export`, `record` …), a reference, and for whom."""

    kind: str
    ref: str
    user_id: int


async def create(kind: str, ref: str, user_id: int, *, now: datetime, ttl: timedelta = DEFAULT_TTL) -> str:
    """Store a new link and return its token; expired links go, and the person's oldest beyond the bound."""
    if not 0 < len(kind) <= KIND_MAX or len(ref) > REF_MAX:
        raise ValueError(f"deep link out of bounds: {kind!r} {ref!r}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with in_transaction() as conn:
        await DeepLink.filter(expires_at__lte=now).using_db(conn).delete()
        held = await (
            DeepLink.filter(user_id=user_id).using_db(conn).order_by("-created_at", "-expires_at")
        ).values_list("token", flat=True)
        surplus = [str(old) for old in held[MAX_PER_PERSON - 1 :]]
        if surplus:
            await DeepLink.filter(token__in=surplus).using_db(conn).delete()
        await DeepLink.create(
            token=token, kind=kind, ref=ref, user_id=user_id, expires_at=now + ttl, using_db=conn
        )
    return token


async def take(token: str, kind: str, user_id: int, *, now: datetime, once: bool = True) -> Link:
    """The link a token stands for, checked: of this kind, not expired, made for this person. A link that
    opens something once (a form) is used up here."""
    found = await DeepLink.get_or_none(token=token, kind=kind)
    if found is None or found.expires_at <= now:
        raise UserError(N_("This link has expired or was already used: ask for a new one."))
    if found.user_id != user_id:
        raise UserError(N_("This link was made for someone else: ask for your own."))
    if once:
        await DeepLink.filter(token=token).delete()
    return Link(found.kind, found.ref, int(found.user_id))

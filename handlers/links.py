"""`/start <payload>`: a deep link lands on what it opens (a private form, an export, a record), via the gate.

A feature makes a link with `bot.render.deeplink.make(bot, kind, ref, user_id, now=…)` and says what opening
it does with `opener(kind, action, handler)`; `/start` (handlers/basics.py) hands every link it does not know
here. The gate has already checked `/start`; the opener's own action is asked about once the link is read.
A handler that must own its `/start` (a ConversationHandler's entry point) claims the kind with a filter on
`deeplink.starts(kind)` instead, and reads the link with `take`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.i18n import N_
from bot.render import deeplink
from bot.services import deeplinks
from bot.services.errors import UserError
from handlers.gate import Call
from jobs.engine import now

Opener = Callable[[Call, deeplinks.Link], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Entry:
    """What opening one kind of link does, the action the permission map is asked about, and whether the
    link is used up by opening it."""

    action: str
    open: Opener
    once: bool


OPENERS: dict[str, Entry] = {}


def opener(kind: str, action: str, handler: Opener, *, once: bool = False) -> None:
    """Say what a kind of link opens (called from a handlers module's `register`)."""
    OPENERS[kind] = Entry(action, handler, once)


async def take(call: Call, kind: str, *, once: bool) -> deeplinks.Link:
    """The link a `/start <payload>` of this kind carries, checked for this person, or a clear error."""
    payload = deeplink.parse(call.args[0]) if call.args else None
    if payload is None or payload.kind != kind:
        raise UserError(N_("This link has expired or was already used: ask for a new one."))
    return await deeplinks.take(payload.token, kind, call.user_id, now=now(), once=once)


async def dispatch(call: Call) -> bool:
    """Open the deep link `/start` carries; False when it carries none (a plain /start greets)."""
    payload = deeplink.parse(call.args[0]) if call.args else None
    if payload is None:
        return False
    entry = OPENERS.get(payload.kind)
    if entry is None:
        raise UserError(N_("This link has expired or was already used: ask for a new one."))
    link = await take(call, payload.kind, once=entry.once)
    call.require(entry.action)
    await entry.open(call, link)
    return True

"""Customer data kept in its place: group messages carrying it are deleted once used, /forget erases a buyer.

A person's group message with a real name, phone, address or Alipay account (a record typed in full, a search
by phone) is deleted once the bot has acted on it; when the bot is not allowed to, the group is told once how
to allow it. `/forget <buyer|phone|order>` (a manager, in private) shows what would be erased and asks first.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import N_
from bot.render.codec import Family
from bot.render.keyboards import keyboard, press
from bot.services import masking
from bot.services.errors import UserError
from bot.services.ids import MAX_ID
from bot.services.records import erasure
from bot.services.team import chats
from handlers.gate import Call, Target, button, command
from jobs.engine import now

log = logging.getLogger(__name__)

PENDING_KEY = "forget_pending"
MAX_PENDING = 20
LISTED = 20
"""Record ids a /forget confirmation names; the rest are counted."""
DELETE_HINT = N_(
    "🔒 I could not delete that message, so the customer data in it stays visible to everyone here. Make me "
    "an administrator of this group with the right “Delete messages” (group info → Edit → Administrators → "
    "Add administrator → me → Delete messages): then I remove such messages once the record is saved and "
    "only masked data stays in the group. (I say this once.)"
)


async def scrub(call: Call) -> bool:
    """Delete the person's group message that carried customer data, after the bot answered it; when the bot
    may not, tell the group once how to allow it. Whether the message is gone."""
    if call.is_private or call.button is not None:
        return False
    try:
        await call.message.delete()
    except TelegramError as exc:
        log.info("message %s in chat %s not deleted: %s", call.message.message_id, call.chat_id, exc)
    else:
        return True
    if await chats.first_delete_hint(call.chat_id, now()):
        await call.context.bot.send_message(call.chat_id, call.t(DELETE_HINT))
    return False


@dataclass(frozen=True, slots=True)
class Pending:
    """A /forget waiting for its confirmation: the records and follow-ups it would erase."""

    record_ids: list[int]
    followup_ids: list[int] = field(default_factory=list)


async def forget(call: Call) -> None:
    """`/forget <buyer|phone|order>`: say which records would lose their customer data, and ask first."""
    if not call.is_private:
        await call.reply(
            call.t("Use /forget in a private chat with me: a buyer's data does not belong in a group.")
        )
        await scrub(call)
        return
    if not call.args:
        raise UserError(N_("Forget whom? Give a buyer ID, a phone number or an order number."))
    found = await erasure.matching(" ".join(call.args))
    if not found:
        raise UserError(erasure.NOTHING)
    assert call.context.chat_data is not None
    pending: dict[int, Pending] = call.context.chat_data.setdefault(PENDING_KEY, {})
    while len(pending) >= MAX_PENDING:
        pending.pop(next(iter(pending)))
    token = secrets.randbelow(MAX_ID) + 1
    pending[token] = Pending([r.id for r in found.records], [f.id for f in found.followups])
    named = [r.short_id for r in found.records] + [
        f.order_no for f in found.followups
    ]  # orders: not personal
    ids = ", ".join(named[:LISTED])
    if len(named) > LISTED:
        ids += " " + call.t("and {count} more", count=len(named) - LISTED)
    text = call.t(
        "🗑 Erase the customer data of {count} record(s) and {followups} follow-up(s): {ids}?\nBuyer IDs, "
        "real names, phones, addresses and Alipay accounts become {marker} in these records, their history "
        "and the audit log, in these follow-ups, and in handover items and alarms that name the buyer. "
        "Amounts, order and tracking numbers, statuses and counts stay. This cannot be undone.",
        count=len(found.records),
        followups=len(found.followups),
        ids=ids,
        marker=masking.ERASED,
    )
    buttons = [
        press(call.t("Erase 🗑"), Family.FORGET, "confirm", token),
        press(call.t("Cancel ✖️"), Family.FORGET, "cancel", token),
    ]
    await call.reply(text, reply_markup=keyboard(buttons))


async def load_pending(call: Call) -> Target[Pending] | None:
    """The /forget a confirmation button answers (held in this private chat)."""
    assert call.button is not None
    pending: dict[int, Pending] = (call.context.chat_data or {}).get(PENDING_KEY, {})
    found = pending.get(call.button.id)
    return None if found is None else Target(found, "forget", frozenset({call.chat_id}))


async def decide(call: Call, pending: Pending) -> None:
    """Erase (audited without the values) or leave everything as it was."""
    assert call.button is not None and call.context.chat_data is not None
    call.context.chat_data[PENDING_KEY].pop(call.button.id, None)
    if call.button.verb == "cancel":
        await call.answer()
        await call.query.edit_message_text(call.t("✖️ Cancelled: nothing was erased."), reply_markup=None)
        return
    erased = await erasure.forget(
        pending.record_ids, pending.followup_ids, actor_id=call.user_id, chat_id=call.chat_id, now=now()
    )
    await call.answer()
    await call.query.edit_message_text(
        call.t(
            "🗑 Erased: the customer data of {records} record(s), {events} history entries, {audit} audit "
            "entries, {handover} handover items, {alarms} alarms and {followups} follow-ups. The audit log "
            "notes the erasure, without the data.",
            records=len(erased.records),
            events=erased.events,
            audit=erased.audit,
            handover=erased.handover,
            alarms=erased.alarms,
            followups=erased.followups,
        ),
        reply_markup=None,
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /forget and its confirmation buttons."""
    app.add_handler(command("forget", forget))
    app.add_handler(button(Family.FORGET, load_pending, decide))

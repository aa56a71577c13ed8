"""Record cards: the text and buttons of a record, shown by handlers and by the deadline watches alike."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.models import Record
from bot.render.codec import ESCALATE, Family
from bot.render.keyboards import keyboard, press
from bot.services.records import text as rt
from bot.services.rotations import review_groups
from bot.services.team import people


def status_buttons(t: Translator, record: Record) -> InlineKeyboardMarkup | None:
    """The buttons that move a record to its next statuses (and an open review case to the next group)."""
    buttons = [press(label, Family.RECORD, target, record.id) for label, target in rt.transitions(t, record)]
    if review_groups.can_escalate(record):
        buttons.append(
            press(t("Escalate ⤴"), Family.RECORD, ESCALATE, record.id, review_groups.case_group(record))
        )
    return keyboard(buttons)


async def card_text(
    t: Translator, record: Record, zone: ZoneInfo, *, masked: bool, caller: people.SeenUser | None = None
) -> str:
    """A record's card with its author's name (taken from the caller when they are the author: no lookup)."""
    if caller is not None and caller.id == record.author_id:
        name = people.display_name(caller)
    else:
        author = await people.get(record.author_id)
        name = author.display_name if author else str(record.author_id)
    return rt.card(t, record, masked=masked, author=name, zone=zone)

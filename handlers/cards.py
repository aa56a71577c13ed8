"""Record cards' buttons, shared by the record handlers and the deadline watches that post them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.models import Record
from bot.services.records import text as rt
from bot.services.rotations import review_groups


def status_buttons(t: Translator, record: Record) -> InlineKeyboardMarkup | None:
    """The buttons that move a record to its next statuses (and an open review case to the next group)."""
    buttons = [
        InlineKeyboardButton(label, callback_data=f"rs:{record.id}:{target}")
        for label, target in rt.transitions(t, record)
    ]
    if review_groups.can_escalate(record):
        group = review_groups.case_group(record)
        buttons.append(InlineKeyboardButton(t("Escalate ⤴"), callback_data=f"rx:{record.id}:{group}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None

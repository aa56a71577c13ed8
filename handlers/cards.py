"""Record cards' buttons, shared by the record handlers and the deadline watches that post them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.models import Record
from bot.services import record_text as rt


def status_buttons(t: Translator, record: Record) -> InlineKeyboardMarkup | None:
    """The buttons that move a record to its next statuses."""
    buttons = [
        InlineKeyboardButton(label, callback_data=f"rs:{record.id}:{target}")
        for label, target in rt.transitions(t, record)
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None

"""Inline keyboards that jobs and handlers both put under messages, each built with the one codec."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.render.codec import Family, encode

SNOOZE_MINUTES = (5, 15)
"""The snoozes an alarm offers; a press asking for any other length is refused as out of date."""
PER_ROW = 3


def keyboard(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """A keyboard of the non-empty rows, or None when nothing is left."""
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def press(label: str, family: Family, verb: str, id: int = 0, arg: int = 0) -> InlineKeyboardButton:
    """One button carrying codec data."""
    return InlineKeyboardButton(label, callback_data=encode(family, verb, id, arg))


def alarm_buttons(t: Translator, occurrence_id: int) -> InlineKeyboardMarkup | None:
    """Done and Snooze buttons under an alarm."""
    return keyboard(
        [
            press(t("Done ✅"), Family.ALARM, "done", occurrence_id),
            *(
                press(
                    t("Snooze {minutes} min", minutes=minutes), Family.ALARM, "snooze", occurrence_id, minutes
                )
                for minutes in SNOOZE_MINUTES
            ),
        ]
    )


def escalation_buttons(t: Translator, alarm_id: int, *, taken: bool = False) -> InlineKeyboardMarkup | None:
    """Done and I'm on it under an escalation (both act on the alarm's posting); Done alone once taken."""
    onit = [] if taken else [press(t("I'm on it 🙋"), Family.ALARM, "onit", alarm_id)]
    return keyboard([press(t("Done ✅"), Family.ALARM, "done", alarm_id), *onit])


def got_it(t: Translator, broadcast_id: int) -> InlineKeyboardMarkup | None:
    """The one button under a delivered broadcast: pressing it records who read it."""
    return keyboard([press(t("Got it 👍"), Family.BROADCAST, "ack", broadcast_id)])


def broadcast_decision(t: Translator, broadcast_id: int) -> InlineKeyboardMarkup | None:
    """Confirm and Cancel under a broadcast's preview."""
    return keyboard(
        [
            press(t("Confirm ✅"), Family.BROADCAST, "confirm", broadcast_id),
            press(t("Cancel ✖️"), Family.BROADCAST, "cancel", broadcast_id),
        ]
    )


def broadcast_cancel(t: Translator, broadcast_id: int) -> InlineKeyboardMarkup | None:
    """Cancel stays under a scheduled broadcast until it goes out."""
    return keyboard([press(t("Cancel ✖️"), Family.BROADCAST, "cancel", broadcast_id)])


def handover_items(t: Translator, item_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """A ✅ button per handover item, three to a row."""
    buttons = [press(t("✅ #{id}", id=item_id), Family.HANDOVER, "done", item_id) for item_id in item_ids]
    return keyboard(*(buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)))


def swap_answer(t: Translator, swap_id: int) -> InlineKeyboardMarkup | None:
    """Accept / Decline for the colleague asked to swap."""
    return keyboard(
        [
            press(t("Accept ✅"), Family.SWAP, "accept", swap_id),
            press(t("Decline ❌"), Family.SWAP, "decline", swap_id),
        ]
    )


def swap_decision(t: Translator, swap_id: int) -> InlineKeyboardMarkup | None:
    """Approve / Decline for a supervisor once both agreed."""
    return keyboard(
        [
            press(t("Approve ✅"), Family.SWAP, "approve", swap_id),
            press(t("Decline ❌"), Family.SWAP, "refuse", swap_id),
        ]
    )


def appeal_decision(t: Translator, entry_id: int) -> InlineKeyboardMarkup | None:
    """Keep / Cancel under an appeal against a fine, for the managers."""
    return keyboard(
        [
            press(t("Keep the fine ✅"), Family.APPEAL, "keep", entry_id),
            press(t("Cancel the fine ↩️"), Family.APPEAL, "cancel", entry_id),
        ]
    )


def pages(
    t: Translator, family: Family, verb: str, page: int, count: int, id: int = 0
) -> list[InlineKeyboardButton]:
    """◀ and ▶ buttons where there are more pages (a row to add to a keyboard)."""
    row = []
    if page > 1:
        row.append(press(t("◀ Previous"), family, verb, id, page - 1))
    if page < count:
        row.append(press(t("Next ▶"), family, verb, id, page + 1))
    return row


def followup_buttons(t: Translator, followup_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """Done / Called / No answer for each follow-up of a morning list, one row each."""
    return keyboard(
        *(
            [
                press(t("✅ #{id}", id=followup_id), Family.FOLLOWUP, "done", followup_id),
                press(t("📞 Called #{id}", id=followup_id), Family.FOLLOWUP, "called", followup_id),
                press(t("🔕 No answer #{id}", id=followup_id), Family.FOLLOWUP, "noanswer", followup_id),
            ]
            for followup_id in followup_ids
        )
    )


def leave_decision(t: Translator, leave_id: int) -> InlineKeyboardMarkup | None:
    """Approve / Decline for a supervisor under a leave request."""
    return keyboard(
        [
            press(t("Approve ✅"), Family.LEAVE, "approve", leave_id),
            press(t("Decline ❌"), Family.LEAVE, "decline", leave_id),
        ]
    )

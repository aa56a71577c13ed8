"""The finance chat's list of refunds waiting for an answer, with Paid / Rejected buttons and pages."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.render.codec import Family
from bot.render.keyboards import keyboard, pages, press
from bot.services.digests import content


def answer_list(t: Translator, waiting: content.Waiting) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of refunds to answer: a line and two buttons each, ◀ ▶ when there are more pages."""
    if not waiting.records:
        return t("✅ Every refund sent to finance has an answer."), None
    lines = [
        t(
            "💰 Refunds waiting for your answer: {count}. Press ✅ when paid, ❌ to reject (then reply with "
            "the reason).",
            count=waiting.total,
        ),
        *(content.refund_line(t, record) for record in waiting.records),
    ]
    if waiting.pages > 1:
        lines.append(t("Page {page} of {pages}", page=waiting.page, pages=waiting.pages))
    rows = [
        [
            press(t("✅ {id} paid", id=record.short_id), Family.FINANCE, "paid", record.id, waiting.page),
            press(
                t("❌ {id} rejected", id=record.short_id), Family.FINANCE, "reject", record.id, waiting.page
            ),
        ]
        for record in waiting.records
    ]
    return "\n".join(lines), keyboard(*rows, pages(t, Family.FINANCE, "page", waiting.page, waiting.pages))

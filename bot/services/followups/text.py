"""How follow-ups read: the owner's private list (with the phone at the phone stage) and the masked lines
groups see (the phone never)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.models import FollowUp
from bot.services import masking
from bot.services.followups.book import MissedFollowUp, days_open, is_overdue, needs_call
from bot.services.when import format_day

MAX_LISTED = 15
"""Follow-ups one morning list shows with buttons; /followup lists them all."""


def line(t: Translator, followup: FollowUp, now: datetime, zone: ZoneInfo, *, private: bool) -> str:
    """One follow-up: order, buyer, stage, tries, deadline; the phone only in private, masked elsewhere."""
    head = t(
        "#{id} order {order} · buyer {buyer} · day {day}",
        id=followup.id,
        order=followup.order_no,
        buyer=followup.buyer or "—",
        day=days_open(followup, now, zone),
    )
    if needs_call(followup, now, zone):
        phone = followup.phone or ""
        shown = phone if private else masking.phone(phone) if phone else ""
        stage = t("📞 call now: {phone}", phone=shown) if shown else t("📞 call now (no phone noted)")
    else:
        stage = t("💬 on the platform chat")
    parts = [head, stage]
    if followup.attempts:
        parts.append(t.ngettext("{n} try", "{n} tries", followup.attempts))
    if is_overdue(followup, now):
        parts.append(
            t("⚠️ past its deadline {day}", day=format_day(followup.due_at.astimezone(zone).date(), t.locale))
        )
    if followup.note:
        parts.append(followup.note if private else masking.in_text(followup.note))
    return " · ".join(parts)


def morning_list(t: Translator, followups: list[FollowUp], now: datetime, zone: ZoneInfo) -> str:
    """The owner's private morning list: calls first, then the rest, oldest first."""
    lines = [t("📋 Your follow-ups today: {n}.", n=len(followups))]
    lines += [line(t, f, now, zone, private=True) for f in shown_first(followups, now, zone)]
    if len(followups) > MAX_LISTED:
        lines.append(t("… and {count} more: /followup lists them all.", count=len(followups) - MAX_LISTED))
    return "\n".join(lines)


def shown_first(followups: list[FollowUp], now: datetime, zone: ZoneInfo) -> list[FollowUp]:
    """The follow-ups a morning list shows with buttons: calls first, then the rest, oldest first."""
    return sorted(followups, key=lambda f: (not needs_call(f, now, zone), f.created_at, f.id))[:MAX_LISTED]


def flagged(
    t: Translator, followups: list[FollowUp], names: dict[int, str], now: datetime, zone: ZoneInfo
) -> str:
    """For the supervisors: follow-ups past their deadline, with their owners (masked)."""
    lines = [
        t.ngettext(
            "⚠️ {n} follow-up is past its deadline:",
            "⚠️ {n} follow-ups are past their deadline:",
            len(followups),
        )
    ]
    lines += [
        t(
            "{line} · owner {name}",
            line=line(t, f, now, zone, private=False),
            name=names.get(f.owner_id, str(f.owner_id)),
        )
        for f in followups
    ]
    return "\n".join(lines)


def missed_lines(t: Translator, missed: list[MissedFollowUp], names: dict[int, str]) -> list[str]:
    """For /review stats: the bad reviews that followed an overdue follow-up, with whose it was."""
    if not missed:
        return []
    lines = [t("⚠️ After an overdue follow-up: {n}", n=len(missed))]
    for found in missed:
        whose = t("silent customer") if found.silent else names.get(found.owner_id, str(found.owner_id))
        lines.append(
            t(
                "• {review} · order {order} · follow-up of {name}",
                review=found.review,
                order=found.order_no,
                name=whose,
            )
        )
    return lines

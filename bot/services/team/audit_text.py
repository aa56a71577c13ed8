"""Readable lines for audit entries: names instead of ids, local time, translated actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import N_
from bot.models import AuditEntry, Person
from bot.services import masking

ACTION_LABELS: dict[str, str] = {
    "role.change": N_("roles changed"),
    "role.grant": N_("role granted"),
    "chat.setup": N_("group registered"),
    "chat.unset": N_("group's purpose moved away"),
    "chat.lang": N_("language changed"),
    "config": N_("rule changed"),
    "record.create": N_("record logged"),
    "record.status": N_("record status"),
    "record.edit": N_("record edited"),
    "record.void": N_("record voided"),
    "record.reverse": N_("refund reversed"),
    "record.escalate": N_("record escalated"),
    "rotation.members": N_("rotation members set"),
    "rotation.period": N_("rotation period set"),
    "rotation.override": N_("rotation stand-in added"),
    "rotation.skip": N_("rotation handoff skipped"),
    "shopday.change": N_("shop day changed"),
    "privacy.forget": N_("customer data erased on request"),
    "privacy.retention": N_("customer data erased after the retention period"),
}


LINE_LIMIT = 300
"""An entry's line is cut here: a roster import's change would otherwise fill dozens of messages."""


def _value(value: Any, masked: bool) -> str:
    """Show a recorded state compactly: values only, lists comma-separated, personal data masked (also
    phones and e-mail addresses inside free text)."""
    if isinstance(value, str) and masked:
        return masking.in_text(value) or "—"
    if isinstance(value, dict):
        shown = [
            masking.MASKS[key](str(item))
            if masked and key in masking.MASKS and item
            else _value(item, masked)
            for key, item in value.items()
            if item not in (None, "")
        ]
        return "; ".join(shown) or "—"
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(item, masked) for item in value)
    return str(value)


async def describe_entries(
    t: Callable[..., str], entries: list[AuditEntry], zone: ZoneInfo, *, masked: bool
) -> list[str]:
    """One line per entry: when, who, what, on whom, before → after."""
    person_ids = {e.actor_id for e in entries if e.actor_id}
    person_ids |= {int(e.target.split(":")[1]) for e in entries if e.target.startswith("person:")}
    names = {p.id: p.display_name for p in await Person.filter(id__in=person_ids)}
    lines = []
    for entry in entries:
        actor = names.get(entry.actor_id, str(entry.actor_id)) if entry.actor_id else t("the bot")
        target = entry.target
        if target.startswith("person:"):
            target = names.get(int(target.split(":")[1]), target)
        when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        action = t(ACTION_LABELS[entry.action]) if entry.action in ACTION_LABELS else entry.action
        change = f"{_value(entry.before, masked)} → {_value(entry.after, masked)}"
        line = f"#{entry.id} {when} {actor}: {action} {target}: {change}"
        lines.append(line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…")
    return lines

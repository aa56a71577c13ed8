"""Readable lines for audit entries: names instead of ids, local time, translated actions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
    "roster.set": N_("roster set"),
    "roster.off": N_("roster days off"),
    "roster.import": N_("roster imported"),
    "schedule.create": N_("schedule created"),
    "schedule.state": N_("schedule state"),
}


LINE_LIMIT = 300
"""An entry's line is cut here: a roster import's change would otherwise fill dozens of messages."""


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
BULK = 3
"""More items than this are summarised (12 days, first – last) instead of listed one by one."""


@dataclass(frozen=True, slots=True)
class Values:
    """Shows recorded states compactly in the reader's language and the shop's time."""

    t: Callable[..., str]
    zone: ZoneInfo
    masked: bool

    def show(self, value: Any) -> str:
        """Values only, lists comma-separated, times local, bulk changes summarised, personal data masked
        (also phones and e-mail addresses inside free text)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return self.mapping(value)
        if value in (None, []):
            return "—"
        if isinstance(value, list):
            return self.items(value)
        return str(value)

    def text(self, value: str) -> str:
        """A stored text: a UTC instant in the shop's time, else as typed (masked when asked)."""
        if ISO_MOMENT.match(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        if self.masked:
            return masking.in_text(value) or "—"
        return value or "—"

    def mapping(self, value: dict[str, Any]) -> str:
        """A dict: per-day values as a summary, nested ones with their keys (a roster import per person)."""
        kept = {key: item for key, item in value.items() if item not in (None, "")}
        if len(kept) > 1 and all(ISO_DAY.match(key) for key in kept):
            return self.days(sorted(kept), [self.show(item) for item in kept.values()])
        shown = [
            masking.MASKS[key](str(item))
            if self.masked and key in masking.MASKS
            else f"{key}: {self.show(item)}"
            if isinstance(item, dict)
            else self.show(item)
            for key, item in kept.items()
        ]
        return "; ".join(shown) or "—"

    def items(self, value: list[Any]) -> str:
        """A list; many days (or `day shift` entries) as a summary rather than one by one."""
        texts = [str(item) for item in value]
        if len(value) > BULK and all(ISO_DAY.match(item) for item in texts):
            return self.days([item[:10] for item in texts], [item[10:].strip() for item in texts])
        return ", ".join(self.show(item) for item in value)

    def days(self, days: list[str], what: list[str]) -> str:
        """`12 days, 2026-12-01 – 2026-12-12: day ×10, night ×2`."""
        distinct = sorted(set(days))
        counted = Counter(item for item in what if item)
        summary = self.t("{n} days, {first} – {last}", n=len(distinct), first=distinct[0], last=distinct[-1])
        if not counted:
            return summary
        return summary + ": " + ", ".join(f"{item} ×{n}" if n > 1 else item for item, n in counted.items())


async def describe_entries(
    t: Callable[..., str], entries: list[AuditEntry], zone: ZoneInfo, *, masked: bool
) -> list[str]:
    """One line per entry: when, who, what, on whom, before → after."""
    person_ids = {e.actor_id for e in entries if e.actor_id}
    person_ids |= {int(e.target.split(":")[1]) for e in entries if e.target.startswith("person:")}
    names = {p.id: p.display_name for p in await Person.filter(id__in=person_ids)}
    values = Values(t, zone, masked)
    lines = []
    for entry in entries:
        actor = names.get(entry.actor_id, str(entry.actor_id)) if entry.actor_id else t("the bot")
        target = entry.target
        if target.startswith("person:"):
            target = names.get(int(target.split(":")[1]), target)
        when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        action = t(ACTION_LABELS[entry.action]) if entry.action in ACTION_LABELS else entry.action
        change = f"{values.show(entry.before)} → {values.show(entry.after)}"
        line = f"#{entry.id} {when} {actor}: {action} {target}: {change}"
        lines.append(line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…")
    return lines

"""Digests: scheduled summaries posted to the finance, warehouse and supervisors' chats, set with /digest."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.enums import ChatPurpose, ScheduleKind
from bot.i18n import N_
from bot.models import Chat, Delivery, Schedule
from bot.services.errors import UserError
from bot.services.scheduling import deliveries, schedules
from bot.services.team import chats
from bot.services.when import (
    CHINA,
    Interval,
    Once,
    Reading,
    Recurring,
    Rule,
    ShopCalendar,
    from_json,
    read_rule,
)

KIND = ScheduleKind.DIGEST
FINANCE, WAREHOUSE, SUPERVISORS = "finance", "warehouse", "supervisors"
NAMES = (FINANCE, WAREHOUSE, SUPERVISORS)
PURPOSE: dict[str, ChatPurpose] = {
    FINANCE: ChatPurpose.FINANCE,
    WAREHOUSE: ChatPurpose.WAREHOUSE,
    SUPERVISORS: ChatPurpose.SUPERVISORS,
}
"""Each digest goes to the chats registered for one purpose."""
DIGEST_OF: dict[ChatPurpose, str] = {purpose: name for name, purpose in PURPOSE.items()}
ALIASES: dict[str, str] = {
    **{name: name for name in NAMES},
    "supervisor": SUPERVISORS,
    "财务": FINANCE,
    "仓库": WAREHOUSE,
    "主管": SUPERVISORS,
}
LABELS: dict[str, str] = {
    FINANCE: N_("Finance digest (yesterday's refund table)"),
    WAREHOUSE: N_("Warehouse digest (complaint slips supervisors forwarded)"),
    SUPERVISORS: N_("Supervisors' digest (open problem orders)"),
}
DEFAULT_RULES: dict[str, Rule] = {
    FINANCE: Recurring(time(8, 30)),
    WAREHOUSE: Recurring(time(18, 0)),
    SUPERVISORS: Interval(180, time(9, 0), time(18, 0)),
}
"""Finance before work, the warehouse at the end of the day shift, supervisors every 3 hours of the day."""
OFF_WORDS = frozenset({"off", "关闭", "关", "停"})
ON_WORDS = frozenset({"on", "开启", "开", "打开"})
LIVE = (schedules.ACTIVE, schedules.PAUSED)


def parse_name(text: str) -> str:
    """A digest by name, in English or Chinese."""
    name = ALIASES.get(text.strip().lower())
    if name is None:
        raise UserError(
            N_("Unknown digest “{value}”. Digests: finance 财务, warehouse 仓库, supervisors 主管."),
            value=text,
        )
    return name


def text_of(name: str) -> str:
    """What a digest schedule says in lists of alarms (and of missed postings)."""
    return f"digest: {name}"


async def of_name(name: str) -> list[Schedule]:
    """A digest's schedules (one per chat registered for its purpose), paused ones included."""
    return await Schedule.filter(kind=KIND, ref=name, state__in=LIVE).order_by("chat_id")


async def ensure(
    chat_id: int, purpose: ChatPurpose | None, *, actor_id: int, zone: ZoneInfo, now: datetime
) -> list[Schedule]:
    """Give a chat the digest of its purpose (once), and end digests it no longer gets; returns new ones.

    A new chat of a purpose takes the time already set for that digest elsewhere, else the default.
    """
    wanted = DIGEST_OF.get(purpose) if purpose else None
    stale = Schedule.filter(kind=KIND, chat_id=chat_id, state__in=LIVE)
    for schedule in await (stale.exclude(ref=wanted) if wanted else stale):
        await schedules.set_state(schedule, schedules.DELETED, actor_id=actor_id, now=now)
    if wanted is None or await Schedule.exists(kind=KIND, ref=wanted, chat_id=chat_id, state__in=LIVE):
        return []
    sibling = await Schedule.filter(kind=KIND, ref=wanted, state__in=LIVE).first()
    rule = from_json(sibling.rule) if sibling else DEFAULT_RULES[wanted]
    schedule = await schedules.create(
        kind=KIND,
        chat_id=chat_id,
        owner_id=actor_id,
        parsed=Reading(rule, text_of(wanted)),
        zone=zone,
        now=now,
        ref=wanted,
        escalate_minutes=None,
    )
    if sibling is not None and sibling.state == schedules.PAUSED:
        schedule = await schedules.set_state(schedule, schedules.PAUSED, actor_id=actor_id, now=now)
    return [schedule]


async def ensure_registered(*, actor_id: int, zone: ZoneInfo, now: datetime) -> list[Schedule]:
    """Digests for every registered chat that should get one (at start-up, for chats registered earlier)."""
    created: list[Schedule] = []
    for chat in await chats.registered():
        purpose = ChatPurpose(str(chat.purpose)) if chat.purpose else None
        if purpose in DIGEST_OF:
            created += await ensure(chat.id, purpose, actor_id=actor_id, zone=zone, now=now)
    return created


def parse_rule(words: list[str], now: datetime, zone: ZoneInfo, calendar: ShopCalendar = CHINA) -> Reading:
    """When a digest comes: a time of day (daily), on chosen days, or every N hours in a window; never a
    one-off. The reading says whether to confirm it first (每天3点: 03:00 or 15:00?)."""
    reading = read_rule(" ".join(words), now, zone, calendar)
    if isinstance(reading.rule, Once):
        raise UserError(
            N_("A digest repeats: give a time of day (08:30, 8点30) or every 3h from 09:00 to 18:00.")
        )
    return reading


async def targets(name: str) -> list[Schedule]:
    """The schedules a /digest change applies to, or why there are none."""
    found = await of_name(name)
    if not found:
        raise UserError(
            N_("No group gets this digest yet: type /setup {purpose} in that group first."),
            purpose=PURPOSE[name].value,
        )
    return found


async def retime(name: str, rule: Rule, *, actor_id: int, now: datetime) -> list[Schedule]:
    """Move a digest to a new time in every chat that gets it; paused ones stay paused."""
    return [
        await schedules.retime(schedule, rule, actor_id=actor_id, now=now, action="digest.time")
        for schedule in await targets(name)
    ]


async def switch(name: str, on: bool, *, actor_id: int, now: datetime) -> list[Schedule]:
    """Turn a digest off or back on in every chat that gets it."""
    state = schedules.ACTIVE if on else schedules.PAUSED
    return [
        await schedules.set_state(schedule, state, actor_id=actor_id, now=now)
        for schedule in await targets(name)
    ]


async def chat_titles(found: list[Schedule]) -> dict[int, str]:
    """The titles of the chats some digests go to."""
    return await chats.titles(int(schedule.chat_id) for schedule in found)


async def is_finance_chat(chat_id: int) -> bool:
    """Whether a chat is registered as the finance team's: only there are refund tables read back."""
    return await Chat.exists(id=chat_id, purpose=ChatPurpose.FINANCE)


async def latest_part(chat_id: int, part: str) -> int | None:
    """The message id of the latest digest part of this kind posted to a chat."""
    found = (
        await Delivery.filter(
            channel=deliveries.TELEGRAM, recipient=chat_id, part=part, state=deliveries.SENT
        )
        .order_by("-id")
        .first()
        .values_list("message_id", flat=True)
    )
    return int(str(found)) if found is not None else None

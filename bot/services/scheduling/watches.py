"""Deadline watches: the refund-insurance countdown and pre-sale shipping promises, built on schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.enums import REVERSED, VOID, RecordKind, ScheduleKind
from bot.i18n import N_
from bot.models import Record, Schedule
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.records import fields as rf
from bot.services.scheduling import schedules
from bot.services.team.rules import Rules
from bot.services.when import EVERY_DAY, Reading, Recurring, read_day, split_day, time_words_in

REFUND_WATCH, PRESALE = ScheduleKind.REFUND_WATCH, ScheduleKind.PRESALE
WATCH_KINDS = frozenset({REFUND_WATCH, PRESALE})
CLOSED_REFUND = frozenset({"paid", "rejected", REVERSED, VOID})
PRESALE_ALERT_AT = time(9, 0)
"""Pre-sale alerts come at the start of the day shift."""
DAYS_KEYS = {"days", "天数"}
BY_KEYS = {"by", "截止", "发货截止"}
DONE_WORDS = {"done", "完成", "已发货"}
"""`/presale done <order>` in English or Chinese."""
MAX_NOTE = 200


def record_id_of(schedule: Schedule) -> int | None:
    """The record a refund watch follows."""
    ref = schedule.ref or ""
    return int(ref.removeprefix("record:")) if ref.startswith("record:") else None


async def ensure_refund_watch(record: Record, rules: Rules, zone: ZoneInfo, now: datetime) -> Schedule | None:
    """Start the countdown watch of an insured refund with a return tracking number, once."""
    if record.kind != RecordKind.REFUND or record.deadline_at is None or record.status in CLOSED_REFUND:
        return None
    ref = f"record:{record.id}"
    if await Schedule.exists(kind=REFUND_WATCH, ref=ref, state=schedules.ACTIVE):
        return None
    alert = (record.deadline_at - timedelta(days=rules.insurance_alert_days)).replace(second=0, microsecond=0)
    local = alert.astimezone(zone)
    parsed = Reading(Recurring(time(local.hour, local.minute), EVERY_DAY), record.short_id)
    return await schedules.create(
        kind=REFUND_WATCH,
        chat_id=record.chat_id,
        owner_id=record.author_id,
        parsed=parsed,
        zone=zone,
        now=now,
        ref=ref,
        escalate_minutes=None,
        starts_at=alert,
    )


async def still_relevant(schedule: Schedule) -> bool:
    """Whether a watch should still post: the refund is still open (other schedules always post)."""
    record_id = record_id_of(schedule)
    if schedule.kind != REFUND_WATCH or record_id is None:
        return True
    record = await Record.get_or_none(id=record_id)
    return record is not None and record.status not in CLOSED_REFUND


@dataclass(frozen=True, slots=True)
class Promise:
    """A read `/presale`: the order, the promised day and the note; when the note holds date words, the bot
    asks before watching, offering the readings in `other` (a date in the note taken as the promise)."""

    order: str
    promised: date
    note: str
    time_words: tuple[str, ...] = ()
    other: tuple[tuple[date, str], ...] = ()


def read_promise(words: list[str], rules: Rules, today: date) -> Promise:
    """`<order> [days=15 | by=12月20日] [note]`; the promise must still be ahead."""
    if not words:
        raise UserError(N_("Which order? e.g. /presale 123456789012345678 days=15 blue dress."))
    order = rf.order_number(words[0], rules)
    promised, given = today + timedelta(days=rules.presale_days), False
    note: list[str] = []
    rest = words[1:]
    while rest:
        word, rest = rest[0], rest[1:]
        key, sep, value = word.replace("＝", "=").partition("=")
        if sep and key.lower() in DAYS_KEYS:
            if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 365:
                raise UserError(N_("Days “{value}” should be a whole number from 1 to 365."), value=value)
            promised, given = today + timedelta(days=int(value)), True
        elif sep and key.lower() in BY_KEYS:
            promised, rest = promise_date([value, *rest], today)
            given = True
        else:
            note.append(word)
    text = clean(" ".join(note))[:MAX_NOTE]
    found = tuple(time_words_in(text))
    other = () if given or not found else _dates_in(note, today)
    return Promise(order, promised, text, found, other)


def _dates_in(note: list[str], today: date) -> tuple[tuple[date, str], ...]:
    """The first word (or two words, `Dec 20`) of a note that is a day ahead, as another reading of the
    promise: that day, with the rest as the note."""
    for size in (1, 2):
        for start in range(len(note) - size + 1):
            try:
                day = read_day(" ".join(note[start : start + size]), today)
            except UserError:
                continue
            if day > today:
                rest = " ".join(note[:start] + note[start + size :])[:MAX_NOTE]
                return ((day, rest),)
    return ()


def promise_date(words: list[str], today: date) -> tuple[date, list[str]]:
    """A promised date at the start of the words, in any form people write one (12-20, 12月20日, Dec 20,
    下周五, in 3 days), after today; and the words after it."""
    promised, rest = split_day(words, today)
    if promised <= today:
        value = " ".join(words[: len(words) - len(rest)])
        raise UserError(N_("{value} is not after today: the promise must still be ahead."), value=value)
    return promised, rest


async def promise(
    found: Promise, *, chat_id: int, owner_id: int, rules: Rules, zone: ZoneInfo, now: datetime
) -> Schedule:
    """Watch a pre-sale promise: alerts from `presale_alert_days` before the date through the day itself."""
    order, promised = found.order, found.promised
    if await Schedule.exists(kind=PRESALE, ref=order, chat_id=chat_id, state=schedules.ACTIVE):
        raise UserError(
            N_("Order {value} is already watched. /presales lists the open promises."), value=order
        )
    first_day = max(promised - timedelta(days=rules.presale_alert_days), now.astimezone(zone).date())
    starts = datetime.combine(first_day, PRESALE_ALERT_AT, zone)
    ends = datetime.combine(promised, PRESALE_ALERT_AT, zone)
    return await schedules.create(
        kind=PRESALE,
        chat_id=chat_id,
        owner_id=owner_id,
        parsed=Reading(Recurring(PRESALE_ALERT_AT, EVERY_DAY), found.note),
        zone=zone,
        now=now,
        ref=order,
        escalate_minutes=None,
        starts_at=max(starts, now),
        ends_at=ends,
    )


async def fulfil(words: list[str], *, chat_id: int, actor_id: int, rules: Rules, now: datetime) -> Schedule:
    """End the watch of a shipped pre-sale order."""
    if not words:
        raise UserError(N_("Which order? e.g. /presale done 123456789012345678."))
    order = rf.order_number(words[0], rules)
    schedule = await Schedule.get_or_none(kind=PRESALE, ref=order, chat_id=chat_id, state=schedules.ACTIVE)
    if schedule is None:
        raise UserError(N_("No open pre-sale promise for order {value} in this chat."), value=order)
    return await schedules.set_state(schedule, schedules.DONE, actor_id=actor_id, now=now)


async def open_watches(chat_id: int) -> list[Schedule]:
    """A chat's running deadline watches (insurance countdowns and pre-sale promises), soonest end first."""
    running = Schedule.filter(kind__in=list(WATCH_KINDS), chat_id=chat_id, state=schedules.ACTIVE)
    return await running.order_by("ends_at", "id")


async def open_promises(chat_id: int) -> list[Schedule]:
    """Open pre-sale promises of a chat, soonest deadline first."""
    return await Schedule.filter(kind=PRESALE, chat_id=chat_id, state=schedules.ACTIVE).order_by("ends_at")

"""What shift schedules post: a private reminder before a shift; at its start the shift's people, the handover
book and the open deadline watches (warehouse items to the warehouse each morning); a prompt at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message

from bot.enums import ChatPurpose
from bot.i18n import N_, Translator
from bot.models import HandoverItem, Occurrence, Schedule, ShiftType
from bot.render.context import App, chat_translator, settings_of
from bot.render.keyboards import handover_items
from bot.services.scheduling import deliveries, schedules
from bot.services.shifts import handover
from bot.services.shifts import postings as ss
from bot.services.shifts import roster as shifts
from bot.services.team import chats
from bot.services.when import hhmm
from bot.services.when import span as hours_text
from jobs import engine
from jobs.watch_posts import watch_list

MAX_LISTED = 15
"""Items one handover posting lists with a button each; /handover lists them all."""
REMIND, SUMMARY, HANDOVER, WATCHES = "remind", "summary", "handover", "watches"
WAREHOUSE, END = "warehouse", "end"


@dataclass(slots=True)
class Outgoing:
    """One message of a posting: to whom, which part of the posting, and the handover items it hands on."""

    recipient: int
    part: str
    text: str
    markup: InlineKeyboardMarkup | None = None
    items: list[HandoverItem] = field(default_factory=list)


def zone(app: App) -> ZoneInfo:
    """The shop's zone."""
    return ZoneInfo(settings_of(app).bot_timezone)


def item_list(
    t: Translator, header: str, items: list[HandoverItem], at: datetime
) -> tuple[str, list[HandoverItem]]:
    """A header and the first items, one per line, with how many more /handover shows."""
    shown = items[:MAX_LISTED]
    lines = [header, *(handover.line(t, item, at=at) for item in shown)]
    if len(items) > MAX_LISTED:
        lines.append(t("… and {count} more: /handover lists them all.", count=len(items) - MAX_LISTED))
    return "\n".join(lines), shown


def late_note(t: Translator, late: timedelta) -> str:
    """How late a posting is after a restart, or nothing."""
    minutes = int(late.total_seconds() // 60)
    return "\n" + t("(late by {minutes} min: I was offline)", minutes=minutes) if minutes >= 1 else ""


async def is_first_of_day(shift_type: ShiftType, day: date) -> bool:
    """Whether this type starts the day (the warehouse hears about the night's items at its start)."""
    types = await shifts.all_types()
    return min(types, key=lambda other: (shifts.hours(other, day)[0], other.id)).id == shift_type.id


async def outgoing(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> list[Outgoing]:
    """Every message this occurrence posts, computed from the roster and the handover book now."""
    ref = ss.Ref.parse(schedule.ref)
    shift_type = await ShiftType.get_or_none(id=ref.type_id)
    day = ss.shift_day(schedule, occurrence)
    if shift_type is None or shifts.season(shift_type, day) != ref.season:
        return []
    span = await shifts.span_of(shift_type, day, schedules.zone_of(schedule))
    if not span.people:
        return []
    start, end = shifts.hours(shift_type, day)
    team = await chats.of_purpose(ChatPurpose.TEAM) or [schedule.chat_id]
    out: list[Outgoing] = []
    if occurrence.kind == schedules.LEAD:
        for person in span.people:
            t = await chat_translator(app, person.id)
            text = t(
                "⏰ Your {shift} starts at {start} (in {minutes} min).",
                shift=t(shifts.label(shift_type)),
                start=hhmm(start),
                minutes=schedule.lead_minutes,
            )
            out.append(Outgoing(person.id, REMIND, text + late_note(t, late)))
        return out
    names = ", ".join(person.display_name for person in span.people)
    if ref.event == ss.END:
        count = len(await handover.open_items())
        for chat_id in team:
            t = await chat_translator(app, chat_id)
            text = t(
                "🕕 The {shift} ends at {end}. {names}: write what the next shift must know with "
                "/handover <text> (#urgent, #call <buyer>, #warehouse). Open items: {count}.",
                shift=t(shifts.label(shift_type)),
                end=hhmm(end),
                names=names,
                count=count,
            )
            out.append(Outgoing(chat_id, END, text + late_note(t, late)))
        return out
    at = occurrence.due_at
    items = await handover.open_items(before=at)
    for chat_id in team:
        t = await chat_translator(app, chat_id)
        text = t(
            "🕘 The {shift} ({hours}) starts: {names}.",
            shift=t(shifts.label(shift_type)),
            hours=hours_text((start, end)),
            names=names,
        )
        out.append(Outgoing(chat_id, SUMMARY, text + late_note(t, late)))
        if items:
            header = t(
                "📒 Handover for the {shift}: {count} open.",
                shift=t(shifts.label(shift_type)),
                count=len(items),
            )
            text, shown = item_list(t, header, items, at)
            out.append(
                Outgoing(chat_id, HANDOVER, text, handover_items(t, [item.id for item in shown]), shown)
            )
        if watched := await watch_list(t, chat_id):
            out.append(Outgoing(chat_id, WATCHES, watched))
    stock = [item for item in items if item.warehouse]
    if stock and await is_first_of_day(shift_type, day):
        for chat_id in await chats.of_purpose(ChatPurpose.WAREHOUSE):
            t = await chat_translator(app, chat_id)
            header = t("🏭 For the warehouse, from the handover book: {count} open.", count=len(stock))
            text, shown = item_list(t, header, stock, at)
            out.append(
                Outgoing(chat_id, WAREHOUSE, text, handover_items(t, [item.id for item in shown]), shown)
            )
    return out


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Send each message of a claimed occurrence once, recording each before the next; a wait to retry."""
    for message in await outgoing(app, schedule, occurrence, late):
        delivery = await deliveries.claim(occurrence, message.recipient, message.part)
        if delivery is None:
            continue
        wait = await engine.send_delivery(
            app,
            delivery,
            partial(
                app.bot.send_message,
                message.recipient,
                message.text,
                reply_markup=message.markup,
                **engine.bulk(app),
            ),
            partial(hand_on, occurrence, message),
        )
        if wait is not None:
            return wait
    await schedules.mark_sent(occurrence, None, engine.now())
    return None


async def hand_on(occurrence: Occurrence, outgoing: Outgoing, message: Message) -> None:
    """Items a delivered message listed were handed to this shift: a later shift sees them as carried over."""
    if outgoing.items:
        await handover.mark_posted(outgoing.items, occurrence.due_at)


MISSED_LABELS = {ss.START: N_("start of the {shift} ({hours})"), ss.END: N_("end of the {shift} ({hours})")}


async def describe_missed(app: App, t: Translator, schedule: Schedule, when: datetime) -> str | None:
    """A missed shift posting by shift and hours; None when nobody worked it or its season was not on."""
    missed = Occurrence(schedule=schedule, due_at=when, kind=schedules.ALARM)
    if not await outgoing(app, schedule, missed, timedelta(0)):
        return None
    ref = ss.Ref.parse(schedule.ref)
    shift_type = await ShiftType.get(id=ref.type_id)
    what = MISSED_LABELS[ref.event]
    hours = hours_text(shifts.hours(shift_type, ss.shift_day(schedule, missed)))
    return t(what, shift=t(shifts.label(shift_type)), hours=hours)

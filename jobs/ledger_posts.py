"""Posting the previous month's ledger on the 1st: totals to the team chat, the full file to finance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from telegram import Message

from bot.enums import ChatPurpose
from bot.i18n import Translator
from bot.models import Occurrence, Schedule
from bot.render import ledger as render
from bot.render.context import App, chat_translator, settings_of, split_message
from bot.services.ledger import book, monthly
from bot.services.scheduling import changes, deliveries, schedules
from bot.services.team import chats
from jobs.engine import arm_all, bulk, now, send_delivery


def late_note(t: Translator, late: timedelta) -> list[str]:
    """A line saying how late the posting is when it goes out after a restart."""
    minutes = int(late.total_seconds() // 60)
    return [t("(late by {minutes} min: I was offline)", minutes=minutes)] if minutes >= 1 else []


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """The engine's poster: the month before the due date, as the chat's purpose wants it; each part once."""
    chat_id = int(schedule.chat_id)
    purpose = await chats.purpose_of(chat_id)
    wait = await publish(app, schedule, occurrence, late, purpose) if purpose in monthly.PURPOSES else None
    if wait is None:
        await schedules.mark_sent(occurrence, None, now())
    return wait


async def publish(
    app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta, purpose: ChatPurpose | None
) -> timedelta | None:
    """Names and totals (both chats), then finance's spreadsheet of every entry."""
    chat_id = int(schedule.chat_id)
    zone = schedules.zone_of(schedule)
    month = book.previous_month(occurrence.due_at, zone)
    t = await chat_translator(app, chat_id)
    found = await book.entries(month)
    names = await book.names_of(book.people_in(found))
    heading = [render.month_heading(t, month), *late_note(t, late)]
    body = render.totals_block(t, found, names) if found else [t("No fines or rewards were written.")]
    for index, chunk in enumerate(split_message("\n".join([*heading, *body]))):
        wait = await part(
            app, occurrence, chat_id, f"lt{index}", partial(app.bot.send_message, chat_id, chunk, **bulk(app))
        )
        if wait is not None:
            return wait
    if purpose is not ChatPurpose.FINANCE or not found:
        return None
    send = partial(
        app.bot.send_document,
        chat_id,
        render.workbook(t, found, names, zone),
        filename=f"ledger-{month.first:%Y-%m}.xlsx",
        caption=render.month_heading(t, month),
        **bulk(app),
    )
    return await part(app, occurrence, chat_id, "lfile", send)


async def part(
    app: App, occurrence: Occurrence, chat_id: int, name: str, send: Callable[[], Awaitable[Message]]
) -> timedelta | None:
    """Claim and send one part of the posting; a part already sent (before a restart) is skipped."""
    delivery = await deliveries.claim(occurrence, chat_id, name)
    return await send_delivery(app, delivery, send) if delivery else None


async def describe_missed(app: App, t: Translator, schedule: Schedule, when: datetime) -> str:
    """A missed monthly posting, with the command that shows it."""
    return t(monthly.LABEL)


async def start(app: App) -> None:
    """At start: team and finance chats registered earlier get their monthly posting."""
    zone = ZoneInfo(settings_of(app).bot_timezone)
    with changes.collecting() as changed:
        await monthly.ensure_registered(actor_id=app.bot.id, zone=zone, now=now())
    arm_all(app, changed)

"""Posting digests through the scheduler engine: each part (text, file, photo, list) is sent once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from telegram import Message

from bot.enums import RecordKind
from bot.i18n import Translator
from bot.models import Occurrence, Schedule
from bot.render.context import App, chat_translator, settings_of, split_message
from bot.render.finance_list import answer_list
from bot.services.digests import content
from bot.services.digests import settings as digests
from bot.services.scheduling import changes, deliveries, schedules
from bot.services.team import people
from jobs.engine import arm_all, bulk, now, send_delivery

FILE_PART, LIST_PART = "dfile", "dlist"
"""The part of the finance digest finance answers with buttons; a returned file redraws the latest one."""


@dataclass(slots=True)
class Posting:
    """One digest being posted: where, in which language, for which due time; sends its parts once each."""

    app: App
    schedule: Schedule
    occurrence: Occurrence
    late: timedelta
    t: Translator
    zone: ZoneInfo

    @property
    def chat_id(self) -> int:
        """The chat the digest goes to."""
        return int(self.schedule.chat_id)

    @property
    def due_at(self) -> datetime:
        """When the digest fell due: the period it covers ends here."""
        return self.occurrence.due_at

    def heading(self, text: str) -> str:
        """A digest's first line, saying how late it is when posted after a restart."""
        minutes = int(self.late.total_seconds() // 60)
        late = self.t("(late by {minutes} min: I was offline)", minutes=minutes)
        return f"{text}\n{late}" if minutes >= 1 else text

    async def part(self, name: str, send: Callable[[], Awaitable[Message]]) -> timedelta | None:
        """Claim and send one part (a delivery of the posting); a part already sent or refused is skipped."""
        delivery = await deliveries.claim(self.occurrence, self.chat_id, name)
        return await send_delivery(self.app, delivery, send) if delivery else None

    async def delivered(self, name: str) -> bool:
        """Whether Telegram took a part (it may have refused it for good, e.g. the bot left the chat)."""
        return await deliveries.is_delivered(self.occurrence, self.chat_id, name)

    async def text(self, text: str) -> timedelta | None:
        """A text part, cut where Telegram requires."""
        for index, chunk in enumerate(split_message(text)):
            wait = await self.part(
                f"dt{index}", partial(self.app.bot.send_message, self.chat_id, chunk, **bulk(self.app))
            )
            if wait is not None:
                return wait
        return None


async def finance(posting: Posting) -> timedelta | None:
    """Yesterday's refund table as a spreadsheet with its totals, then the list finance answers by button."""
    t = posting.t
    day = content.previous_day(posting.due_at, posting.zone)
    found = await content.finance_refunds(day, posting.zone)
    if not found:
        return await posting.text(posting.heading(t("💰 No refunds were logged on {day}.", day=day)))
    caption = posting.heading(content.finance_caption(t, found, str(day)))
    send_file = partial(
        posting.app.bot.send_document,
        posting.chat_id,
        content.finance_table(t, found),
        filename=f"refunds-{day}.xlsx",
        caption=caption,
        **bulk(posting.app),
    )
    wait = await posting.part(FILE_PART, send_file)
    if wait is not None or not await posting.delivered(FILE_PART):  # the bot was removed from the chat
        return wait
    await content.send_to_finance(found, actor_id=posting.app.bot.id, chat_id=posting.chat_id)
    text, markup = answer_list(t, await content.waiting_for_finance(1))
    return await posting.part(
        LIST_PART,
        partial(
            posting.app.bot.send_message, posting.chat_id, text, reply_markup=markup, **bulk(posting.app)
        ),
    )


async def warehouse(posting: Posting) -> timedelta | None:
    """The complaint slips supervisors forwarded in the last 24 hours grouped by kind, then their photos."""
    t = posting.t
    found = await content.complaint_slips(posting.due_at)
    if not found:
        return await posting.text(
            posting.heading(t("📦 No complaint slip was forwarded to you in the last 24 hours."))
        )
    heading = t("📦 Complaint slips forwarded to you in the last 24 hours: {count}", count=len(found))
    lines = [posting.heading(heading)]
    for subkind, group in content.by_subkind(RecordKind.COMPLAINT, found):
        lines += ["", f"{content.subkind_label(t, subkind)} ({len(group)}):"]
        lines += [f"• {content.complaint_line(t, record)}" for record in group]
    wait = await posting.text("\n".join(lines))
    for record in found:
        caption = " · ".join(
            [record.short_id, content.subkind_label(t, record.subkind or ""), record.order_no or ""]
        )
        for index, photo in enumerate(content.photos_of(record)):
            if wait is not None:
                return wait
            send = partial(
                posting.app.bot.send_photo, posting.chat_id, photo, caption=caption, **bulk(posting.app)
            )
            wait = await posting.part(f"dp{record.id}.{index}", send)
    return wait


async def supervisors(posting: Posting) -> timedelta | None:
    """Open problem orders by kind, oldest first, with how long each has waited."""
    t = posting.t
    found = await content.open_problems()
    if not found:
        return await posting.text(posting.heading(t("🧩 No open problem orders.")))
    moment = now()
    lines = [posting.heading(t("🧩 Open problem orders: {count}, oldest first.", count=len(found)))]
    for subkind, group in content.by_subkind(RecordKind.PROBLEM, found):
        lines += ["", f"{content.subkind_label(t, subkind)} ({len(group)}):"]
        lines += [f"• {content.problem_line(t, record, moment, posting.zone)}" for record in group]
    return await posting.text("\n".join(lines))


DIGESTS: dict[str, Callable[[Posting], Awaitable[timedelta | None]]] = {
    digests.FINANCE: finance,
    digests.WAREHOUSE: warehouse,
    digests.SUPERVISORS: supervisors,
}


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """The engine's poster for digests: every part not sent yet, then the posting is done."""
    posting = Posting(
        app,
        schedule,
        occurrence,
        late,
        await chat_translator(app, schedule.chat_id),
        schedules.zone_of(schedule),
    )
    wait = await DIGESTS[str(schedule.ref)](posting)
    if wait is None:
        await schedules.mark_sent(occurrence, None, now())
    return wait


async def start(app: App) -> None:
    """At start: give every registered chat its digest (chats registered before digests existed) and let
    the bot's own changes (refunds sent to finance) carry its name in record histories."""
    me = app.bot
    await people.observe(people.SeenUser(me.id, me.first_name, me.last_name, me.username))
    zone = ZoneInfo(settings_of(app).bot_timezone)
    with changes.collecting() as changed:
        await digests.ensure_registered(actor_id=me.id, zone=zone, now=now())
    arm_all(app, changed)


async def describe_missed(app: App, t: Translator, schedule: Schedule, when: datetime) -> str:
    """A missed digest by its name in the chat's language."""
    return t(digests.LABELS.get(schedule.ref or "", schedule.text))

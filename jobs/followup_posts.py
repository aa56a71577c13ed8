"""The morning follow-up posting: each owner's private list with Done / Called / No answer buttons, and the
follow-ups past their deadline flagged once to the supervisors' chat (masked)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from telegram import InlineKeyboardMarkup, Message

from bot.enums import ChatPurpose
from bot.i18n import Translator
from bot.models import FollowUp, Occurrence, Person, Schedule
from bot.render.context import App, chat_translator
from bot.render.keyboards import followup_buttons
from bot.services.followups import book
from bot.services.followups import text as ft
from bot.services.scheduling import deliveries, schedules
from bot.services.team import chats
from jobs import engine
from jobs.shift_posts import late_note

LIST, LATE = "fu", "fu_late"


async def send(
    app: App,
    occurrence: Occurrence,
    recipient: int,
    part: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    flagged: list[FollowUp] | None = None,
) -> timedelta | None:
    """One message of the posting, once: claimed, sent, recorded (and the flagged ones marked)."""
    delivery = await deliveries.claim(occurrence, recipient, part)
    if delivery is None:
        return None

    async def noted(message: Message) -> None:
        """The supervisors were told about these: never again."""
        if flagged:
            await book.mark_flagged(flagged, engine.now())

    return await engine.send_delivery(
        app,
        delivery,
        partial(app.bot.send_message, recipient, text, reply_markup=markup, **engine.bulk(app)),
        noted,
    )


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """Every owner's list, then the supervisors' flags; a wait to retry after a transient failure."""
    now, zone = engine.now(), schedules.zone_of(schedule)
    by_owner: dict[int, list[FollowUp]] = defaultdict(list)
    for followup in await book.open_of():
        by_owner[followup.owner_id].append(followup)
    for owner_id, followups in by_owner.items():
        t = await chat_translator(app, owner_id)
        text = ft.morning_list(t, followups, now, zone) + late_note(t, late)
        markup = followup_buttons(t, [f.id for f in ft.shown_first(followups, now, zone)])
        if (wait := await send(app, occurrence, owner_id, LIST, text, markup)) is not None:
            return wait
    overdue = await book.to_flag(now)
    if overdue:
        names = {p.id: p.display_name for p in await Person.filter(id__in={f.owner_id for f in overdue})}
        for chat_id in await chats.of_purpose(ChatPurpose.SUPERVISORS) or [schedule.chat_id]:
            t = await chat_translator(app, chat_id)
            text = ft.flagged(t, overdue, names, now, zone)
            if (wait := await send(app, occurrence, chat_id, LATE, text, flagged=overdue)) is not None:
                return wait
    await schedules.mark_sent(occurrence, None, now)
    return None


async def describe_missed(app: App, t: Translator, schedule: Schedule, when: datetime) -> str | None:
    """A missed morning posting: how many follow-ups it would have listed (None when there were none)."""
    count = len(await book.open_of())
    return t("morning follow-up lists ({count} open)", count=count) if count else None

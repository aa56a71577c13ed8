"""Posting a confirmed broadcast: once per target chat (each a claimed delivery), then the report."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from telegram import Message, ReplyParameters
from telegram.error import TelegramError

from bot.i18n import Translator
from bot.models import Broadcast, Delivery, Occurrence, Schedule
from bot.ratelimit import REPLY_RETRIES
from bot.render.context import App, chat_translator
from bot.render.keyboards import got_it
from bot.services.broadcasts import announcements as broadcasts
from bot.services.scheduling import deliveries, schedules
from bot.services.team import people
from jobs.engine import bulk, now, send_delivery

log = logging.getLogger(__name__)


def announcement(t: Translator, broadcast: Broadcast, author: str) -> str:
    """What the target chats read: who says it, then the text as the author typed it."""
    heading = t("📣 From {name}:", name=author)
    return f"{heading}\n{broadcast.body}".rstrip()


async def author_name(broadcast: Broadcast) -> str:
    """The author as the team knows them."""
    person = await people.get(broadcast.author_id)
    return person.display_name if person else str(broadcast.author_id)


async def send(app: App, broadcast: Broadcast, chat_id: int, author: str) -> Message:
    """Send the broadcast (text, or the photo with its caption) to one chat, paced as a bulk posting."""
    t = await chat_translator(app, chat_id)
    text, markup, quiet = announcement(t, broadcast, author), got_it(t, broadcast.id), broadcast.silent
    message: Message
    if broadcast.photo:
        message = await app.bot.send_photo(
            chat_id,
            broadcast.photo,
            caption=text,
            reply_markup=markup,
            disable_notification=quiet,
            **bulk(app),
        )
    else:
        message = await app.bot.send_message(
            chat_id, text, reply_markup=markup, disable_notification=quiet, **bulk(app)
        )
    return message


async def pin(app: App, broadcast: Broadcast, message: Message) -> dict[str, object] | None:
    """Pin a delivered copy when asked; why it failed, kept with the delivery. A failed pin never stops it."""
    if not broadcast.pin:
        return None
    try:
        await app.bot.pin_chat_message(
            message.chat_id,
            message.message_id,
            disable_notification=broadcast.silent,
            **bulk(app, REPLY_RETRIES),
        )
    except TelegramError as exc:
        log.warning("broadcast %s: pinning in chat %s failed: %s", broadcast.id, message.chat_id, exc)
        return {broadcasts.PIN_ERROR: exc.message}
    return None


async def post(app: App, schedule: Schedule, occurrence: Occurrence, late: timedelta) -> timedelta | None:
    """The engine's poster for broadcasts: every chat not yet sent to, then the report, each once."""
    broadcast = await broadcasts.of_schedule(schedule)
    if broadcast is not None and await broadcasts.start_sending(broadcast):
        author = await author_name(broadcast)
        for chat in broadcasts.target_chats(broadcast):
            delivery = await deliveries.claim(occurrence, chat.id, deliveries.COPY)
            if delivery is None:
                continue
            wait = await send_delivery(
                app, delivery, partial(send, app, broadcast, chat.id, author), partial(pin, app, broadcast)
            )
            if wait is not None:
                return wait
        sent_to = await broadcasts.finish(broadcast, occurrence)
        if sent_to is not None:
            await report(app, broadcast, sent_to, late)
    await schedules.mark_sent(occurrence, None, now())
    return None


def report_text(t: Translator, broadcast: Broadcast, sent_to: list[Delivery], late: timedelta) -> str:
    """Delivered and failed chats, with Telegram's reason, and where to see who has read it."""
    titles = {chat.id: chat.title for chat in broadcasts.target_chats(broadcast)}
    sent = [delivery for delivery in sent_to if delivery.state == deliveries.SENT]
    lines = [
        t.ngettext(
            "📣 Broadcast #{id} delivered to {sent} of {n} chat.",
            "📣 Broadcast #{id} delivered to {sent} of {n} chats.",
            len(sent_to),
            id=broadcast.id,
            sent=t.number(len(sent)),
        )
    ]
    minutes = int(late.total_seconds() // 60)
    if minutes >= 1:
        lines.append(t("(late by {minutes} min: I was offline)", minutes=minutes))
    for delivery in sent_to:
        title = titles.get(delivery.recipient, str(delivery.recipient))
        pin_error = delivery.extra.get(broadcasts.PIN_ERROR)
        if delivery.state != deliveries.SENT:
            lines.append(t("❌ {chat}: {reason}", chat=title, reason=delivery.error or "?"))
        elif pin_error:
            lines.append(t("✅ {chat} (not pinned: {reason})", chat=title, reason=pin_error))
        elif broadcast.pin:
            lines.append(t("✅ {chat} (pinned)", chat=title))
        else:
            lines.append(f"✅ {title}")
    lines.append(t("Who has read it: /acks {id}", id=broadcast.id))
    return "\n".join(lines)


async def report(app: App, broadcast: Broadcast, sent_to: list[Delivery], late: timedelta) -> None:
    """Answer the preview with the delivery report in the author's chat; a failure is only logged."""
    t = await chat_translator(app, broadcast.chat_id)
    reply_to = (
        ReplyParameters(broadcast.preview_message_id, allow_sending_without_reply=True)
        if broadcast.preview_message_id
        else None
    )
    try:
        await app.bot.send_message(
            broadcast.chat_id,
            report_text(t, broadcast, sent_to, late),
            reply_parameters=reply_to,
            **bulk(app, REPLY_RETRIES),
        )
    except TelegramError as exc:
        log.error("broadcast %s: the delivery report could not be sent: %s", broadcast.id, exc)
    if broadcast.send_at and broadcast.preview_message_id:  # its Cancel button is of no use any more
        try:
            await app.bot.edit_message_reply_markup(
                broadcast.chat_id, broadcast.preview_message_id, **bulk(app, REPLY_RETRIES)
            )
        except TelegramError as exc:
            log.info("broadcast %s: Cancel button not removed: %s", broadcast.id, exc)

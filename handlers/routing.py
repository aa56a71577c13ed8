"""Complaint slips routed by their buttons: “→ with supervisor” posts the slip to the supervisors' chat with
the button that forwards it, and “→ with warehouse” (a supervisor's call) posts it, masked, with its photos to
the warehouse chat. A route with no chat registered is refused: no slip changes its label unseen."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram.error import TelegramError

from bot.enums import ChatPurpose, RecordKind
from bot.i18n import N_
from bot.models import Record
from bot.render.cards import card_text, status_buttons
from bot.render.context import chat_translator
from bot.services.digests.content import photos_of
from bot.services.errors import Msg, UserError
from bot.services.records import book as records
from bot.services.team import chats
from bot.services.team.catalog import PURPOSE_LABELS
from handlers.gate import Call

log = logging.getLogger(__name__)

ROUTES: dict[str, ChatPurpose] = {"supervisor": ChatPurpose.SUPERVISORS, "warehouse": ChatPurpose.WAREHOUSE}
"""A complaint's status → the chats that status hands the slip to."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a slip goes when it moves on: the purpose and its registered chats."""

    purpose: ChatPurpose
    chat_ids: list[int]


async def destinations(record: Record, target: str) -> Route | None:
    """The chats a record moving to `target` is posted to (None: it stays where it is), or why it can't."""
    purpose = ROUTES.get(target) if record.kind == RecordKind.COMPLAINT else None
    if purpose is None:
        return None
    chat_ids = await chats.of_purpose(purpose)
    if not chat_ids:
        raise UserError(
            N_("No {purpose} is registered, so nobody would see {id}: type /setup {word} in that group."),
            purpose=Msg(PURPOSE_LABELS[purpose]),
            id=record.short_id,
            word=purpose.value,
        )
    return Route(purpose, chat_ids)


async def post(call: Call, record: Record, route: Route, name: str) -> str:
    """Post the slip to the route's chats (not back into this one); the stamp says where it went."""
    posted, failed = [], []
    for chat_id in route.chat_ids:
        if chat_id == call.chat_id:
            continue
        try:
            await post_to(call, record, route.purpose, chat_id, name)
        except TelegramError as exc:
            log.error("%s could not be posted to chat %s: %s", record.short_id, chat_id, exc)
            failed.append(chat_id)
        else:
            posted.append(chat_id)
    titles = await chats.titles(posted + failed)
    lines = []
    if posted:
        lines.append(call.t("📨 posted to {chats}", chats=call.t.join(titles[c] for c in posted)))
    if failed:
        lines.append(
            call.t(
                "⚠️ could not be posted to {chats}: is the bot still in that group?",
                chats=call.t.join(titles[c] for c in failed),
            )
        )
    return "\n".join(lines)


async def post_to(call: Call, record: Record, purpose: ChatPurpose, chat_id: int, name: str) -> None:
    """One chat's copy: the masked card with its next buttons (remembered, so presses there pass the gate),
    and for the warehouse the slip's photos."""
    t = await chat_translator(call.app, chat_id)
    head = t("📨 {name} passes {id} to you.", name=name, id=record.short_id)
    text = await card_text(t, record, call.zone, masked=True)
    sent = await call.context.bot.send_message(
        chat_id, f"{head}\n{text}", reply_markup=status_buttons(t, record)
    )
    await records.remember_card(record, chat_id, sent.message_id)
    if purpose is not ChatPurpose.WAREHOUSE:
        return
    photos = photos_of(record)
    for index, photo in enumerate(photos, start=1):
        caption = f"{record.short_id} · {index}/{len(photos)}"
        await call.context.bot.send_photo(chat_id, photo, caption=caption)

"""/broadcast with its preview and Confirm / Cancel buttons, /broadcasts, /acks, and the Got it button."""

from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.i18n import N_, Translator
from bot.models import Broadcast, Person
from bot.render.codec import Family
from bot.render.keyboards import broadcast_cancel, broadcast_decision
from bot.services.broadcasts import announcements as broadcasts
from bot.services.errors import UserError
from bot.services.ids import parse_id
from bot.services.team.catalog import PURPOSE_LABELS
from bot.services.when import Once, Rule, format_moment
from handlers.confirm import settle
from handlers.gate import Call, Target, button, command
from jobs.broadcasts import author_name
from jobs.engine import now

log = logging.getLogger(__name__)

STATE_LABELS = {
    broadcasts.DRAFT: N_("waiting for Confirm"),
    broadcasts.WAITING: N_("scheduled"),
    broadcasts.SENDING: N_("being sent"),
    broadcasts.CANCELLED: N_("cancelled"),
    broadcasts.MISSED: N_("missed: I was offline at its time"),
}


def target_label(t: Translator, target: str) -> str:
    """The target in the reader's language: a chat purpose, or every registered chat."""
    return t("all registered chats") if target == broadcasts.ALL else t(PURPOSE_LABELS[ChatPurpose(target)])


def local_time(t: Translator, broadcast: Broadcast) -> str:
    """When a scheduled broadcast goes out, with its weekday, in the zone it was set in."""
    assert broadcast.send_at is not None
    return format_moment(broadcast.send_at, ZoneInfo(broadcast.timezone), t.locale)


def preview_text(t: Translator, broadcast: Broadcast) -> str:
    """Everything the author must check before it goes out: chats, time, options, the text itself."""
    lines = [
        t("📣 Broadcast #{id}: preview", id=broadcast.id),
        t(
            "To: {target} ({chats})",
            target=target_label(t, broadcast.target),
            chats=t.join(chat.title for chat in broadcasts.target_chats(broadcast)),
        ),
        t(
            "When: {when}",
            when=local_time(t, broadcast) if broadcast.send_at else t("as soon as you confirm"),
        ),
    ]
    options = [t("pin")] * broadcast.pin + [t("silent")] * broadcast.silent
    if options:
        lines.append(t("Options: {options}", options=t.join(options)))
    if broadcast.photo:
        lines.append(
            t("📷 A photo, with this caption:") if broadcast.body else t("📷 A photo, without caption.")
        )
    lines += ["———", broadcast.body, "———"] if broadcast.body else []
    lines.append(t("Nothing is sent until you press Confirm."))
    return "\n".join(lines)


def quoted(message: Message) -> broadcasts.Quoted | None:
    """The message the command replies to, as the body to send."""
    reply = message.reply_to_message
    if reply is None:
        return None
    photo = reply.photo[-1].file_id if reply.photo else None
    return broadcasts.Quoted(reply.text or reply.caption or "", photo)


def person_name(person: Person | None) -> str:
    """A team member as the team knows them; no Telegram ids in chats."""
    return person.display_name if person else "?"


async def broadcast(call: Call) -> None:
    """Make a broadcast and show its preview; `list` and `cancel <id>` manage scheduled ones."""
    parts = (call.message.text or "").split(maxsplit=1)
    args = parts[1] if len(parts) > 1 else ""
    action = broadcasts.subcommand(args)
    if action is not None:
        await (list_broadcasts(call) if action[1] is None else cancel(call, action[1]))
        return
    request = broadcasts.parse(args, quoted(call.message), now(), call.zone)
    if request.when is None:
        await preview(call, request)
        return

    async def save(call: Call, rule: Rule) -> None:
        """Preview the broadcast at the time chosen."""
        assert isinstance(rule, Once)
        await preview(call, replace(request, send_at=rule.at))

    await settle(call, "broadcast", request.when, save)


async def preview(call: Call, request: broadcasts.Request) -> None:
    """Store the broadcast as a draft and show its preview with Confirm / Cancel."""
    to = await broadcasts.targets(request.target)
    item = await broadcasts.create(
        request, author_id=call.user_id, chat_id=call.chat_id, zone=call.zone, to=to
    )

    async def remember(sent: Message) -> None:
        """The preview's message, so its buttons can be taken off later."""
        await broadcasts.set_preview(item, sent.message_id)

    await call.reply(
        preview_text(call.t, item), sent=remember, reply_markup=broadcast_decision(call.t, item.id)
    )


async def cancel(call: Call, broadcast_id: int) -> None:
    """Cancel a broadcast by number before it goes out, and take the buttons off its preview."""
    item = await broadcasts.get(broadcast_id)
    call.require("broadcast.cancel", call.facts(author_id=item.author_id))
    item, _ = await broadcasts.cancel(broadcast_id, actor_id=call.user_id, now=now())
    if item.preview_message_id:
        try:
            await call.context.bot.edit_message_reply_markup(item.chat_id, item.preview_message_id)
        except TelegramError as exc:
            log.info("broadcast %s: preview buttons not removed: %s", item.id, exc)
    await call.reply(call.t("✖️ Broadcast #{id} cancelled: nothing was sent.", id=item.id))


async def list_broadcasts(call: Call) -> None:
    """Scheduled broadcasts, soonest first, with how to cancel one."""
    found = await broadcasts.scheduled()
    if not found:
        await call.reply(call.t("No broadcasts are scheduled. Schedule one with /broadcast at=14:30 <text>."))
        return
    lines = [call.t("Scheduled broadcasts:")]
    for item in found:
        lines.append(
            f"#{item.id} · {local_time(call.t, item)} · {target_label(call.t, item.target)} · "
            f"{await author_name(item)} · {broadcasts.summary(item)}"
        )
    lines.append(call.t("Cancel one with /broadcast cancel <id>."))
    await call.reply("\n".join(lines))


async def acks(call: Call) -> None:
    """Who pressed Got it under a broadcast, and who of its audience has not yet."""
    if len(call.args) != 1:
        raise UserError(broadcasts.WHICH)
    item = await broadcasts.get(parse_id(call.args[0]))
    state = await broadcasts.state_of(item)
    if state != broadcasts.DONE:
        label = call.t(STATE_LABELS[state])
        await call.reply(call.t("Broadcast #{id} has not gone out ({state}).", id=item.id, state=label))
        return
    status = await broadcasts.acks(item)
    zone = ZoneInfo(item.timezone)
    lines = [
        call.t(
            "Broadcast #{id} to {target}: {count} pressed Got it.",
            id=item.id,
            target=target_label(call.t, item.target),
            count=len(status.acked),
        ),
        f"“{broadcasts.summary(item)}”",
    ]
    for person, ack in status.acked:
        lines.append(f"✅ {person_name(person)} {format_moment(ack.at, zone, call.t.locale)}")
    if status.waiting:
        lines.append(call.t("⏳ Not yet: {names}", names=call.t.join(map(person_name, status.waiting))))
    else:
        lines.append(call.t("Everyone expected has pressed it."))
    await call.reply("\n".join(lines))


async def load_broadcast(call: Call) -> Target[Broadcast] | None:
    """The broadcast a press acts on: Confirm / Cancel under its preview, Got it under a delivered copy."""
    assert call.button is not None
    item = await Broadcast.get_or_none(id=call.button.id)
    if item is None:
        return None
    if call.button.verb == "ack":
        where = frozenset(chat.id for chat in broadcasts.target_chats(item))
        return Target(item, "broadcast.ack", where)
    facts = call.facts(author_id=item.author_id)
    return Target(item, f"broadcast.{call.button.verb}", frozenset({item.chat_id}), facts)


async def press(call: Call, item: Broadcast) -> None:
    """Confirm or Cancel under a preview (the author or a manager, once), or Got it under a copy."""
    assert call.button is not None
    if call.button.verb == "ack":
        fresh = await broadcasts.acknowledge(item.id, call.user_id, call.chat_id)
        await call.answer(
            call.t("👍 Noted, thank you.") if fresh else call.t("You have already pressed Got it.")
        )
        return
    if call.button.verb == "confirm":
        item, _ = await broadcasts.confirm(item.id, actor_id=call.user_id, now=now())
    else:
        item, _ = await broadcasts.cancel(item.id, actor_id=call.user_id, now=now())
    markup = None
    if call.button.verb == "cancel":
        stamp = call.t("✖️ Cancelled by {name}: nothing was sent.", name=call.name)
    elif item.send_at is not None:
        stamp = call.t(
            "🕒 Confirmed by {name}: goes out at {when}.", name=call.name, when=local_time(call.t, item)
        )
        markup = broadcast_cancel(call.t, item.id)
    else:
        stamp = call.t("✅ Confirmed by {name}: sending now.", name=call.name)
    await call.answer(stamp)
    await call.query.edit_message_text(f"{call.message.text}\n{stamp}", reply_markup=markup)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the broadcast commands and buttons."""
    app.add_handler(command("broadcast", broadcast))
    app.add_handler(command("broadcasts", list_broadcasts))
    app.add_handler(command("acks", acks))
    app.add_handler(button(Family.BROADCAST, load_broadcast, press))

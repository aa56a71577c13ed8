"""/setup, /chats and /audit: registering the team's groups and reading the audit trail."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.i18n import N_
from bot.render.codec import Family
from bot.render.context import chat_translator
from bot.render.keyboards import keyboard, press
from bot.services import audit
from bot.services.digests import settings as digests
from bot.services.errors import UserError
from bot.services.ledger import monthly
from bot.services.permissions import SENSITIVE_PURPOSES
from bot.services.team import chats, rules
from bot.services.team.audit_text import describe_entries
from bot.services.team.catalog import PURPOSE_LABELS
from handlers import pages
from handlers.gate import Call, Target, button, command
from jobs.engine import now

log = logging.getLogger(__name__)

AUDIT_PAGE = 10
"""Audit entries per page: each line is bounded, so a page always fits one message."""
PURPOSES = tuple(ChatPurpose)
"""A SETUP button carries its purpose as its place in this order."""


async def setup(call: Call) -> None:
    """Register the current group for a purpose (team, supervisors, finance, warehouse, review); a group that
    will receive unmasked customer data is registered by a manager, after a confirmation."""
    if call.is_private:
        raise UserError(
            N_("/setup registers a group: add me to the group and type it there, e.g. /setup team.")
        )
    if not call.args:
        raise UserError(N_("Which purpose? One of: {purposes}."), purposes=", ".join(ChatPurpose))
    purpose = chats.parse_purpose(call.args[0])
    call.require(setup_action(purpose))
    before = await chats.purpose_of(call.chat_id)
    if before is not None:
        call.require(setup_action(before))  # a sensitive group is only repurposed by whoever may register it
    if purpose not in SENSITIVE_PURPOSES or before == purpose:
        await call.reply(await registered(call, purpose))
        return
    label = call.t(PURPOSE_LABELS[purpose])
    lines = [
        call.t(
            "⚠️ The {purpose} receives customer data unmasked: names, phones, Alipay accounts. Register this "
            "group as the {purpose}?",
            purpose=label,
        )
    ]
    holders = await chats.titles(held for held in await chats.of_purpose(purpose) if held != call.chat_id)
    if holders:
        moved = call.t.join(holders.values())
        lines.append(call.t("It moves here from {chats}, which stops receiving it.", chats=moved))
    arg = PURPOSES.index(purpose)
    buttons = [
        press(call.t("Confirm ✅"), Family.SETUP, "confirm", arg=arg),
        press(call.t("Cancel ✖️"), Family.SETUP, "cancel", arg=arg),
    ]
    await call.reply("\n".join(lines), reply_markup=keyboard(buttons))


def setup_action(purpose: ChatPurpose) -> str:
    """The map's action for registering a group for a purpose."""
    return f"chat.setup.{purpose}"


async def registered(call: Call, purpose: ChatPurpose) -> str:
    """Register this group, give it its digest and end the digest of any group the purpose moved away from
    (telling that group); the reply says what changed."""
    done = await chats.register(actor_id=call.user_id, chat_id=call.chat_id, purpose=purpose)
    await digests.ensure(call.chat_id, purpose, actor_id=call.user_id, zone=call.zone, now=now())
    await monthly.ensure(call.chat_id, purpose, actor_id=call.user_id, zone=call.zone, now=now())
    label = call.t(PURPOSE_LABELS[purpose])
    if done.before is None or done.before == purpose:
        lines = [call.t("Registered: this group is now the {purpose}.", purpose=label)]
    else:
        lines = [
            call.t(
                "Changed: this group was the {before}, now it is the {purpose}.",
                before=call.t(PURPOSE_LABELS[done.before]),
                purpose=label,
            )
        ]
    titles = await chats.titles([call.chat_id, *done.moved_from])
    for old in done.moved_from:
        await digests.ensure(old, None, actor_id=call.user_id, zone=call.zone, now=now())
        await monthly.ensure(old, None, actor_id=call.user_id, zone=call.zone, now=now())
        await tell_moved(call, old, purpose, titles[call.chat_id])
    if done.moved_from:
        lines.append(
            call.t(
                "{chats} is no longer the {purpose}.",
                chats=call.t.join(titles[old] for old in done.moved_from),
                purpose=label,
            )
        )
    return "\n".join(lines)


async def tell_moved(call: Call, old: int, purpose: ChatPurpose, new_title: str) -> None:
    """Tell a group its purpose moved to another group, in its own language."""
    t = await chat_translator(call.app, old)
    text = t(
        "ℹ️ {name} made {chat} the {purpose}: this group no longer is, and gets nothing meant for it.",
        name=call.name,
        chat=new_title,
        purpose=t(PURPOSE_LABELS[purpose]),
    )
    try:
        await call.context.bot.send_message(old, text)
    except TelegramError as exc:
        log.warning("chat %s not told it is no longer the %s: %s", old, purpose, exc)


async def load_setup(call: Call) -> Target[ChatPurpose] | None:
    """The purpose a Confirm / Cancel under a sensitive /setup is about; decided in that group, by whoever
    may register it."""
    assert call.button is not None
    purpose = PURPOSES[call.button.arg]
    return Target(purpose, setup_action(purpose), frozenset({call.message.chat_id}))


async def decide_setup(call: Call, purpose: ChatPurpose) -> None:
    """Confirm registers the group (moving the purpose here), Cancel leaves everything as it was; a second
    press on a question already decided (its buttons are gone) changes nothing."""
    assert call.button is not None
    if call.message.reply_markup is None:
        await call.answer(call.t("Already handled."))
        return
    if call.button.verb == "cancel":
        text = call.t("✖️ Cancelled by {name}: nothing changed.", name=call.name)
    else:
        text = await registered(call, purpose)
    await call.answer()
    await call.query.edit_message_text(f"{call.message.text}\n{text}", reply_markup=None)


async def list_chats(call: Call) -> None:
    """Show which groups are registered for what."""
    registered = await chats.registered()
    if not registered:
        await call.reply(call.t("No group is registered yet. Type /setup team in the team's group."))
        return
    lines = [call.t("Registered groups:")]
    lines.extend(
        f"• {call.t(PURPOSE_LABELS[ChatPurpose(str(chat.purpose))])}: {chat.title} ({chat.id})"
        for chat in registered
    )
    await call.reply("\n".join(lines))


async def show_audit(call: Call) -> None:
    """The latest changes of state, newest first, a page at a time."""
    try:
        limit = int(call.args[0]) if call.args else 10
    except ValueError:
        raise UserError(N_("“{value}” is not a number of entries."), value=call.args[0]) from None
    if limit < 1:
        raise UserError(N_("“{value}” is not a number of entries."), value=call.args[0])
    newest = await audit.newest_id()
    if not newest:
        await call.reply(call.t("The audit log is empty."))
        return
    await pages.show(call, "audit", f"{newest}:{min(limit, audit.MAX_ENTRIES)}")


async def audit_page(call: Call, arg: str, number: int) -> pages.Page:
    """One page of /audit: the entries up to the one newest when it was asked (later ones do not shift it)."""
    newest, limit = (int(part) for part in arg.split(":"))
    entries, page, total = await audit.window(newest, limit, number, AUDIT_PAGE)
    count = pages.page_count(total, AUDIT_PAGE)
    lines = [
        call.t("Latest changes (newest first):"),
        *await describe_entries(call.t, entries, call.zone, masked=not call.is_private),
    ]
    if count > 1:
        lines.append(call.t("Page {page} of {pages}", page=page, pages=count))
    return pages.Page("\n".join(lines), page, count)


async def config(call: Call) -> None:
    """Show the team's rules, or change one: `/config max_amount 800`."""
    if not call.args:
        current = rules.as_dict(await rules.current())
        lines = [call.t("Team rules (change with /config name value):")]
        lines += [f"• {name} = {value}" for name, value in current.items()]
        await call.reply("\n".join(lines))
        return
    if len(call.args) != 2:
        raise UserError(N_("Give a setting and its value, e.g. /config max_amount 800."))
    updated = await rules.change(call.args[0], call.args[1], actor_id=call.user_id, chat_id=call.chat_id)
    value = rules.as_dict(updated)[call.args[0]]
    await call.reply(call.t("Done: {name} = {value}.", name=call.args[0], value=value))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the administration commands."""
    app.add_handler(command("setup", setup))
    app.add_handler(button(Family.SETUP, load_setup, decide_setup))
    app.add_handler(command("chats", list_chats))
    app.add_handler(command("audit", show_audit))
    pages.view("audit", "audit", audit_page)
    app.add_handler(command("config", config))

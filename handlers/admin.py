"""/setup, /chats and /audit: registering the team's groups and reading the audit trail."""

from __future__ import annotations

from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.i18n import N_
from bot.services import audit
from bot.services.digests import settings as digests
from bot.services.errors import UserError
from bot.services.team import chats, rules
from bot.services.team.audit_text import describe_entries
from bot.services.team.catalog import PURPOSE_LABELS
from handlers.gate import Call, command
from jobs.engine import now


async def setup(call: Call) -> None:
    """Register the current group for a purpose (team, supervisors, finance, warehouse, review)."""
    if call.is_private:
        raise UserError(
            N_("/setup registers a group: add me to the group and type it there, e.g. /setup team.")
        )
    if not call.args:
        raise UserError(N_("Which purpose? One of: {purposes}."), purposes=", ".join(ChatPurpose))
    purpose = chats.parse_purpose(call.args[0])
    call.require(f"chat.setup.{purpose}")
    before = await chats.register(actor_id=call.user_id, chat_id=call.chat_id, purpose=purpose)
    await digests.ensure(call.chat_id, purpose, actor_id=call.user_id, zone=call.zone, now=now())
    label = call.t(PURPOSE_LABELS[purpose])
    if before is None or before == purpose:
        await call.reply(call.t("Registered: this group is now the {purpose}.", purpose=label))
    else:
        await call.reply(
            call.t(
                "Changed: this group was the {before}, now it is the {purpose}.",
                before=call.t(PURPOSE_LABELS[before]),
                purpose=label,
            )
        )


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
    """The latest changes of state, newest first."""
    try:
        limit = int(call.args[0]) if call.args else 10
    except ValueError:
        raise UserError(N_("“{value}” is not a number of entries."), value=call.args[0]) from None
    if limit < 1:
        raise UserError(N_("“{value}” is not a number of entries."), value=call.args[0])
    entries = await audit.recent(limit)
    if not entries:
        await call.reply(call.t("The audit log is empty."))
        return
    lines = [
        call.t("Latest changes (newest first):"),
        *await describe_entries(call.t, entries, call.zone, masked=not call.is_private),
    ]
    await call.reply("\n".join(lines))


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
    app.add_handler(command("chats", list_chats))
    app.add_handler(command("audit", show_audit))
    app.add_handler(command("config", config))

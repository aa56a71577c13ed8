"""/team and /role: who is in the team and what they may do."""

from __future__ import annotations

from telegram import MessageEntity
from telegram.ext import Application

from bot.i18n import N_
from bot.models import Person
from bot.render import menus
from bot.render.context import settings_of
from bot.services.errors import UserError
from bot.services.team import people
from bot.services.team.catalog import ROLE_LABELS
from handlers.gate import Call, command, seen_user


async def team(call: Call) -> None:
    """List members grouped by role."""
    by_role = await people.members_by_role()
    if not by_role:
        await call.reply(call.t("Nobody has a role yet. A manager starts with /role @name supervisor."))
        return
    lines = [call.t("The team:")]
    lines.extend(
        f"• {call.t(ROLE_LABELS[role])}: {', '.join(p.display_name for p in members)}"
        for role, members in by_role.items()
    )
    await call.reply("\n".join(lines))


async def target_of(call: Call) -> tuple[Person, list[str]]:
    """The person a /role command is about (reply, text mention or @username) and the remaining words."""
    message = call.message
    args = call.args
    mentioned = [e.user for e in message.entities if e.type == MessageEntity.TEXT_MENTION and e.user]
    if mentioned:
        user = mentioned[0]
        args = [a for a in args if a not in user.full_name.split()]
        await people.observe(seen_user(user))
        person = await people.get(user.id)
    elif args and args[0].startswith("@"):
        person = await people.by_username(args[0])
        if person is None:
            raise UserError(
                N_(
                    "I haven't seen {name} yet: ask them to write in this chat, "
                    "or reply to one of their messages."
                ),
                name=args[0],
            )
        args = args[1:]
    elif message.reply_to_message and message.reply_to_message.from_user:
        person = await people.get(message.reply_to_message.from_user.id)
    else:
        raise UserError(N_("Whose role? Name them with @username or reply to one of their messages."))
    if person is None:
        raise UserError(N_("I haven't seen that person yet: ask them to write in this chat."))
    return person, args


async def role(call: Call) -> None:
    """Grant (`role`) or revoke (`-role`) one or more roles, all or none; their private menu follows."""
    person, words = await target_of(call)
    changes = people.parse_role_changes(words)
    applied = await people.change_roles(
        actor_id=call.user_id,
        target=person,
        changes=changes,
        chat_id=call.chat_id,
        owners=settings_of(call.app).bot_owner_ids,
    )
    lines = [
        call.t(
            ROLE_CHANGE_TEXT[change.revoke, change.changed],
            name=person.display_name,
            role=call.t(ROLE_LABELS[change.role]),
        )
        for change in applied
    ]
    await call.reply("\n".join(lines))
    if any(change.changed for change in applied):
        await menus.publish_private(call.app, person.id, await people.roles_of(person.id))


ROLE_CHANGE_TEXT: dict[tuple[bool, bool], str] = {
    (False, True): N_("{name} is now {role}."),
    (False, False): N_("{name} already has the role {role}."),
    (True, True): N_("{name} is no longer {role}."),
    (True, False): N_("{name} did not have the role {role}."),
}


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the team commands."""
    app.add_handler(command("team", team))
    app.add_handler(command("role", role))

"""/start, /help, /whoami and /lang: what everybody can use."""

from __future__ import annotations

from telegram.ext import Application

from bot.enums import Role
from bot.i18n import N_, Translator, translator
from bot.render import menus
from bot.services.team import chats
from bot.services.team.catalog import SECTIONS, CommandInfo, visible_to
from handlers import links
from handlers.gate import Call, command, role_names, usage

_help_texts: dict[tuple[str, frozenset[Role]], str] = {}
"""The help list per language and set of roles: it depends on nothing else, and /help is asked often."""


def help_text(t: Translator, call: Call) -> str:
    """The commands the caller may use, grouped, one example each (built once per language and roles)."""
    key = (t.locale, call.roles)
    if key not in _help_texts:
        _help_texts[key] = build_help(t, call.roles)
    return _help_texts[key]


def build_help(t: Translator, roles: frozenset[Role]) -> str:
    """The help list for these roles in t's language."""
    visible = visible_to(roles)
    lines = [t("Commands you can use:")]
    for section in SECTIONS:
        entries = [info for info in visible if info.section == section]
        if entries:
            lines.append(f"\n{t(section)}")
            lines.extend(help_line(t, info) for info in entries)
    if not roles:
        lines.append("\n" + t("You have no role yet: ask a supervisor to give you one with /role."))
    return "\n".join(lines)


def help_line(t: Translator, info: CommandInfo) -> str:
    """`/name — what it does`, then an example when the command takes arguments."""
    line = f"/{info.name} — {t(info.description)}"
    example = t(info.example)
    return line if example == f"/{info.name}" else t("{line}\n    e.g. {example}", line=line, example=example)


async def start(call: Call) -> None:
    """Open the deep link it carries, or greet and show the same list as /help; in private, the menu
    follows the person's roles from here on."""
    if not await links.dispatch(call):
        intro = call.t("Hi! I keep the customer-service team's records, alarms and hand-overs.")
        await call.reply(f"{intro}\n\n{help_text(call.t, call)}")
    if call.is_private:
        await menus.publish_private(call.app, call.user_id, call.roles)


async def show_help(call: Call) -> None:
    """List what the caller may do here."""
    await call.reply(help_text(call.t, call))


async def whoami(call: Call) -> None:
    """Show the caller's id and roles, so they know what to ask for."""
    user = call.update.effective_user
    assert user is not None
    name = f"@{user.username}" if user.username else user.first_name
    if not call.roles:
        await call.reply(
            call.t("You are {name} (id {id}). You have no role yet.", name=name, id=call.user_id)
        )
        return
    await call.reply(
        call.t(
            "You are {name} (id {id}). Roles: {roles}.",
            name=name,
            id=call.user_id,
            roles=role_names(call.t, call.roles),
        )
    )


async def lang(call: Call) -> None:
    """Set this chat's language (in private: your own), and the command menu with it."""
    if not call.args:
        await call.reply(
            "\n".join([call.t("This chat speaks English. Languages: en, zh."), usage(call.t, "lang")])
        )
        return
    locale = chats.parse_locale(call.args[0])
    if not call.is_private:
        call.require("lang.group")
    await chats.set_locale(actor_id=call.user_id, chat_id=call.chat_id, locale=locale)
    await call.reply(translator(locale)(N_("Done: this chat now speaks English.")))
    if call.is_private:
        await menus.publish_private(call.app, call.user_id, call.roles)
    else:
        await menus.publish_group(call.app, call.chat_id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the basic commands."""
    app.add_handler(command("start", start))
    app.add_handler(command("help", show_help))
    app.add_handler(command("whoami", whoami))
    app.add_handler(command("lang", lang))

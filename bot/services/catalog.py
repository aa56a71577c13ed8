"""The command catalogue: what /help shows and what the Telegram command menu lists."""

from __future__ import annotations

from dataclasses import dataclass

from bot.enums import ChatPurpose, Role
from bot.i18n import N_
from bot.services.permissions import is_allowed


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command: its section in /help, a one-line description and one example."""

    name: str
    section: str
    description: str
    example: str


BASICS = N_("Basics")
TEAM = N_("Team")
ADMIN = N_("Administration")
SECTIONS: tuple[str, ...] = (BASICS, TEAM, ADMIN)

COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("help", BASICS, N_("what you can do here"), N_("/help")),
    CommandInfo("whoami", BASICS, N_("your roles"), N_("/whoami")),
    CommandInfo("lang", BASICS, N_("language of this chat: en or zh"), N_("/lang zh")),
    CommandInfo("team", TEAM, N_("members by role"), N_("/team")),
    CommandInfo("role", ADMIN, N_("grant or revoke a role"), N_("/role @alice aftersale")),
    CommandInfo("setup", ADMIN, N_("register this group for a purpose"), N_("/setup team")),
    CommandInfo("chats", ADMIN, N_("registered groups"), N_("/chats")),
    CommandInfo("audit", ADMIN, N_("latest changes, who and when"), N_("/audit 20")),
)


def visible_to(roles: frozenset[Role]) -> list[CommandInfo]:
    """The commands someone holding `roles` may use, in catalogue order."""
    return [info for info in COMMANDS if is_allowed(info.name, roles)]


ROLE_LABELS: dict[Role, str] = {
    Role.PRESALE: N_("pre-sales"),
    Role.INSALE: N_("in-sales"),
    Role.AFTERSALE: N_("after-sales"),
    Role.REVIEW: N_("review team"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MANAGER: N_("manager"),
    Role.FINANCE: N_("finance"),
    Role.WAREHOUSE: N_("warehouse"),
}

PURPOSE_LABELS: dict[ChatPurpose, str] = {
    ChatPurpose.TEAM: N_("team chat"),
    ChatPurpose.SUPERVISORS: N_("supervisors' chat"),
    ChatPurpose.FINANCE: N_("finance chat"),
    ChatPurpose.WAREHOUSE: N_("warehouse chat"),
    ChatPurpose.REVIEW: N_("review team chat"),
}

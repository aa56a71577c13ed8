"""The one declarative permission map: which roles may use which command. Every handler consults it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from bot.enums import AGENT_ROLES, Role

EVERYONE: Final = None
"""Marker for commands open to anybody, even people without a role yet."""

MEMBERS: Final = frozenset(Role)
LEADS: Final = frozenset({Role.SUPERVISOR, Role.MANAGER})
MANAGERS: Final = frozenset({Role.MANAGER})

PERMISSIONS: Final[dict[str, frozenset[Role] | None]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "whoami": EVERYONE,
    "lang": EVERYONE,
    "lang_group": LEADS,
    "team": MEMBERS,
    "chats": LEADS,
    "setup": LEADS,
    "role": LEADS,
    "audit": MANAGERS,
    "config": MANAGERS,
    "refund": MEMBERS,
    "courier": MEMBERS,
    "complaint": MEMBERS,
    "problem": MEMBERS,
    "review": MEMBERS,
    "show": MEMBERS,
    "find": MEMBERS,
    "mine": MEMBERS,
    "open": MEMBERS,
    "buyer": MEMBERS,
    "edit": MEMBERS,
    "void": MEMBERS,
    "record_status": MEMBERS,
    "shelf": LEADS,
    "alarms": MEMBERS,
    "alarm": LEADS,
    "alarm_done": MEMBERS,
    "presale": MEMBERS,
    "presales": MEMBERS,
    "digest": LEADS,
    "finance_answer": frozenset({Role.FINANCE, Role.MANAGER}),
    "shifttype": MEMBERS,
    "shifttype_change": LEADS,
    "roster": MEMBERS,
    "roster_edit": LEADS,
    "today": MEMBERS,
    "handover": MEMBERS,
    "swap": MEMBERS,
    "swap_approve": LEADS,
    "broadcast": LEADS,
    "broadcasts": LEADS,
    "acks": LEADS,
    "rotation": frozenset({Role.REVIEW, Role.SUPERVISOR, Role.MANAGER}),
    "rotation_edit": LEADS,
    "review_stats": frozenset({Role.REVIEW, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE}),
    "report": LEADS,
    "chart": LEADS,
    "export": frozenset({Role.SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.WAREHOUSE}),
    "see_personal": frozenset({Role.AFTERSALE, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE}),
}

GRANTABLE_BY: Final[dict[Role, frozenset[Role]]] = {
    Role.MANAGER: frozenset(Role),
    Role.SUPERVISOR: AGENT_ROLES,
}


def required_roles(action: str) -> frozenset[Role] | None:
    """The roles that may do `action`; None means everyone. Unknown actions are closed to all."""
    if action not in PERMISSIONS:
        return frozenset()
    return PERMISSIONS[action]


def is_allowed(action: str, roles: Iterable[Role]) -> bool:
    """Whether someone holding `roles` may do `action`."""
    needed = required_roles(action)
    return needed is None or not needed.isdisjoint(roles)


def may_grant(granter_roles: Iterable[Role], role: Role) -> bool:
    """Managers grant any role; supervisors grant agent roles only."""
    return any(role in GRANTABLE_BY.get(held, frozenset()) for held in granter_roles)

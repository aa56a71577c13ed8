"""The one permission map: which roles may do which action, and the owner rules some actions add.

An action is a command (`refund`), a step inside one (`record.edit`) or a button (`refund.paid`,
`swap.approve`). The gate in handlers/gate.py consults this map for every command, button, reply, file and
form step; /help and the permission tests read it too. Owner rules ("the author", "the person asked", "not
your own swap") are named here and judged on `Facts` the gate takes from the object acted on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.enums import AGENT_ROLES, ChatPurpose, Role


class Rule(StrEnum):
    """Who an action is for, beyond roles."""

    AUTHOR = "author"
    """The person who made the object (a record, a broadcast)."""
    ASKED = "asked"
    """The person a request is put to (the colleague asked to swap)."""
    NOT_PARTY = "not_party"
    """Not one of the people the object is about: nobody approves their own swap."""
    CASE_GROUP = "case_group"
    """Serving in the review case's current group."""
    OWNER = "owner"
    """The person an object is given to (a follow-up's owner)."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the owner rules look at, taken from the object acted on."""

    actor_id: int
    author_id: int | None = None
    asked_id: int | None = None
    parties: frozenset[int] = frozenset()
    in_case_group: bool = False
    owner_id: int | None = None


RULES: Final[dict[Rule, Callable[[Facts], bool]]] = {
    Rule.AUTHOR: lambda facts: facts.actor_id == facts.author_id,
    Rule.ASKED: lambda facts: facts.actor_id == facts.asked_id,
    Rule.NOT_PARTY: lambda facts: facts.actor_id not in facts.parties,
    Rule.CASE_GROUP: lambda facts: facts.in_case_group,
    Rule.OWNER: lambda facts: facts.actor_id == facts.owner_id,
}


@dataclass(frozen=True, slots=True)
class Permission:
    """Roles that may do an action (None: everyone, even without a role), and the owner rules around them."""

    roles: frozenset[Role] | None
    also: Rule | None = None
    """The person this rule names may do it without the roles (the author edits their own record)."""
    requires: Rule | None = None
    """And only when this rule holds, whatever the roles (nobody approves their own swap)."""


EVERYONE: Final = None
MEMBERS: Final = frozenset(Role)
LEADS: Final = frozenset({Role.SUPERVISOR, Role.MANAGER})
MANAGERS: Final = frozenset({Role.MANAGER})
FINANCE: Final = frozenset({Role.FINANCE, Role.MANAGER})
REVIEWERS: Final = frozenset({Role.REVIEW, Role.SUPERVISOR, Role.MANAGER})
PERSONAL: Final = frozenset({Role.AFTERSALE, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE})
SENSITIVE_PURPOSES: Final = frozenset({ChatPurpose.FINANCE, ChatPurpose.WAREHOUSE})
"""Chats that receive unmasked customer data: only a manager registers them, one group each."""


def _p(roles: frozenset[Role] | None, also: Rule | None = None, requires: Rule | None = None) -> Permission:
    """Shorthand for one entry of the map."""
    return Permission(roles, also, requires)


PERMISSIONS: Final[dict[str, Permission]] = {
    # basics and team
    "start": _p(EVERYONE),
    "help": _p(EVERYONE),
    "whoami": _p(EVERYONE),
    "lang": _p(EVERYONE),
    "lang.group": _p(LEADS),
    "team": _p(MEMBERS),
    "role": _p(LEADS),
    "chats": _p(LEADS),
    "setup": _p(LEADS),
    **{
        f"chat.setup.{purpose}": _p(MANAGERS if purpose in SENSITIVE_PURPOSES else LEADS)
        for purpose in ChatPurpose
    },
    "audit": _p(MANAGERS),
    "config": _p(MANAGERS),
    "forget": _p(MANAGERS),
    # records
    "refund": _p(MEMBERS),
    "courier": _p(MEMBERS),
    "complaint": _p(MEMBERS),
    "problem": _p(MEMBERS),
    "review": _p(MEMBERS),
    "show": _p(MEMBERS),
    "find": _p(MEMBERS),
    "mine": _p(MEMBERS),
    "open": _p(MEMBERS),
    "buyer": _p(MEMBERS),
    "edit": _p(MEMBERS),
    "void": _p(MEMBERS),
    "reverse": _p(FINANCE),
    "record.edit": _p(LEADS, also=Rule.AUTHOR),
    "record.void": _p(LEADS, also=Rule.AUTHOR),
    "record.note": _p(MEMBERS),
    "record.page": _p(MEMBERS),
    "personal.see": _p(PERSONAL),
    "refund.sent": _p(MEMBERS),
    "refund.paid": _p(FINANCE),
    "refund.rejected": _p(FINANCE),
    "refund.withdrawn": _p(MEMBERS),
    "refund.money": _p(FINANCE),
    "courier.waiting": _p(MEMBERS),
    "courier.resolved": _p(MEMBERS),
    "courier.open": _p(MEMBERS),
    "complaint.supervisor": _p(MEMBERS),
    "complaint.warehouse": _p(LEADS),
    "complaint.closed": _p(frozenset({Role.SUPERVISOR, Role.MANAGER, Role.WAREHOUSE})),
    "problem.fixed": _p(MEMBERS),
    "review.revised": _p(REVIEWERS),
    "review.failed": _p(REVIEWERS),
    "review.escalate": _p(LEADS, also=Rule.CASE_GROUP),
    # alarms and watches
    "shelf": _p(LEADS),
    "alarms": _p(MEMBERS),
    "alarm": _p(LEADS),
    "alarm.done": _p(MEMBERS),
    "alarm.snooze": _p(MEMBERS),
    "alarm.onit": _p(MEMBERS),
    "presale": _p(MEMBERS),
    "presales": _p(MEMBERS),
    # digests and finance's answers
    "digest": _p(LEADS),
    "finance.list": _p(FINANCE),
    "finance": _p(FINANCE | LEADS),
    "finance.file": _p(FINANCE),
    # shifts
    "shifttype": _p(MEMBERS),
    "shifttype.change": _p(LEADS),
    "roster": _p(MEMBERS),
    "roster.edit": _p(LEADS),
    "today": _p(MEMBERS),
    "dayoff": _p(MEMBERS),
    "dayoff.edit": _p(LEADS),
    "handover": _p(MEMBERS),
    "handover.done": _p(MEMBERS),
    "swap": _p(MEMBERS),
    "swap.accept": _p(EVERYONE, requires=Rule.ASKED),
    "swap.decline": _p(EVERYONE, requires=Rule.ASKED),
    "swap.approve": _p(LEADS, requires=Rule.NOT_PARTY),
    "swap.refuse": _p(LEADS, requires=Rule.NOT_PARTY),
    # broadcasts
    "broadcast": _p(LEADS),
    "broadcasts": _p(LEADS),
    "acks": _p(LEADS),
    "broadcast.confirm": _p(MANAGERS, also=Rule.AUTHOR),
    "broadcast.cancel": _p(MANAGERS, also=Rule.AUTHOR),
    "broadcast.ack": _p(EVERYONE),
    # review groups
    "rotation": _p(REVIEWERS),
    "rotation.edit": _p(LEADS),
    "review.stats": _p(REVIEWERS | {Role.FINANCE}),
    # follow-ups (回访) and leave (请假)
    "followup": _p(MEMBERS),
    "followup.rota": _p(LEADS),
    "followup.done": _p(LEADS, also=Rule.OWNER),
    "followup.called": _p(LEADS, also=Rule.OWNER),
    "followup.noanswer": _p(LEADS, also=Rule.OWNER),
    "leave": _p(MEMBERS),
    "leave.approve": _p(LEADS, requires=Rule.NOT_PARTY),
    "leave.decline": _p(LEADS, requires=Rule.NOT_PARTY),
    # reports
    "report": _p(LEADS),
    "chart": _p(LEADS),
    "export": _p(LEADS | {Role.FINANCE, Role.WAREHOUSE}),
    # fines and rewards (the ledger)
    "fine": _p(LEADS),
    "reward": _p(LEADS),
    "ledger.rule": _p(LEADS),
    "appeal": _p(MEMBERS),
    "appeal.keep": _p(MANAGERS, requires=Rule.NOT_PARTY),
    "appeal.cancel": _p(MANAGERS, requires=Rule.NOT_PARTY),
    "ledger": _p(MEMBERS),
    "ledger.team": _p(LEADS | {Role.FINANCE}),
    # quick replies, daily figures and the star agent
    "phrase": _p(MEMBERS),
    "phrase.send": _p(MEMBERS),
    "phrase.edit": _p(LEADS),
    "kpi": _p(MEMBERS),
    "kpi.import": _p(LEADS),
    "star": _p(LEADS),
    "star.confirm": _p(frozenset({Role.SUPERVISOR}), requires=Rule.NOT_PARTY),
    # group robots (WeCom, DingTalk)
    "wecom": _p(MANAGERS),
    "dingtalk": _p(MANAGERS),
    "channels": _p(LEADS),
}

GRANTABLE_BY: Final[dict[Role, frozenset[Role]]] = {
    Role.MANAGER: frozenset(Role),
    Role.SUPERVISOR: AGENT_ROLES,
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The map's answer: allowed, or refused with the roles that would do and the owner rule involved."""

    allowed: bool
    needs: frozenset[Role] | None = None
    rule: Rule | None = None


ALLOWED: Final = Verdict(True)


def check(action: str, roles: Iterable[Role], facts: Facts | None = None) -> Verdict:
    """Whether someone holding `roles` may do `action` on an object described by `facts`."""
    permission = PERMISSIONS.get(action)
    if permission is None:
        return Verdict(False, frozenset())
    by_role = permission.roles is None or not permission.roles.isdisjoint(roles)
    by_rule = permission.also is not None and facts is not None and RULES[permission.also](facts)
    if not (by_role or by_rule):
        return Verdict(False, permission.roles, permission.also)
    if permission.requires is not None and (facts is None or not RULES[permission.requires](facts)):
        return Verdict(False, permission.roles, permission.requires)
    return ALLOWED


def required_roles(action: str) -> frozenset[Role] | None:
    """The roles that may do `action`; None means everyone. Unknown actions are closed to all."""
    permission = PERMISSIONS.get(action)
    return frozenset() if permission is None else permission.roles


def is_allowed(action: str, roles: Iterable[Role]) -> bool:
    """Whether someone holding `roles` may do `action` by role alone (what /help shows)."""
    return check(action, roles).allowed


def may_grant(granter_roles: Iterable[Role], role: Role) -> bool:
    """Managers grant any role; supervisors grant agent roles only."""
    return any(role in GRANTABLE_BY.get(held, frozenset()) for held in granter_roles)


def may_see_personal(roles: Iterable[Role], *, private: bool) -> bool:
    """Full customer data only in a private chat, and only for the roles allowed to see it."""
    return private and is_allowed("personal.see", roles)

"""People and their roles: learn who is who from messages, grant and revoke roles with an audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot.enums import Role
from bot.i18n import N_
from bot.models import Person, RoleGrant
from bot.services import audit, invalidation
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.permissions import may_grant

ROLE_ALIASES: dict[str, Role] = {
    **{role.value: role for role in Role},
    "售前": Role.PRESALE,
    "售中": Role.INSALE,
    "售后": Role.AFTERSALE,
    "差评": Role.REVIEW,
    "差评组": Role.REVIEW,
    "主管": Role.SUPERVISOR,
    "经理": Role.MANAGER,
    "店长": Role.MANAGER,
    "财务": Role.FINANCE,
    "仓库": Role.WAREHOUSE,
}


@dataclass(frozen=True, slots=True)
class SeenUser:
    """What a Telegram update tells about its sender, without importing Telegram here."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None


_seen: dict[int, SeenUser] = {}
_roles: dict[int, frozenset[Role]] = {}


def forget_cache() -> None:
    """Drop cached people and roles (a new database was opened, or another instance changed them)."""
    _seen.clear()
    _roles.clear()


invalidation.register("people", lambda _key: _roles.clear())
"""Another instance changed roles. Names seen (`_seen`) only spare this instance rewriting an unchanged name,
so they are not announced: announcing them made two instances clear each other's caches on every message."""


def parse_role(text: str) -> Role:
    """Read a role name in English or Chinese, or explain which names exist."""
    role = ROLE_ALIASES.get(text.strip().lower())
    if role is None:
        raise UserError(N_("Unknown role “{value}”. Roles: {roles}."), value=text, roles=", ".join(Role))
    return role


async def observe(user: SeenUser) -> None:
    """Remember a user's name and @username; writes only when something changed."""
    if _seen.get(user.id) == user:
        return
    username = user.username.lower() if user.username else None
    first, last = clean(user.first_name), user.last_name and clean(user.last_name)
    stored = await Person.filter(id=user.id).first().values_list("first_name", "last_name", "username")
    if stored == (first, last, username):  # known and unchanged (first sight since a restart): read, no write
        _seen[user.id] = user
        return
    if username:
        await Person.filter(username=username).exclude(id=user.id).update(username=None)
    await Person.update_or_create(
        id=user.id,
        defaults={
            "first_name": first,
            "last_name": last,
            "username": username,
        },
    )
    _seen[user.id] = user


def display_name(user: SeenUser) -> str:
    """How a person is named in replies, as Person.display_name would say it once `observe` stored them."""
    return f"@{user.username.lower()}" if user.username else (clean(user.first_name) or str(user.id))


async def by_username(username: str) -> Person | None:
    """Find a person by @username, if the bot has seen them."""
    return await Person.get_or_none(username=username.lstrip("@").lower())


async def get(user_id: int) -> Person | None:
    """A person by Telegram id."""
    return await Person.get_or_none(id=user_id)


async def roles_of(user_id: int) -> frozenset[Role]:
    """The roles a person holds (cached; every change goes through this module)."""
    cached = _roles.get(user_id)
    if cached is None:
        grants = await RoleGrant.filter(person_id=user_id).values_list("role", flat=True)
        cached = _roles[user_id] = frozenset(Role(str(r)) for r in grants)
    return cached


@dataclass(frozen=True, slots=True)
class RoleChange:
    """One requested change: grant or revoke one role, and whether it changed anything."""

    role: Role
    revoke: bool = False
    changed: bool = False


def parse_role_changes(words: Iterable[str]) -> list[RoleChange]:
    """Read `aftersale -review 售后` as grants and revocations, refusing the whole list on any bad word."""
    changes = [RoleChange(parse_role(word.lstrip("-")), revoke=word.startswith("-")) for word in words]
    if not changes:
        raise UserError(N_("Which role? Add one, or -role to revoke it."))
    return changes


async def change_roles(
    *,
    actor_id: int,
    target: Person,
    changes: list[RoleChange],
    chat_id: int | None,
    owners: frozenset[int] = frozenset(),
) -> list[RoleChange]:
    """Apply grants and revocations all-or-nothing, after checking the actor may make every one of them.

    The team never loses its last manager, and the owners (BOT_OWNER_IDS) never lose theirs: otherwise only a
    restart would bring a manager back."""
    actor_roles = await roles_of(actor_id)
    for change in changes:
        if not may_grant(actor_roles, change.role):
            raise UserError(N_("Only a manager can grant or revoke the role {role}."), role=change.role.value)
    before = await roles_of(target.id)
    after = set(before)
    applied: list[RoleChange] = []
    async with in_transaction() as conn:
        for change in changes:
            changed = (change.role in after) == change.revoke
            if changed and change.revoke and change.role == Role.MANAGER:
                await keep_a_manager(target, owners, conn)
            if changed and change.revoke:
                await RoleGrant.filter(person_id=target.id, role=change.role).using_db(conn).delete()
                after.discard(change.role)
            elif changed:
                await RoleGrant.create(
                    person_id=target.id, role=change.role, granted_by_id=actor_id, using_db=conn
                )
                after.add(change.role)
            applied.append(RoleChange(change.role, change.revoke, changed))
        if after != before:
            await audit.record(
                actor_id=actor_id,
                chat_id=chat_id,
                action="role.change",
                target=f"person:{target.id}",
                before={"roles": sorted(before)},
                after={"roles": sorted(after)},
                using_db=conn,
            )
    _roles.pop(target.id, None)
    await invalidation.changed("people")
    return applied


async def keep_a_manager(target: Person, owners: frozenset[int], conn: BaseDBAsyncClient) -> None:
    """Refuse to take the manager role from an owner or from the last manager (managers are locked on
    PostgreSQL, so two managers cannot remove each other at the same instant)."""
    if target.id in owners:
        raise UserError(
            N_("{name} owns this bot: the manager role stays with them."), name=target.display_name
        )
    managers = await RoleGrant.filter(role=Role.MANAGER).using_db(conn).select_for_update()
    if {grant.person_id for grant in managers} <= {target.id}:  # type: ignore[attr-defined]
        raise UserError(
            N_("{name} is the last manager: make someone else a manager first."), name=target.display_name
        )


async def ensure_owners(owner_ids: Iterable[int]) -> list[int]:
    """Make the configured owners managers from the first start; returns the ids newly granted."""
    granted: list[int] = []
    for owner_id in owner_ids:
        if Role.MANAGER in await roles_of(owner_id):
            continue
        async with in_transaction() as conn:
            await Person.get_or_create(id=owner_id, using_db=conn)
            await RoleGrant.create(person_id=owner_id, role=Role.MANAGER, using_db=conn)
            await audit.record(
                actor_id=None,
                chat_id=None,
                action="role.grant",
                target=f"person:{owner_id}",
                after={"roles": [Role.MANAGER.value]},
                using_db=conn,
            )
        _roles.pop(owner_id, None)
        granted.append(owner_id)
    if granted:
        await invalidation.changed("people")
    return granted


async def members_by_role() -> dict[Role, list[Person]]:
    """Everyone holding a role, grouped by role in the order roles are declared."""
    grants = await RoleGrant.all().prefetch_related("person").order_by("id")
    team: dict[Role, list[Person]] = {role: [] for role in Role}
    for grant_ in grants:
        team[Role(str(grant_.role))].append(grant_.person)
    return {role: people for role, people in team.items() if people}

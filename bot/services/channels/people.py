"""Who each team member is in WeCom or DingTalk, so the robots' posts @-mention them for real.

A user id is a work account name; a mobile is personal data: sealed in the database, shown masked, and
removed with `/wecom who @name off`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import RobotPerson
from bot.services import audit, masking
from bot.services.channels.vault import Vault
from bot.services.channels.vendors import LABELS, Someone
from bot.services.errors import UserError

MOBILE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
USER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
OFF_WORDS = frozenset({"off", "remove", "删除", "取消"})


@dataclass(frozen=True, slots=True)
class Mapped:
    """One person's entry, as a listing shows it (the mobile masked)."""

    person_id: int
    user_id: str | None
    mobile: str | None


def read_identity(value: str) -> tuple[str | None, str | None]:
    """A user id or a mainland mobile number, told apart by their shape."""
    compact = re.sub(r"[\s-]", "", value)
    found = MOBILE.match(compact)
    if found:
        return None, found.group(1)
    if USER_ID.match(value):
        return value, None
    raise UserError(N_("“{value}” is neither a user id nor a mobile number."), value=value)


async def set_identity(
    vault: Vault, vendor: str, person_id: int, value: str, *, actor_id: int, chat_id: int
) -> Mapped:
    """Map a person to their id or mobile in the vendor's app (replacing what was there)."""
    user_id, mobile = read_identity(value)
    shown = Mapped(person_id, user_id, masking.phone(mobile) if mobile else None)
    async with in_transaction() as conn:
        await RobotPerson.update_or_create(
            person_id=person_id,
            vendor=vendor,
            defaults={"user_id": user_id, "mobile": vault.seal(mobile) if mobile else None},
            using_db=conn,
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="robot.person",
            target=f"{vendor}:{person_id}",
            after={"user_id": user_id, "mobile": shown.mobile},
            using_db=conn,
        )
    return shown


async def remove(vendor: str, person_id: int, *, actor_id: int, chat_id: int) -> None:
    """Forget who a person is in the vendor's app (their mobile is gone with it)."""
    async with in_transaction() as conn:
        deleted = await RobotPerson.filter(person_id=person_id, vendor=vendor).using_db(conn).delete()
        if not deleted:
            raise UserError(N_("Nobody by that name is mapped for {vendor}."), vendor=LABELS[vendor])
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="robot.person.off",
            target=f"{vendor}:{person_id}",
            using_db=conn,
        )


def _masked(vault: Vault, sealed: str | None) -> str | None:
    """A stored mobile as listings show it: 138****5678."""
    mobile = vault.open(sealed) if sealed else None
    return masking.phone(mobile) if mobile else ("****" if sealed else None)


async def listing(vault: Vault, vendor: str) -> list[Mapped]:
    """Everyone mapped for a vendor, mobiles masked."""
    rows = await RobotPerson.filter(vendor=vendor).order_by("person_id")
    return [Mapped(row.person_id, row.user_id, _masked(vault, row.mobile)) for row in rows]


async def resolve(vault: Vault, vendor: str, person_ids: set[int]) -> dict[int, Someone]:
    """The mapped ones among these people, with their mobiles in clear for the post's `at` list."""
    rows = await RobotPerson.filter(vendor=vendor, person_id__in=person_ids)
    found = {}
    for row in rows:
        mobile = vault.open(row.mobile) if row.mobile else None
        if row.user_id or mobile:
            found[row.person_id] = Someone(row.user_id, mobile)
    return found

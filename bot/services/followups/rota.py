"""The silent-customer rota: supervisors name who takes turns, and each week's order (the rotation engine,
one seat per member, turning weekly) decides who is given the next silent customer."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import FollowUp, Person, Rotation
from bot.services import audit
from bot.services.errors import UserError
from bot.services.followups.book import OPEN
from bot.services.rotations import engine as rota

NAME = "followup"
WEEKLY = rota.Period(1, rota.WEEKS)
HANDOFF_AT = time(9, 0)
NO_ROTA = N_(
    "Nobody takes silent customers yet: a supervisor sets the rota, e.g. /followup rota @bob @carol."
)


async def current() -> rota.RotationRule | None:
    """The silent-customer rota, or None before a supervisor set it."""
    row = await Rotation.get_or_none(name=NAME)
    return rota.from_json(row.rule) if row else None


async def set_members(
    members: list[Person], *, actor_id: int, chat_id: int, zone: ZoneInfo, today: date
) -> rota.RotationRule:
    """Set who takes turns, in order, turning every week from today at 09:00; audited."""
    ids = [person.id for person in members]
    if not ids:
        raise UserError(N_("Name who takes turns, e.g. /followup rota @bob @carol @dave."))
    twice = next((person for person in members if ids.count(person.id) > 1), None)
    if twice is not None:
        raise UserError(N_("{name} is listed twice: name each member once."), name=twice.display_name)
    before = await current()
    rule = rota.RotationRule(
        members=tuple(ids),
        groups=tuple(str(seat) for seat in range(1, len(ids) + 1)),
        period=WEEKLY,
        start=today,
        at=HANDOFF_AT,
        zone=zone.key,
    )
    async with in_transaction() as conn:
        await Rotation.update_or_create(
            name=NAME, defaults={"rule": rota.to_json(rule), "updated_by": actor_id}, using_db=conn
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="followup.rota",
            target=f"rotation:{NAME}",
            before=rota.to_json(before) if before else None,
            after=rota.to_json(rule),
            using_db=conn,
        )
    return rule


def week_order(rule: rota.RotationRule, at: datetime) -> list[int]:
    """This week's order: whoever sits in seat 1 first; it turns by one seat every week."""
    seats = rota.assignment(rule, at)
    return [member for seat in rule.groups for member in seats[seat]]


async def next_owner(at: datetime) -> int:
    """Who is given the next silent customer: of this week's order, whoever holds the fewest open silent
    follow-ups, the earlier seat first."""
    rule = await current()
    if rule is None:
        raise UserError(NO_ROTA)
    order = week_order(rule, at)
    owners = await FollowUp.filter(state=OPEN, silent=True, owner_id__in=order).values_list(
        "owner_id", flat=True
    )
    held: Counter[int] = Counter(int(str(owner)) for owner in owners)
    return min(order, key=lambda member: (held[member], order.index(member)))

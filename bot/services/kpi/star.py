"""The star agent of the month: three rankings from the rulebook, a shortlist, two supervisors' confirmation,
and the reward booked in the ledger."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from bot.enums import WITHDRAWN, RecordKind
from bot.i18n import N_
from bot.models import RecordEvent, StarRound
from bot.services import audit
from bot.services.errors import UserError
from bot.services.kpi.figures import table
from bot.services.ledger import book as ledger
from bot.services.when import Period

REWARD = Decimal("500")
"""The rulebook's star-agent reward in CNY (the 0.1% of silent orders is added by hand in the ledger)."""
SHORTLIST = 3
CONFIRMATIONS = 2


@dataclass(frozen=True, slots=True)
class Shortlist:
    """Each criterion's ranking (best first), the values shown, and the candidates by sum of places."""

    rankings: dict[str, list[int]]
    values: dict[str, dict[int, str]]
    candidates: list[int]

    def shown(self, key: str, person: int) -> str:
        """A person's value on one criterion as text."""
        return self.values[key].get(person, "—")

    def places(self, person: int) -> list[int]:
        """A person's place in each ranking (last + 1 when absent from it)."""
        return [
            ranking.index(person) + 1 if person in ranking else len(ranking) + 1
            for ranking in self.rankings.values()
        ]


async def withdrawn_by(period: Period) -> Counter[int]:
    """Refunds marked withdrawn by buyer in the period, by who talked them back (who marked it)."""
    events = await RecordEvent.filter(
        action="status",
        record__kind=RecordKind.REFUND,
        record__status=WITHDRAWN,
        at__gte=period.start,
        at__lt=period.end,
    )
    return Counter(
        event.actor_id
        for event in events
        if isinstance(event.after, dict) and event.after.get("status") == WITHDRAWN
    )


async def rank(period: Period) -> Shortlist:
    """The month ranked by the three criteria; refused when there is nothing to rank."""
    figures = (await table(period.first, period.stop)).agents
    withdrawn = await withdrawn_by(period)
    people = {f.person_id for f in figures} | set(withdrawn)
    if not people:
        raise UserError(
            N_("No figures for {period}: import the platform's export with /kpi import."),
            period=period.first.strftime("%Y-%m"),
        )
    by_id = {f.person_id: f for f in figures}
    converting = [f for f in figures if f.conversion is not None]
    rankings = {
        "conversion": [
            f.person_id for f in sorted(converting, key=lambda f: (abs(1 - (f.conversion or 0)), -f.sales))
        ],
        "sales": [f.person_id for f in sorted(figures, key=lambda f: (-f.sales, f.person_id))],
        "withdrawn": [p for p, _ in sorted(withdrawn.items(), key=lambda item: (-item[1], item[0]))],
    }
    values = {
        "conversion": {f.person_id: f"{(f.conversion or 0) * 100:.1f}%" for f in converting},
        "sales": {f.person_id: f"¥{f.sales:,.2f}" for f in figures},
        "withdrawn": {p: str(n) for p, n in withdrawn.items()},
    }
    found = Shortlist(rankings, values, [])
    ordered = sorted(people, key=lambda p: (sum(found.places(p)), -(by_id[p].sales if p in by_id else 0), p))
    return Shortlist(rankings, values, ordered[:SHORTLIST])


async def confirmed(month: date) -> StarRound | None:
    """The month's decided round, if any."""
    return await StarRound.filter(month=month, star_id__not_isnull=True).first()


async def open_round(month: date, candidates: list[int], *, chat_id: int, actor_id: int) -> StarRound:
    """A new shortlist for the supervisors; refused when the month's star is already confirmed."""
    if await confirmed(month) is not None:
        raise UserError(N_("The star agent of {month} is already confirmed."), month=month.strftime("%Y-%m"))
    async with in_transaction() as conn:
        found = await StarRound.create(
            month=month,
            chat_id=chat_id,
            candidates=candidates,
            reward=REWARD,
            created_by=actor_id,
            using_db=conn,
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="star.shortlist",
            target=f"star#{found.id}",
            after={"month": month.isoformat(), "candidates": candidates},
            using_db=conn,
        )
    return found


async def is_current(found: StarRound) -> bool:
    """Whether a round can still be confirmed: undecided, and the month's newest shortlist."""
    newest = await StarRound.filter(month=found.month).order_by("-id").first()
    return found.star_id is None and newest is not None and newest.id == found.id


async def confirm(round_id: int, place: int, *, actor_id: int, chat_id: int, reason: str) -> StarRound:
    """A supervisor's pick (a later press changes it); the star once two supervisors picked the same person,
    with the reward booked in the ledger exactly once. Read under a row lock: two presses both count."""
    async with in_transaction() as conn:
        found = await StarRound.filter(id=round_id).using_db(conn).select_for_update().first()
        if found is None or found.star_id is not None:
            raise UserError(N_("This shortlist is already decided."))
        candidate = found.candidates[place]
        before = dict(found.votes)
        found.votes = {**found.votes, str(actor_id): candidate}
        decided = sum(1 for chosen in found.votes.values() if chosen == candidate) >= CONFIRMATIONS
        if decided:
            found.star_id, found.decided_at = candidate, datetime.now(UTC)
        await found.save(using_db=conn, update_fields=["votes", "star_id", "decided_at"])
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="star.confirm" if decided else "star.pick",
            target=f"star#{found.id}",
            before={"votes": before},
            after={"votes": found.votes, "star": found.star_id},
            using_db=conn,
        )
    if decided:
        await ledger.add("reward", candidate, found.reward, reason, actor_id=actor_id, chat_id=chat_id)
    return found

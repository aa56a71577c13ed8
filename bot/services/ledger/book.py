"""Stand-in for the ledger's booking call with the real one's signature, so the star agent books its reward.

The ledger's own bot/services/ledger/book.py replaces this file at merge; here an entry is an audit row."""

from __future__ import annotations

from decimal import Decimal

from bot.services import audit


async def add(
    kind: str,
    user_id: int,
    amount: Decimal,
    reason: str,
    *,
    actor_id: int,
    chat_id: int | None = None,
    rule: str | None = None,
) -> None:
    """Book a fine or a reward for a person (here: one audit entry)."""
    await audit.record(
        actor_id=actor_id,
        chat_id=chat_id,
        action=f"ledger.{kind}",
        target=str(user_id),
        after={"amount": str(amount), "reason": reason, "rule": rule},
    )

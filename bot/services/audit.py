"""The audit log: every change of state is attributable to a person, a time and a chat."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from bot.models import AuditEntry

MAX_ENTRIES = 50


async def record(
    *,
    actor_id: int | None,
    chat_id: int | None,
    action: str,
    target: str = "",
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> AuditEntry:
    """Store one change; pass the transaction's connection so the entry commits with the change."""
    return await AuditEntry.create(
        actor_id=actor_id,
        chat_id=chat_id,
        action=action,
        target=target,
        before=before,
        after=after,
        using_db=using_db,
    )


async def recent(limit: int = 10) -> list[AuditEntry]:
    """The newest entries first, capped so a reply stays readable."""
    return await AuditEntry.all().order_by("-id").limit(max(1, min(limit, MAX_ENTRIES)))

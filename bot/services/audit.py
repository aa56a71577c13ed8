"""The audit log: every change of state is attributable to a person, a time and a chat."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from bot.models import AuditEntry

MAX_ENTRIES = 500
"""The most entries one /audit pages through."""


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
    """The newest entries first, capped."""
    return await AuditEntry.all().order_by("-id").limit(max(1, min(limit, MAX_ENTRIES)))


async def newest_id() -> int:
    """The latest entry's id (0 when there is none): a paged /audit stays on the entries it began with."""
    found = await AuditEntry.all().order_by("-id").first().values_list("id", flat=True)
    return int(str(found)) if found else 0


async def window(newest: int, limit: int, page: int, size: int) -> tuple[list[AuditEntry], int, int]:
    """One page of the `limit` latest entries up to `newest`, newest first; with the page (kept within
    range) and how many entries there are in all."""
    base = AuditEntry.filter(id__lte=newest)
    total = min(max(1, min(limit, MAX_ENTRIES)), await base.count())
    page = max(1, min(page, max(1, -(-total // size))))
    start = (page - 1) * size
    entries = await base.order_by("-id").offset(start).limit(max(0, min(size, total - start)))
    return entries, page, total

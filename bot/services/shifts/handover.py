"""The handover book (交接记录): what one shift leaves for the next, open until somebody ticks it off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from bot.i18n import N_, Translator
from bot.models import HandoverItem
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError

MAX_TEXT = 500
SHOWN_TEXT = 120
"""How much of an item a posted list shows; /handover shows it whole."""
URGENT_TAGS = ("urgent", "紧急", "急")
WAREHOUSE_TAGS = ("warehouse", "仓库")
CALL_TAGS = ("call", "回电")
TAG = re.compile(r"[#＃](?P<tag>(?:urgent|warehouse|call)(?![a-z])|紧急|急|仓库|回电)", re.IGNORECASE)
"""English tags end at a word boundary; Chinese ones need no space after them (#回电tb_lee)."""
BUYER = re.compile(r"[\s:：=]*(?P<buyer>[^\s,，。;；]{1,64})")


@dataclass(frozen=True, slots=True)
class Draft:
    """A handover item as typed: the text without its tags, and what the tags said."""

    text: str
    urgent: bool = False
    warehouse: bool = False
    call_buyer: str | None = None


def parse(body: str) -> Draft:
    """Read `#urgent`, `#warehouse`, `#call <buyer>` (or #紧急 #仓库 #回电) out of a handover text."""
    body = clean(body)
    urgent = warehouse = False
    buyer: str | None = None
    kept: list[str] = []
    pos = 0
    for found in TAG.finditer(body):
        if found.start() < pos:
            continue
        kept.append(body[pos : found.start()])
        tag = found["tag"].lower()
        pos = found.end()
        if tag in URGENT_TAGS:
            urgent = True
        elif tag in WAREHOUSE_TAGS:
            warehouse = True
        else:
            named = BUYER.match(body, pos)
            if named is None:
                raise UserError(N_("Whom to call? Put the buyer after the tag, e.g. #call tb_lee."))
            buyer, pos = named["buyer"], named.end()
    kept.append(body[pos:])
    text = " ".join("".join(kept).split())
    if not text and buyer is None:
        raise UserError(
            N_("What should the next shift know? e.g. /handover #urgent tb_lee waits for a refund.")
        )
    if len(text) > MAX_TEXT:
        raise UserError(
            N_("The handover text is {length} characters; keep it to {limit}."),
            length=len(text),
            limit=MAX_TEXT,
        )
    return Draft(text, urgent, warehouse, buyer)


async def add(draft: Draft, *, author_id: int, chat_id: int) -> HandoverItem:
    """Store an item for the next shift, audited."""
    async with in_transaction() as conn:
        item = await HandoverItem.create(
            text=draft.text,
            urgent=draft.urgent,
            warehouse=draft.warehouse,
            call_buyer=draft.call_buyer,
            author_id=author_id,
            chat_id=chat_id,
            using_db=conn,
        )
        await audit.record(
            actor_id=author_id,
            chat_id=chat_id,
            action="handover.add",
            target=f"handover:{item.id}",
            after={
                "text": item.text,
                "urgent": item.urgent,
                "warehouse": item.warehouse,
                "call": item.call_buyer,
            },
            using_db=conn,
        )
    return item


async def open_items(*, before: datetime | None = None, warehouse_only: bool = False) -> list[HandoverItem]:
    """Items nobody ticked off yet (written before `before`), urgent first, then oldest first."""
    query = HandoverItem.filter(done_by__isnull=True)
    if before is not None:
        query = query.filter(created_at__lt=before)
    if warehouse_only:
        query = query.filter(warehouse=True)
    return await query.order_by("-urgent", "id")


async def mark_posted(items: list[HandoverItem], at: datetime) -> None:
    """Remember when items were first handed to a shift, so a later shift sees them as carried over."""
    await HandoverItem.filter(id__in=[item.id for item in items], first_posted_at__isnull=True).update(
        first_posted_at=at
    )


def carried(item: HandoverItem, at: datetime) -> bool:
    """Whether an item was already handed to an earlier shift than the one starting at `at`."""
    return item.first_posted_at is not None and item.first_posted_at < at


async def close(item_id: int, *, actor_id: int, chat_id: int, now: datetime) -> HandoverItem | None:
    """Tick an item off; None when it was already ticked off (or does not exist)."""
    async with in_transaction() as conn:
        updated = (
            await HandoverItem.filter(id=item_id, done_by__isnull=True)
            .using_db(conn)
            .update(done_by=actor_id, done_at=now)
        )
        if not updated:
            return None
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="handover.done",
            target=f"handover:{item_id}",
            after={"done_by": actor_id},
            using_db=conn,
        )
        return await HandoverItem.get(id=item_id, using_db=conn)


def line(t: Translator, item: HandoverItem, *, at: datetime | None = None, whole: bool = False) -> str:
    """One item: its marks, id, text, the buyer to call, and whether it is carried over."""
    marks = ("🔴 " if item.urgent else "") + ("🏭 " if item.warehouse else "")
    text = item.text if whole or len(item.text) <= SHOWN_TEXT else item.text[: SHOWN_TEXT - 1] + "…"
    parts = [f"{marks}#{item.id} {text}".rstrip()]
    if item.call_buyer:
        parts.append(t("📞 call {buyer}", buyer=item.call_buyer))
    if carried(item, at) if at is not None else item.first_posted_at is not None:
        parts.append(t("↪ carried over"))
    return " · ".join(parts)

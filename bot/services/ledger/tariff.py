"""Named fixed amounts (`/fine rule …`, `/reward rule …`): an offence or a deed named once, then used by name.

Not to be confused with the team's validation rules (bot/services/team/rules.py, changed with /config): these
are the rulebook's price list. A rule may escalate: `10,50` is 10 the first time in a month, 50 the second and
every later time.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import LedgerEntry, LedgerRule
from bot.services import audit
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.ledger import book
from bot.services.records.fields import PLAIN_NUMBER
from bot.services.when import Period

NAME = re.compile(r"^[^\s@#＃/,，]{1,32}$")
MAX_STEPS = 5
STEP_SPLIT = re.compile(r"[,，/、]")
RESERVED = frozenset({"rule", "rules", "off", "规则", "删除"})


def looks_like_amount(word: str) -> bool:
    """Whether a word is an amount rather than a rule's name (so `/fine @bob 50 …` is never a rule)."""
    return bool(PLAIN_NUMBER.match(word.strip().lstrip("¥￥").removesuffix("元").strip()))


def rule_name(word: str) -> str:
    """A rule's name as stored: lower case, one word, not a number, not a sub-command."""
    name = word.strip().lower()
    if not NAME.match(name) or looks_like_amount(name) or name in RESERVED:
        raise UserError(
            N_("“{value}” cannot name a rule: use one word that is not a number, e.g. private-chat."),
            value=word,
        )
    return name


async def steps(text: str) -> tuple[Decimal, ...]:
    """`10` or `10,50` (10 the first time in a month, then 50): each a valid amount, at most five."""
    parts = [part for part in STEP_SPLIT.split(text) if part.strip()]
    if not parts or len(parts) > MAX_STEPS:
        raise UserError(
            N_("Give one amount, or up to {n} by how often it happened in the month, e.g. 10,50."),
            n=MAX_STEPS,
        )
    return tuple([await book.money(part) for part in parts])


def amounts_of(rule: LedgerRule) -> tuple[Decimal, ...]:
    """A stored rule's amounts, first time first."""
    return tuple(Decimal(part) for part in rule.amounts.split(","))


async def define(
    kind: str, name: str, amounts: tuple[Decimal, ...], description: str, *, actor_id: int, chat_id: int
) -> LedgerRule:
    """Name a rule, or change one (switched off ones come back); audited with what it was before."""
    text = clean(description)[: book.MAX_REASON]
    if not text:
        raise UserError(
            N_("Say what the rule is for, e.g. /fine rule private-chat 10,50 private chat at work.")
        )
    existing = await LedgerRule.get_or_none(name=name)
    if existing is not None and existing.kind != kind and existing.active:
        raise UserError(N_("“{value}” already names a rule of the other kind."), value=name)
    values = {
        "kind": kind,
        "amounts": ",".join(str(amount) for amount in amounts),
        "description": text,
        "active": True,
        "set_by_id": actor_id,
    }
    before = _state(existing) if existing else None
    async with in_transaction() as conn:
        rule, _ = await LedgerRule.update_or_create(name=name, defaults=values, using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="ledger.rule",
            target=f"rule:{name}",
            before=before,
            after=_state(rule),
            using_db=conn,
        )
    return rule


def _state(rule: LedgerRule) -> dict[str, object]:
    """What the audit keeps of a rule."""
    return {
        "kind": rule.kind,
        "amounts": rule.amounts,
        "description": rule.description,
        "active": rule.active,
    }


async def switch_off(kind: str, name: str, *, actor_id: int, chat_id: int) -> LedgerRule:
    """Stop a rule from being used; entries already made with it stay."""
    rule = await find(kind, name)
    async with in_transaction() as conn:
        before = _state(rule)
        rule.active = False
        await rule.save(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="ledger.rule.off",
            target=f"rule:{name}",
            before=before,
            after=_state(rule),
            using_db=conn,
        )
    return rule


async def listing(kind: str) -> list[LedgerRule]:
    """The rules of one kind in use, by name."""
    return await LedgerRule.filter(kind=kind, active=True).order_by("name")


async def find(kind: str, word: str) -> LedgerRule:
    """A rule of this kind in use, or why there is none (with the names there are)."""
    rule = await LedgerRule.get_or_none(name=word.strip().lower(), kind=kind, active=True)
    if rule is None:
        names = ", ".join(found.name for found in await listing(kind)) or "—"
        raise UserError(N_("No rule is named “{value}”. Rules: {names}."), value=word, names=names)
    return rule


async def amount_for(rule: LedgerRule, person_id: int, month: Period) -> tuple[Decimal, int]:
    """What the rule costs this person now and which use in the month this is (cancelled ones not counted)."""
    before = await LedgerEntry.filter(
        rule=rule.name,
        person_id=person_id,
        at__gte=month.start,
        at__lt=month.end,
        cancelled_at__isnull=True,
    ).count()
    amounts = amounts_of(rule)
    return amounts[min(before, len(amounts) - 1)], before + 1

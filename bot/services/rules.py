"""Team rules that validation depends on; defaults from the domain, changeable per team with /config."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import TeamSetting
from bot.services import audit
from bot.services.errors import UserError


@dataclass(frozen=True, slots=True)
class Rules:
    """Limits and thresholds used when records are checked and stored."""

    order_min_digits: int = 15
    order_max_digits: int = 20
    max_amount: Decimal = Decimal("5000")
    repeat_threshold: int = 3
    repeat_days: int = 30
    insurance_days: int = 9
    weight_loss_kg: Decimal = Decimal("0.05")


DEFAULT_RULES = Rules()
_cached: Rules | None = None


def forget_cache() -> None:
    """Re-read the rules from the database next time (a new database was opened)."""
    global _cached
    _cached = None


async def current() -> Rules:
    """The team's rules: stored overrides on top of the defaults."""
    global _cached
    if _cached is None:
        stored = dict(await TeamSetting.all().values_list("key", "value"))
        _cached = _apply(DEFAULT_RULES, {str(k): str(v) for k, v in stored.items()})
    return _cached


def as_dict(rules: Rules) -> dict[str, str]:
    """The rules as name → value text, in declaration order."""
    return {field.name: str(getattr(rules, field.name)) for field in fields(Rules)}


def _apply(rules: Rules, values: dict[str, str]) -> Rules:
    """Overlay textual values on a Rules object, converting each to its field's type."""
    changes: dict[str, object] = {}
    for field in fields(Rules):
        if field.name in values:
            default = getattr(DEFAULT_RULES, field.name)
            changes[field.name] = type(default)(values[field.name])
    return replace(rules, **changes)  # type: ignore[arg-type]


async def change(key: str, value: str, *, actor_id: int, chat_id: int) -> Rules:
    """Validate and store one rule with an audit entry; returns the new rules."""
    names = [field.name for field in fields(Rules)]
    if key not in names:
        raise UserError(
            N_("Unknown setting “{value}”. Settings: {names}."), value=key, names=", ".join(names)
        )
    try:
        updated = _apply(await current(), {key: value})
    except (ArithmeticError, ValueError):
        raise UserError(N_("“{value}” is not a valid value for {key}."), value=value, key=key) from None
    if Decimal(str(getattr(updated, key))) <= 0:
        raise UserError(N_("“{value}” is not a valid value for {key}."), value=value, key=key)
    before = getattr(await current(), key)
    async with in_transaction() as conn:
        await TeamSetting.update_or_create(key=key, defaults={"value": value}, using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="config",
            target=key,
            before={key: str(before)},
            after={key: str(getattr(updated, key))},
            using_db=conn,
        )
    forget_cache()
    return await current()

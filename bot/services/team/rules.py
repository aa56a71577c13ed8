"""Team rules that validation depends on; defaults from the domain, changeable per team with /config."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import TeamSetting
from bot.services import audit, invalidation
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
    insurance_alert_days: int = 5
    presale_days: int = 15
    presale_alert_days: int = 2


DEFAULT_RULES = Rules()
LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    "order_min_digits": (Decimal(1), Decimal(32)),
    "order_max_digits": (Decimal(1), Decimal(32)),
    "max_amount": (Decimal("0.01"), Decimal("9999999999.99")),
    "repeat_threshold": (Decimal(2), Decimal(1000)),
    "repeat_days": (Decimal(1), Decimal(3650)),
    "insurance_days": (Decimal(1), Decimal(60)),
    "weight_loss_kg": (Decimal("0.001"), Decimal(100)),
    "insurance_alert_days": (Decimal(1), Decimal(30)),
    "presale_days": (Decimal(1), Decimal(90)),
    "presale_alert_days": (Decimal(0), Decimal(30)),
}
"""What each rule may be set to: the columns' sizes and sensible ranges."""
_cached: Rules | None = None


def forget_cache() -> None:
    """Re-read the rules from the database next time (a new database was opened)."""
    global _cached
    _cached = None


invalidation.register("rules", lambda _key: forget_cache())


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
    low, high = LIMITS[key]
    try:
        updated = _apply(await current(), {key: value})
        valid = low <= Decimal(str(getattr(updated, key))) <= high
    except (ArithmeticError, ValueError):
        valid = False
    if not valid:
        raise UserError(
            N_("“{value}” is not a valid value for {key}: give a number from {low} to {high}."),
            value=value,
            key=key,
            low=low,
            high=high,
        )
    if updated.order_min_digits > updated.order_max_digits:
        raise UserError(
            N_("order_min_digits ({low}) cannot be more than order_max_digits ({high})."),
            low=updated.order_min_digits,
            high=updated.order_max_digits,
        )
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
    await invalidation.changed("rules")
    return await current()

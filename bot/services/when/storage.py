"""Rules as plain JSON, so schedules survive a restart.

Rules the old alarm parser could express are written exactly as it wrote them (`once`, `interval`, `weekly`),
so stored schedules read back unchanged in either direction; only the new kinds of days add an `on` object.
"""

from __future__ import annotations

from datetime import date, datetime, time

from bot.services.when.rules import (
    EVERY_DAY,
    Days,
    EveryWeeks,
    Interval,
    MonthDays,
    Once,
    Recurring,
    Rule,
    Weekdays,
    WorkingDays,
)

Json = dict[str, object]


def _hhmm(value: time) -> str:
    """A wall time as HH:MM."""
    return value.strftime("%H:%M")


def days_to_json(on: Days) -> Json:
    """Which days a rule fires on, as JSON."""
    if isinstance(on, Weekdays):
        return {"kind": "weekdays", "days": sorted(on.days)}
    if isinstance(on, EveryWeeks):
        return {
            "kind": "every_weeks",
            "weeks": on.weeks,
            "days": sorted(on.days),
            "anchor": on.anchor.isoformat(),
        }
    if isinstance(on, MonthDays):
        return {"kind": "month_day", "day": on.day}
    return {"kind": "working"}


def to_json(rule: Rule) -> Json:
    """A rule as plain JSON (the old alarm forms whenever they can say it)."""
    if isinstance(rule, Once):
        return {"kind": "once", "at": rule.at.isoformat()}
    if isinstance(rule, Interval):
        start = None if rule.start is None else _hhmm(rule.start)
        end = None if rule.end is None else _hhmm(rule.end)
        found: Json = {"kind": "interval", "minutes": rule.minutes, "start": start, "end": end}
        return found if rule.on == EVERY_DAY else found | {"on": days_to_json(rule.on)}
    if isinstance(rule.on, Weekdays):
        return {"kind": "weekly", "at": _hhmm(rule.at), "days": sorted(rule.on.days)}
    return {"kind": "recurring", "at": _hhmm(rule.at), "on": days_to_json(rule.on)}


def _field(data: Json, key: str, kind: type[object]) -> object:
    """One field of stored JSON, checked for its type so bad data fails loudly on load."""
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"schedule field {key!r} should be {kind.__name__}, not {value!r}")
    return value


def _int(data: Json, key: str) -> int:
    """An int field."""
    value = _field(data, key, int)
    assert isinstance(value, int)
    return value


def _wall(data: Json, key: str) -> time | None:
    """An optional HH:MM wall time."""
    if data.get(key) is None:
        return None
    return time.fromisoformat(str(_field(data, key, str)))


def _weekday_list(data: Json) -> frozenset[int]:
    """A list of weekday numbers."""
    days = _field(data, "days", list)
    assert isinstance(days, list)
    if not all(isinstance(day, int) and not isinstance(day, bool) for day in days):
        raise ValueError(f"schedule days should be weekday numbers, not {days!r}")
    return frozenset(days)


def days_from_json(data: object) -> Days:
    """Which days a rule fires on, back from days_to_json's output."""
    if not isinstance(data, dict):
        raise ValueError(f"schedule days should be an object, not {data!r}")
    kind = data.get("kind")
    if kind == "weekdays":
        return Weekdays(_weekday_list(data))
    if kind == "working":
        return WorkingDays()
    if kind == "every_weeks":
        anchor = date.fromisoformat(str(_field(data, "anchor", str)))
        return EveryWeeks(_int(data, "weeks"), _weekday_list(data), anchor)
    if kind == "month_day":
        return MonthDays(_int(data, "day"))
    raise ValueError(f"unknown kind of days {kind!r}")


def _at(data: Json) -> time:
    """The wall time a repeating rule needs."""
    at = _wall(data, "at")
    if at is None:
        raise ValueError("a repeating schedule needs its time")
    return at


def from_json(data: Json) -> Rule:
    """A rule back from its JSON (any form ever stored); anything else raises ValueError."""
    kind = data.get("kind")
    if kind == "once":
        return Once(datetime.fromisoformat(str(_field(data, "at", str))))
    if kind == "interval":
        on = days_from_json(data["on"]) if "on" in data else EVERY_DAY
        return Interval(_int(data, "minutes"), _wall(data, "start"), _wall(data, "end"), on)
    if kind == "weekly":
        return Recurring(_at(data), Weekdays(_weekday_list(data)))
    if kind == "recurring":
        return Recurring(_at(data), days_from_json(data.get("on")))
    raise ValueError(f"unknown schedule kind {kind!r}")

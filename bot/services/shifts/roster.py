"""Shift types with seasonal hours and the roster: who works which shift on which day, without overlaps."""

from __future__ import annotations

import re
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import Person, RosterShift, ShiftType
from bot.services import audit, ids, invalidation, when
from bot.services.errors import Msg, UserError
from bot.services.team import people

DEFAULT_TYPES: dict[str, dict[str, int | None]] = {
    "day": {"start": 9 * 60, "end": 18 * 60, "summer_start": 9 * 60 + 30, "summer_end": 18 * 60 + 30},
    "night": {"start": 19 * 60, "end": 24 * 60, "summer_start": None, "summer_end": None},
}
"""The domain's hours: day 09:00–18:00 in winter, 09:30–18:30 from May to September; night 19:00–24:00."""
TYPE_ALIASES = {"白班": "day", "早班": "day", "日班": "day", "晚班": "night", "夜班": "night"}
TYPE_LABELS = {"day": N_("day shift"), "night": N_("night shift")}
TYPE_CODES = {"day": N_("D"), "night": N_("N")}
"""One letter per shift type for the roster table (白 / 晚 in Chinese)."""
OFF_WORDS = {"off", "rest", "-", "休", "休息"}
SUMMER_KEYS = {"summer", "夏季", "夏天", "夏"}
WINTER_KEYS = {"winter", "冬季", "冬天", "冬"}
FROM_KEYS = {"from", "从", "起"}
TO_KEYS = {"to", "until", "到", "止"}
REMIND_KEYS = {"remind", "提醒", "提前"}
NONE_WORDS = {"none", "no", "off", "无", "不用"}
NAME = r"[a-z][a-z0-9_]{0,15}"
MAX_REMIND = 180

SUMMER, WINTER = "summer", "winter"
UNKNOWN_TYPE = N_("Unknown shift “{value}”. Shifts: {names}.")
OVERLAP = N_(
    "{name} already works the {shift} ({hours}) on {day}, which overlaps the {new} ({new_hours}). "
    "Take it off first with /roster off."
)


def label(shift_type: ShiftType) -> str:
    """The msgid naming a shift type (its own name for types the team added)."""
    return TYPE_LABELS.get(shift_type.name, shift_type.name)


def code(shift_type: ShiftType) -> str:
    """The msgid of a shift type's one-letter code in the roster table."""
    return TYPE_CODES.get(shift_type.name, shift_type.name[:1].upper())


_types: list[ShiftType] = []
"""Every shift type, cached: `/today`, `/roster` and shift postings read them on every call, /shifttype alone
writes them."""


def forget_cache() -> None:
    """Drop the cached shift types (a new database was opened, or another instance changed them)."""
    _types.clear()


invalidation.register("shift_types", lambda _key: forget_cache())


async def all_types() -> list[ShiftType]:
    """Every shift type, earliest start first; the domain's defaults are created on first use."""
    if not _types:
        found = await ShiftType.all().order_by("start", "id")
        if not DEFAULT_TYPES.keys() <= {t.name for t in found}:  # first use, or half done elsewhere
            found = await default_types()
        _types[:] = found  # replaced, not extended: other chats' updates may be filling it at the same time
    return list(_types)


async def default_types() -> list[ShiftType]:
    """Create the domain's shift types (the first time any is needed) and return them."""
    for name, hours in DEFAULT_TYPES.items():
        with suppress(IntegrityError):  # created meanwhile by a concurrent first use
            await ShiftType.get_or_create(name=name, defaults=hours)
    return await ShiftType.all().order_by("start", "id")


async def find_type(word: str) -> ShiftType:
    """A shift type by name or Chinese alias, or the list of names."""
    name = TYPE_ALIASES.get(word.strip(), word.strip().lower())
    types = await all_types()
    for shift_type in types:
        if shift_type.name == name:
            return shift_type
    raise UserError(UNKNOWN_TYPE, value=word, names=", ".join(t.name for t in types))


def season(shift_type: ShiftType, day: date) -> str:
    """Which hours apply on a date: summer hours in their season when the type has them."""
    if shift_type.summer_start is None or shift_type.summer_end is None:
        return WINTER
    return SUMMER if when.in_season(day, shift_type.summer_from, shift_type.summer_to) else WINTER


def seasons_of(shift_type: ShiftType) -> tuple[str, ...]:
    """The seasons a type has distinct hours for."""
    return (WINTER, SUMMER) if shift_type.summer_start is not None else (WINTER,)


def hours_in(shift_type: ShiftType, which: str) -> tuple[int, int]:
    """A type's (start, end) minutes in one season."""
    if which == SUMMER and shift_type.summer_start is not None and shift_type.summer_end is not None:
        return shift_type.summer_start, shift_type.summer_end
    return shift_type.start, shift_type.end


def hours(shift_type: ShiftType, day: date) -> tuple[int, int]:
    """A type's (start, end) minutes on a given date."""
    return hours_in(shift_type, season(shift_type, day))


def moment(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The instant of a minute of a local day (24:00 is the next midnight)."""
    return datetime.combine(day + timedelta(days=minutes // (24 * 60)), time(), zone) + timedelta(
        minutes=minutes % (24 * 60)
    )


@dataclass(frozen=True, slots=True)
class TypeChange:
    """What `/shifttype <name> …` asked to change; None leaves a field as it is."""

    name: str
    winter: tuple[int, int] | None = None
    summer: tuple[int, int] | None = None
    drop_summer: bool = False
    summer_from: str | None = None
    summer_to: str | None = None
    remind: int | None = None


def parse_type_change(words: list[str]) -> TypeChange:
    """`day 09:00-18:00 summer=09:30-18:30 from=05-01 to=09-30 remind=30`, keys in English or Chinese."""
    name = TYPE_ALIASES.get(words[0], words[0].lower())
    if not re.fullmatch(NAME, name):
        raise UserError(
            N_("“{value}” is not a shift name: use Latin letters, e.g. day or night."), value=words[0]
        )
    values: dict[str, object] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep:
            values["winter"] = when.read_hours(word)
        elif key in WINTER_KEYS:
            values["winter"] = when.read_hours(value)
        elif key in SUMMER_KEYS and value.lower() in NONE_WORDS:
            values["drop_summer"] = True
        elif key in SUMMER_KEYS:
            values["summer"] = when.read_hours(value)
        elif key in FROM_KEYS:
            values["summer_from"] = when.read_month_day(value)
        elif key in TO_KEYS:
            values["summer_to"] = when.read_month_day(value)
        elif key in REMIND_KEYS:
            values["remind"] = parse_remind(value)
        else:
            raise UserError(
                N_("Unknown setting “{value}”. Settings: summer=, winter=, from=, to=, remind=."), value=word
            )
    return replace(TypeChange(name), **values)  # type: ignore[arg-type]


def parse_remind(value: str) -> int:
    """Minutes before a shift to remind each person: 0 (no reminder) to 180."""
    digits = value.lower().removesuffix("min").removesuffix("m").removesuffix("分钟")
    if not digits.isascii() or not digits.isdigit() or int(digits) > MAX_REMIND:
        raise UserError(
            N_("The reminder “{value}” should be minutes from 0 to {limit}, e.g. remind=30."),
            value=value,
            limit=MAX_REMIND,
        )
    return int(digits)


def type_state(shift_type: ShiftType) -> dict[str, object]:
    """A shift type as stored in the audit log."""
    return {
        "hours": when.span((shift_type.start, shift_type.end)),
        "summer": when.span(hours_in(shift_type, SUMMER)) if shift_type.summer_start is not None else None,
        "from": shift_type.summer_from,
        "to": shift_type.summer_to,
        "remind": shift_type.remind_minutes,
    }


async def change_type(change: TypeChange, *, actor_id: int, chat_id: int) -> ShiftType:
    """Create or change a shift type, audited; the roster must not end up with overlapping shifts."""
    await all_types()
    shift_type = await ShiftType.get_or_none(name=change.name)
    if shift_type is None and change.winter is None:
        raise UserError(
            N_("A new shift needs its hours, e.g. /shifttype {value} 07:00-15:00."), value=change.name
        )
    before = type_state(shift_type) if shift_type else None
    shift_type = shift_type or ShiftType(name=change.name)
    if change.winter:
        shift_type.start, shift_type.end = change.winter
    if change.summer:
        shift_type.summer_start, shift_type.summer_end = change.summer
    if change.drop_summer:
        shift_type.summer_start = shift_type.summer_end = None
    shift_type.summer_from = change.summer_from or shift_type.summer_from
    shift_type.summer_to = change.summer_to or shift_type.summer_to
    if change.remind is not None:
        shift_type.remind_minutes = change.remind
    if shift_type.id is not None:
        await check_roster_fits(shift_type)
    async with in_transaction() as conn:
        await shift_type.save(using_db=conn)
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="shifttype.change",
            target=f"shifttype:{shift_type.name}",
            before=before,
            after=type_state(shift_type),
            using_db=conn,
        )
    forget_cache()
    await invalidation.changed("shift_types")
    return shift_type


async def check_roster_fits(changed: ShiftType) -> None:
    """Refuse new hours that would make someone's rostered shifts overlap."""
    mine = {
        (person, day)
        for person, day in await RosterShift.filter(shift_type_id=changed.id).values_list("person_id", "day")
    }
    if not mine:
        return
    others = (
        await RosterShift.filter(person_id__in={p for p, _ in mine}, day__in={d for _, d in mine})
        .exclude(shift_type_id=changed.id)
        .prefetch_related("shift_type")
    )
    for entry in others:
        clash = when.overlaps(hours(changed, entry.day), hours(entry.shift_type, entry.day))
        if (entry.person_id, entry.day) in mine and clash:
            person = await people.get(entry.person_id) or Person(id=entry.person_id)
            raise overlap_error(person, entry.day, entry.shift_type, changed)


async def resolve_person(word: str) -> Person:
    """A person named by @username or Telegram id, or why they are unknown."""
    person = await (people.get(int(word)) if ids.is_id(word, ids.MAX_PERSON_ID) else people.by_username(word))
    if person is None:
        raise UserError(
            N_(
                "I haven't seen {name} yet: ask them to write in this chat, "
                "or reply to one of their messages."
            ),
            name=word,
        )
    return person


async def shifts_between(
    first: date, last: date, person_id: int | None = None
) -> dict[tuple[int, date], list[ShiftType]]:
    """(person, day) → shift types for every rostered day in [first, last], earliest shift first."""
    query = RosterShift.filter(day__gte=first, day__lte=last).prefetch_related("shift_type")
    if person_id is not None:
        query = query.filter(person_id=person_id)
    found: dict[tuple[int, date], list[ShiftType]] = defaultdict(list)
    for entry in await query.order_by("day", "id"):
        found[entry.person_id, entry.day].append(entry.shift_type)
    for (_, day), types in found.items():
        types.sort(key=lambda shift_type: hours(shift_type, day)[0])
    return found


def overlap_error(person: Person, day: date, held: ShiftType, new: ShiftType) -> UserError:
    """Why a shift cannot be added on top of another one."""
    return UserError(
        OVERLAP,
        name=person.display_name,
        shift=Msg(label(held)),
        hours=when.span(hours(held, day)),
        day=day.isoformat(),
        new=Msg(label(new)),
        new_hours=when.span(hours(new, day)),
    )


def check_day(person: Person, day: date, types: list[ShiftType]) -> None:
    """Refuse a day whose shifts overlap."""
    for index, one in enumerate(types):
        for other in types[index + 1 :]:
            if when.overlaps(hours(one, day), hours(other, day)):
                raise overlap_error(person, day, one, other)


@dataclass(frozen=True, slots=True)
class RosterChange:
    """What a roster command did: days added (or removed) and days that were already so."""

    changed: list[date]
    unchanged: list[date]


async def assign(
    person: Person, days: list[date], shift_type: ShiftType, *, actor_id: int, chat_id: int
) -> RosterChange:
    """Put a person on a shift on each day, all or nothing, refusing overlaps with their other shifts."""
    held = await shifts_between(days[0], days[-1], person.id)
    changed, unchanged = [], []
    for day in days:
        current = held.get((person.id, day), [])
        if any(t.id == shift_type.id for t in current):
            unchanged.append(day)
            continue
        for other in current:
            if when.overlaps(hours(other, day), hours(shift_type, day)):
                raise overlap_error(person, day, other, shift_type)
        changed.append(day)
    if changed:
        async with in_transaction() as conn:
            await RosterShift.bulk_create(
                [
                    RosterShift(person_id=person.id, day=day, shift_type=shift_type, created_by_id=actor_id)
                    for day in changed
                ],
                using_db=conn,
            )
            await audit.record(
                actor_id=actor_id,
                chat_id=chat_id,
                action="roster.set",
                target=f"person:{person.id}",
                after={"shift": shift_type.name, "days": [day.isoformat() for day in changed]},
                using_db=conn,
            )
    return RosterChange(changed, unchanged)


async def unassign(
    person: Person, days: list[date], shift_type: ShiftType | None, *, actor_id: int, chat_id: int
) -> RosterChange:
    """Give a person days off (or take one shift type off those days), audited."""
    query = RosterShift.filter(person_id=person.id, day__in=days)
    if shift_type is not None:
        query = query.filter(shift_type_id=shift_type.id)
    entries = await query.prefetch_related("shift_type").order_by("day")
    removed = sorted({entry.day for entry in entries})
    if entries:
        async with in_transaction() as conn:
            await RosterShift.filter(id__in=[entry.id for entry in entries]).using_db(conn).delete()
            await audit.record(
                actor_id=actor_id,
                chat_id=chat_id,
                action="roster.off",
                target=f"person:{person.id}",
                before={"shifts": [f"{entry.day.isoformat()} {entry.shift_type.name}" for entry in entries]},
                using_db=conn,
            )
    return RosterChange(removed, [day for day in days if day not in removed])


@dataclass(frozen=True, slots=True)
class Span:
    """One shift type on one day: its hours as instants and who is rostered."""

    shift_type: ShiftType
    day: date
    start: datetime
    end: datetime
    people: list[Person]


async def spans(first: date, last: date, zone: ZoneInfo) -> list[Span]:
    """Every shift of every type from `first` to `last`, in time order, with the people on it."""
    types = await all_types()
    rostered = await RosterShift.filter(day__gte=first, day__lte=last).order_by("id")
    on_roster = {r.person_id for r in rostered}
    names = {p.id: p for p in await Person.filter(id__in=on_roster)} if on_roster else {}
    found = []
    day = first
    while day <= last:
        for shift_type in types:
            start, end = hours(shift_type, day)
            on = [
                names[r.person_id]
                for r in rostered
                if r.day == day and r.shift_type_id == shift_type.id and r.person_id in names  # type: ignore[attr-defined]
            ]
            found.append(Span(shift_type, day, moment(day, start, zone), moment(day, end, zone), on))
        day += timedelta(days=1)
    return sorted(found, key=lambda s: (s.start, s.shift_type.id))


async def now_and_next(now: datetime, zone: ZoneInfo) -> tuple[list[Span], Span | None]:
    """The shifts running now and the next one to start (within two days)."""
    today = now.astimezone(zone).date()
    found = await spans(today - timedelta(days=1), today + timedelta(days=2), zone)
    running = [s for s in found if s.start <= now < s.end]
    upcoming = next((s for s in found if s.start > now and s.people), None)
    return running, upcoming


async def span_of(shift_type: ShiftType, day: date, zone: ZoneInfo) -> Span:
    """One type's shift on one day, with its people."""
    return next(s for s in await spans(day, day, zone) if s.shift_type.id == shift_type.id)

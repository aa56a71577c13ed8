"""The monthly roster as a spreadsheet: a template to fill (people down, dates across) and its import,
all or nothing, naming every bad row."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from bot.i18n import N_, Translator
from bot.models import Person, RosterShift, ShiftType
from bot.services import audit, sheets
from bot.services.errors import UserError
from bot.services.shifts import roster as shifts
from bot.services.team import people
from bot.services.when import read_day

CELL_SPLIT = re.compile(r"\s*[+,，/、&]\s*|\s+")
MAX_PROBLEMS = 20
MAX_ROWS = 500
MAX_REACH = timedelta(days=366)
"""An import's dates lie within a year of today, either way: a typo'd year must not write decades of days."""
FAR_DATE = N_("{date} is more than a year from today: a roster file holds dates {first} to {last}.")


def month_days(first: date) -> list[date]:
    """Every day of the month starting at `first`."""
    return [first + timedelta(days=i) for i in range(calendar.monthrange(first.year, first.month)[1])]


async def template(t: Translator, first: date) -> bytes:
    """An xlsx for one month: a row per team member, pre-filled with what the roster already says."""
    days = month_days(first)
    members = {p.id: p for group in (await people.members_by_role()).values() for p in group}
    found = await shifts.shifts_between(days[0], days[-1])
    members |= {p.id: p for p in await Person.filter(id__in={person_id for person_id, _ in found})}
    rows = [
        [person.display_name if person.username else str(person.id)]
        + [" ".join(shift_type.name for shift_type in found.get((person.id, day), [])) for day in days]
        for person in sorted(members.values(), key=lambda p: p.display_name.lower())
    ]
    headers = [t("person")] + [day.isoformat() for day in days]
    return sheets.xlsx(headers, rows, title=first.strftime("%Y-%m"))


async def numbered_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank rows with the row numbers a spreadsheet shows, read in a worker thread."""
    rows = await sheets.read_rows_async(data, filename)
    return [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one row (and on which day, when one cell is the problem)."""

    row: int
    error: UserError
    day: date | None = None


class CellError(Exception):
    """A bad cell: its day and what is wrong with it."""

    def __init__(self, day: date, error: UserError) -> None:
        super().__init__(error.message)
        self.day = day
        self.error = error


@dataclass(slots=True)
class Plan:
    """What an import will write: each listed (person, day) gets exactly these shifts (none: off)."""

    cells: dict[tuple[int, date], list[ShiftType]]
    people: dict[int, Person]


def header_days(header: list[str], today: date) -> list[date | None]:
    """The date of each column after the first (None for an empty column)."""
    days: list[date | None] = []
    for cell in header[1:]:
        day = read_day(cell, today) if cell.strip() else None
        if day is not None and abs(day - today) > MAX_REACH:
            raise UserError(
                FAR_DATE,
                date=day.isoformat(),
                first=(today - MAX_REACH).isoformat(),
                last=(today + MAX_REACH).isoformat(),
            )
        days.append(day)
    if not any(days):
        raise UserError(N_("The first row should hold the dates, e.g. person, 2026-12-01, 2026-12-02 …"))
    return days


async def read_cell(value: str, types: list[ShiftType]) -> list[ShiftType]:
    """One cell: shift names (白班, night, day+night) or off (休); unknown names are refused."""
    words = [word for word in CELL_SPLIT.split(value.strip()) if word]
    if len(words) == 1 and words[0].lower() in shifts.OFF_WORDS:
        return []
    found = []
    for word in words:
        name = shifts.TYPE_ALIASES.get(word, word.lower())
        match = next((shift_type for shift_type in types if shift_type.name == name), None)
        if match is None:
            raise UserError(shifts.UNKNOWN_TYPE, value=word, names=", ".join(t.name for t in types))
        found.append(match)
    return found


async def read_row(cells: list[str], days: list[date | None], types: list[ShiftType], plan: Plan) -> None:
    """Add one person's row to the plan, or raise what is wrong with it."""
    who = cells[0].strip() if cells else ""
    if not who:
        raise UserError(N_("The first cell should name the person, e.g. @bob."))
    person = await shifts.resolve_person(who)
    if person.id in plan.people:
        raise UserError(N_("{name} has two rows: keep one."), name=person.display_name)
    extra = [cell for cell in cells[len(days) + 1 :] if cell.strip()]
    if extra:
        raise UserError(N_("“{value}” is in a column without a date."), value=extra[0])
    for day, value in zip(days, cells[1:], strict=False):
        if day is None or not value.strip():
            continue
        try:
            chosen = await read_cell(value, types)
            shifts.check_day(person, day, chosen)
        except UserError as error:
            raise CellError(day, error) from None
        plan.cells[person.id, day] = chosen
    plan.people[person.id] = person


async def plan_import(rows: list[tuple[int, list[str]]], today: date) -> Plan | list[Problem]:
    """Check every row; the plan when all are good, else every problem found."""
    if len(rows) < 2:
        raise UserError(N_("The file has no roster rows: fill in the template from /roster template."))
    if len(rows) > MAX_ROWS:
        raise UserError(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
    try:
        days = header_days(rows[0][1], today)
    except UserError as error:
        return [Problem(rows[0][0], error)]
    types = await shifts.all_types()
    plan = Plan({}, {})
    problems: list[Problem] = []
    for number, cells in rows[1:]:
        try:
            await read_row(cells, days, types, plan)
        except UserError as error:
            problems.append(Problem(number, error))
        except CellError as problem:
            problems.append(Problem(number, problem.error, problem.day))
    return problems or plan


async def apply(plan: Plan, *, actor_id: int, chat_id: int) -> int:
    """Write the plan in one transaction with one audit entry; returns the number of days written."""
    changes: dict[str, dict[str, list[str]]] = {}
    async with in_transaction() as conn:
        for (person_id, day), types in sorted(plan.cells.items(), key=lambda item: (item[0][0], item[0][1])):
            await RosterShift.filter(person_id=person_id, day=day).using_db(conn).delete()
            for shift_type in types:
                await RosterShift.create(
                    person_id=person_id, day=day, shift_type=shift_type, created_by_id=actor_id, using_db=conn
                )
            name = plan.people[person_id].display_name
            changes.setdefault(name, {})[day.isoformat()] = [shift_type.name for shift_type in types]
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="roster.import",
            target="roster",
            after=changes,  # type: ignore[arg-type]
            using_db=conn,
        )
    return len(plan.cells)

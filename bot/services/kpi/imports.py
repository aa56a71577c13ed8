"""The platform's daily per-agent export (seller workbench) read by header names, Chinese or English.

Agents appear there under their platform names (sub-accounts such as 店铺:小王); a name is matched to a team
member only exactly (a name mapped once with /kpi alias, an @username or a Telegram id), never guessed: the
rows of names nobody mapped are skipped and named in the reply."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from bot.i18n import N_
from bot.models import KpiAlias, KpiDay, Person
from bot.services import audit, ids
from bot.services.clean import clean
from bot.services.errors import UserError
from bot.services.headers import Table, read_table
from bot.services.team import people
from bot.services.when import read_day

COLUMNS: dict[str, tuple[str, ...]] = {
    "agent": ("agent", "客服", "客服昵称", "客服名称", "旺旺", "子账号", "name"),
    "day": ("date", "day", "日期"),
    "inquiries": ("inquiries", "询单人数", "咨询人数", "接待人数"),
    "paying": ("paying buyers", "paying", "付款人数", "询单付款人数", "最终付款人数"),
    "sales": ("sales", "销售额", "付款金额", "询单付款金额"),
    "response": ("average response seconds", "average response", "response", "平均响应时间", "平均响应"),
}
REQUIRED = ("agent", "inquiries", "paying", "sales")
NUMBER_NOISE = re.compile(r"[,，¥￥元秒\s]|(?<=\d)s$")
MAX_ROWS = 2_000
MAX_PROBLEMS = 20
MAX_BACK = timedelta(days=366)
MAX_NAME = 64
BAD_NUMBER = N_("“{value}” in column {column} is not a number.")


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of the export, its numbers checked."""

    day: date
    agent: str
    inquiries: int
    paying: int
    sales: Decimal
    response: float | None


@dataclass(slots=True)
class Plan:
    """What an import writes: rows by (day, person), the names no one is mapped to, each bad row."""

    rows: dict[tuple[date, int], Figures] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problems: list[tuple[int, UserError]] = field(default_factory=list)


def number(value: str, column: str) -> Decimal:
    """A non-negative number as the platform writes it (1,234.50, ¥88, 28秒)."""
    try:
        found = Decimal(NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", value)) or "x")
    except InvalidOperation:
        raise UserError(BAD_NUMBER, value=value, column=column) from None
    if not found.is_finite() or found < 0 or found > Decimal("1e10"):
        raise UserError(BAD_NUMBER, value=value, column=column)
    return found


def name_key(name: str) -> str:
    """A platform name as compared: width-folded, without controls, case and outer spaces."""
    return clean(unicodedata.normalize("NFKC", name)).strip().lower()[:MAX_NAME]


async def resolve(name: str, aliases: dict[str, int]) -> Person | None:
    """The team member a platform name stands for, only by an exact match."""
    key = name_key(name)
    if key in aliases:
        return await people.get(aliases[key])
    if ids.is_id(key, ids.MAX_PERSON_ID):
        return await people.get(int(key))
    return await people.by_username(key) if key.startswith("@") else None


def read_row(table: Table, cells: list[str], default_day: date, today: date) -> Figures:
    """One data row, checked (the day from its date column, else the file's)."""

    def cell(key: str) -> str:
        """The row's text in a column."""
        return table.cell(cells, key)

    agent = cell("agent")
    if not agent:
        raise UserError(N_("The agent's name is empty."))
    day = read_day(cell("day"), today) if cell("day") else default_day
    if day > today or today - day > MAX_BACK:
        raise UserError(N_("{date} is not a day of the last year."), date=day.isoformat())
    inquiries, paying = number(cell("inquiries"), "inquiries"), number(cell("paying"), "paying")
    if inquiries != int(inquiries) or paying != int(paying):
        raise UserError(N_("Inquiries and paying buyers are counts of people: whole numbers."))
    response = number(cell("response"), "response") if cell("response") else None
    return Figures(
        day,
        agent,
        int(inquiries),
        int(paying),
        number(cell("sales"), "sales").quantize(Decimal("0.01")),
        None if response is None else float(response),
    )


async def plan_import(data: bytes, filename: str, default_day: date, today: date) -> Plan:
    """Read and check the whole file; nothing is written here."""
    empty = N_("The file has no rows of figures.")
    table = await read_table(data, filename, COLUMNS, REQUIRED, max_rows=MAX_ROWS, empty=empty)
    aliases = {alias.name: alias.person_id for alias in await KpiAlias.all()}
    plan = Plan()
    for row_number, cells in table.rows:
        try:
            figures = read_row(table, cells, default_day, today)
            person = await resolve(figures.agent, aliases)
            if person is None:
                if figures.agent not in plan.unknown:
                    plan.unknown.append(figures.agent)
                continue
            if (figures.day, person.id) in plan.rows:
                raise UserError(N_("{name} has two rows for {date}."), name=figures.agent, date=figures.day)
            plan.rows[figures.day, person.id] = figures
        except UserError as error:
            plan.problems.append((row_number, error))
    return plan


async def apply(plan: Plan, *, actor_id: int, chat_id: int) -> list[date]:
    """Write every mapped row (a day imported again replaces its figures) with one audit entry; the days."""
    async with in_transaction() as conn:
        for (day, person_id), figures in sorted(plan.rows.items()):
            await KpiDay.update_or_create(
                defaults={
                    "inquiries": figures.inquiries,
                    "paying": figures.paying,
                    "sales": figures.sales,
                    "response_seconds": figures.response,
                    "imported_by": actor_id,
                },
                day=day,
                person_id=person_id,
                using_db=conn,
            )
        days = sorted({day for day, _ in plan.rows})
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="kpi.import",
            target="kpi",
            after={
                "days": [day.isoformat() for day in days],
                "rows": len(plan.rows),
                "unknown": plan.unknown,
            },
            using_db=conn,
        )
    return days


async def set_alias(name: str, person: Person, *, actor_id: int, chat_id: int) -> str:
    """Map a platform name to a team member (again: to another one), audited."""
    key = name_key(name)
    if not key:
        raise UserError(N_("Give the name the platform shows and the person: /kpi alias 店铺:小王 @bob"))
    async with in_transaction() as conn:
        old = await KpiAlias.get_or_none(name=key, using_db=conn)
        await KpiAlias.update_or_create(
            defaults={"person_id": person.id, "created_by": actor_id}, name=key, using_db=conn
        )
        await audit.record(
            actor_id=actor_id,
            chat_id=chat_id,
            action="kpi.alias",
            target=key,
            before=None if old is None else {"person": old.person_id},
            after={"person": person.id},
            using_db=conn,
        )
    return key

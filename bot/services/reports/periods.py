"""Report periods as people type them (today, week, month, 2026-11; 今天 本周 本月), in the shop's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_
from bot.services.errors import UserError

TODAY, WEEK, MONTH = "today", "week", "month"
WORDS: dict[str, str] = {
    **dict.fromkeys(("today", "day", "今天", "今日", "当天"), TODAY),
    **dict.fromkeys(("week", "this-week", "本周", "这周", "本星期"), WEEK),
    **dict.fromkeys(("month", "this-month", "本月", "这个月", "当月"), MONTH),
}
YEAR_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
CHOICES = "today 今天, week 本周, month 本月, 2026-11"


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of shop-local days: [first, stop) as dates, and the same bounds in UTC for queries."""

    first: date
    stop: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first instant, shop-local midnight, in UTC (SQLite compares stored UTC times as text)."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The instant after the last, shop-local midnight after the last day, in UTC."""
        return datetime.combine(self.stop, time(), self.zone).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        """Every local day of the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.stop - self.first).days)]

    @property
    def label(self) -> str:
        """`2026-11-23` for one day, `2026-11-23 – 2026-11-29` for more."""
        last = self.stop - timedelta(days=1)
        return self.first.isoformat() if last == self.first else f"{self.first} – {last}"

    @property
    def slug(self) -> str:
        """A file-name-safe name: `2026-11-23`, `2026-11-23_2026-11-29`."""
        return self.label.replace(" – ", "_")


def is_period(word: str) -> bool:
    """Whether a word names a period (so commands can take their arguments in any order)."""
    cleaned = word.strip().lower()
    return cleaned in WORDS or YEAR_MONTH.match(cleaned) is not None


def parse(word: str | None, now: datetime, zone: ZoneInfo, default: str = TODAY) -> Period:
    """`today`, `week` (Monday on), `month` or `YYYY-MM`, in the shop's zone; a clear error otherwise."""
    cleaned = (word or default).strip().lower()
    today = now.astimezone(zone).date()
    match = YEAR_MONTH.match(cleaned)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise UserError(N_("“{value}” is not a month: write it like 2026-11."), value=word)
        return Period(date(year, month, 1), next_month(date(year, month, 1)), zone)
    kind = WORDS.get(cleaned)
    if kind == TODAY:
        return Period(today, today + timedelta(days=1), zone)
    if kind == WEEK:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=7), zone)
    if kind == MONTH:
        return Period(today.replace(day=1), next_month(today.replace(day=1)), zone)
    raise UserError(N_("Unknown period “{value}”. Periods: {choices}."), value=word, choices=CHOICES)


def next_month(first: date) -> date:
    """The first day of the month after `first`'s."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)

"""A period's figures per agent and for the team: conversion, sales, average order value, response time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.models import KpiDay


@dataclass(slots=True)
class Figures:
    """Sums over a period; the ratios are computed from them (None when there is nothing to divide by)."""

    person_id: int
    inquiries: int = 0
    paying: int = 0
    sales: Decimal = Decimal(0)
    response_weight: float = 0.0
    response_total: float = 0.0
    """Response seconds weighted by each day's inquiries: a busy day counts more than a quiet one."""

    def add(self, row: KpiDay) -> None:
        """Count one day's row in."""
        self.inquiries += row.inquiries
        self.paying += row.paying
        self.sales += row.sales
        if row.response_seconds is not None:
            weight = max(row.inquiries, 1)
            self.response_weight += weight
            self.response_total += row.response_seconds * weight

    @property
    def conversion(self) -> float | None:
        """Paying buyers ÷ inquiries."""
        return self.paying / self.inquiries if self.inquiries else None

    @property
    def order_value(self) -> Decimal | None:
        """客单价: sales ÷ paying buyers."""
        return (self.sales / self.paying).quantize(Decimal("0.01")) if self.paying else None

    @property
    def response(self) -> float | None:
        """Average response time in seconds."""
        return self.response_total / self.response_weight if self.response_weight else None


TEAM = 0
"""The person id the team's totals are kept under."""


@dataclass(frozen=True, slots=True)
class Table:
    """Each agent's figures (most sales first) and the team's."""

    agents: list[Figures]
    team: Figures

    def below(self, figures: Figures) -> set[str]:
        """The figures in which an agent is below the team average (a slower response is below)."""
        team, found = self.team, set()
        if (
            figures.conversion is not None
            and team.conversion is not None
            and figures.conversion < team.conversion
        ):
            found.add("conversion")
        if (
            figures.order_value is not None
            and team.order_value is not None
            and figures.order_value < team.order_value
        ):
            found.add("order_value")
        if figures.response is not None and team.response is not None and figures.response > team.response:
            found.add("response")
        return found


async def table(first: date, stop: date) -> Table:
    """The figures of the days [first, stop)."""
    agents: dict[int, Figures] = defaultdict(lambda: Figures(0))
    team = Figures(TEAM)
    for row in await KpiDay.filter(day__gte=first, day__lt=stop).order_by("day", "person_id"):
        agents[row.person_id].person_id = row.person_id
        agents[row.person_id].add(row)
        team.add(row)
    ordered = sorted(agents.values(), key=lambda f: (-f.sales, f.person_id))
    return Table(ordered, team)


async def latest_day(today: date) -> date | None:
    """The newest day with figures up to today (the export arrives the morning after)."""
    row = await KpiDay.filter(day__lte=today).order_by("-day").first()
    return row.day if row else None

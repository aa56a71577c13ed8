"""What a supervisor asks of a period: counts, money refunded, repeat claimants, alarm discipline, speed.

Everything is aggregated in the database (GROUP BY, COUNT, SUM, a window-function median): a month of a busy
shop is tens of thousands of records and must answer in well under a second.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from bot.enums import STATUS_FLOW, VOID, RecordKind, ScheduleKind
from bot.models import Occurrence, Person, Record
from bot.services import sql_portable as sql
from bot.services.masking import ERASED
from bot.services.records import fields as rf
from bot.services.scheduling import schedules
from bot.services.when import Period

CLAIM_KINDS = (RecordKind.REFUND, RecordKind.COMPLAINT)
TOP = 5
"""How many agents and repeat claimants a report names."""
ALARM_KINDS = (ScheduleKind.SHELF, ScheduleKind.SNOOZE)
"""Schedules whose postings carry a Done button (watches and digests have none to press)."""
ACKABLE_STATES = (schedules.SENT, schedules.MISSED)
"""Alarms that were due: posted, or missed while the bot was down (nobody could press Done on those)."""
FINAL: dict[RecordKind, tuple[str, ...]] = {
    kind: tuple(sorted({target for targets in flow.values() for target in targets} - flow.keys()))
    for kind, flow in STATUS_FLOW.items()
}
"""The statuses a record ends in (no way on from them): paid, resolved, closed, fixed, revised, failed."""
LATENESS_EDGES = (60, 300, 600, 1800)
"""Alarm lateness buckets in seconds: within 1 min, 1–5, 5–10, 10–30, over 30 min; then never done."""
SLOT_SECONDS = 900
"""Per-day charts group by quarter hours in SQL, then by the shop's day: every zone's offset is a multiple."""


@dataclass(slots=True)
class Report:
    """One period's figures."""

    period: Period
    by_kind_status: dict[RecordKind, dict[str, int]] = field(default_factory=dict)
    by_agent: list[tuple[int, int]] = field(default_factory=list)
    agents: int = 0
    refunded: Decimal = Decimal("0.00")
    refunds_paid: int = 0
    claimants: list[tuple[str, int]] = field(default_factory=list)
    alarms: int = 0
    acked: int = 0
    ack_median: float | None = None
    resolved: int = 0
    resolution_median: float | None = None

    @property
    def total(self) -> int:
        """Records logged in the period (void ones included: they were logged)."""
        return sum(sum(statuses.values()) for statuses in self.by_kind_status.values())

    @property
    def ack_rate(self) -> float | None:
        """Share of due alarms somebody marked done."""
        return self.acked / self.alarms if self.alarms else None


def logged_in(period: Period) -> Q:
    """Records logged within the period."""
    return Q(created_at__gte=period.start, created_at__lt=period.end)


async def build(period: Period) -> Report:
    """All of a period's figures, a handful of aggregate queries."""
    report = Report(period)
    await _counts(report)
    await _refunded(report)
    await _claimants(report)
    await _alarms(report)
    report.resolution_median, report.resolved = await resolution_median(period)
    return report


async def _counts(report: Report) -> None:
    """Records by kind and status, and by the agent who logged them."""
    rows = (
        await Record.filter(logged_in(report.period))
        .annotate(n=Count("id"))
        .group_by("kind", "status")
        .values("kind", "status", "n")
    )
    for row in rows:
        report.by_kind_status.setdefault(RecordKind(row["kind"]), {})[row["status"]] = row["n"]
    agents = (
        await Record.filter(logged_in(report.period))
        .annotate(n=Count("id"))
        .group_by("author_id")
        .values("author_id", "n")
    )
    ranked = sorted(((row["author_id"], row["n"]) for row in agents), key=lambda pair: (-pair[1], pair[0]))
    report.by_agent, report.agents = ranked[:TOP], len(ranked)


async def _refunded(report: Report) -> None:
    """The money of refunds logged in the period that finance has marked paid."""
    rows = (
        await Record.filter(logged_in(report.period), kind=RecordKind.REFUND, status="paid")
        .annotate(total=Sum("amount"), n=Count("id"))
        .values("total", "n")
    )
    total = rows[0]["total"] if rows else None
    report.refunded = Decimal(str(total or 0)).quantize(Decimal("0.01"))
    report.refunds_paid = int(rows[0]["n"] or 0) if rows else 0


async def _claimants(report: Report) -> None:
    """Buyers with more than one refund or complaint in the period, most first."""
    rows = (
        await Record.filter(logged_in(report.period), kind__in=CLAIM_KINDS, buyer__isnull=False)
        .exclude(status=VOID)
        .exclude(buyer=ERASED)  # erased buyers are nobody in particular
        .annotate(n=Count("id"))
        .group_by("buyer")
        .filter(n__gte=2)
        .order_by("-n", "buyer")
        .limit(TOP)
        .values("buyer", "n")
    )
    report.claimants = [(row["buyer"], row["n"]) for row in rows]


def due_alarms(period: Period) -> Q:
    """Alarms (with a Done button) that fell due in the period."""
    return Q(
        kind=schedules.ALARM,
        state__in=ACKABLE_STATES,
        schedule__kind__in=ALARM_KINDS,
        due_at__gte=period.start,
        due_at__lt=period.end,
    )


ALARMS_SQL = (
    "SELECT {late} AS x FROM occurrence o JOIN schedule s ON s.id = o.schedule_id "
    "WHERE o.kind = ? AND o.state IN (?, ?) AND s.kind IN (?, ?) AND o.due_at >= ? AND o.due_at < ?"
)


def _alarm_params(period: Period) -> list[object]:
    """The parameters of ALARMS_SQL."""
    return [schedules.ALARM, *ACKABLE_STATES, *ALARM_KINDS, period.start, period.end]


async def _alarms(report: Report) -> None:
    """How many alarms fell due, how many were marked done, and how long after the due time (median)."""
    report.alarms = await Occurrence.filter(due_alarms(report.period)).count()
    late = f"{sql.epoch('o.acked_at')} - {sql.epoch('o.due_at')}"
    inner = ALARMS_SQL.format(late=late) + f" AND o.outcome = '{schedules.DONE_OUTCOME}'"
    report.ack_median, report.acked = await sql.median(inner, _alarm_params(report.period))


async def resolution_median(period: Period) -> tuple[float | None, int]:
    """Median seconds from logging to the final status, over the period's records that reached it."""
    finals = [(kind, status) for kind, statuses in FINAL.items() for status in statuses]
    inner = (
        f"SELECT {sql.epoch('MAX(e.at)')} - {sql.epoch('r.created_at')} AS x "
        "FROM record r JOIN record_event e ON e.record_id = r.id AND e.action = ? "
        "WHERE r.created_at >= ? AND r.created_at < ? AND ("
        + " OR ".join("(r.kind = ? AND r.status = ?)" for _ in finals)
        + ") GROUP BY r.id, r.created_at"
    )
    params: list[object] = ["status", period.start, period.end]
    params += [value for pair in finals for value in pair]
    return await sql.median(inner, params)


async def names(person_ids: list[int]) -> dict[int, str]:
    """How people are named in a report (@username or first name), for a few ids at once."""
    found = await Person.filter(id__in=person_ids)
    return {person.id: person.display_name for person in found}


# ----------------------------------------------------------------------------------------- chart data


@dataclass(slots=True)
class DailyCounts:
    """Counts per shop-local day and per label (a refund's reason), over a period."""

    days: list[date]
    series: dict[str, list[int]]

    @property
    def total(self) -> int:
        """All counted."""
        return sum(sum(values) for values in self.series.values())


async def refunds_per_day(period: Period, top: int = 6) -> DailyCounts:
    """Refunds logged per day, split by reason counted by its canonical kind (破损 and damaged are one; the
    `top` commonest; the rest together under "")."""
    found = await sql.rows(
        f"SELECT {sql.slot('created_at', SLOT_SECONDS)} AS slot, "
        f"{sql.json_text('data', 'reason')} AS reason, COUNT(*) AS n FROM record "
        "WHERE kind = ? AND status <> ? AND created_at >= ? AND created_at < ? GROUP BY 1, 2",
        [RecordKind.REFUND.value, VOID, period.start, period.end],
    )
    per_reason: Counter[str] = Counter()
    for row in found:
        row["reason"] = rf.reason_kind(str(row["reason"] or ""))
        per_reason[row["reason"]] += int(row["n"])
    kept = [reason for reason, _ in per_reason.most_common() if reason][:top]
    days = period.days
    index = {day: position for position, day in enumerate(days)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for row in found:
        reason = str(row["reason"] or "")
        moment = datetime.fromtimestamp(int(row["slot"]) * SLOT_SECONDS, UTC).astimezone(period.zone)
        series[reason if reason in kept else ""][index[moment.date()]] += int(row["n"])
    ordered = {reason: series[reason] for reason in [*kept, ""] if reason in series}
    return DailyCounts(days, ordered)


async def complaints_by_kind(period: Period) -> dict[str, int]:
    """Complaint slips of the period by kind (damaged, missing, …), most first."""
    rows = (
        await Record.filter(logged_in(period), kind=RecordKind.COMPLAINT)
        .exclude(status=VOID)
        .annotate(n=Count("id"))
        .group_by("subkind")
        .values("subkind", "n")
    )
    ranked = sorted(((str(row["subkind"] or ""), int(row["n"])) for row in rows), key=lambda p: (-p[1], p[0]))
    return dict(ranked)


async def alarm_lateness(period: Period) -> list[int]:
    """Due alarms per lateness bucket (LATENESS_EDGES), and last those nobody marked done."""
    late = f"{sql.epoch('o.acked_at')} - {sql.epoch('o.due_at')}"
    cases = " ".join(f"WHEN x < {edge} THEN {n}" for n, edge in enumerate(LATENESS_EDGES))
    never = len(LATENESS_EDGES) + 1
    inner = ALARMS_SQL.format(late=f"CASE WHEN o.outcome = '{schedules.DONE_OUTCOME}' THEN {late} END")
    found = await sql.rows(
        f"SELECT CASE WHEN x IS NULL THEN {never} {cases} ELSE {len(LATENESS_EDGES)} END AS bucket, "
        f"COUNT(*) AS n FROM ({inner}) AS d GROUP BY 1",
        _alarm_params(period),
    )
    buckets = [0] * (never + 1)
    for row in found:
        buckets[int(row["bucket"])] = int(row["n"])
    return buckets

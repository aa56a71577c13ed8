"""How a period's report reads in chat, in the chat's language."""

from __future__ import annotations

from decimal import Decimal

from bot.enums import STATUS_FLOW, RecordKind
from bot.i18n import N_, Translator
from bot.services.records.text import KIND_LABELS, STATUS_LABELS
from bot.services.reports import figures as reports
from bot.services.when import format_period

NOBODY = N_("none")


def duration(t: Translator, seconds: float | None) -> str:
    """45 s, 12 min, 5.2 h, 3.1 days: as precise as a person needs."""
    if seconds is None:
        return t("n/a")
    if seconds < 60:
        return t("{n} s", n=round(seconds))
    if seconds < 3600:
        return t("{n} min", n=round(seconds / 60))
    if seconds < 86400:
        return t("{n} h", n=f"{seconds / 3600:.1f}")
    return t("{n} days", n=f"{seconds / 86400:.1f}")


def money(t: Translator, amount: Decimal) -> str:
    """¥12,345.50, grouped as the reader's language groups numbers."""
    return f"¥{t.amount(amount)}"


def status_order(kind: RecordKind, status: str) -> tuple[int, str]:
    """Statuses in the order a record moves through them, void last."""
    flow = list(STATUS_FLOW[kind])
    finals = reports.FINAL[kind]
    if status in flow:
        return flow.index(status), status
    if status in finals:
        return len(flow) + finals.index(status), status
    return len(flow) + len(finals), status


def kind_line(t: Translator, kind: RecordKind, statuses: dict[str, int]) -> str:
    """`• Refund 12: new 3, sent to finance 4, paid 5`."""
    parts = [
        f"{t(STATUS_LABELS.get(status, status))} {count}"
        for status, count in sorted(statuses.items(), key=lambda item: status_order(kind, item[0]))
    ]
    return f"• {t(KIND_LABELS[kind])} {sum(statuses.values())}: {t.join(parts)}"


def render(t: Translator, report: reports.Report, names: dict[int, str]) -> str:
    """The whole report."""
    lines = [
        t("📊 Report {period}", period=format_period(report.period, t.locale)),
        t("Records logged: {n}", n=report.total),
    ]
    lines += [
        kind_line(t, kind, report.by_kind_status[kind])
        for kind in RecordKind
        if kind in report.by_kind_status
    ]
    lines.append(
        t(
            "Refunded (marked paid): {amount} in {n} refunds",
            amount=money(t, report.refunded),
            n=report.refunds_paid,
        )
    )
    agents = [f"{names.get(person, str(person))} {count}" for person, count in report.by_agent]
    lines.append(t("By agent: {list}", list=t.join(agents) if agents else t(NOBODY)))
    claimants = [f"{buyer} {count}" for buyer, count in report.claimants]
    lines.append(t("Repeat claimants: {list}", list=t.join(claimants) if claimants else t(NOBODY)))
    if report.alarms:
        lines.append(
            t(
                "Alarms: {done} of {due} marked done ({rate}%), median {late} after due",
                done=report.acked,
                due=report.alarms,
                rate=round(100 * (report.ack_rate or 0)),
                late=duration(t, report.ack_median),
            )
        )
    else:
        lines.append(t("Alarms: none fell due."))
    lines.append(
        t(
            "Time to resolve: median {time} ({n} records reached their final status)",
            time=duration(t, report.resolution_median),
            n=report.resolved,
        )
    )
    return "\n".join(lines)

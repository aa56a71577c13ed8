"""How the ledger reads: entry lines, totals per person, finance's spreadsheet (/ledger and the 1st)."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.models import LedgerEntry
from bot.services import sheets
from bot.services.ledger import book
from bot.services.ledger.book import FINE, Totals
from bot.services.when import Period, format_day, format_period


def signed(t: Translator, entry: LedgerEntry) -> str:
    """An amount with the sign it has for the person: a fine takes, a reward gives."""
    sign = "−" if entry.kind == FINE else "+"
    return f"{sign}¥{t.amount(entry.amount)}"


def kind_label(t: Translator, kind: str) -> str:
    """Fine or reward in the reader's language."""
    return t("fine") if kind == FINE else t("reward")


def entry_line(t: Translator, entry: LedgerEntry, names: dict[int, str], zone: ZoneInfo) -> str:
    """One entry: number, day, person, amount, reason, rule, appeal and whether it still counts."""
    day = format_day(entry.at.astimezone(zone).date(), t.locale)
    line = f"#{entry.id} {day} · {names[entry.person_id]} · {kind_label(t, entry.kind)} {signed(t, entry)} · "
    line += entry.reason
    if entry.rule:
        line += " " + t("(rule {name})", name=entry.rule)
    if entry.cancelled_at is not None:
        line += " — " + t("cancelled on appeal by {name}", name=names.get(entry.cancelled_by_id or 0, "?"))
    elif entry.appeal is not None and entry.outcome is None:
        line += " — " + t("appealed, waiting for a manager")
    elif entry.outcome == book.KEPT:
        line += " — " + t("appeal turned down")
    return line


def totals_line(t: Translator, totals: Totals, names: dict[int, str]) -> str:
    """One person's month: fines and rewards that count."""
    return t(
        "{name}: fines ¥{fines} ({fine_count}), rewards ¥{rewards} ({reward_count})",
        name=names[totals.person_id],
        fines=t.amount(totals.fines),
        fine_count=totals.fine_count,
        rewards=t.amount(totals.rewards),
        reward_count=totals.reward_count,
    )


def totals_block(t: Translator, found: list[LedgerEntry], names: dict[int, str]) -> list[str]:
    """Totals per person and what went into the team fund: all the team chat sees on the 1st."""
    lines = [totals_line(t, totals, names) for totals in book.totals(found)]
    lines.append(t("Team fund (fines): ¥{total}", total=t.amount(book.fund(found))))
    return lines


def month_heading(t: Translator, month: Period) -> str:
    """`📒 Fines and rewards, November 2026`."""
    return t("📒 Fines and rewards, {month}", month=format_period(month, t.locale))


def workbook(t: Translator, found: list[LedgerEntry], names: dict[int, str], zone: ZoneInfo) -> bytes:
    """Finance's copy: every entry of the month, signed amounts (fines negative), cancelled ones marked."""
    headers = [
        t("entry"),
        t("date"),
        t("person"),
        t("kind"),
        t("amount"),
        t("reason"),
        t("rule"),
        t("by"),
        t("counts"),
        t("appeal"),
    ]
    rows: list[list[sheets.Cell]] = [
        [
            entry.id,
            entry.at.astimezone(zone).date(),
            names[entry.person_id],
            kind_label(t, entry.kind),
            -entry.amount if entry.kind == FINE else Decimal(entry.amount),
            entry.reason,
            entry.rule or "",
            names.get(entry.actor_id, str(entry.actor_id)),
            t("no") if entry.cancelled_at is not None else t("yes"),
            entry.appeal or "",
        ]
        for entry in found
    ]
    return sheets.xlsx(headers, rows, t("Ledger"))

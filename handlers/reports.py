"""/report, /chart and /export: a period's figures as text, as a PNG chart, and as a file sent privately."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram.error import Forbidden
from telegram.ext import Application

from bot.render import deeplink
from bot.render.keyboards import keyboard
from bot.services import deeplinks
from bot.services.kpi import figures as kpi_figures
from bot.services.permissions import is_allowed
from bot.services.reports import charts, exports, text
from bot.services.reports import figures as reports
from bot.services.when import Period, format_period, read_period
from bot.services.when.days import MONTH, TODAY
from handlers import links
from handlers.gate import Call, command
from jobs.engine import now

LINK_KIND = "export"
"""Deep links that deliver an export privately (`/start export-…`)."""


def period_of(call: Call, words: list[str], default: str) -> Period:
    """The period a command names in any words (昨天, 上月, last week, 11月, 近7天), in the shop's zone."""
    return read_period(" ".join(words), datetime.now(UTC), call.zone, default=default)


async def report(call: Call) -> None:
    """A period's figures (today unless told otherwise)."""
    found = await reports.build(period_of(call, call.args, TODAY))
    names = await reports.names([person for person, _ in found.by_agent])
    await call.reply(text.render(call.t, found, names))


async def chart(call: Call) -> None:
    """A PNG chart of refunds, complaints or alarms over a period (this month unless told otherwise)."""
    which = charts.parse(call.args[0] if call.args else None)
    period = period_of(call, call.args[1:], MONTH)
    png: bytes | None = None
    caption: str | None = None
    if which == charts.REFUNDS:
        daily = await reports.refunds_per_day(period)
        png = await asyncio.to_thread(charts.refunds, call.t, daily, period) if daily.total else None
        caption = charts.caption(call.t, charts.refund_totals(daily), charts.reason_label)
    elif which == charts.COMPLAINTS:
        kinds = await reports.complaints_by_kind(period)
        png = await asyncio.to_thread(charts.complaints, call.t, kinds, period) if kinds else None
        caption = charts.caption(call.t, kinds, charts.kind_label)
    elif which == charts.KPI:
        table = await kpi_figures.table(period.first, period.stop)
        names = await reports.names([f.person_id for f in table.agents])
        png = await asyncio.to_thread(charts.kpi, call.t, table, names, period) if table.agents else None
    else:
        buckets = await reports.alarm_lateness(period)
        png = await asyncio.to_thread(charts.alarms, call.t, buckets, period) if any(buckets) else None
    if png is None:
        await call.reply(call.t("Nothing to chart in {period}.", period=format_period(period, call.t.locale)))
        return
    await call.message.reply_photo(png, caption=caption or None, do_quote=not call.is_private)


async def export(call: Call) -> None:
    """Records as xlsx or csv, always sent in a private chat; masked for roles that may not see them."""
    await deliver(call, call.args, datetime.now(UTC))


async def deliver(call: Call, words: list[str], asked_at: datetime) -> None:
    """Send the export `words` ask for (periods read as of `asked_at`) to the caller privately; to someone the
    bot may not write to yet, a link that brings the file once they press Start."""
    request = exports.parse(words, asked_at, call.zone)
    rows = await exports.count(request)
    if not rows:
        period = format_period(request.period, call.t.locale)
        await call.reply(call.t("Nothing to export in {period}.", period=period))
        return
    masked = not is_allowed("personal.see", call.roles)
    data = await exports.build(call.t, request, masked=masked)
    caption = call.t("{file}: {n} rows.", file=request.filename, n=rows)
    if masked:
        caption += " " + call.t("Personal data is masked for your role.")
    try:
        await call.context.bot.send_document(call.user_id, data, filename=request.filename, caption=caption)
    except Forbidden:
        await offer_link(call, words, asked_at)
        return
    await exports.log(request, actor_id=call.user_id, chat_id=call.chat_id, rows=rows, masked=masked)
    if not call.is_private:
        await call.reply(call.t("📎 Sent to you privately: {file}.", file=request.filename))


async def offer_link(call: Call, words: list[str], asked_at: datetime) -> None:
    """A button that opens the private chat and delivers this very export there (the same period, even
    if pressed after midnight)."""
    ref = f"{int(asked_at.timestamp())} {' '.join(words)}"
    if len(ref) > deeplinks.REF_MAX:
        await call.reply(
            call.t(
                "I cannot write to you privately yet. Open a chat with @{bot}, press Start, then ask again.",
                bot=call.context.bot.username,
            )
        )
        return
    url = await deeplink.make(call.context.bot, LINK_KIND, ref, call.user_id, now=now())
    await call.reply(
        call.t(
            "🔒 I cannot write to you privately yet: press the button, then Start, and the file comes to you."
        ),
        reply_markup=keyboard([deeplink.button(call.t("Get the file in private 🔒"), url)]),
    )


async def open_export(call: Call, link: deeplinks.Link) -> None:
    """`/start export-…`: the export asked for in a group, delivered here."""
    stamp, _, words = link.ref.partition(" ")
    await deliver(call, words.split(), datetime.fromtimestamp(int(stamp), UTC))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /report, /chart and /export."""
    app.add_handler(command("report", report))
    app.add_handler(command("chart", chart))
    app.add_handler(command("export", export))
    links.opener(LINK_KIND, "export", open_export, once=True)

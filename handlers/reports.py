"""/report, /chart and /export: a period's figures as text, as a PNG chart, and as a file sent privately."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram.error import Forbidden
from telegram.ext import Application

from bot.i18n import N_
from bot.services.errors import UserError
from bot.services.permissions import is_allowed
from bot.services.reports import charts, exports, periods, text
from bot.services.reports import figures as reports
from handlers.gate import Call, command

TOO_MANY = N_("I do not understand “{value}”.")


def period_of(call: Call, word: str | None, default: str) -> periods.Period:
    """The period a command names, in the shop's zone."""
    return periods.parse(word, datetime.now(UTC), call.zone, default=default)


async def report(call: Call) -> None:
    """A period's figures (today unless told otherwise)."""
    if len(call.args) > 1:
        raise UserError(TOO_MANY, value=call.args[1])
    found = await reports.build(period_of(call, call.args[0] if call.args else None, periods.TODAY))
    names = await reports.names([person for person, _ in found.by_agent])
    await call.reply(text.render(call.t, found, names))


async def chart(call: Call) -> None:
    """A PNG chart of refunds, complaints or alarms over a period (this month unless told otherwise)."""
    which = charts.parse(call.args[0] if call.args else None)
    if len(call.args) > 2:
        raise UserError(TOO_MANY, value=call.args[2])
    period = period_of(call, call.args[1] if len(call.args) > 1 else None, periods.MONTH)
    png: bytes | None = None
    if which == charts.REFUNDS:
        daily = await reports.refunds_per_day(period)
        png = await asyncio.to_thread(charts.refunds, call.t, daily, period) if daily.total else None
    elif which == charts.COMPLAINTS:
        kinds = await reports.complaints_by_kind(period)
        png = await asyncio.to_thread(charts.complaints, call.t, kinds, period) if kinds else None
    else:
        buckets = await reports.alarm_lateness(period)
        png = await asyncio.to_thread(charts.alarms, call.t, buckets, period) if any(buckets) else None
    if png is None:
        await call.reply(call.t("Nothing to chart in {period}.", period=period.label))
        return
    await call.message.reply_photo(png, do_quote=not call.is_private)


async def export(call: Call) -> None:
    """Records as xlsx or csv, always sent in a private chat; masked for roles that may not see them."""
    request = exports.parse(call.args, datetime.now(UTC), call.zone)
    rows = await exports.count(request)
    if not rows:
        await call.reply(call.t("Nothing to export in {period}.", period=request.period.label))
        return
    masked = not is_allowed("personal.see", call.roles)
    data = await exports.build(call.t, request, masked=masked)
    caption = call.t("{file}: {n} rows.", file=request.filename, n=rows)
    if masked:
        caption += " " + call.t("Personal data is masked for your role.")
    try:
        await call.context.bot.send_document(call.user_id, data, filename=request.filename, caption=caption)
    except Forbidden:
        await call.reply(
            call.t(
                "I cannot write to you privately yet. Open a chat with @{bot}, press Start, then ask again.",
                bot=call.context.bot.username,
            )
        )
        return
    await exports.log(request, actor_id=call.user_id, chat_id=call.chat_id, rows=rows, masked=masked)
    if not call.is_private:
        await call.reply(call.t("📎 Sent to you privately: {file}.", file=request.filename))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /report, /chart and /export."""
    app.add_handler(command("report", report))
    app.add_handler(command("chart", chart))
    app.add_handler(command("export", export))

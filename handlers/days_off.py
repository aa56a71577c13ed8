"""/dayoff: the shop's own days off and extra working days over China's calendar (holidays and 调休)."""

from __future__ import annotations

from telegram.ext import Application

from bot.i18n import N_, Translator
from bot.models import ShopDay
from bot.services.errors import UserError
from bot.services.records.fields import split_words
from bot.services.scheduling import days_off
from bot.services.scheduling.shop_calendar import OFF, WORK
from bot.services.when import format_day, holiday_name, split_day
from handlers.gate import Call, command
from jobs.engine import now

MARK_WORDS = {
    **dict.fromkeys(("add", "off", "休息", "休息日", "放假"), OFF),
    **dict.fromkeys(("work", "上班", "调班", "补班"), WORK),
}
REMOVE_WORDS = frozenset({"remove", "delete", "删除", "取消", "移除"})
KIND_LABELS = {OFF: N_("shop day off"), WORK: N_("extra working day")}
WHICH = N_("Which day? e.g. /dayoff add 2026-12-24 stocktaking, /dayoff work 12月27日, /dayoff remove 12-24.")


def day_line(t: Translator, day: ShopDay) -> str:
    """One of the shop's days: when, what, and why."""
    shown, kind = format_day(day.day, t.locale), t(KIND_LABELS[day.kind])
    if day.note:
        return t("• {day}: {kind} ({note})", day=shown, kind=kind, note=day.note)
    return t("• {day}: {kind}", day=shown, kind=kind)


def official_line(t: Translator, found: days_off.Official) -> str:
    """One of China's changes: a holiday on a weekday, or a weekend made a working day (调休)."""
    day = format_day(found.day, t.locale)
    if found.kind == WORK:
        return t("• {day}: make-up working day (调休)", day=day)
    return t("• {day}: public holiday ({name})", day=day, name=holiday_name(found.day, t.locale) or "—")


async def listing(call: Call) -> None:
    """The shop's own days from today on, then China's holidays and make-up days of the coming weeks."""
    mine = await days_off.marked(call.today)
    lines = [call.t("📅 Shop days (working-day alarms and digests follow them):")]
    lines += [day_line(call.t, day) for day in mine] or [call.t("• none: the shop follows China's calendar.")]
    official = days_off.official(call.today)
    if official:
        lines.append(call.t("China's calendar, the next {n} days:", n=days_off.OFFICIAL_SHOWN.days))
        lines += [official_line(call.t, found) for found in official]
    await call.reply("\n".join(lines))


async def dayoff(call: Call) -> None:
    """List the shop's days; supervisors add a day off (`add`), a working day (`work`) or `remove` one."""
    words = split_words((call.message.text or "").partition(" ")[2])
    if not words:
        await listing(call)
        return
    verb = words[0].lower()
    if verb not in MARK_WORDS and verb not in REMOVE_WORDS:
        raise UserError(N_("Unknown action “{value}”. Actions: add, work, remove."), value=words[0])
    call.require("dayoff.edit")
    if len(words) < 2:
        raise UserError(WHICH)
    day, rest = split_day(words[1:], call.today)
    shown = format_day(day, call.t.locale)
    if verb in REMOVE_WORDS:
        moved = await days_off.unmark(day, actor_id=call.user_id, chat_id=call.chat_id, now=now())
        done = call.t("✅ {day} follows China's calendar again.", day=shown)
    else:
        kind = MARK_WORDS[verb]
        note = " ".join(rest)
        moved = await days_off.mark(
            day, kind, note, actor_id=call.user_id, chat_id=call.chat_id, now=now(), today=call.today
        )
        done = call.t("✅ {day}: {kind}.", day=shown, kind=call.t(KIND_LABELS[kind]))
    replanned = call.t.ngettext(
        "{n} working-day schedule was re-planned.", "{n} working-day schedules were re-planned.", len(moved)
    )
    await call.reply(call.t("{done} {replanned}", done=done, replanned=replanned))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /dayoff."""
    app.add_handler(command("dayoff", dayoff))

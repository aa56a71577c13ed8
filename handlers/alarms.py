"""/shelf alarms (上下架), /alarms and /alarm, and the Done / Snooze buttons under an alarm."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.models import Schedule
from bot.services.errors import UserError
from bot.services.permissions import is_allowed
from bot.services.scheduling import schedules, timespec, watches
from bot.services.team import people
from handlers.common import Call, Ctx, command, settings_of, translator_for
from jobs import alarms as engine

STATE_LABELS = {
    schedules.ACTIVE: N_("active"),
    schedules.PAUSED: N_("paused"),
    schedules.DONE: N_("done"),
}
ACTIONS = {"pause": schedules.PAUSED, "resume": schedules.ACTIVE, "delete": schedules.DELETED}
ACTION_ALIASES = {"暂停": "pause", "恢复": "resume", "删除": "delete", "记录": "log"}
SHELF = "shelf"
ALARM_KINDS = frozenset({SHELF, *watches.WATCH_KINDS})
"""What /alarms lists and /alarm acts on; digests, broadcasts and reminders have their own commands."""
WATCH_LABELS = {
    watches.REFUND_WATCH: N_("insurance countdown of {text}"),
    watches.PRESALE: N_("pre-sale promise for order {ref} {text}"),
}


def chat_zone(call: Call) -> ZoneInfo:
    """The zone wall times in this chat are read in (the shop's zone)."""
    return ZoneInfo(settings_of(call.context).bot_timezone)


def local(t: Translator, schedule: Schedule) -> str:
    """The next posting in the schedule's zone, or its state when there is none."""
    if schedule.state != schedules.ACTIVE or schedule.next_due_at is None:
        return t(STATE_LABELS.get(schedule.state, schedule.state))
    return schedule.next_due_at.astimezone(schedules.zone_of(schedule)).strftime("%m-%d %H:%M")


async def shelf(call: Call) -> None:
    """Set a shelf-change alarm: once, in a while, every N minutes in a window, daily or on weekdays."""
    args = (call.message.text or "").partition(" ")[2]
    if not args.strip():
        raise UserError(N_("When, and what? e.g. /shelf at 14:30 take the summer dresses down."))
    zone = chat_zone(call)
    parsed = timespec.parse_schedule(args, engine.now(), zone)
    schedule = await schedules.create(
        kind=SHELF, chat_id=call.chat_id, owner_id=call.user_id, parsed=parsed, zone=zone, now=engine.now()
    )
    engine.plan(call.context.application, schedule)
    await call.reply(
        call.t(
            "⏰ Alarm #{id} set: {rule}. Next: {next}.",
            id=schedule.id,
            rule=timespec.describe(parsed.rule, call.t, zone),
            next=local(call.t, schedule),
        )
    )


async def list_alarms(call: Call) -> None:
    """This chat's alarms with ids and next fire time."""
    found = await schedules.of_chat(call.chat_id, ALARM_KINDS)
    if not found:
        await call.reply(call.t("No alarms in this chat. Set one with /shelf at 14:30 <text>."))
        return
    lines = [call.t("Alarms in this chat:")]
    for schedule in found:
        rule = timespec.describe(timespec.from_json(schedule.rule), call.t, schedules.zone_of(schedule))
        lines.append(f"#{schedule.id} · {local(call.t, schedule)} · {rule} · {what(call.t, schedule)}")
    await call.reply("\n".join(lines))


def what(t: Translator, schedule: Schedule) -> str:
    """An alarm's text, or what a deadline watch is watching."""
    label = WATCH_LABELS.get(schedule.kind)
    return t(label, text=schedule.text, ref=schedule.ref or "").strip() if label else schedule.text


async def alarm(call: Call) -> None:
    """Pause, resume, delete an alarm, or show its log."""
    if len(call.args) != 2 or not call.args[1].lstrip("#").isdigit():
        raise UserError(N_("Say what to do and which alarm, e.g. /alarm pause 3."))
    action = ACTION_ALIASES.get(call.args[0], call.args[0].lower())
    if action not in {*ACTIONS, "log"}:
        raise UserError(
            N_("Unknown action “{value}”. Actions: pause, resume, delete, log."), value=call.args[0]
        )
    schedule = await schedules.owned(int(call.args[1].lstrip("#")), call.chat_id, ALARM_KINDS)
    if action == "log":
        await call.reply(await alarm_log(call.t, schedule))
        return
    await schedules.set_state(schedule, ACTIONS[action], actor_id=call.user_id, now=engine.now())
    engine.plan(call.context.application, schedule)
    await call.reply(
        call.t(
            "Alarm #{id}: {state}.",
            id=schedule.id,
            state=call.t(STATE_LABELS.get(schedule.state, N_("deleted"))),
        )
    )


async def alarm_log(t: Translator, schedule: Schedule) -> str:
    """Past postings of an alarm: when, who pressed Done, how late."""
    lines = [t("Alarm #{id} log: {text}", id=schedule.id, text=schedule.text)]
    zone = schedules.zone_of(schedule)
    for occurrence in await schedules.history(schedule):
        when = occurrence.due_at.astimezone(zone).strftime("%m-%d %H:%M")
        if occurrence.state == schedules.MISSED:
            lines.append(t("• {when} missed (I was offline)", when=when))
        elif occurrence.acked_by and occurrence.acked_at:
            person = await people.get(occurrence.acked_by)
            late = max(0, int((occurrence.acked_at - occurrence.due_at).total_seconds() // 60))
            name = person.display_name if person else str(occurrence.acked_by)
            lines.append(t("• {when} done by {name}, {late} min after", when=when, name=name, late=late))
        else:
            lines.append(t("• {when} not marked done", when=when))
    return "\n".join(lines)


async def press(update: Update, context: Ctx) -> None:
    """Done ✅ or Snooze under an alarm: record who and when, and edit the alarm."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    if not is_allowed("alarm_done", await people.roles_of(query.from_user.id)):
        await query.answer(t("Sorry, this needs a role in the team."), show_alert=True)
        return
    parts = query.data.split(":")
    occurrence = await schedules.acknowledge(int(parts[2]), query.from_user.id, engine.now())
    if occurrence is None:
        await query.answer(t("Already handled."))
        return
    who = f"@{query.from_user.username}" if query.from_user.username else query.from_user.first_name
    original = query.message.text or ""
    if parts[1] == "s":
        minutes = int(parts[3])
        snooze = await schedules.snooze(
            occurrence.schedule, minutes, actor_id=query.from_user.id, now=engine.now()
        )
        engine.plan(context.application, snooze)
        stamp = t("😴 Snoozed {minutes} min by {name}.", minutes=minutes, name=who)
    else:
        late = max(timedelta(0), engine.now() - occurrence.due_at)
        stamp = t("✅ Done by {name}, {late} min after.", name=who, late=int(late.total_seconds() // 60))
    await query.answer(stamp)
    await query.edit_message_text(f"{original}\n{stamp}", reply_markup=None)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the alarm commands and buttons."""
    app.add_handler(command("shelf", shelf))
    app.add_handler(command("alarms", list_alarms))
    app.add_handler(command("alarm", alarm))
    app.add_handler(CallbackQueryHandler(press, pattern=r"^al:(d:\d+|s:\d+:\d+)$"))

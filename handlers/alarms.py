"""/shelf alarms (上下架), /alarms and /alarm, and the Done / Snooze buttons under an alarm."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from bot.enums import ALARM_KINDS, ChatPurpose, ScheduleKind
from bot.i18n import N_, Translator
from bot.models import Occurrence, Schedule
from bot.render.codec import Family
from bot.render.context import chat_translator
from bot.render.keyboards import SNOOZE_MINUTES, escalation_buttons
from bot.services.errors import UserError
from bot.services.ids import parse_id
from bot.services.scheduling import schedules, shop_calendar, watches
from bot.services.team import chats, people
from bot.services.when import Reading, Rule, describe, format_moment, from_json, read_schedule
from handlers.confirm import next_fire, settle
from handlers.gate import Call, Target, button, command
from jobs.alarms import posting_text
from jobs.engine import now

log = logging.getLogger(__name__)
STATE_LABELS = {
    schedules.ACTIVE: N_("active"),
    schedules.PAUSED: N_("paused"),
    schedules.DONE: N_("done"),
}
ACTIONS = {"pause": schedules.PAUSED, "resume": schedules.ACTIVE, "delete": schedules.DELETED}
ACTION_ALIASES = {"暂停": "pause", "恢复": "resume", "删除": "delete", "记录": "log"}
WATCH_LABELS: dict[str, str] = {
    watches.REFUND_WATCH: N_("insurance countdown of {text}"),
    watches.PRESALE: N_("pre-sale promise for order {ref} {text}"),
}


def local(t: Translator, schedule: Schedule) -> str:
    """When the alarm next rings (not its heads-up) in the schedule's zone with its weekday, or its state
    when there is none."""
    ringing = schedules.next_alarm_at(schedule)
    if schedule.state != schedules.ACTIVE or ringing is None:
        return t(STATE_LABELS.get(schedule.state, schedule.state))
    return next_fire(t, ringing, schedules.zone_of(schedule))


def rule_of(t: Translator, schedule: Schedule) -> str:
    """A stored schedule's rule in words, in the reader's language."""
    return describe(from_json(schedule.rule), t, schedules.zone_of(schedule), now())


async def shelf(call: Call) -> None:
    """Set a shelf-change alarm: once, in a while, every N minutes in a window, on chosen days; a reading
    the bot is not sure of is asked about first."""
    args = (call.message.text or "").partition(" ")[2]
    if not args.strip():
        raise UserError(N_("When, and what? e.g. /shelf at 14:30 take the summer dresses down."))
    reading = read_schedule(args, now(), call.zone, await shop_calendar.current())
    text = call.t("Alarm text: {text}", text=reading.text)

    async def save(call: Call, rule: Rule) -> None:
        """Store the alarm with the reading chosen."""
        await save_alarm(call, replace(reading, rule=rule))

    await settle(call, "shelf", reading, save, text)


async def save_alarm(call: Call, reading: Reading) -> None:
    """Store a shelf alarm and say what was set and when it fires next."""
    schedule = await schedules.create(
        kind=ScheduleKind.SHELF,
        chat_id=call.chat_id,
        owner_id=call.user_id,
        parsed=reading,
        zone=call.zone,
        now=now(),
    )
    said = call.t(
        "⏰ Alarm #{id} set: {rule}. Next: {next}.",
        id=schedules.number_of(schedule),
        rule=describe(reading.rule, call.t, call.zone, now()),
        next=local(call.t, schedule),
    )
    if schedules.heads_up_skipped(schedule):
        said += "\n" + call.t(
            "⏳ No heads-up this time: the alarm rings within the {lead} min heads-up.",
            lead=schedule.lead_minutes,
        )
    elif schedule.lead_minutes:
        said += "\n" + heads_up(call.t, schedule)
    await call.reply(said)


def heads_up(t: Translator, schedule: Schedule) -> str:
    """The heads-up an alarm gives before it rings, said back so a misread one is seen at once."""
    return t("⏳ Heads-up {lead} min before it rings.", lead=schedule.lead_minutes)


async def list_alarms(call: Call) -> None:
    """This chat's alarms with ids and next fire time."""
    found = await schedules.of_chat(call.chat_id, ALARM_KINDS)
    if not found:
        await call.reply(call.t("No alarms in this chat. Set one with /shelf at 14:30 <text>."))
        return
    lines = [call.t("Alarms in this chat:")]
    for schedule in found:
        rule = rule_of(call.t, schedule)
        number = schedules.number_of(schedule)
        lead = f" · {heads_up(call.t, schedule)}" if schedule.lead_minutes else ""
        lines.append(f"#{number} · {local(call.t, schedule)} · {rule} · {what(call.t, schedule)}{lead}")
    await call.reply("\n".join(lines))


def what(t: Translator, schedule: Schedule) -> str:
    """An alarm's text, or what a deadline watch is watching."""
    label = WATCH_LABELS.get(schedule.kind)
    return t(label, text=schedule.text, ref=schedule.ref or "").strip() if label else schedule.text


async def alarm(call: Call) -> None:
    """Pause, resume, delete an alarm, or show its log."""
    if len(call.args) != 2:
        raise UserError(N_("Say what to do and which alarm, e.g. /alarm pause 3."))
    number = parse_id(call.args[1])
    action = ACTION_ALIASES.get(call.args[0], call.args[0].lower())
    if action not in {*ACTIONS, "log"}:
        raise UserError(
            N_("Unknown action “{value}”. Actions: pause, resume, delete, log."), value=call.args[0]
        )
    schedule = await schedules.owned(number, call.chat_id, ALARM_KINDS)
    if action == "log":
        await call.reply(await alarm_log(call.t, schedule))
        return
    await schedules.set_state(schedule, ACTIONS[action], actor_id=call.user_id, now=now())
    await call.reply(
        call.t(
            "Alarm #{id}: {state}.",
            id=schedules.number_of(schedule),
            state=call.t(STATE_LABELS.get(schedule.state, N_("deleted"))),
        )
    )


async def alarm_log(t: Translator, schedule: Schedule) -> str:
    """Past postings of an alarm: when, who pressed Done, how late."""
    lines = [t("Alarm #{id} log: {text}", id=schedules.number_of(schedule), text=schedule.text)]
    zone = schedules.zone_of(schedule)
    for occurrence in await schedules.history(schedule):
        when = format_moment(occurrence.due_at, zone, t.locale)
        if occurrence.state == schedules.MISSED:
            lines.append(t("• {when} missed (I was offline)", when=when))
        elif occurrence.acked_by and occurrence.acked_at:
            person = await people.get(occurrence.acked_by)
            late = max(0, int((occurrence.acked_at - occurrence.due_at).total_seconds() // 60))
            name = person.display_name if person else str(occurrence.acked_by)
            answered = (
                N_("• {when} snoozed by {name}, {late} min after")
                if occurrence.outcome == schedules.SNOOZED
                else N_("• {when} done by {name}, {late} min after")
            )
            lines.append(t(answered, when=when, name=name, late=late))
        else:
            lines.append(t("• {when} not marked done", when=when))
    return "\n".join(lines)


async def load_alarm(call: Call) -> Target[Occurrence] | None:
    """The posted alarm a Done, Snooze or I'm on it press answers; in the chat it was posted to, or (Done and
    I'm on it, under an escalation) in the supervisors' groups."""
    assert call.button is not None
    occurrence = await Occurrence.get_or_none(id=call.button.id).prefetch_related("schedule")
    if occurrence is None or occurrence.kind != schedules.ALARM:
        return None
    if call.button.verb == "snooze" and call.button.arg not in SNOOZE_MINUTES:
        return None
    where = {occurrence.chat_id}
    if call.button.verb != "snooze":
        where |= set(await chats.of_purpose(ChatPurpose.SUPERVISORS))
    return Target(occurrence, f"alarm.{call.button.verb}", frozenset(where))


async def take_on(call: Call, occurrence: Occurrence) -> None:
    """I'm on it under an escalation: note who took the alarm on and say so; Done stays for them."""
    if not await schedules.take_on(occurrence, call.user_id, now()):
        taker = await schedules.taker(occurrence)
        person = await people.get(taker) if taker and occurrence.acked_by is None else None
        said = N_("{name} is already on it.") if person else N_("Already handled.")
        await call.answer(call.t(said, name=person.display_name if person else ""))
        return
    stamp = call.t("🙋 {name} is on it.", name=call.name)
    await call.answer(stamp)
    markup = escalation_buttons(call.t, occurrence.id, taken=True)
    await call.query.edit_message_text(f"{call.message.text or ''}\n{stamp}", reply_markup=markup)


async def stamp_alarm(call: Call, occurrence: Occurrence, stamp: str) -> None:
    """Done pressed under the escalation: the alarm's own message says so too and loses its buttons."""
    if occurrence.message_id is None or call.message.message_id == occurrence.message_id:
        return
    t = await chat_translator(call.app, occurrence.chat_id)
    posted = posting_text(t, occurrence.schedule, schedules.ALARM, timedelta(0))
    try:
        await call.context.bot.edit_message_text(
            f"{posted}\n{stamp}", chat_id=occurrence.chat_id, message_id=occurrence.message_id
        )
    except TelegramError as exc:  # deleted meanwhile, or too old to edit: the escalation says it anyway
        log.info("alarm %s not stamped: %s", occurrence.id, exc)


async def press(call: Call, occurrence: Occurrence) -> None:
    """Done ✅ or Snooze under an alarm (Done and I'm on it also under its escalation): record who and how,
    and stamp the message."""
    assert call.button is not None
    if call.button.verb == "onit":
        await take_on(call, occurrence)
        return
    snoozing = call.button.verb == "snooze"
    outcome = schedules.SNOOZED if snoozing else schedules.DONE_OUTCOME
    answered = await schedules.acknowledge(occurrence.id, call.user_id, now(), outcome)
    if answered is None:
        await call.answer(call.t("Already handled."))
        return
    if snoozing:
        minutes = call.button.arg
        await schedules.snooze(answered.schedule, minutes, actor_id=call.user_id, now=now())
        stamp = call.t("😴 Snoozed {minutes} min by {name}.", minutes=minutes, name=call.name)
    else:
        late = max(timedelta(0), now() - answered.due_at)
        stamp = call.t(
            "✅ Done by {name}, {late} min after.", name=call.name, late=int(late.total_seconds() // 60)
        )
    await call.answer(stamp)
    await call.query.edit_message_text(f"{call.message.text or ''}\n{stamp}", reply_markup=None)
    if not snoozing:
        await stamp_alarm(call, answered, stamp)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the alarm commands and buttons."""
    app.add_handler(command("shelf", shelf))
    app.add_handler(command("alarms", list_alarms))
    app.add_handler(command("alarm", alarm))
    app.add_handler(button(Family.ALARM, load_alarm, press))

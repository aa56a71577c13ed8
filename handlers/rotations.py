"""/rotation (review groups: show, next, members, period, override, skip) and /review stats."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time

from telegram.ext import Application, CommandHandler, filters

from bot.i18n import N_
from bot.models import Person
from bot.services.errors import UserError
from bot.services.followups import book as followups
from bot.services.followups import text as ft
from bot.services.rotations import engine as rota
from bot.services.rotations import handoffs, review_groups, words
from bot.services.rotations import text as rt
from bot.services.team import people
from bot.services.when import (
    clock_readings,
    format_clock,
    format_day,
    format_period,
    read_day,
    read_period,
    read_range,
    read_span,
)
from bot.services.when.days import MONTH
from bot.services.when.messages import EITHER_HALF
from handlers.confirm import Choice, ask
from handlers.gate import Call, command, gated
from jobs.engine import now

EDITS = frozenset({"members", "period", "override", "skip"})
ACTIONS_LIST = "show, next, members, period, override, skip"
STATS_COMMAND = filters.Regex(r"(?i)^/review(@\w+)?\s+(stats|统计)(\s|$)")


def today(call: Call) -> datetime:
    """Now on the team's wall clock."""
    return now().astimezone(call.zone)


async def person(word: str) -> Person:
    """A person named by @username, or why not."""
    if not word.startswith("@") or len(word) < 2:
        raise UserError(N_("“{value}” is not a @username: name people like @bob."), value=word)
    found = await people.by_username(word)
    if found is None:
        raise UserError(
            N_(
                "I haven't seen {name} yet: ask them to write in this chat, "
                "or reply to one of their messages."
            ),
            name=word,
        )
    return found


async def reply_overview(call: Call, rule: rota.RotationRule, moment: datetime, first: str = "") -> None:
    """The groups at a moment with the next handoff, after an optional first line."""
    names = await rt.names_of(rt.people_in(rule))
    text = rt.overview(call.t, rule, names, moment)
    await call.reply(f"{first}\n{text}" if first else text)


async def show(call: Call, args: list[str]) -> None:
    """The groups now, or after the handoff time on a given day."""
    rule = await review_groups.required()
    moment = now()
    if args:
        day = read_day(" ".join(args), today(call).date())
        moment = datetime.combine(day, rule.at, tzinfo=rule.tz)
    await handoffs.ensure(now())
    await reply_overview(call, rule, moment)


async def upcoming(call: Call, args: list[str]) -> None:
    """When the next handoff is and who goes where."""
    rule = await review_groups.required()
    await handoffs.ensure(now())
    names = await rt.names_of(rt.people_in(rule))
    await call.reply(rt.upcoming(call.t, rule, names, now()))


async def members(call: Call, args: list[str]) -> None:
    """Set who rotates, in the order given."""
    named = [await person(word) for word in args]
    zone, day = call.zone, today(call).date()
    rule = await review_groups.set_members(
        named, actor_id=call.user_id, chat_id=call.chat_id, zone=zone, today=day
    )
    await changed(call, rule, call.t("✅ Members set: {count}.", count=len(rule.members)))


async def period(call: Call, args: list[str]) -> None:
    """Set the period, the first handoff day (start=) and the handoff time (at=); a bare early hour
    (at=3点) is asked about: 03:00 or 15:00?"""
    if not args:
        raise UserError(N_("Give the period, e.g. /rotation period 1m start=2026-12-01 at=09:00."))
    every, start, typed = None, None, ""
    for word in args:
        pair = words.key_value(word)
        if pair is None:
            every = read_span(word)
        elif pair[0] in words.START_KEYS:
            start = read_day(pair[1], today(call).date())
        elif pair[0] in words.AT_KEYS:
            typed = pair[1]
        else:
            raise UserError(N_("Unknown setting “{value}”: use start= and at=."), value=word)

    async def save(call: Call, at: time | None) -> None:
        """Set the period with the handoff time chosen."""
        rule = await review_groups.set_period(every, start, at, actor_id=call.user_id, chat_id=call.chat_id)
        await changed(call, rule, call.t("✅ Rotation period set."))

    readings = clock_readings(typed) if typed else ()
    if len(readings) < 2:
        await save(call, readings[0] if readings else None)
        return
    shown = [format_clock(reading, call.t.locale) for reading in readings]
    concern = call.t(EITHER_HALF, value=typed, chosen=shown[0])
    labels = [call.t("handoffs at {time}", time=label) for label in shown]
    choices = [Choice(label, reading) for label, reading in zip(labels, readings, strict=True)]
    await ask(call, "rotation.edit", [concern], choices, save)


async def override(call: Call, args: list[str]) -> None:
    """`@a @b <from>..<to>`: a stands in for b on those days."""
    if len(args) < 3:
        raise UserError(
            N_("Say who stands in for whom and when, e.g. /rotation override @carol @bob 12-10..12-20.")
        )
    substitute, absent = await person(args[0]), await person(args[1])
    first, last = read_range(" ".join(args[2:]), today(call).date())
    rule = await review_groups.add_override(
        substitute, absent, first, last, actor_id=call.user_id, chat_id=call.chat_id, today=today(call).date()
    )
    done = call.t(
        "✅ {substitute} stands in for {absent}, {first}..{last}.",
        substitute=substitute.display_name,
        absent=absent.display_name,
        first=format_day(first, call.t.locale),
        last=format_day(last, call.t.locale),
    )
    await changed(call, rule, done)


async def skip(call: Call, args: list[str]) -> None:
    """No handoff on a date: it moves to the next day."""
    if not args:
        raise UserError(N_("Which date? e.g. /rotation skip 2027-01-01."))
    day = read_day(" ".join(args), today(call).date())
    rule = await review_groups.add_skip(day, actor_id=call.user_id, chat_id=call.chat_id)
    await changed(call, rule, call.t("✅ No handoff on {day}.", day=format_day(day, call.t.locale)))


async def changed(call: Call, rule: rota.RotationRule, first: str) -> None:
    """After a change: re-arm the next handoff and show the groups as they are now."""
    await handoffs.rearm(actor_id=call.user_id, fallback_chat=call.chat_id, now=now())
    await reply_overview(call, rule, now(), first)


ACTIONS: dict[str, Callable[[Call, list[str]], Awaitable[None]]] = {
    "show": show,
    "next": upcoming,
    "members": members,
    "period": period,
    "override": override,
    "skip": skip,
}


async def rotation(call: Call) -> None:
    """Dispatch `/rotation <action> …`; changes need a supervisor or manager."""
    args = call.args
    action = words.action(args[0]) if args else "show"
    if action is None:
        raise UserError(
            N_("Unknown action “{value}”. Actions: {choices}."), value=args[0], choices=ACTIONS_LIST
        )
    if action in EDITS:
        call.require("rotation.edit")
    await ACTIONS[action](call, args[1:])


async def stats(call: Call) -> None:
    """`/review stats [period]`: cases revised, failed and escalated per member and per group, this month
    or any period (12月, 上月, last week, 2026-11)."""
    period = read_period(" ".join(call.args[1:]), now(), call.zone, default=MONTH)
    counted = await review_groups.stats(period.start, period.end)
    missed = await followups.overdue_followup_orders(period.start, period.end)
    names = await rt.names_of([*counted.by_member, *(found.owner_id for found in missed)])
    text = rt.stats_text(call.t, format_period(period, call.t.locale), counted, names)
    await call.reply("\n".join([text, *ft.missed_lines(call.t, missed, names)]))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /rotation and /review stats (before /review logs a case)."""
    app.add_handler(command("rotation", rotation))
    app.add_handler(CommandHandler("review", gated("review.stats", stats), filters=STATS_COMMAND))

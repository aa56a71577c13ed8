"""/presale and /presales: pre-sale shipping promises that must not run out unnoticed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from telegram.ext import Application

from bot.i18n import Translator
from bot.services.records.fields import split_words
from bot.services.scheduling import schedules, watches
from bot.services.team import rules
from bot.services.when import format_day
from handlers.confirm import Choice, ask, next_fire
from handlers.gate import Call, command
from jobs.engine import now


def promise_choice(t: Translator, promised: date, note: str) -> Choice:
    """One reading of a promise: the day it must ship by, and the note that goes with it."""
    detail = t("note: {note}", note=note) if note else ""
    return Choice(t("ship by {date}", date=format_day(promised, t.locale)), (promised, note), detail)


async def presale(call: Call) -> None:
    """Watch a promise (`/presale <order> [days=15|by=12月20日] [note]`) or end one (`/presale done …`);
    a note holding a date is asked about first (was it the promised day?)."""
    words = split_words((call.message.text or "").partition(" ")[2])
    team_rules = await rules.current()
    if words and words[0].lower() in watches.DONE_WORDS:
        schedule = await watches.fulfil(
            words[1:], chat_id=call.chat_id, actor_id=call.user_id, rules=team_rules, now=now()
        )
        await call.reply(call.t("📦 Order {order} shipped: its promise watch is closed.", order=schedule.ref))
        return
    found = watches.read_promise(words, team_rules, call.today)

    async def save(call: Call, chosen: tuple[date, str]) -> None:
        """Watch the promise as chosen."""
        promised, note = chosen
        await watch(call, replace(found, promised=promised, note=note))

    if not found.time_words:
        await save(call, (found.promised, found.note))
        return
    choices = [
        promise_choice(call.t, day, note) for day, note in ((found.promised, found.note), *found.other)
    ]
    concern = call.t("“{words}” in the note looks like a date.", words=" ".join(found.time_words))
    await ask(call, "presale", [concern], choices, save)


async def watch(call: Call, found: watches.Promise) -> None:
    """Start watching a promise and say until when and when the first alert comes."""
    schedule = await watches.promise(
        found,
        chat_id=call.chat_id,
        owner_id=call.user_id,
        rules=await rules.current(),
        zone=call.zone,
        now=now(),
    )
    first = next_fire(call.t, schedule.next_due_at, call.zone) if schedule.next_due_at else "—"
    await call.reply(
        call.t(
            "📦 Watching order {order}: must ship by {date}. First alert {first}.",
            order=schedule.ref,
            date=format_day(found.promised, call.t.locale),
            first=first,
        )
    )


async def presales(call: Call) -> None:
    """Open promises in this chat, soonest first."""
    found = await watches.open_promises(call.chat_id)
    if not found:
        await call.reply(call.t("No open pre-sale promises here. Add one with /presale <order> days=15."))
        return
    today = call.today
    lines = [call.t("Open pre-sale promises:")]
    for schedule in found:
        assert schedule.ends_at is not None
        promised = schedule.ends_at.astimezone(schedules.zone_of(schedule)).date()
        left = call.t.ngettext("{n} day left", "{n} days left", (promised - today).days)
        lines.append(
            call.t(
                "• {order}: ship by {date} ({left}) {note}",
                order=schedule.ref,
                date=format_day(promised, call.t.locale),
                left=left,
                note=schedule.text,
            ).rstrip()
        )
    await call.reply("\n".join(lines))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the pre-sale commands."""
    app.add_handler(command("presale", presale))
    app.add_handler(command("presales", presales))

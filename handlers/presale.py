"""/presale and /presales: pre-sale shipping promises that must not run out unnoticed."""

from __future__ import annotations

from telegram.ext import Application

from bot.services.records.fields import split_words
from bot.services.scheduling import schedules, watches
from bot.services.team import rules
from handlers.gate import Call, command
from jobs.engine import now


async def presale(call: Call) -> None:
    """Watch a promise (`/presale <order> [days=15|by=2026-12-20] [note]`) or end one (`/presale done …`)."""
    words = split_words((call.message.text or "").partition(" ")[2])
    team_rules = await rules.current()
    if words and words[0].lower() in watches.DONE_WORDS:
        schedule = await watches.fulfil(
            words[1:], chat_id=call.chat_id, actor_id=call.user_id, rules=team_rules, now=now()
        )
        await call.reply(call.t("📦 Order {order} shipped: its promise watch is closed.", order=schedule.ref))
        return
    schedule, promised = await watches.promise(
        words=words,
        chat_id=call.chat_id,
        owner_id=call.user_id,
        rules=team_rules,
        zone=call.zone,
        now=now(),
    )
    first = (
        schedule.next_due_at.astimezone(call.zone).strftime("%m-%d %H:%M") if schedule.next_due_at else "—"
    )
    await call.reply(
        call.t(
            "📦 Watching order {order}: must ship by {date}. First alert {first}.",
            order=schedule.ref,
            date=promised,
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
        days = (promised - today).days
        lines.append(
            call.t(
                "• {order}: ship by {date} ({days} days left) {note}",
                order=schedule.ref,
                date=promised,
                days=days,
                note=schedule.text,
            ).rstrip()
        )
    await call.reply("\n".join(lines))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the pre-sale commands."""
    app.add_handler(command("presale", presale))
    app.add_handler(command("presales", presales))

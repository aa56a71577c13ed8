"""Readings the bot is not sure of are never saved silently: a bare 3点, time words left in an alarm's text,
a date in a pre-sale note. The bot answers with its best reading and the others as buttons, and saves only
when someone with the command's own permission picks one (✅ this reading, 🔄 another, ✏️ retype).

A question is held in memory per chat, like a draft under "log anyway": after a restart its buttons are out
of date and the command is typed again.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.i18n import Translator
from bot.render.codec import Family
from bot.render.keyboards import keyboard, press
from bot.services.errors import UserError
from bot.services.ids import MAX_ID
from bot.services.scheduling import shop_calendar
from bot.services.when import Reading, Rule, describe, format_moment, next_after, relative_day
from handlers.gate import Call, Target, button
from handlers.records import chat_store
from jobs.engine import now

PENDING_KEY = "when_pending"
MAX_PENDING = 100
MAX_CHOICES = 4
"""The best reading and up to three others: more buttons would only confuse."""

Save = Callable[[Call, Any], Awaitable[None]]
"""Saves what was read with the chosen value and replies as the command would have."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One reading: how it reads in the chat's language, when it next fires (if it fires), and its value."""

    label: str
    value: Any
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Pending:
    """A question waiting for a press: the action whose permission a press needs, the readings, the saver."""

    action: str
    choices: tuple[Choice, ...]
    save: Save
    text: str


def next_fire(t: Translator, moment: datetime, zone: ZoneInfo) -> str:
    """A fire time with its weekday and how far off its day is: `Mon 23 Nov 15:00 (today)`."""
    return t(
        "{when} ({relative})",
        when=format_moment(moment, zone, t.locale),
        relative=relative_day(moment, now(), zone, t),
    )


async def rule_choices(call: Call, reading: Reading) -> list[Choice]:
    """The readings of a schedule, best first, each in words with its next fire."""
    calendar = await shop_calendar.current()
    found = []
    for rule in (reading.rule, *reading.alternatives)[:MAX_CHOICES]:
        fire = next_after(rule, now(), call.zone, calendar)
        detail = call.t("next: {when}", when=next_fire(call.t, fire, call.zone)) if fire else ""
        found.append(Choice(describe(rule, call.t, call.zone, now()), rule, detail))
    return found


def concerns_of(t: Translator, reading: Reading) -> list[str]:
    """Why a reading is asked about, in the chat's language."""
    return [t(concern.message, **concern.params) for concern in reading.concerns]


async def settle(
    call: Call, action: str, reading: Reading, save: Callable[[Call, Rule], Awaitable[None]], *extra: str
) -> None:
    """Save a sure reading at once; ask about one the bot is not sure of (`extra` lines say what else
    would be saved, such as the alarm's text)."""
    if not reading.needs_confirmation:
        await save(call, reading.rule)
        return
    await ask(call, action, concerns_of(call.t, reading), await rule_choices(call, reading), save, *extra)


async def ask(
    call: Call, action: str, concerns: Sequence[str], choices: Sequence[Choice], save: Save, *extra: str
) -> None:
    """Show the best reading and the others with buttons; nothing is saved until one is pressed."""
    t = call.t
    lines = [t("🤔 Check my reading before I save it:"), *(f"• {concern}" for concern in concerns)]
    best, *others = choices
    lines.append(t("I read: {reading}", reading=best.label) + (f" · {best.detail}" if best.detail else ""))
    lines += [t("Or: {reading}", reading=o.label) + (f" · {o.detail}" if o.detail else "") for o in others]
    lines += [*extra, t("Nothing is saved until you press ✅.")]
    text = "\n".join(lines)
    held = chat_store(call, PENDING_KEY)
    while len(held) >= MAX_PENDING:
        held.pop(next(iter(held)))
    token = secrets.randbelow(MAX_ID) + 1
    held[token] = Pending(action, tuple(choices), save, text)
    rows = [[press(f"✅ {best.label}", Family.WHEN, "pick", token, 0)]]
    rows += [[press(f"🔄 {o.label}", Family.WHEN, "pick", token, n)] for n, o in enumerate(others, 1)]
    rows.append([press(t("✏️ No, let me retype"), Family.WHEN, "retype", token)])
    await call.reply(text, reply_markup=keyboard(*rows))


async def load_pending(call: Call) -> Target[Pending] | None:
    """The question a press answers, held in this chat; it needs the asking command's own permission."""
    assert call.button is not None
    pending: Pending | None = chat_store(call, PENDING_KEY).get(call.button.id)
    if pending is None or call.button.arg >= len(pending.choices):
        return None
    return Target(pending, pending.action)


async def picked(call: Call, pending: Pending) -> None:
    """✅ or 🔄: save that reading (the command's own reply follows); ✏️: drop the question."""
    assert call.button is not None
    held = chat_store(call, PENDING_KEY)
    if held.pop(call.button.id, None) is None:
        await call.answer(call.t("Already handled."))
        return
    if call.button.verb == "retype":
        stamp = call.t("✏️ Not saved: type it again the way you mean it.")
    else:
        choice = pending.choices[call.button.arg]
        try:
            await pending.save(call, choice.value)
        except UserError:
            held[call.button.id] = pending  # nothing was saved: the other buttons still work
            raise
        stamp = call.t("✅ {name} chose: {reading}", name=call.name, reading=choice.label)
    await call.answer(stamp)
    await call.query.edit_message_text(f"{pending.text}\n{stamp}", reply_markup=None)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the buttons under every question about a reading."""
    app.add_handler(button(Family.WHEN, load_pending, picked))

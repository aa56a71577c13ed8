"""/followup: open a follow-up (回访) for yourself or a colleague, list yours, set the silent-customer rota;
the Done / Called / No answer buttons under each morning list."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import Application

from bot.i18n import N_
from bot.models import FollowUp, Person
from bot.render.codec import Family, decode
from bot.services.errors import UserError
from bot.services.followups import book, morning
from bot.services.followups import rota as silent_rota
from bot.services.followups import text as ft
from bot.services.masking import phone as masked_phone
from bot.services.records.fields import split_words
from bot.services.rotations.text import names_of
from bot.services.shifts.roster import resolve_person
from bot.services.team import people, rules
from bot.services.when import format_day
from handlers.gate import Call, Target, button, command
from handlers.privacy import scrub
from jobs.engine import now

ROTA_WORDS = {"rota", "轮值", "轮班"}
LIST_WORDS = {"list", "列表", "我的"}
OUTCOME_TOASTS = {
    "done": N_("✅ #{id} done."),
    "called": N_("📞 #{id}: call noted at {time}."),
    "noanswer": N_("🔕 #{id}: no answer noted ({tries}). It stays on your list."),
}


async def followup(call: Call) -> None:
    """Dispatch `/followup <order> <buyer> …`, `/followup list [@user]` and `/followup rota @a @b …`."""
    words = split_words((call.message.text or "").partition(" ")[2])
    first = words[0].lower() if words else ""
    if first in ROTA_WORDS:
        await rota(call, words[1:])
    elif not words or first in LIST_WORDS:
        await show_list(call, words[1:])
    else:
        await open_one(call, words)


async def open_one(call: Call, words: list[str]) -> None:
    """Open a follow-up owned by the typist, the @named colleague, or (silent) the rota's next member."""
    draft = book.parse(words, await rules.current())
    if draft.owner:
        owner = await resolve_person(draft.owner)
    elif draft.silent:
        chosen = await silent_rota.next_owner(now())
        owner = await people.get(chosen) or Person(id=chosen)
    else:
        owner = await people.get(call.user_id) or Person(id=call.user_id)
    made = await book.open_one(draft, owner, actor_id=call.user_id, chat_id=call.chat_id, now=now())
    await morning.ensure(chat_id=call.chat_id, owner_id=call.user_id, zone=call.zone, now=now())
    shown_phone = (made.phone if call.is_private else masked_phone(made.phone)) if made.phone else "—"
    text = call.t(
        "✅ Follow-up #{id}: order {order}, buyer {buyer}, phone {phone}. Owner {owner}; deadline {day}. "
        "It is on {owner}'s private list every morning.",
        id=made.id,
        order=made.order_no,
        buyer=made.buyer,
        phone=shown_phone,
        owner=owner.display_name,
        day=format_day(made.due_at.astimezone(call.zone).date(), call.t.locale),
    )
    if made.silent:
        text += "\n" + call.t("🔇 A silent customer, given out by the weekly rota.")
    await call.reply(text)
    if made.phone:
        await scrub(call)  # the typed phone leaves the group once the masked answer is there


async def show_list(call: Call, words: list[str]) -> None:
    """Someone's open follow-ups: full in private, masked in a group; another person's for supervisors."""
    person = await resolve_person(words[0]) if words else None
    if person is not None and person.id != call.user_id:
        call.require("followup.rota")
    owner_id = person.id if person else call.user_id
    found = await book.open_of(owner_id)
    if not found:
        await call.reply(call.t("No open follow-ups."))
        return
    moment = now()
    lines = [call.t("📋 Open follow-ups: {n}.", n=len(found))]
    lines += [ft.line(call.t, f, moment, call.zone, private=call.is_private) for f in found]
    await call.reply("\n".join(lines))


async def rota(call: Call, words: list[str]) -> None:
    """`/followup rota @a @b @c` (supervisors) sets who takes silent customers; alone, shows this week."""
    if words:
        call.require("followup.rota")
        members = [await resolve_person(word) for word in words]
        rule = await silent_rota.set_members(
            members, actor_id=call.user_id, chat_id=call.chat_id, zone=call.zone, today=call.today
        )
        head = call.t(
            "✅ Silent customers rota set: {count} members, turning every week.", count=len(members)
        )
    else:
        found = await silent_rota.current()
        if found is None:
            raise UserError(silent_rota.NO_ROTA)
        rule, head = found, call.t("🔇 Silent customers rota, turning every week.")
    order = silent_rota.week_order(rule, now())
    names = await names_of(order)
    await call.reply(
        head + "\n" + call.t("This week, in order: {names}.", names=call.t.join(names[m] for m in order))
    )


async def load_followup(call: Call) -> Target[FollowUp] | None:
    """The follow-up a press answers: in its owner's private chat, by the owner (or a supervisor)."""
    assert call.button is not None
    found = await FollowUp.get_or_none(id=call.button.id)
    if found is None:
        return None
    return Target(
        found,
        f"followup.{call.button.verb}",
        frozenset({found.owner_id}),
        call.facts(owner_id=found.owner_id),
    )


def without(markup: InlineKeyboardMarkup | None, followup_id: int) -> InlineKeyboardMarkup | None:
    """The list's keyboard without the row of the follow-up just answered."""
    if markup is None:
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if not any((b := decode(str(button.callback_data))) and b.id == followup_id for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def answered(call: Call, found: FollowUp) -> None:
    """Done / Called / No answer: recorded once, toasted, and the row leaves the list."""
    assert call.button is not None
    verb = call.button.verb
    if not await book.answer(found, verb, actor_id=call.user_id, chat_id=call.chat_id, now=now()):
        await call.answer(call.t("Already handled."))
        return
    clock = now().astimezone(call.zone).strftime("%H:%M")
    tries = call.t.ngettext("{n} try", "{n} tries", found.attempts)
    await call.answer(call.t(OUTCOME_TOASTS[verb], id=found.id, time=clock, tries=tries))
    kept = without(call.message.reply_markup, found.id)
    if kept != call.message.reply_markup:  # Telegram refuses an edit that changes nothing
        await call.query.edit_message_reply_markup(kept)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /followup and the buttons under the morning lists."""
    app.add_handler(command("followup", followup))
    app.add_handler(button(Family.FOLLOWUP, load_followup, answered))

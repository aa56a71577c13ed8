"""/leave: ask the supervisors for days off; one of them approves or declines with the buttons, and approved
leave takes those days off the roster."""

from __future__ import annotations

from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.i18n import Translator
from bot.models import LeaveRequest, Person
from bot.render.codec import Family
from bot.render.context import chat_translator
from bot.render.keyboards import leave_decision
from bot.services.records.fields import split_words
from bot.services.shifts import leave
from bot.services.team import chats, people
from bot.services.when import format_days
from handlers.gate import Call, Target, button, command
from handlers.swaps import stamp, tell


def describe(t: Translator, request: LeaveRequest, person: Person) -> str:
    """A leave request in the reader's language, flagged when it lacks a week's notice."""
    text = t.ngettext(
        "🌴 Leave #{id}: {name}, {days} ({n} day): {reason}",
        "🌴 Leave #{id}: {name}, {days} ({n} days): {reason}",
        leave.day_count(request),
        id=request.id,
        name=person.display_name,
        days=format_days(request.first_day, request.last_day, t.locale),
        reason=request.reason,
    )
    if request.short_notice:
        text += "\n" + t("⚠️ Needs a week's notice: more than two days, asked less than 7 days ahead.")
    return text


async def ask(call: Call) -> None:
    """`/leave <dates> <reason>`: stored, then put to the supervisors' chat with Approve / Decline."""
    words = split_words((call.message.text or "").partition(" ")[2])
    asked = leave.parse(words, call.today)
    person = await people.get(call.user_id) or Person(id=call.user_id)
    request = await leave.ask(person, asked, chat_id=call.chat_id, today=call.today)
    supervisors = [chat for chat in await chats.of_purpose(ChatPurpose.SUPERVISORS) if chat != call.chat_id]
    asked_here = not supervisors
    text = describe(call.t, request, person) + "\n" + call.t("Asked of the supervisors.")
    await call.reply(text, reply_markup=leave_decision(call.t, request.id) if asked_here else None)
    for chat_id in supervisors:
        t = await chat_translator(call.app, chat_id)
        question = describe(t, request, person) + "\n" + t("Approve it?")
        await call.context.bot.send_message(chat_id, question, reply_markup=leave_decision(t, request.id))


async def load_leave(call: Call) -> Target[LeaveRequest] | None:
    """The leave a press decides: from the supervisors' chat (or where it was asked), never by its asker."""
    assert call.button is not None
    request = await LeaveRequest.get_or_none(id=call.button.id)
    if request is None:
        return None
    where = frozenset({request.chat_id, *await chats.of_purpose(ChatPurpose.SUPERVISORS)})
    return Target(
        request, f"leave.{call.button.verb}", where, call.facts(parties=frozenset({request.person_id}))
    )


async def decided(call: Call, request: LeaveRequest) -> None:
    """Approve / Decline once; the person hears of it in private."""
    assert call.button is not None
    approve = call.button.verb == "approve"
    removed = await leave.decide(request, approve, actor_id=call.user_id, chat_id=call.chat_id)
    if removed is None:
        await call.answer(call.t("Already handled."))
        return
    who = call.name
    if approve:
        await stamp(call, call.t("✅ Approved by {name}: those days are off the roster.", name=who))
        await tell(
            call.app,
            [request.person_id],
            lambda t: t("✅ Your leave #{id} was approved by {name}.", id=request.id, name=who),
        )
    else:
        await stamp(call, call.t("❌ Declined by {name}.", name=who))
        await tell(
            call.app,
            [request.person_id],
            lambda t: t("❌ Your leave #{id} was declined by {name}.", id=request.id, name=who),
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /leave and its Approve / Decline buttons."""
    app.add_handler(command("leave", ask))
    app.add_handler(button(Family.LEAVE, load_leave, decided))

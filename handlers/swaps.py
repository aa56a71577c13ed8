"""/swap: ask a colleague to swap shifts; they accept or decline, then a supervisor approves or declines."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram.error import TelegramError
from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.i18n import N_, Translator
from bot.models import Person, Schedule, SwapRequest
from bot.render.codec import Family
from bot.render.context import App, chat_translator
from bot.render.keyboards import swap_answer, swap_decision
from bot.services.errors import UserError
from bot.services.records.fields import split_words
from bot.services.scheduling import schedules
from bot.services.shifts import roster as shifts
from bot.services.shifts import swaps
from bot.services.team import chats, people
from bot.services.when import Once, Reading, format_day, read_day, split_day
from handlers.gate import Call, Target, button, command
from jobs.engine import now

log = logging.getLogger(__name__)


def describe(t: Translator, found: swaps.Plan) -> str:
    """What the swap moves, in the reader's language."""
    mine = t.join(t(shifts.label(shift_type)) for shift_type in found.mine)
    if found.their_day is None:
        return t(
            "{other} takes {requester}'s {shifts} on {day}.",
            other=found.other.display_name,
            requester=found.requester.display_name,
            shifts=mine,
            day=format_day(found.day, t.locale),
        )
    return t(
        "{other} takes {requester}'s {shifts} on {day}; {requester} takes {other}'s {their_shifts} on "
        "{their_day}.",
        other=found.other.display_name,
        requester=found.requester.display_name,
        shifts=mine,
        day=format_day(found.day, t.locale),
        their_shifts=t.join(t(shifts.label(shift_type)) for shift_type in found.theirs),
        their_day=format_day(found.their_day, t.locale),
    )


async def swap(call: Call) -> None:
    """`/swap @other <date> [<their date>]`: checked against the roster, then put to the other person."""
    words = split_words((call.message.text or "").partition(" ")[2])
    if len(words) < 2:
        raise UserError(
            N_("Say with whom and which day, e.g. /swap @carol 12-05 or /swap @carol 12-05 12-07.")
        )
    other = await shifts.resolve_person(words[0])
    now_day = call.today
    day, rest = split_day(words[1:], now_day)
    their_day = read_day(" ".join(rest), now_day) if rest else None
    requester = await people.get(call.user_id) or Person(id=call.user_id)
    found = await swaps.plan(requester, other, day, their_day, now_day)
    request = await swaps.ask(found, chat_id=call.chat_id, now=now())
    await arm_timeout(call, request)
    text = call.t("🔁 Swap #{id}: ", id=request.id) + describe(call.t, found) + "\n"
    text += call.t("{name}, do you agree? (open for {hours} h)", name=other.display_name, hours=24)
    await call.reply(text, reply_markup=swap_answer(call.t, request.id))


async def arm_timeout(call: Call, request: SwapRequest) -> None:
    """A one-off schedule that cancels the swap if nobody decided in time (it survives restarts)."""
    await schedules.create(
        kind=swaps.KIND,
        chat_id=request.chat_id,
        owner_id=request.requester_id,
        parsed=Reading(Once(request.expires_at), f"swap #{request.id}"),
        zone=call.zone,
        now=now(),
        ref=f"{swaps.KIND}:{request.id}",
        escalate_minutes=None,
    )


async def disarm_timeout(request: SwapRequest, actor_id: int) -> None:
    """The swap was decided: its timeout has nothing left to do."""
    ref = f"{swaps.KIND}:{request.id}"
    for schedule in await Schedule.filter(kind=swaps.KIND, ref=ref, state=schedules.ACTIVE):
        await schedules.set_state(schedule, schedules.DONE, actor_id=actor_id, now=now())


async def tell(app: App, person_ids: list[int], render: Callable[[Translator], str]) -> None:
    """A private message to each person in their own language; someone who never opened a chat with the bot
    is skipped (the group messages show the outcome too)."""
    for person_id in dict.fromkeys(person_ids):
        t = await chat_translator(app, person_id)
        try:
            await app.bot.send_message(person_id, render(t))
        except TelegramError as exc:
            log.warning("swap news could not reach %s: %s", person_id, exc)


async def load_swap(call: Call) -> Target[SwapRequest] | None:
    """The swap a press answers: the person asked answers where it was asked, supervisors where it was put to
    them; nobody decides a swap they are part of."""
    assert call.button is not None
    request = await SwapRequest.get_or_none(id=call.button.id)
    if request is None:
        return None
    verb = call.button.verb
    if verb in ("accept", "decline"):
        return Target(
            request, f"swap.{verb}", frozenset({request.chat_id}), call.facts(asked_id=request.other_id)
        )
    where = frozenset({request.chat_id, *await chats.of_purpose(ChatPurpose.SUPERVISORS)})
    parties = frozenset({request.requester_id, request.other_id})
    return Target(request, f"swap.{verb}", where, call.facts(parties=parties))


async def press(call: Call, request: SwapRequest) -> None:
    """Accept / Decline by the other person, Approve / Decline by a supervisor."""
    assert call.button is not None
    verb = call.button.verb
    asked_stage = verb in ("accept", "decline")
    if request.state not in swaps.PENDING or asked_stage != (request.state == swaps.ASKED):
        await call.answer(call.t("Already handled."))
        return
    await {"accept": accepted, "decline": declined, "approve": approved, "refuse": declined}[verb](
        call, request
    )


async def moved(call: Call, request: SwapRequest, state: str) -> bool:
    """Move the swap on as pressed; False, with a toast, when somebody had already decided it."""
    if await swaps.move(request, state, actor_id=call.user_id, chat_id=call.chat_id) is None:
        await call.answer(call.t("Already handled."))
        return False
    return True


async def stamp(call: Call, text: str) -> None:
    """Toast the outcome and write it under the swap, taking its buttons away."""
    await call.answer(text)
    await call.query.edit_message_text(f"{call.message.text}\n{text}", reply_markup=None)


async def accepted(call: Call, request: SwapRequest) -> None:
    """The other person agreed: put it to the supervisors."""
    if not await moved(call, request, swaps.ACCEPTED):
        return
    await stamp(call, call.t("✅ {name} agreed; waiting for a supervisor.", name=call.name))
    found = await swaps.plan_of(request, call.today)
    for chat_id in await chats.of_purpose(ChatPurpose.SUPERVISORS) or [request.chat_id]:
        t = await chat_translator(call.app, chat_id)
        text = t("🔁 Swap #{id}: ", id=request.id) + describe(t, found) + "\n" + t("Both agreed. Approve it?")
        await call.context.bot.send_message(chat_id, text, reply_markup=swap_decision(t, request.id))


async def declined(call: Call, request: SwapRequest) -> None:
    """The other person or a supervisor said no: the swap is off and nothing changes."""
    if not await moved(call, request, swaps.DECLINED):
        return
    await disarm_timeout(request, call.user_id)
    await stamp(call, call.t("❌ Declined by {name}: the roster stays as it was.", name=call.name))
    who = call.name
    await tell(
        call.app,
        [request.requester_id, request.other_id],
        lambda t: t(
            "❌ Swap #{id} was declined by {name}: the roster stays as it was.", id=request.id, name=who
        ),
    )


async def approved(call: Call, request: SwapRequest) -> None:
    """A supervisor approved: change the roster and tell all three."""
    found = await swaps.approve(request, actor_id=call.user_id, chat_id=call.chat_id, today=call.today)
    if found is None:
        await call.answer(call.t("Already handled."))
        return
    await disarm_timeout(request, call.user_id)
    await stamp(call, call.t("✅ Approved by {name}: the roster is changed.", name=call.name))
    who = call.name
    await tell(
        call.app,
        [request.requester_id, request.other_id, call.user_id],
        lambda t: t("✅ Swap #{id} approved by {name}: ", id=request.id, name=who) + describe(t, found),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /swap and its buttons."""
    app.add_handler(command("swap", swap))
    app.add_handler(button(Family.SWAP, load_swap, press))

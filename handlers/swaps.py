"""/swap: ask a colleague to swap shifts; they accept or decline, then a supervisor approves or declines."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.enums import ChatPurpose
from bot.i18n import N_, Translator
from bot.models import Person, Schedule, SwapRequest
from bot.services.errors import UserError
from bot.services.permissions import is_allowed
from bot.services.records.fields import split_words
from bot.services.scheduling import schedules, timespec
from bot.services.shifts import parse as sp
from bot.services.shifts import roster as shifts
from bot.services.shifts import swaps
from bot.services.team import people
from handlers.common import Call, Ctx, command, denied, explain, settings_of, translator_for
from jobs import alarms as engine
from jobs import shift_posts, swap_expiry  # noqa: F401  (registers the timeout poster)

log = logging.getLogger(__name__)


def zone_of(context: Ctx) -> ZoneInfo:
    """The shop's zone: roster dates are local."""
    return ZoneInfo(settings_of(context).bot_timezone)


def today(context: Ctx) -> date:
    """The shop's date now."""
    return engine.now().astimezone(zone_of(context)).date()


def describe(t: Translator, found: swaps.Plan) -> str:
    """What the swap moves, in the reader's language."""
    mine = t.join(t(shifts.label(shift_type)) for shift_type in found.mine)
    if found.their_day is None:
        return t(
            "{other} takes {requester}'s {shifts} on {day}.",
            other=found.other.display_name,
            requester=found.requester.display_name,
            shifts=mine,
            day=found.day.isoformat(),
        )
    return t(
        "{other} takes {requester}'s {shifts} on {day}; {requester} takes {other}'s {their_shifts} on "
        "{their_day}.",
        other=found.other.display_name,
        requester=found.requester.display_name,
        shifts=mine,
        day=found.day.isoformat(),
        their_shifts=t.join(t(shifts.label(shift_type)) for shift_type in found.theirs),
        their_day=found.their_day.isoformat(),
    )


def buttons(t: Translator, swap: SwapRequest, yes: str, no: str) -> InlineKeyboardMarkup:
    """Two answer buttons for one stage of a swap."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("Accept ✅") if yes == "a" else t("Approve ✅"), callback_data=f"sw:{yes}:{swap.id}"
                ),
                InlineKeyboardButton(t("Decline ❌"), callback_data=f"sw:{no}:{swap.id}"),
            ]
        ]
    )


async def swap(call: Call) -> None:
    """`/swap @other <date> [<their date>]`: checked against the roster, then put to the other person."""
    words = split_words((call.message.text or "").partition(" ")[2])
    if len(words) not in (2, 3):
        raise UserError(
            N_("Say with whom and which day, e.g. /swap @carol 12-05 or /swap @carol 12-05 12-07.")
        )
    other = await shifts.resolve_person(words[0])
    now_day = today(call.context)
    day = sp.parse_day(words[1], now_day)
    their_day = sp.parse_day(words[2], now_day) if len(words) == 3 else None
    requester = await people.get(call.user_id) or Person(id=call.user_id)
    found = await swaps.plan(requester, other, day, their_day, now_day)
    request = await swaps.ask(found, chat_id=call.chat_id, now=engine.now())
    await arm_timeout(call.context, request)
    text = call.t("🔁 Swap #{id}: ", id=request.id) + describe(call.t, found) + "\n"
    text += call.t("{name}, do you agree? (open for {hours} h)", name=other.display_name, hours=24)
    await call.reply(text, reply_markup=buttons(call.t, request, "a", "d"))


async def arm_timeout(context: Ctx, request: SwapRequest) -> None:
    """A one-off schedule that cancels the swap if nobody decided in time (it survives restarts)."""
    parsed = timespec.Parsed(timespec.Once(request.expires_at), f"swap #{request.id}", None)
    schedule = await schedules.create(
        kind=swaps.KIND,
        chat_id=request.chat_id,
        owner_id=request.requester_id,
        parsed=parsed,
        zone=zone_of(context),
        now=engine.now(),
        ref=f"{swaps.KIND}:{request.id}",
        escalate_minutes=None,
    )
    engine.plan(context.application, schedule)


async def disarm_timeout(context: Ctx, request: SwapRequest, actor_id: int) -> None:
    """The swap was decided: its timeout has nothing left to do."""
    ref = f"{swaps.KIND}:{request.id}"
    for schedule in await Schedule.filter(kind=swaps.KIND, ref=ref, state=schedules.ACTIVE):
        await schedules.set_state(schedule, schedules.DONE, actor_id=actor_id, now=engine.now())
        engine.plan(context.application, schedule)


async def tell(context: Ctx, person_ids: list[int], render: Callable[[Translator], str]) -> None:
    """A private message to each person in their own language; someone who never opened a chat with the bot
    is skipped (the group messages show the outcome too)."""
    for person_id in dict.fromkeys(person_ids):
        t = await engine.chat_translator(context.application, person_id)
        try:
            await context.bot.send_message(person_id, render(t))
        except TelegramError as exc:
            log.warning("swap news could not reach %s: %s", person_id, exc)


def name_of(user: User) -> str:
    """How a button presser is named."""
    return f"@{user.username}" if user.username else user.first_name


async def press(update: Update, context: Ctx) -> None:
    """Accept / Decline by the other person, Approve / Decline by a supervisor."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    _, action, number = query.data.split(":")
    request = await SwapRequest.get_or_none(id=int(number))
    if request is None or request.state not in swaps.PENDING:
        await query.answer(t("Already handled."))
        return
    user = query.from_user
    if action in ("a", "d"):
        if user.id != request.other_id or request.state != swaps.ASKED:
            await query.answer(t("Only the person asked can answer this."), show_alert=True)
            return
    elif not is_allowed("swap_approve", await people.roles_of(user.id)):
        await query.answer(denied(t, "swap_approve"), show_alert=True)
        return
    await {"a": accepted, "d": declined, "y": approved, "n": declined}[action](update, context, t, request)


async def moved(query: CallbackQuery, t: Translator, request: SwapRequest, state: str) -> bool:
    """Move the swap on as pressed; False, with a toast, when somebody had already decided it."""
    assert isinstance(query.message, Message)
    if await swaps.move(request, state, actor_id=query.from_user.id, chat_id=query.message.chat_id) is None:
        await query.answer(t("Already handled."))
        return False
    return True


async def accepted(update: Update, context: Ctx, t: Translator, request: SwapRequest) -> None:
    """The other person agreed: put it to the supervisors."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    if not await moved(query, t, request, swaps.ACCEPTED):
        return
    stamp = t("✅ {name} agreed; waiting for a supervisor.", name=name_of(query.from_user))
    await query.answer(stamp)
    await query.edit_message_text(f"{query.message.text}\n{stamp}", reply_markup=None)
    found = await swaps.plan_of(request, today(context))
    targets = await shift_posts.chats_for(ChatPurpose.SUPERVISORS) or [request.chat_id]
    for chat_id in targets:
        t = await engine.chat_translator(context.application, chat_id)
        text = t("🔁 Swap #{id}: ", id=request.id) + describe(t, found) + "\n" + t("Both agreed. Approve it?")
        await context.bot.send_message(chat_id, text, reply_markup=buttons(t, request, "y", "n"))


async def declined(update: Update, context: Ctx, t: Translator, request: SwapRequest) -> None:
    """The other person or a supervisor said no: the swap is off and nothing changes."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    if not await moved(query, t, request, swaps.DECLINED):
        return
    await disarm_timeout(context, request, query.from_user.id)
    stamp = t("❌ Declined by {name}: the roster stays as it was.", name=name_of(query.from_user))
    await query.answer(stamp)
    await query.edit_message_text(f"{query.message.text}\n{stamp}", reply_markup=None)
    who = name_of(query.from_user)
    await tell(
        context,
        [request.requester_id, request.other_id],
        lambda t: t(
            "❌ Swap #{id} was declined by {name}: the roster stays as it was.", id=request.id, name=who
        ),
    )


async def approved(update: Update, context: Ctx, t: Translator, request: SwapRequest) -> None:
    """A supervisor approved: change the roster and tell all three."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    try:
        found = await swaps.approve(
            request, actor_id=query.from_user.id, chat_id=query.message.chat_id, today=today(context)
        )
    except UserError as error:
        await query.answer(explain(t, error), show_alert=True)
        return
    if found is None:
        await query.answer(t("Already handled."))
        return
    await disarm_timeout(context, request, query.from_user.id)
    stamp = t("✅ Approved by {name}: the roster is changed.", name=name_of(query.from_user))
    await query.answer(stamp)
    await query.edit_message_text(f"{query.message.text}\n{stamp}", reply_markup=None)
    who = name_of(query.from_user)
    await tell(
        context,
        [request.requester_id, request.other_id, query.from_user.id],
        lambda t: t("✅ Swap #{id} approved by {name}: ", id=request.id, name=who) + describe(t, found),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /swap and its buttons."""
    app.add_handler(command("swap", swap))
    app.add_handler(CallbackQueryHandler(press, pattern=r"^sw:[adyn]:\d+$"))

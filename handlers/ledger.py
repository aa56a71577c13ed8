"""/fine /reward /appeal /ledger: the team fund's book, the Keep / Cancel buttons under an appeal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import N_, Translator
from bot.models import LedgerEntry, LedgerRule, Person
from bot.render import ledger as render
from bot.render.codec import Family
from bot.render.context import App, chat_translator
from bot.render.keyboards import appeal_decision
from bot.services.errors import UserError
from bot.services.ledger import book, tariff
from bot.services.ledger.book import FINE, REWARD
from bot.services.permissions import check
from bot.services.records.fields import split_words
from bot.services.shifts.roster import resolve_person
from bot.services.when import Period
from handlers.gate import Call, Target, button, command
from jobs.engine import now

log = logging.getLogger(__name__)

Buttons = Callable[[Translator], InlineKeyboardMarkup | None]
RULE_WORDS = frozenset({"rule", "规则"})
RULES_WORDS = frozenset({"rules", "规则表"})
OFF_WORDS = frozenset({"off", "删除", "停用"})


async def tell(
    app: App, person_id: int, render_text: Callable[[Translator], str], buttons: Buttons | None = None
) -> bool:
    """A private message in the person's language; False when they never opened a chat with the bot."""
    t = await chat_translator(app, person_id)
    try:
        await app.bot.send_message(person_id, render_text(t), reply_markup=buttons(t) if buttons else None)
    except TelegramError as exc:
        log.warning("ledger news could not reach %s: %s", person_id, exc)
        return False
    return True


def words_of(call: Call) -> list[str]:
    """The words after the command, quotes grouping."""
    return split_words((call.message.text or "").partition(" ")[2])


async def fine(call: Call) -> None:
    """`/fine @user <amount|rule> [reason]`, or `/fine rule …` / `/fine rules`."""
    await write(call, FINE)


async def reward(call: Call) -> None:
    """`/reward @user <amount|rule> [reason]`, or `/reward rule …` / `/reward rules`."""
    await write(call, REWARD)


async def write(call: Call, kind: str) -> None:
    """One entry for a person, by amount or by a named rule; they are told privately."""
    words = words_of(call)
    if words and words[0].lower() in RULE_WORDS:
        await define_rule(call, kind, words[1:])
        return
    if words and words[0].lower() in RULES_WORDS:
        await call.reply(rules_text(call.t, kind, await tariff.listing(kind)))
        return
    if len(words) < 2:
        raise UserError(
            N_("Say who, how much (or which rule) and why, e.g. /fine @bob 50 ended a chat early.")
        )
    person = await resolve_person(words[0])
    if kind == REWARD and person.id == call.user_id:
        raise UserError(N_("You cannot reward yourself: ask another supervisor or a manager."))
    rule: LedgerRule | None = None
    if tariff.looks_like_amount(words[1]):
        amount, reason, use = await book.money(words[1]), " ".join(words[2:]), 0
    else:
        rule = await tariff.find(kind, words[1])
        month = book.month_of(call.today.year, call.today.month, call.zone)
        amount, use = await tariff.amount_for(rule, person.id, month)
        reason = " — ".join(part for part in (rule.description, " ".join(words[2:])) if part)
    entry = await book.add(
        kind,
        person.id,
        amount,
        reason,
        actor_id=call.user_id,
        chat_id=call.chat_id,
        rule=rule.name if rule else None,
    )
    told = await tell(call.app, person.id, lambda t: private_news(t, entry, call.name))
    lines = [written(call.t, entry, person)]
    if rule is not None and use > 1:
        lines.append(call.t("Rule {name}, time {time} this month.", time=use, name=rule.name))
    if not told:
        lines.append(
            call.t(
                "I could not tell {name} privately: they have not opened a chat with me yet.",
                name=person.display_name,
            )
        )
    await call.reply("\n".join(lines))


WRITTEN = {
    FINE: N_("💸 Fine #{id} for {name}: ¥{amount}, {reason}."),
    REWARD: N_("🎁 Reward #{id} for {name}: ¥{amount}, {reason}."),
}


def written(t: Translator, entry: LedgerEntry, person: Person) -> str:
    """What the chat sees once an entry is written."""
    return t(
        WRITTEN[entry.kind],
        id=entry.id,
        name=person.display_name,
        amount=t.amount(entry.amount),
        reason=entry.reason,
    )


def private_news(t: Translator, entry: LedgerEntry, by: str) -> str:
    """What the person is told privately; a fine says how to appeal."""
    if entry.kind == REWARD:
        return t(
            "🎁 You were rewarded ¥{amount} by {by}: {reason} (entry #{id}).",
            amount=t.amount(entry.amount),
            by=by,
            reason=entry.reason,
            id=entry.id,
        )
    return t(
        "💸 You were fined ¥{amount} by {by}: {reason} (entry #{id}).\n"
        "If you think it is wrong, you may appeal once: /appeal {id} <why>",
        amount=t.amount(entry.amount),
        by=by,
        reason=entry.reason,
        id=entry.id,
    )


async def define_rule(call: Call, kind: str, words: list[str]) -> None:
    """`rule <name> <amounts> <what for>` names fixed amounts; `rule off <name>` stops it."""
    call.require("ledger.rule")
    if len(words) == 2 and words[0].lower() in OFF_WORDS:
        rule = await tariff.switch_off(kind, words[1], actor_id=call.user_id, chat_id=call.chat_id)
        await call.reply(call.t("Rule {name} is off; entries already made with it stay.", name=rule.name))
        return
    if len(words) < 3:
        raise UserError(
            N_(
                "Name the rule, its amounts and what it is for, e.g. "
                "/fine rule private-chat 10,50 private chat at work."
            )
        )
    name = tariff.rule_name(words[0])
    amounts = await tariff.steps(words[1])
    rule = await tariff.define(
        kind, name, amounts, " ".join(words[2:]), actor_id=call.user_id, chat_id=call.chat_id
    )
    await call.reply(call.t("📏 Rule saved: ") + rule_line(call.t, rule))


def rule_line(t: Translator, rule: LedgerRule) -> str:
    """`private-chat: ¥10.00, then ¥50.00 — private chat at work`."""
    amounts = [f"¥{t.amount(amount)}" for amount in tariff.amounts_of(rule)]
    return t(
        "{name}: {amounts} — {description}",
        name=rule.name,
        amounts=t(", then ").join(amounts),
        description=rule.description,
    )


def rules_text(t: Translator, kind: str, found: list[LedgerRule]) -> str:
    """The named rules of one kind."""
    if not found:
        return t("No rules are named yet: /fine rule private-chat 10,50 private chat at work")
    heading = t("📏 Fines by rule:") if kind == FINE else t("📏 Rewards by rule:")
    return "\n".join([heading, *(f"• {rule_line(t, rule)}" for rule in found)])


async def appeal(call: Call) -> None:
    """`/appeal <id> <why>`: the fined person contests a fine once; the managers decide privately."""
    words = words_of(call)
    if not words:
        raise UserError(N_("Say which fine and why, e.g. /appeal 12 I was answering a buyer at the time."))
    number = book.entry_id(words[0])
    entry = await book.appeal(number, call.user_id, " ".join(words[1:]), chat_id=call.chat_id, now=now())
    names = await book.names_of(book.people_in([entry]))
    reached = False
    for manager in await book.managers():
        if manager != entry.person_id:
            text = partial(appeal_text, entry=entry, names=names, zone=call.zone)
            reached |= await tell(call.app, manager, text, partial(appeal_decision, entry_id=entry.id))
    if reached:
        await call.reply(call.t("📨 Your appeal against fine #{id} went to the managers.", id=entry.id))
    else:
        await call.reply(
            call.t(
                "📨 Your appeal against fine #{id} is noted, but no manager could be reached privately: "
                "ask one to open a chat with me.",
                id=entry.id,
            )
        )


def appeal_text(t: Translator, entry: LedgerEntry, names: dict[int, str], zone: ZoneInfo) -> str:
    """What the managers see: the fine, who wrote it, the appeal, and the question."""
    return "\n".join(
        [
            t("⚖️ Appeal against fine #{id}:", id=entry.id),
            render.entry_line(t, entry, names, zone),
            t("Written by {name}.", name=names[entry.actor_id]),
            t("Why: {appeal}", appeal=entry.appeal),
            t("Keep the fine or cancel it?"),
        ]
    )


async def load_appeal(call: Call) -> Target[LedgerEntry] | None:
    """The appealed fine a press decides: managers, in their private chats; nobody decides their own fine."""
    assert call.button is not None
    entry = await LedgerEntry.get_or_none(id=call.button.id)
    if entry is None or entry.appeal is None:
        return None
    where = frozenset(await book.managers())
    return Target(
        entry, f"appeal.{call.button.verb}", where, call.facts(parties=frozenset({entry.person_id}))
    )


async def decide(call: Call, entry: LedgerEntry) -> None:
    """Keep or Cancel: stamped under the question; the person and whoever wrote the fine are told."""
    assert call.button is not None
    keep = call.button.verb == "keep"
    decided = await book.decide(entry, keep, actor_id=call.user_id, chat_id=call.chat_id, now=now())
    if decided is None:
        await call.answer(call.t("Already handled."))
        return
    who = call.name
    if keep:
        stamp = call.t("✅ Kept by {name}: the fine stands.", name=who)
        news = partial(kept_news, id=entry.id, by=who)
    else:
        stamp = call.t("↩️ Cancelled by {name}: the fine no longer counts.", name=who)
        news = partial(cancelled_news, id=entry.id, by=who)
    await call.answer(stamp)
    question = appeal_text(call.t, decided, await book.names_of(book.people_in([decided])), call.zone)
    await call.query.edit_message_text(f"{question}\n{stamp}", reply_markup=None)
    for person in dict.fromkeys([entry.person_id, entry.actor_id]):
        if person != call.user_id:
            await tell(call.app, person, news)


def kept_news(t: Translator, id: int, by: str) -> str:
    """The appeal was turned down."""
    return t("⚖️ The appeal against fine #{id} was turned down by {by}: the fine stands.", id=id, by=by)


def cancelled_news(t: Translator, id: int, by: str) -> str:
    """The appeal was upheld."""
    return t("⚖️ Fine #{id} was cancelled on appeal by {by}: it no longer counts.", id=id, by=by)


async def ledger(call: Call) -> None:
    """`/ledger [month] [@user]`: the month's entries and totals per person; agents see their own."""
    person_words = [
        word for word in words_of(call) if word.startswith("@") or (word.isdigit() and len(word) > 4)
    ]
    month_words = [word for word in words_of(call) if word not in person_words]
    if len(person_words) > 1:
        raise UserError(N_("Name one person at most, e.g. /ledger 2026-11 @bob."))
    month = book.read_ledger_month(" ".join(month_words), call.today, call.zone)
    person = await resolve_person(person_words[0]) if person_words else None
    whole_team = check("ledger.team", call.roles).allowed
    if person is not None and person.id != call.user_id:
        call.require("ledger.team")
    person_id = person.id if person is not None else (None if whole_team else call.user_id)
    found = await book.entries(month, person_id)
    await call.reply(ledger_text(call.t, month, found, await book.names_of(book.people_in(found)), call.zone))


def ledger_text(
    t: Translator, month: Period, found: list[LedgerEntry], names: dict[int, str], zone: ZoneInfo
) -> str:
    """The month's entries, then the totals per person and the fund."""
    if not found:
        return "\n".join([render.month_heading(t, month), t("No fines or rewards were written.")])
    lines = [render.month_heading(t, month), *(render.entry_line(t, entry, names, zone) for entry in found)]
    return "\n".join([*lines, "", t("Totals:"), *render.totals_block(t, found, names)])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /fine /reward /appeal /ledger and the Keep / Cancel buttons."""
    app.add_handler(command("fine", fine))
    app.add_handler(command("reward", reward))
    app.add_handler(command("appeal", appeal))
    app.add_handler(command("ledger", ledger))
    app.add_handler(button(Family.APPEAL, load_appeal, decide))

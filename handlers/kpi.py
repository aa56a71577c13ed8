"""/kpi, /kpi import and alias, /star and the supervisors' confirmations: the platform's daily figures."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import Application, filters

from bot.enums import ChatPurpose
from bot.i18n import N_, Translator
from bot.models import StarRound
from bot.render.codec import Family
from bot.render.context import chat_translator
from bot.render.keyboards import keyboard, press
from bot.services.errors import UserError
from bot.services.kpi import figures, imports, star
from bot.services.kpi import text as kt
from bot.services.reports.figures import names
from bot.services.shifts.roster import resolve_person
from bot.services.team import chats
from bot.services.when import Period, format_period, read_day, read_period
from bot.services.when.days import LAST_MONTH, MONTH, next_month
from handlers.gate import Call, SlashHandler, Target, button, command, explain, gated
from handlers.uploads import download
from jobs.engine import now

CAPTION = r"^/kpi(@\w+)?\s+(import|导入)(\s|$)"
IMPORT_WORDS = frozenset({"import", "导入"})
ALIAS_WORDS = frozenset({"alias", "别名", "对应"})
DAY_WORDS = frozenset({"day", "日", "天", "当日", "最新"})
SEND_FILE = N_("Send the platform's export with /kpi import as its caption, or reply to the file with it.")
NO_FIGURES = N_("No figures for {period}: import the platform's export with /kpi import.")


def who_and_words(words: list[str]) -> tuple[str | None, list[str]]:
    """An @someone anywhere among the words, and the other words."""
    named = [word for word in words if word.startswith("@")]
    return (named[0] if named else None), [word for word in words if not word.startswith("@")]


async def period_of(call: Call, words: list[str]) -> Period | None:
    """The period asked for: the newest imported day by default (or for `day`), else a period's words."""
    if not words or (len(words) == 1 and words[0].lower() in DAY_WORDS):
        day = await figures.latest_day(call.today)
        return None if day is None else Period(day, day + timedelta(days=1), call.zone)
    return read_period(" ".join(words), now(), call.zone, default=MONTH)


async def kpi(call: Call) -> None:
    """Figures for a period (and one person), or a supervisor's import / alias."""
    first = call.args[0].lower() if call.args else ""
    if first in IMPORT_WORDS:
        call.require("kpi.import")
        await import_file(call)
        return
    if first in ALIAS_WORDS:
        call.require("kpi.import")
        await alias(call)
        return
    who, words = who_and_words(call.args)
    only = (await resolve_person(who)).id if who else None
    period = await period_of(call, words)
    if period is None:
        raise UserError(N_("No figures yet: a supervisor imports the platform's export with /kpi import."))
    found = await figures.table(period.first, period.stop)
    shown = format_period(period, call.t.locale)
    if not found.agents or (only is not None and all(f.person_id != only for f in found.agents)):
        await call.reply(call.t(NO_FIGURES, period=shown))
        return
    named = await names([f.person_id for f in found.agents])
    await call.reply(kt.kpi(call.t, shown, found, named, only))


async def alias(call: Call) -> None:
    """`/kpi alias <platform name> @someone`: how the export names a team member."""
    who, words = who_and_words(call.args[1:])
    if who is None or not words:
        raise UserError(N_("Give the name the platform shows and the person: /kpi alias 店铺:小王 @bob"))
    person = await resolve_person(who)
    key = await imports.set_alias(" ".join(words), person, actor_id=call.user_id, chat_id=call.chat_id)
    await call.reply(
        call.t("✅ “{name}” in the platform's export is {person}.", name=key, person=person.display_name)
    )


def problems_text(t: Translator, problems: list[tuple[int, UserError]]) -> str:
    """Every bad row and why; nothing was imported."""
    lines = [t("Nothing was changed. Fix these rows and send the file again:")]
    for number, error in problems[: imports.MAX_PROBLEMS]:
        lines.append(t("• row {row}: {problem}", row=number, problem=explain(t, error)))
    if len(problems) > imports.MAX_PROBLEMS:
        lines.append(t("… and {count} more.", count=len(problems) - imports.MAX_PROBLEMS))
    return "\n".join(lines)


async def import_file(call: Call) -> None:
    """The platform's export: every row checked, the mapped ones stored, unknown agent names reported."""
    data, name = await download(call, SEND_FILE)
    words = (call.message.caption or call.message.text or "").split()[2:]  # a caption has no context.args
    default_day = read_day(" ".join(words), call.today) if words else call.today - timedelta(days=1)
    plan = await imports.plan_import(data, name, default_day, call.today)
    if plan.problems:
        await call.reply(problems_text(call.t, plan.problems))
        return
    lines = []
    if plan.rows:
        days = await imports.apply(plan, actor_id=call.user_id, chat_id=call.chat_id)
        shown = format_period(Period(days[0], days[-1] + timedelta(days=1), call.zone), call.t.locale)
        lines.append(
            call.t(
                "✅ Figures imported for {period}: {rows}.",
                period=shown,
                rows=call.t.ngettext("{n} row", "{n} rows", len(plan.rows)),
            )
        )
    if plan.unknown:
        lines.append(
            call.t(
                "Not imported, nobody is mapped to: {names}. Map each once with /kpi alias <name> @someone "
                "and send the file again.",
                names=", ".join(plan.unknown),
            )
        )
    await call.reply("\n".join(lines))


def month_words(call: Call) -> str:
    """The month /star is about: last month unless told."""
    return " ".join(call.args) or LAST_MONTH


async def star_shortlist(call: Call) -> None:
    """Rank the month and post the shortlist with a button per candidate in the supervisors' chat."""
    period = read_period(month_words(call), now(), call.zone, default=LAST_MONTH)
    month = period.first.replace(day=1)
    targets = await chats.of_purpose(ChatPurpose.SUPERVISORS)
    if not targets:
        raise UserError(N_("Register the supervisors' chat first: /setup supervisors in that group."))
    found = await star.rank(period)
    named = await names(list({p for ranking in found.rankings.values() for p in ranking}))
    shown = format_period(period, call.t.locale)
    round_ = await star.open_round(month, found.candidates, chat_id=targets[0], actor_id=call.user_id)
    t = await chat_translator(call.app, targets[0])
    buttons = [
        press(f"⭐ {named.get(p, str(p))}", Family.STAR, "pick", round_.id, place)
        for place, p in enumerate(found.candidates)
    ]
    posted = await call.context.bot.send_message(
        targets[0],
        kt.shortlist(t, format_period(period, t.locale), found, named),
        reply_markup=keyboard(buttons),
    )
    round_.message_id = posted.message_id
    await round_.save(update_fields=["message_id"])
    if call.chat_id != targets[0]:
        await call.reply(call.t("⭐ The shortlist for {month} is in the supervisors' chat.", month=shown))


async def load_round(call: Call) -> Target[StarRound] | None:
    """The shortlist a ⭐ press is under: still open, the month's newest, the place on it real."""
    assert call.button is not None
    found = await StarRound.get_or_none(id=call.button.id)
    if found is None or call.button.arg >= len(found.candidates) or not await star.is_current(found):
        return None
    candidate = found.candidates[call.button.arg]
    return Target(
        found, "star.confirm", frozenset({found.chat_id}), call.facts(parties=frozenset({candidate}))
    )


async def pick(call: Call, found: StarRound) -> None:
    """One supervisor confirms a candidate; the second to confirm the same one makes them the star."""
    assert call.button is not None
    candidate_id = found.candidates[call.button.arg]
    if found.votes.get(str(call.user_id)) == candidate_id:
        await call.answer(call.t("You have already confirmed this person."))
        return
    month = format_period(Period(found.month, next_month(found.month), call.zone), call.t.locale)
    reason = call.t("Star agent of {month}", month=month)
    decided = await star.confirm(
        found.id, call.button.arg, actor_id=call.user_id, chat_id=call.chat_id, reason=reason
    )
    named = await names([*decided.candidates, *(int(v) for v in decided.votes)])
    backers = [
        named.get(int(v), v)
        for v, chosen in decided.votes.items()
        if chosen == decided.candidates[call.button.arg]
    ]
    candidate = named.get(decided.candidates[call.button.arg], "")
    if decided.star_id is None:
        await call.answer(call.t("⭐ You confirmed {name}.", name=candidate))
        stamp = call.t(
            "✅ {who} confirmed {name} ({n} of 2).",
            who=named.get(call.user_id, call.name),
            name=candidate,
            n=len(backers),
        )
        await call.query.edit_message_text(
            f"{call.message.text}\n{stamp}", reply_markup=call.message.reply_markup
        )
        return
    announcement = call.t(
        "⭐ Star agent of {month}: {name}! Confirmed by {who}; reward ¥{amount} booked in the ledger.",
        month=month,
        name=candidate,
        who=call.t.join(backers),
        amount=call.t.amount(decided.reward),
    )
    await call.answer(announcement)
    await call.query.edit_message_text(f"{call.message.text}\n\n{announcement}")
    for team in await chats.of_purpose(ChatPurpose.TEAM):
        t = await chat_translator(call.app, team)
        await call.context.bot.send_message(
            team, t("⭐ Star agent of {month}: {name}. Congratulations!", month=month, name=candidate)
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /kpi, /star, KPI files captioned /kpi import and the ⭐ confirmations."""
    captioned = filters.Document.ALL & filters.CaptionRegex(CAPTION)
    app.add_handler(SlashHandler(captioned, gated("kpi.import", import_file)))
    app.add_handler(command("kpi", kpi))
    app.add_handler(command("star", star_shortlist))
    app.add_handler(button(Family.STAR, load_round, pick))

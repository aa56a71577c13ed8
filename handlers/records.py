"""Records by command (/refund /courier /complaint /problem /review): cards, status buttons, notes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.enums import RecordKind, Role
from bot.i18n import N_, Translator
from bot.models import Record
from bot.services.errors import UserError
from bot.services.permissions import LEADS, is_allowed
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import text as rt
from bot.services.scheduling import watches
from bot.services.team import people, rules
from handlers.cards import status_buttons
from handlers.common import Call, Ctx, command, explain, guard, settings_of, translator_for
from jobs import alarms as engine

DRAFTS_KEY = "record_drafts"
MAX_DRAFTS = 200


def zone_of(context: Ctx) -> ZoneInfo:
    """The shop's time zone, for showing times."""
    return ZoneInfo(settings_of(context).bot_timezone)


def may_see_personal(chat_type: str, roles: frozenset[Role]) -> bool:
    """Full customer data only in a private chat, and only for the roles allowed to see it."""
    return chat_type == ChatType.PRIVATE and is_allowed("see_personal", roles)


async def card_text(t: Translator, record: Record, context: Ctx, *, masked: bool) -> str:
    """A record's card with its author's name."""
    author = await people.get(record.author_id)
    name = author.display_name if author else str(record.author_id)
    return rt.card(t, record, masked=masked, author=name, zone=zone_of(context))


async def post_card(call: Call, record: Record, extra: str = "") -> Message:
    """Reply with a record's card and remember the message, so replies to it reach the record."""
    masked = not may_see_personal(call.message.chat.type, call.roles)
    text = await card_text(call.t, record, call.context, masked=masked)
    sent = await call.reply(f"{text}{extra}", reply_markup=status_buttons(call.t, record))
    await records.remember_card(record, sent.chat_id, sent.message_id)
    return sent


def arguments(call: Call) -> list[str]:
    """The words after the command (from the text or a photo's caption), honouring quotes."""
    body = call.message.text or call.message.caption or ""
    return rf.split_words(body.partition(" ")[2] if " " in body else "")


def photo_of(call: Call) -> str | None:
    """The photo sent with the command, or the photo the command replies to."""
    for message in (call.message, call.message.reply_to_message):
        if message is not None and message.photo:
            return message.photo[-1].file_id
    return None


def claims_warning(t: Translator, created: records.Created) -> str:
    """The repeat-claimant warning, with the earlier ids."""
    if not created.earlier_claims:
        return ""
    ids = ", ".join(record.short_id for record in created.earlier_claims)
    return "\n\n" + t(
        "⚠️ Repeat claimant: {count} refunds/complaints in the last window ({ids}). Check before you pay.",
        count=len(created.earlier_claims) + 1,
        ids=ids,
    )


def logger(kind: RecordKind):  # type: ignore[no-untyped-def]
    """The handler for one record command."""

    async def log(call: Call) -> None:
        """Parse, check for an open duplicate, store, then show the card."""
        words = arguments(call)
        if not words:
            raise UserError(N_("Nothing to log yet."))
        team_rules = await rules.current()
        draft = records.parse(kind, words, team_rules, photo_of(call))
        await store(call, draft, force=False)

    return log


async def store(call: Call, draft: records.Draft, *, force: bool) -> None:
    """Store a draft (or warn about its open duplicate) and reply."""
    created = await records.create(
        draft,
        author_id=call.user_id,
        chat_id=call.chat_id,
        rules=await rules.current(),
        now=datetime.now(UTC),
        force=force,
    )
    if created.duplicate is not None:
        token = keep_draft(call.context, draft)
        duplicate = created.duplicate
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(call.t("Log anyway"), callback_data=f"rd:{token}")]]
        )
        text = call.t(
            "{id} for this order is still open ({status}). Nothing was saved. Add to it by replying to "
            "its card, or log a new one anyway.",
            id=duplicate.short_id,
            status=call.t(rt.STATUS_LABELS[duplicate.status]),
        )
        await call.reply(text, reply_markup=markup)
        return
    assert created.record is not None
    await post_card(call, created.record, extra="\n" + call.t("✅ Saved.") + claims_warning(call.t, created))
    await watch_deadline(call.context, created.record)


async def watch_deadline(context: Ctx, record: Record) -> None:
    """Start the insurance countdown watch of a refund that now has one."""
    schedule = await watches.ensure_refund_watch(
        record, await rules.current(), zone_of(context), engine.now()
    )
    if schedule is not None:
        engine.plan(context.application, schedule)


def keep_draft(context: Ctx, draft: records.Draft) -> str:
    """Hold a draft for the "log anyway" button (in memory: it was never acknowledged as saved)."""
    drafts: dict[str, records.Draft] = context.chat_data.setdefault(DRAFTS_KEY, {})  # type: ignore[union-attr]
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    token = secrets.token_urlsafe(6)
    drafts[token] = draft
    return token


async def show(call: Call) -> None:
    """A record's card and history (full data only in private, to roles allowed to see it)."""
    if not call.args:
        raise UserError(N_("Which record? Give its id, e.g. R-12."))
    record = await records.get(call.args[0])
    masked = not may_see_personal(call.message.chat.type, call.roles)
    lines = [await card_text(call.t, record, call.context, masked=masked), "", call.t("History:")]
    zone = zone_of(call.context)
    for event in await records.history(record):
        actor = await people.get(event.actor_id)
        lines.append(
            "• "
            + rt.event_line(call.t, event, actor.display_name if actor else str(event.actor_id), zone, masked)
        )
    sent = await call.reply("\n".join(lines), reply_markup=status_buttons(call.t, record))
    await records.remember_card(record, sent.chat_id, sent.message_id)


LISTING_HEADERS = {
    "find": N_("Found {total} for “{arg}”:"),
    "mine": N_("Your records ({total}):"),
    "open": N_("Open records ({total}):"),
    "buyer": N_("History of buyer {arg} ({total}):"),
}
LISTINGS_KEY = "record_listings"


async def load_page(view: str, arg: str, user_id: int, page: int) -> records.Page:
    """Run the query behind a listing view."""
    if view == "find":
        return await records.find(arg, page)
    if view == "mine":
        return await records.mine(user_id, page)
    if view == "open":
        return await records.open_records(records.parse_kind(arg) if arg else None, page)
    return await records.buyer_history(arg, page)


def listing_text(t: Translator, view: str, arg: str, page: records.Page) -> str:
    """A listing page: header, one line per record, page number."""
    if not page.records:
        return t("Nothing found.")
    lines = [t(LISTING_HEADERS[view], total=page.total, arg=arg)]
    lines += [rt.summary(t, record) for record in page.records]
    if page.pages > 1:
        lines.append(t("Page {page} of {pages}", page=page.page, pages=page.pages))
    return "\n".join(lines)


def paging_buttons(t: Translator, page: records.Page) -> InlineKeyboardMarkup | None:
    """◀ and ▶ buttons where there are more pages."""
    buttons = []
    if page.page > 1:
        buttons.append(InlineKeyboardButton(t("◀ Previous"), callback_data=f"pg:{page.page - 1}"))
    if page.page < page.pages:
        buttons.append(InlineKeyboardButton(t("Next ▶"), callback_data=f"pg:{page.page + 1}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def listing(view: str):  # type: ignore[no-untyped-def]
    """The handler for one listing command."""

    async def list_records(call: Call) -> None:
        """Show page 1 and remember the query for the paging buttons."""
        arg = " ".join(call.args)
        if view in {"find", "buyer"} and not arg:
            raise UserError(N_("Find what? Give an order number, tracking number, buyer or record id."))
        page = await load_page(view, arg, call.user_id, 1)
        sent = await call.reply(
            listing_text(call.t, view, arg, page), reply_markup=paging_buttons(call.t, page)
        )
        listings = call.context.chat_data.setdefault(LISTINGS_KEY, {})  # type: ignore[union-attr]
        listings[sent.message_id] = (view, arg, call.user_id)

    return list_records


async def turn_page(update: Update, context: Ctx) -> None:
    """A paging button: re-run the listing's query for the asked page and edit the message."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    state = (context.chat_data or {}).get(LISTINGS_KEY, {}).get(query.message.message_id)
    if state is None:
        await query.answer(t("This list has expired: run the command again."), show_alert=True)
        return
    view, arg, user_id = state
    page = await load_page(view, arg, user_id, int(query.data.split(":")[1]))
    await query.answer()
    await query.edit_message_text(listing_text(t, view, arg, page), reply_markup=paging_buttons(t, page))


async def press_status(update: Update, context: Ctx) -> None:
    """A status button on a card: move the record on, then redraw the card."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    roles = await people.roles_of(query.from_user.id)
    if not is_allowed("record_status", roles):
        await query.answer(t("Sorry, this needs a role in the team."), show_alert=True)
        return
    _, record_id, target = query.data.split(":", 2)
    record = await Record.get_or_none(id=int(record_id))
    if record is None:
        await query.answer(t("This record no longer exists."), show_alert=True)
        return
    try:
        await records.change_status(
            record, target, actor_id=query.from_user.id, chat_id=query.message.chat_id
        )
    except UserError as error:
        await query.answer(explain(t, error), show_alert=True)
        return
    await query.answer(t("{id}: {status}", id=record.short_id, status=t(rt.STATUS_LABELS[target])))
    masked = not may_see_personal(query.message.chat.type, roles)
    text = await card_text(t, record, context, masked=masked)
    who = await people.get(query.from_user.id)
    stamp = t(
        "{status} by {name}",
        status=t(rt.STATUS_LABELS[target]),
        name=who.display_name if who else query.from_user.first_name,
    )
    await query.edit_message_text(f"{text}\n{stamp}", reply_markup=status_buttons(t, record))


async def log_anyway(update: Update, context: Ctx) -> None:
    """The "log anyway" button under a duplicate warning: store the held draft."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    drafts: dict[str, records.Draft] = (context.chat_data or {}).get(DRAFTS_KEY, {})
    draft = drafts.pop(query.data.split(":", 1)[1], None)
    if draft is None:
        await query.answer(t("This draft has expired: send the command again."), show_alert=True)
        return
    roles = await people.roles_of(query.from_user.id)
    if not is_allowed(draft.kind.value, roles):
        await query.answer(t("Sorry, this needs a role in the team."), show_alert=True)
        drafts[query.data.split(":", 1)[1]] = draft
        return
    created = await records.create(
        draft,
        author_id=query.from_user.id,
        chat_id=query.message.chat_id,
        rules=await rules.current(),
        now=datetime.now(UTC),
        force=True,
    )
    assert created.record is not None
    await query.answer(t("✅ Saved."))
    masked = not may_see_personal(query.message.chat.type, roles)
    text = await card_text(t, created.record, context, masked=masked)
    await query.edit_message_text(
        f"{text}\n{t('✅ Saved.')}{claims_warning(t, created)}",
        reply_markup=status_buttons(t, created.record),
    )
    await records.remember_card(created.record, query.message.chat_id, query.message.message_id)
    await watch_deadline(context, created.record)


async def note_by_reply(update: Update, context: Ctx) -> None:
    """Text or a photo sent as a reply to a record's card becomes a note or an attachment."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or message.from_user is None:
        return
    record = await records.record_for_card(message.chat_id, message.reply_to_message.message_id)
    if record is None:
        return
    t = await translator_for(update, context)
    if not is_allowed("record_status", await people.roles_of(message.from_user.id)):
        await message.reply_text(t("Sorry, this needs a role in the team."))
        return
    photo = message.photo[-1].file_id if message.photo else None
    note = message.text or message.caption
    await records.add_note(record, actor_id=message.from_user.id, text=note, photo=photo)
    done = (
        t("📎 Photo added to {id}.", id=record.short_id)
        if photo
        else t("📝 Note added to {id}.", id=record.short_id)
    )
    await message.reply_text(done)


async def edit(call: Call) -> None:
    """Change fields of a record (its author, or a supervisor or manager)."""
    if not call.args:
        raise UserError(N_("Which record? Give its id, e.g. R-12."))
    record = await records.get(call.args[0])
    require_author_or_lead(call, record)
    team_rules = await rules.current()
    plain, values = rf.key_values(arguments(call)[1:], team_rules)
    if plain:
        raise UserError(N_("Write changes as key=value, e.g. amount=12.5 or 金额=12.5."))
    record = await records.edit(record, values, actor_id=call.user_id, chat_id=call.chat_id, rules=team_rules)
    await post_card(call, record, extra="\n" + call.t("✏️ Edited."))
    await watch_deadline(call.context, record)


async def void(call: Call) -> None:
    """Withdraw a record with a reason; nothing is ever deleted."""
    if len(call.args) < 2:
        raise UserError(N_("Give the record id and a reason, e.g. /void R-12 typed twice."))
    record = await records.get(call.args[0])
    require_author_or_lead(call, record)
    reason = rf.text(" ".join(call.args[1:]), await rules.current())
    await records.void(record, reason, actor_id=call.user_id, chat_id=call.chat_id)
    await call.reply(
        call.t("{id} is void: {reason}. Its history is kept.", id=record.short_id, reason=reason)
    )


def require_author_or_lead(call: Call, record: Record) -> None:
    """Only a record's author, a supervisor or a manager may change its fields."""
    if record.author_id != call.user_id and call.roles.isdisjoint(LEADS):
        raise UserError(
            N_("Only the author of {id}, a supervisor or a manager can change it."), id=record.short_id
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the record commands, their buttons and notes by reply."""
    for kind in RecordKind:
        app.add_handler(command(kind.value, logger(kind)))
        caption = filters.CaptionRegex(rf"^/{kind.value}(@\w+)?(\s|$)")
        app.add_handler(MessageHandler(filters.PHOTO & caption, guard(kind.value, logger(kind))))
    app.add_handler(command("show", show))
    app.add_handler(command("find", listing("find")))
    app.add_handler(command("mine", listing("mine")))
    app.add_handler(command("open", listing("open")))
    app.add_handler(command("buyer", listing("buyer")))
    app.add_handler(command("edit", edit))
    app.add_handler(command("void", void))
    app.add_handler(CallbackQueryHandler(press_status, pattern=r"^rs:\d+:\w+$"))
    app.add_handler(CallbackQueryHandler(turn_page, pattern=r"^pg:\d+$"))
    app.add_handler(CallbackQueryHandler(log_anyway, pattern=r"^rd:"))
    app.add_handler(
        MessageHandler(filters.REPLY & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO), note_by_reply)
    )

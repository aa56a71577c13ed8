"""Records by command (/refund /courier /complaint /problem /review): cards, buttons, notes, listings."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import Application, MessageHandler, filters

from bot.enums import DRAFT, ChatPurpose, RecordKind
from bot.i18n import N_, Translator
from bot.models import Record, RecordCard
from bot.render.cards import card_text, status_buttons
from bot.render.codec import ESCALATE, Family
from bot.render.context import chat_translator
from bot.render.keyboards import keyboard, pages, press
from bot.services.errors import UserError
from bot.services.ids import MAX_ID
from bot.services.permissions import is_allowed, may_see_personal
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import refunds
from bot.services.records import text as rt
from bot.services.rotations import review_groups
from bot.services.scheduling import watches
from bot.services.team import chats, people, rules
from handlers import routing
from handlers.gate import Call, Target, button, command, gated, message
from jobs.engine import now

log = logging.getLogger(__name__)

DRAFTS_KEY = "record_drafts"
MAX_DRAFTS = 200
LISTINGS_KEY = "record_listings"
MAX_LISTINGS = 200


def masked_for(call: Call) -> bool:
    """Whether this person, here, sees customer data masked."""
    return not may_see_personal(call.roles, private=call.is_private)


async def post_card(call: Call, record: Record, extra: str = "") -> Message:
    """Reply with a record's card and remember the message, so replies and presses reach the record."""
    text = await card_text(call.t, record, call.zone, masked=masked_for(call))
    sent = await call.reply(f"{text}{extra}", reply_markup=status_buttons(call.t, record))
    await records.remember_card(record, sent.chat_id, sent.message_id)
    return sent


def arguments(call: Call) -> list[str]:
    """The words after the command (from the text or a photo's caption), honouring quotes."""
    body = call.message.text or call.message.caption or ""
    return rf.split_words(body.partition(" ")[2] if " " in body else "")


def photo_of(call: Call) -> str | None:
    """The photo sent with the command, or the photo the command replies to."""
    for source in (call.message, call.message.reply_to_message):
        if source is not None and source.photo:
            return source.photo[-1].file_id
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
        draft = records.parse(kind, words, await rules.current(), photo_of(call))
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
        token = keep_draft(call, draft)
        await call.reply(
            duplicate_warning(call.t, created.duplicate),
            reply_markup=keyboard([press(call.t("Log anyway"), Family.DRAFT, "log", token)]),
        )
        return
    assert created.record is not None
    await post_card(call, created.record, extra="\n" + call.t("✅ Saved.") + claims_warning(call.t, created))
    await watch_deadline(call, created.record)


def duplicate_warning(t: Translator, duplicate: Record) -> str:
    """Why nothing was saved: the order has a refund finance holds or paid, or an open record of its kind."""
    status = t(rt.STATUS_LABELS[duplicate.status])
    if refunds.is_frozen(duplicate):
        return t(
            "⚠️ {id} already refunds this order ({status}). Nothing was saved. Log anyway only if the buyer "
            "is owed a second refund: its card and finance's table will say it repeats {id}.",
            id=duplicate.short_id,
            status=status,
        )
    return t(
        "{id} for this order is still open ({status}). Nothing was saved. Add to it by replying to "
        "its card, or log a new one anyway.",
        id=duplicate.short_id,
        status=status,
    )


async def watch_deadline(call: Call, record: Record) -> None:
    """Start the insurance countdown watch of a refund that now has one (the gate arms it)."""
    await watches.ensure_refund_watch(record, await rules.current(), call.zone, now())


def chat_store(call: Call, key: str) -> dict[int, Any]:
    """A bounded per-chat memory for buttons that point at something held in memory (drafts, listings)."""
    assert call.context.chat_data is not None
    held: dict[int, Any] = call.context.chat_data.setdefault(key, {})
    return held


def keep_draft(call: Call, draft: records.Draft) -> int:
    """Hold a draft for the "log anyway" button (in memory: it was never acknowledged as saved)."""
    drafts = chat_store(call, DRAFTS_KEY)
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    token = secrets.randbelow(MAX_ID) + 1
    drafts[token] = draft
    return token


async def show(call: Call) -> None:
    """A record's card and history (full data only in private, to roles allowed to see it)."""
    if not call.args:
        raise UserError(N_("Which record? Give its id, e.g. R-12."))
    record = await records.get(call.args[0])
    masked = masked_for(call)
    lines = [await card_text(call.t, record, call.zone, masked=masked), "", call.t("History:")]
    for event in await records.history(record):
        actor = await people.get(event.actor_id)
        name = actor.display_name if actor else str(event.actor_id)
        lines.append("• " + rt.event_line(call.t, event, name, call.zone, masked))
    sent = await call.reply("\n".join(lines), reply_markup=status_buttons(call.t, record))
    await records.remember_card(record, sent.chat_id, sent.message_id)


LISTING_HEADERS = {
    "find": N_("Found {total} for “{arg}”:"),
    "mine": N_("Your records ({total}):"),
    "open": N_("Open records ({total}):"),
    "buyer": N_("History of buyer {arg} ({total}):"),
}


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


def listing(view: str):  # type: ignore[no-untyped-def]
    """The handler for one listing command."""

    async def list_records(call: Call) -> None:
        """Show page 1 and remember the query for the paging buttons."""
        arg = " ".join(call.args)
        if view in {"find", "buyer"} and not arg:
            raise UserError(N_("Find what? Give an order number, tracking number, buyer or record id."))
        page = await load_page(view, arg, call.user_id, 1)
        sent = await call.reply(
            listing_text(call.t, view, arg, page),
            reply_markup=keyboard(pages(call.t, Family.PAGE, "go", page.page, page.pages)),
        )
        listings = chat_store(call, LISTINGS_KEY)
        while len(listings) >= MAX_LISTINGS:
            listings.pop(next(iter(listings)))
        listings[sent.message_id] = (view, arg, call.user_id)

    return list_records


async def load_listing(call: Call) -> Target[tuple[str, str, int]] | None:
    """The listing a page button belongs to (kept per chat, by message)."""
    state = chat_store(call, LISTINGS_KEY).get(call.message.message_id)
    return None if state is None else Target(state, "record.page")


async def turn_page(call: Call, state: tuple[str, str, int]) -> None:
    """A paging button: re-run the listing's query for the asked page and edit the message."""
    assert call.button is not None
    view, arg, user_id = state
    page = await load_page(view, arg, user_id, max(1, call.button.arg))
    await call.answer()
    await call.query.edit_message_text(
        listing_text(call.t, view, arg, page),
        reply_markup=keyboard(pages(call.t, Family.PAGE, "go", page.page, page.pages)),
    )


async def load_card(call: Call) -> Target[Record] | None:
    """The record a status or Escalate press acts on: in the chat it was logged in, or under a card of it."""
    assert call.button is not None
    record = await Record.get_or_none(id=call.button.id)
    if record is None:
        return None
    card = await RecordCard.get_or_none(chat_id=call.chat_id, message_id=call.message.message_id)
    shown_here = card is not None and card.record_id == record.id  # type: ignore[attr-defined]
    chats = frozenset({record.chat_id, call.chat_id} if shown_here else {record.chat_id})
    if call.button.verb == ESCALATE:
        group = review_groups.in_case_group(
            await review_groups.current(), call.roles, call.user_id, record, now()
        )
        return Target(record, "review.escalate", chats, call.facts(in_case_group=group))
    return Target(record, f"{record.kind}.{call.button.verb}", chats, call.facts(author_id=record.author_id))


async def credit_for(call: Call, record: Record) -> int | None:
    """Whom a review case's revision, failure or escalation by this person is credited to."""
    rule = await review_groups.current()
    return review_groups.credited(rule, call.roles, call.user_id, record, now())


async def press_card(call: Call, record: Record) -> None:
    """A status or Escalate button on a card: move the record on (a complaint is also posted to the chat it
    is routed to), then redraw the card with a stamp."""
    assert call.button is not None
    who = await people.get(call.user_id)
    name = who.display_name if who else call.name
    if call.button.verb == ESCALATE:
        record = await review_groups.escalate(
            record,
            call.button.arg,
            actor_id=call.user_id,
            chat_id=call.chat_id,
            credit=await credit_for(call, record),
        )
        group = review_groups.case_group(record)
        await call.answer(call.t("{id}: to group {group}", id=record.short_id, group=group))
        stamp = call.t("⤴ Escalated to group {group} by {name}", group=group, name=name)
    else:
        target = call.button.verb
        route = await routing.destinations(record, target)
        review = record.kind == RecordKind.REVIEW
        credit = {review_groups.CREDIT: await credit_for(call, record)} if review else {}
        await records.change_status(record, target, actor_id=call.user_id, chat_id=call.chat_id, extra=credit)
        label = call.t(rt.STATUS_LABELS[target])
        stamp = call.t("{status} by {name}", status=label, name=name)
        if route is not None:
            stamp += "\n" + await routing.post(call, record, route, name)
        await call.answer(call.t("{id}: {status}", id=record.short_id, status=label))
    text = await card_text(call.t, record, call.zone, masked=masked_for(call))
    await call.query.edit_message_text(f"{text}\n{stamp}", reply_markup=status_buttons(call.t, record))


async def load_draft(call: Call) -> Target[records.Draft] | None:
    """The draft a "log anyway" press stores (held per chat)."""
    assert call.button is not None
    draft = chat_store(call, DRAFTS_KEY).get(call.button.id)
    return None if draft is None else Target(draft, draft.kind.value)


async def log_anyway(call: Call, draft: records.Draft) -> None:
    """The "log anyway" button under a duplicate warning: store the held draft."""
    assert call.button is not None
    chat_store(call, DRAFTS_KEY).pop(call.button.id, None)
    created = await records.create(
        draft,
        author_id=call.user_id,
        chat_id=call.chat_id,
        rules=await rules.current(),
        now=datetime.now(UTC),
        force=True,
    )
    assert created.record is not None
    await call.answer(call.t("✅ Saved."))
    text = await card_text(call.t, created.record, call.zone, masked=masked_for(call))
    await call.query.edit_message_text(
        f"{text}\n{call.t('✅ Saved.')}{claims_warning(call.t, created)}",
        reply_markup=status_buttons(call.t, created.record),
    )
    await records.remember_card(created.record, call.chat_id, call.message.message_id)
    await watch_deadline(call, created.record)


async def load_replied_card(call: Call) -> Target[Record] | None:
    """The record whose card a message replies to; None when it replies to anything else."""
    replied = call.message.reply_to_message
    if replied is None:
        return None
    record = await records.record_for_card(call.chat_id, replied.message_id)
    return None if record is None else Target(record, "record.note")


async def note_by_reply(call: Call, record: Record) -> None:
    """Text or a photo sent as a reply to a record's card becomes a note or an attachment."""
    photo = call.message.photo[-1].file_id if call.message.photo else None
    note = call.message.text or call.message.caption
    await records.add_note(record, actor_id=call.user_id, text=note, photo=photo)
    done = (
        call.t("📎 Photo added to {id}.", id=record.short_id)
        if photo
        else call.t("📝 Note added to {id}.", id=record.short_id)
    )
    await call.message.reply_text(done)


async def edit(call: Call) -> None:
    """Change fields of a record (its author, or a supervisor or manager); the money fields of a refund
    finance has in hand only by finance or a manager, and then finance sees it again."""
    if not call.args:
        raise UserError(N_("Which record? Give its id, e.g. R-12."))
    record = await records.get(call.args[0])
    team_rules = await rules.current()
    plain, values = rf.key_values(arguments(call)[1:], team_rules)
    if plain:
        raise UserError(N_("Write changes as key=value, e.g. amount=12.5 or 金额=12.5."))
    if refunds.is_frozen(record) and refunds.money_changes(record, values):
        call.require("refund.money")
    else:
        call.require("record.edit", call.facts(author_id=record.author_id))
    was = record.status
    edited = await records.edit(
        record,
        values,
        actor_id=call.user_id,
        chat_id=call.chat_id,
        rules=team_rules,
        money_ok=is_allowed("refund.money", call.roles),
    )
    notes = [call.t("✏️ Edited.")]
    if edited.money:
        notes.append(
            call.t(
                "↩️ Its money fields changed after it went to finance: {id} is new again and goes to finance "
                "with the next table.",
                id=record.short_id,
            )
        )
        await tell_finance(call, edited)
    elif was == DRAFT and edited.record.status != DRAFT:
        notes.append(call.t("✅ Complete: it goes to finance with the next table."))
    await post_card(call, edited.record, extra="\n" + "\n".join(notes))
    await watch_deadline(call, edited.record)


async def tell_finance(call: Call, edited: records.Edited) -> None:
    """Warn the finance chat that a refund it holds changed: the old figures must not be paid."""
    for chat_id in await chats.of_purpose(ChatPurpose.FINANCE):
        t = await chat_translator(call.app, chat_id)
        fields = ", ".join(t(rf.FIELD_BY_KEY[key].label) for key in edited.money)
        text = t(
            "✏️ {name} changed {fields} of {id} after it was sent to you: don't pay the old figures. It is "
            "new again and comes with the next table.",
            name=call.name,
            fields=fields,
            id=edited.record.short_id,
        )
        try:
            await call.context.bot.send_message(chat_id, text)
        except TelegramError as exc:
            log.error("finance chat %s not told about %s: %s", chat_id, edited.record.short_id, exc)


async def reverse(call: Call) -> None:
    """Finance takes back a paid refund, with a reason (a paid refund is never voided)."""
    if len(call.args) < 2:
        raise UserError(N_("Give the refund id and a reason, e.g. /reverse R-12 paid to the wrong account."))
    record = await records.get(call.args[0])
    reason = rf.text(" ".join(call.args[1:]), await rules.current())
    await records.reverse(record, reason, actor_id=call.user_id, chat_id=call.chat_id)
    await call.reply(
        call.t("↩️ {id} is reversed: {reason}. Its history is kept.", id=record.short_id, reason=reason)
    )


async def void(call: Call) -> None:
    """Withdraw a record with a reason; nothing is ever deleted."""
    if len(call.args) < 2:
        raise UserError(N_("Give the record id and a reason, e.g. /void R-12 typed twice."))
    record = await records.get(call.args[0])
    call.require("record.void", call.facts(author_id=record.author_id))
    reason = rf.text(" ".join(call.args[1:]), await rules.current())
    await records.void(record, reason, actor_id=call.user_id, chat_id=call.chat_id)
    await call.reply(
        call.t("{id} is void: {reason}. Its history is kept.", id=record.short_id, reason=reason)
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the record commands, their buttons and notes by reply."""
    for kind in RecordKind:
        app.add_handler(command(kind.value, logger(kind)))
        caption = filters.CaptionRegex(rf"^/{kind.value}(@\w+)?(\s|$)")
        app.add_handler(MessageHandler(filters.PHOTO & caption, gated(kind.value, logger(kind))))
    app.add_handler(command("show", show))
    app.add_handler(command("find", listing("find")))
    app.add_handler(command("mine", listing("mine")))
    app.add_handler(command("open", listing("open")))
    app.add_handler(command("buyer", listing("buyer")))
    app.add_handler(command("edit", edit))
    app.add_handler(command("void", void))
    app.add_handler(command("reverse", reverse))
    app.add_handler(button(Family.RECORD, load_card, press_card))
    app.add_handler(button(Family.PAGE, load_listing, turn_page))
    app.add_handler(button(Family.DRAFT, load_draft, log_anyway))
    replies = filters.REPLY & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO)
    app.add_handler(message(replies, load_replied_card, note_by_reply))

"""Records by command (/refund /courier /complaint /problem /review): cards, buttons, notes, listings."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, Message
from telegram.error import TelegramError
from telegram.ext import Application, filters

from bot.enums import DRAFT, ChatPurpose, RecordKind
from bot.i18n import N_, Translator
from bot.models import Record, RecordCard
from bot.render import deeplink
from bot.render.cards import card_text, status_buttons
from bot.render.codec import ESCALATE, Family
from bot.render.context import chat_translator
from bot.render.keyboards import keyboard, press
from bot.services import deeplinks, masking
from bot.services.errors import UserError
from bot.services.ids import MAX_ID
from bot.services.permissions import check, is_allowed, may_see_personal, required_roles
from bot.services.records import book as records
from bot.services.records import fields as rf
from bot.services.records import refunds
from bot.services.records import text as rt
from bot.services.rotations import review_groups
from bot.services.scheduling import watches
from bot.services.team import chats, people, rules
from handlers import links, pages, privacy, routing
from handlers.crowd import Busy
from handlers.gate import Call, SlashHandler, Target, button, command, gated, message, role_names
from jobs.engine import now

log = logging.getLogger(__name__)

DRAFTS_KEY = "record_drafts"
MAX_DRAFTS = 200
HISTORY_PAGE = 15
"""History entries /show puts on one page under the card."""
RECORD_LINK = "record"
"""Deep links that open a record's full card in private (`/start record-…`)."""


def masked_for(call: Call) -> bool:
    """Whether this person, here, sees customer data masked."""
    return not may_see_personal(call.roles, private=call.is_private)


async def post_card(call: Call, record: Record, extra: str = "") -> None:
    """Reply with a record's card and remember the message, so replies and presses reach the record. In a
    group whose budget is spent the card goes to its author in private and the group gets a folded line, or
    the card itself later when someone else must press its buttons (crowd.Busy)."""
    text = await card_text(call.t, record, call.zone, masked=masked_for(call), caller=call.seen)

    async def remember(sent: Message) -> None:
        """Link the message (here, in private, or the group's later copy) to the record."""
        await records.remember_card(record, sent.chat_id, sent.message_id)

    busy = Busy(
        private=True, fold=f"{rt.title(call.t, record)} · {call.name}", group_too=others_act(call, record)
    )
    await call.reply(f"{text}{extra}", busy=busy, sent=remember, reply_markup=status_buttons(call.t, record))


def others_act(call: Call, record: Record) -> bool:
    """Whether the card carries a button its author may not press (a lead's, a reviewer's, an escalation):
    then the group must get the card itself, not just a folded line."""
    actions = [f"{record.kind}.{target}" for _, target in rt.transitions(call.t, record)]
    if review_groups.can_escalate(record):
        actions.append("review.escalate")
    facts = call.facts(author_id=record.author_id)
    return not all(check(action, call.roles, facts).allowed for action in actions)


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
        "⚠️ Repeat claimant: {count} refunds/complaints in the last {days} days ({ids}). "
        "Check before you pay.",
        count=len(created.earlier_claims) + 1,
        days=created.claim_days,
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


@dataclass(frozen=True, slots=True)
class Held:
    """A draft held for the "log anyway" button, and the chat it is logged for."""

    draft: records.Draft
    chat_id: int


def carries_personal(values: Mapping[str, object]) -> bool:
    """Whether typed fields hold customer data that is masked in groups (name, phone, Alipay, addresses)."""
    return not masking.MASKS.keys().isdisjoint(values)


async def store(call: Call, draft: records.Draft, *, force: bool, chat_id: int | None = None) -> None:
    """Store a draft for `chat_id` (here, unless the private form logs it for a group) or warn about its
    duplicate; then the person's group message carrying customer data is deleted."""
    where = call.chat_id if chat_id is None else chat_id
    created = await records.create(
        draft,
        author_id=call.user_id,
        chat_id=where,
        rules=await rules.current(),
        now=datetime.now(UTC),
        force=force,
    )
    if created.duplicate is not None:
        token = keep_draft(call, Held(draft, where))
        await call.reply(
            duplicate_warning(call.t, created.duplicate),
            reply_markup=keyboard([press(call.t("Log anyway"), Family.DRAFT, "log", token)]),
        )
    else:
        assert created.record is not None
        await show_saved(call, created, where)
        await watch_deadline(call, created.record)
    if carries_personal(draft.values):
        await privacy.scrub(call)


async def show_saved(call: Call, created: records.Created, where: int) -> None:
    """The saved record's card: here; or, logged from the private form for a group, masked in that group and
    here as the person may see it."""
    record = created.record
    assert record is not None
    if where == call.chat_id:
        await post_card(call, record, extra="\n" + call.t("✅ Saved.") + claims_warning(call.t, created))
        return
    t = await chat_translator(call.app, where)
    text = await card_text(t, record, call.zone, masked=True)
    title = (await chats.titles([where]))[where]
    try:
        sent = await call.context.bot.send_message(
            where,
            f"{text}\n{t('✅ Saved.')}{claims_warning(t, created)}",
            reply_markup=status_buttons(t, record),
        )
    except TelegramError as exc:
        log.error("card of %s could not be posted to chat %s: %s", record.short_id, where, exc)
        note = call.t(
            "⚠️ Saved, but its card could not be posted to {chat}: is the bot still there?", chat=title
        )
    else:
        await records.remember_card(record, where, sent.message_id)
        note = call.t("✅ Saved. Its card, customer data masked, is in {chat}.", chat=title)
    await post_card(call, record, extra="\n" + note + claims_warning(call.t, created))


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
    if duplicate.kind == RecordKind.COURIER:
        return t(
            "{id} asks the same ({kind}) about this tracking number and is still open ({status}). Nothing "
            "was saved. Add to it by replying to its card, or log a new one anyway.",
            id=duplicate.short_id,
            kind=t(rt.SUBKIND_LABELS.get(duplicate.subkind or "", duplicate.subkind or "")),
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


def keep_draft(call: Call, held: Held) -> int:
    """Hold a draft for the "log anyway" button (in memory: it was never acknowledged as saved)."""
    drafts = chat_store(call, DRAFTS_KEY)
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    token = secrets.randbelow(MAX_ID) + 1
    drafts[token] = held
    return token


async def show(call: Call) -> None:
    """A record's card and history, a page at a time (full data only in private, to roles that may see it)."""
    if not call.args:
        raise UserError(N_("Which record? Give its id, e.g. R-12."))
    await show_card(call, call.args[0])


async def show_card(call: Call, ref: str) -> None:
    """Page 1 of a record's card and history, remembered so replies and presses reach the record."""
    record = await records.get(ref)

    async def remember(sent: Message) -> None:
        """Link the page to the record, wherever it went."""
        await records.remember_card(record, sent.chat_id, sent.message_id)

    await pages.show(call, "show", record.short_id, sent=remember)


async def open_record(call: Call, link: deeplinks.Link) -> None:
    """`/start record-…`: the card a group showed masked, here in full for a role that may see it."""
    await show_card(call, link.ref)


async def private_link(call: Call, record: Record) -> list[InlineKeyboardButton]:
    """In a group, for someone whose role may see customer data: a button to the full card in private
    (the link is theirs alone)."""
    if call.is_private or not may_see_personal(call.roles, private=True):
        return []
    url = await deeplink.make(call.context.bot, RECORD_LINK, record.short_id, call.user_id, now=now())
    return [deeplink.button(call.t("Full card in private 🔒"), url)]


async def show_page(call: Call, short_id: str, number: int) -> pages.Page:
    """One page of /show: the card, a page of its history, and the card's status buttons."""
    record = await records.get(short_id)
    masked = masked_for(call)
    events = await records.history(record)
    count = pages.page_count(len(events), HISTORY_PAGE)
    number = min(number, count)
    lines = [await card_text(call.t, record, call.zone, masked=masked), "", call.t("History:")]
    for event in events[(number - 1) * HISTORY_PAGE : number * HISTORY_PAGE]:
        actor = await people.get(event.actor_id)
        name = actor.display_name if actor else str(event.actor_id)
        lines.append("• " + rt.event_line(call.t, event, name, call.zone, masked))
    if count > 1:
        lines.append(call.t("Page {page} of {pages}", page=number, pages=count))
    buttons = status_buttons(call.t, record)
    rows = [*(buttons.inline_keyboard if buttons else ()), await private_link(call, record)]
    return pages.Page("\n".join(lines), number, count, rows)


LISTING_HEADERS = {
    "find": N_("Found {total} for “{arg}”:"),
    "mine": N_("Your records ({total}):"),
    "open": N_("Open records ({total}):"),
    "buyer": N_("History of buyer {arg} ({total}):"),
}


async def load_page(call: Call, view: str, arg: str, page: int) -> records.Page:
    """Run the query behind a listing view (searching personal fields only for who may see them, here)."""
    personal = may_see_personal(call.roles, private=call.is_private)
    if view == "find":
        return await records.find(arg, page, personal=personal)
    if view == "mine":
        return await records.mine(int(arg), page)
    if view == "open":
        return await records.open_records(records.parse_kind(arg) if arg else None, page)
    return await records.buyer_history(arg, page, personal=personal)


def listing_text(t: Translator, view: str, arg: str, page: records.Page) -> str:
    """A listing page: header, one line per record, page number."""
    if not page.records:
        return t("Nothing found.")
    lines = [t(LISTING_HEADERS[view], total=page.total, arg=arg)]
    lines += [rt.summary(t, record) for record in page.records]
    if page.pages > 1:
        lines.append(t("Page {page} of {pages}", page=page.page, pages=page.pages))
    return "\n".join(lines)


def listing_page(view: str) -> pages.Render:
    """How one listing view draws a page (the argument echoed masked outside private chats)."""

    async def render(call: Call, arg: str, number: int) -> pages.Page:
        """Query and draw."""
        page = await load_page(call, view, arg, number)
        shown = arg if call.is_private else masking.in_text(arg)
        return pages.Page(listing_text(call.t, view, shown, page), page.page, page.pages)

    return render


async def refused_search(call: Call, arg: str) -> bool:
    """Refuse a search by phone or e-mail unless the person may see customer data here (saying why, and
    deleting the group message that carried it)."""
    if not records.looks_personal(arg, await rules.current()):
        return False
    if may_see_personal(call.roles, private=call.is_private):
        return False
    if is_allowed("personal.see", call.roles):
        await call.reply(
            call.t(
                "Search by phone or Alipay account in a private chat with me: here the whole group sees it."
            )
        )
    else:
        roles = role_names(call.t, required_roles("personal.see"))
        await call.reply(
            call.t(
                "Searching by phone, name, Alipay account or address needs the role: {roles}.", roles=roles
            )
        )
    await privacy.scrub(call)
    return True


def listing(view: str):  # type: ignore[no-untyped-def]
    """The handler for one listing command."""

    async def list_records(call: Call) -> None:
        """Show page 1; the page buttons re-run the query."""
        arg = str(call.user_id) if view == "mine" else " ".join(call.args)
        if view in {"find", "buyer"}:
            if not arg:
                raise UserError(N_("Find what? Give an order number, tracking number, buyer or record id."))
            if await refused_search(call, arg):
                return
        await pages.show(call, view, arg)

    return list_records


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


async def load_draft(call: Call) -> Target[Held] | None:
    """The draft a "log anyway" press stores (held per chat)."""
    assert call.button is not None
    held: Held | None = chat_store(call, DRAFTS_KEY).get(call.button.id)
    return None if held is None else Target(held, held.draft.kind.value)


async def log_anyway(call: Call, held: Held) -> None:
    """The "log anyway" button under a duplicate warning: store the held draft."""
    assert call.button is not None
    chat_store(call, DRAFTS_KEY).pop(call.button.id, None)
    created = await records.create(
        held.draft,
        author_id=call.user_id,
        chat_id=held.chat_id,
        rules=await rules.current(),
        now=datetime.now(UTC),
        force=True,
    )
    assert created.record is not None
    await call.answer(call.t("✅ Saved."))
    if held.chat_id != call.chat_id:
        await call.query.edit_message_reply_markup(None)
        await show_saved(call, created, held.chat_id)
        await watch_deadline(call, created.record)
        return
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
    words = arguments(call)[1:]
    plain, values = rf.key_values(words, team_rules)
    if 0 in (run_ons := rf.run_ons(words)):
        raise rf.run_on_error(plain[0], *run_ons[0])
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
    if carries_personal(values):
        await privacy.scrub(call)


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
        app.add_handler(SlashHandler(filters.PHOTO & caption, gated(kind.value, logger(kind))))
    app.add_handler(command("show", show))
    pages.view("show", "show", show_page)
    links.opener(RECORD_LINK, "show", open_record)
    for view in LISTING_HEADERS:
        app.add_handler(command(view, listing(view)))
        pages.view(view, "record.page", listing_page(view))
    app.add_handler(command("edit", edit))
    app.add_handler(command("void", void))
    app.add_handler(command("reverse", reverse))
    app.add_handler(button(Family.RECORD, load_card, press_card))
    app.add_handler(button(Family.DRAFT, load_draft, log_anyway))
    replies = filters.REPLY & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO)
    app.add_handler(message(replies, load_replied_card, note_by_reply))

"""/handover: the handover book for the next shift, and the ✅ buttons that tick its items off."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import Application

from bot.enums import ChatPurpose
from bot.models import HandoverItem
from bot.render.codec import Family, encode
from bot.services.shifts import handover
from bot.services.team import chats
from handlers.gate import Call, Target, button, command
from jobs.engine import now


async def add_or_list(call: Call) -> None:
    """`/handover <text>` adds an item for the next shift; alone, it lists the open ones."""
    body = (call.message.text or "").partition(" ")[2].strip()
    if not body:
        items = await handover.open_items()
        if not items:
            await call.reply(call.t("📒 The handover book is empty: nothing open."))
            return
        lines = [call.t("📒 Open handover items ({count}):", count=len(items))]
        lines += [handover.line(call.t, item, whole=True) for item in items]
        await call.reply("\n".join(lines))
        return
    item = await handover.add(handover.parse(body), author_id=call.user_id, chat_id=call.chat_id)
    await call.reply(call.t("📒 Noted for the next shift:") + "\n" + handover.line(call.t, item, whole=True))


def without_button(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """The keyboard minus one button (None when nothing is left)."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def load_item(call: Call) -> Target[HandoverItem] | None:
    """The handover item a ✅ ticks off: where it was written, or where shift postings list it."""
    assert call.button is not None
    item = await HandoverItem.get_or_none(id=call.button.id)
    if item is None:
        return None
    where = {item.chat_id, *await chats.of_purpose(ChatPurpose.TEAM)}
    if item.warehouse:
        where.update(await chats.of_purpose(ChatPurpose.WAREHOUSE))
    return Target(item, "handover.done", frozenset(where))


async def press(call: Call, item: HandoverItem) -> None:
    """✅ under a handover item: tick it off, say who, drop the button (a second press changes nothing)."""
    assert call.query.data is not None
    closed = await handover.close(item.id, actor_id=call.user_id, chat_id=call.chat_id, now=now())
    remaining = without_button(call.message.reply_markup, encode(Family.HANDOVER, "done", item.id))
    if closed is None:
        await call.answer(call.t("Already handled."))
        if remaining != call.message.reply_markup:
            await call.query.edit_message_reply_markup(remaining)
        return
    stamp = call.t("✅ #{id} done by {name}.", id=closed.id, name=call.name)
    await call.answer(stamp)
    await call.query.edit_message_text(f"{call.message.text or ''}\n{stamp}", reply_markup=remaining)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /handover and its buttons."""
    app.add_handler(command("handover", add_or_list))
    app.add_handler(button(Family.HANDOVER, load_item, press))

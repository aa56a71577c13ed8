"""/handover: the handover book for the next shift, and the ✅ buttons that tick its items off."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.services.permissions import is_allowed
from bot.services.shifts import handover
from bot.services.team import people
from handlers.common import Call, Ctx, command, translator_for
from jobs import alarms as engine


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


async def press(update: Update, context: Ctx) -> None:
    """✅ under a handover item: tick it off, say who, drop the button."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    t = await translator_for(update, context)
    if not is_allowed("handover", await people.roles_of(query.from_user.id)):
        await query.answer(t("Sorry, this needs a role in the team."), show_alert=True)
        return
    item_id = int(query.data.partition(":")[2])
    item = await handover.close(
        item_id, actor_id=query.from_user.id, chat_id=query.message.chat_id, now=engine.now()
    )
    if item is None:
        await query.answer(t("Already handled."))
        await query.edit_message_reply_markup(without_button(query.message.reply_markup, query.data))
        return
    who = f"@{query.from_user.username}" if query.from_user.username else query.from_user.first_name
    stamp = t("✅ #{id} done by {name}.", id=item.id, name=who)
    await query.answer(stamp)
    await query.edit_message_text(
        f"{query.message.text or ''}\n{stamp}",
        reply_markup=without_button(query.message.reply_markup, query.data),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add /handover and its buttons."""
    app.add_handler(command("handover", add_or_list))
    app.add_handler(CallbackQueryHandler(press, pattern=r"^ho:\d+$"))

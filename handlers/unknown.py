"""Unknown commands: answered in private chats, ignored quietly in groups (groups share bots)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, filters

from bot.render.context import translator_for
from handlers.gate import Ctx, SlashHandler


async def unknown_command(update: Update, context: Ctx) -> None:
    """Point a person who typed a command we don't have to /help."""
    message = update.effective_message
    if message is None or not message.text:
        return
    t = await translator_for(update, context.application)
    word = message.text.split()[0]
    await message.reply_text(t("I don't know {command}. Send /help to see what you can do.", command=word))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Registered last, so real commands win."""
    app.add_handler(SlashHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))

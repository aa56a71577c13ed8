"""A bare PTB echo bot: the baseline bench/throughput.py compares kefu-bot with.

It has nothing but what any PTB bot has (no database, no rate limiter, no logging set-up), so the
difference to kefu-bot is our own handler overhead. Configured like kefu-bot from BOT_TOKEN and
TELEGRAM_API_BASE_URL; run with `python bench/echo_bot.py`. With ECHO_COMMANDS_ONLY set it answers commands
only and ignores other text, like a group bot that mostly listens (bench/backlog.py's chatter).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text (commands included)."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    """Poll until interrupted."""
    app = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"))
        .build()
    )
    only = filters.COMMAND if os.environ.get("ECHO_COMMANDS_ONLY") else filters.TEXT
    app.add_handler(MessageHandler(only, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()

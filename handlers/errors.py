"""The one error handler: log the failing update first, then apologise briefly; the bot keeps serving."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.render.context import translator_for
from handlers.gate import Ctx

log = logging.getLogger(__name__)


async def on_error(update: object, context: Ctx) -> None:
    """Log with the update id and traceback; tell the person something went wrong, never the traceback."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        t = await translator_for(update, context.application)
        await context.bot.send_message(
            update.effective_chat.id,
            t("Sorry, something went wrong on my side. It has been logged; please try again."),
        )
    except (TelegramError, OSError, RuntimeError) as exc:
        log.warning("could not apologise for update %s: %s", update_id, exc)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Install the error handler."""
    app.add_error_handler(on_error)

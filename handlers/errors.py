"""The one error handler: log the failing update first, apologise briefly, and tell the owners in private (at
most once per distinct error per hour); the bot keeps serving."""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.render.context import App, chat_translator, settings_of, translator_for
from handlers.gate import Ctx

log = logging.getLogger(__name__)

ALERT_EVERY = timedelta(hours=1)
"""An error that repeats (every update of a broken feature) reaches the owners once an hour, not each time."""
ALERTED_KEY = "errors_alerted"
"""bot_data: when each distinct error was last reported to the owners."""


async def on_error(update: object, context: Ctx) -> None:
    """Log with the update id and traceback; alert the owners; tell the person something went wrong, never
    the traceback."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            t = await translator_for(update, context.application)
            await context.bot.send_message(
                update.effective_chat.id,
                t("Sorry, something went wrong on my side. It has been logged; please try again."),
            )
        except (TelegramError, OSError, RuntimeError) as exc:
            log.warning("could not apologise for update %s: %s", update_id, exc)
    if context.error is not None:
        await alert_owners(context.application, context.error, update_id)


def fingerprint(error: BaseException) -> str:
    """What makes two errors the same: the exception, its message and where it was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {str(error)[:300]}{where}"


async def alert_owners(app: App, error: BaseException, update_id: int | None) -> None:
    """Each owner hears of a distinct error in private, again only after ALERT_EVERY."""
    key, moment = fingerprint(error), datetime.now(UTC)
    alerted: dict[str, datetime] = app.bot_data.setdefault(ALERTED_KEY, {})
    last = alerted.get(key)
    if last is not None and moment - last < ALERT_EVERY:
        return
    alerted[key] = moment
    for owner in sorted(settings_of(app).bot_owner_ids):
        try:
            t = await chat_translator(app, owner)
            text = t(
                "⚠️ An error occurred (update {update}):\n{error}\n"
                "The same error is reported to you at most once an hour; the log has the details.",
                update=update_id if update_id is not None else "-",
                error=key,
            )
            await app.bot.send_message(owner, text)
        except Exception as exc:  # the database may be what failed: the alert never raises out of here
            log.warning("could not alert owner %s: %s", owner, exc)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Install the error handler."""
    app.add_error_handler(on_error)

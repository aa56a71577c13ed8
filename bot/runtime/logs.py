"""Logs a machine can read: with LOG_FORMAT=json each line is one JSON object carrying the update being
handled (its id, chat and command), so one person's trouble can be followed across instances."""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.render import codec

CURRENT: ContextVar[dict[str, Any] | None] = ContextVar("kefu_update", default=None)
"""The update the current task is handling: PTB handles one update's handlers in one task."""
LAST_UPDATE_KEY = "last_update_at"
"""bot_data: the monotonic time the latest update arrived, for /healthz."""
OBSERVER_GROUP = -100
"""Before the gatekeeper (-1) and every feature."""


def describe(update: Update) -> dict[str, Any]:
    """What a log line says about an update: its id, chat and the command or button it carries."""
    fields: dict[str, Any] = {"update_id": update.update_id}
    if update.effective_chat is not None:
        fields["chat"] = update.effective_chat.id
    message = update.effective_message
    text = message.text if message is not None and update.callback_query is None else None
    if text and text.startswith("/"):
        fields["command"] = text.split()[0].split("@")[0]
    elif update.callback_query is not None and update.callback_query.data:
        button = codec.decode(update.callback_query.data)  # a forged press is named, never echoed
        fields["command"] = f"button:{button.family.value}{codec.VERSION}" if button else "button:unreadable"
    return fields


async def observe(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Note the update for the log lines written while it is handled, and when it came."""
    if isinstance(update, Update):
        CURRENT.set(describe(update))
    context.application.bot_data[LAST_UPDATE_KEY] = time.monotonic()


def install(app: Application) -> None:  # type: ignore[type-arg]
    """Observe every update before any feature sees it (it never stops one)."""
    app.add_handler(TypeHandler(object, observe), group=OBSERVER_GROUP)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the update's fields and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record with the current update's id, chat and command."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(CURRENT.get() or {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Readable or JSON logs; keep httpx quiet, it logs every request."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
